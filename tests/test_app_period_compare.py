"""AppTest of the period comparisons on Home and Funnel (ja and en): each compared card's value, its delta and the
line under it equal plain pandas over the sample file, for the current month to the as-of date against the same
days of last month and of last year (前月同日比, 前年同月同日比)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Caption, Metric
from test_app_expected import APP, LOST, WON, sales_rows

from kpi_core.period_compare import ZERO_BASE, Change, MeasureComparison, PeriodComparison, Window
from ui.comparison_view import change_line, comparison_help, span_text

AS_OF = dt.date(2026, 11, 15)
WINDOWS = {
    "current": (dt.date(2026, 11, 1), dt.date(2026, 11, 15)),
    "previous": (dt.date(2026, 10, 1), dt.date(2026, 10, 15)),
    "last_year": (dt.date(2025, 11, 1), dt.date(2025, 11, 15)),
}
LABELS = {
    "ja": {"previous": "前月同日比", "last_year": "前年同月同日比"},
    "en": {"previous": "vs same days last month", "last_year": "vs same days last year"},
}
NAMES = {
    "ja": {"opportunities": "商談数", "won": "受注件数", "won_revenue": "受注金額", "win_rate": "受注率"},
    "en": {"opportunities": "Opportunities", "won": "Won deals", "won_revenue": "Won revenue", "win_rate": "Win rate"},
}


def figures_in(rows: pd.DataFrame, window: tuple[dt.date, dt.date]) -> dict[str, float]:
    """The sample's figures in a window, each on its own date (deals by creation, outcomes by close)."""

    def within(dates: pd.Series) -> pd.Series:
        return dates.map(lambda d: isinstance(d, dt.date) and window[0] <= d <= window[1])

    won = rows["stage"].isin(WON) & within(rows["closed"])
    lost = rows["stage"].isin(LOST) & within(rows["closed"])
    priced = won & rows["amount"].notna()
    revenue = float(rows.loc[won, "amount"].fillna(0).sum())
    return {
        "opportunities": int(within(rows["created"]).sum()),
        "won": int(won.sum()),
        "won_revenue": revenue,
        "win_rate": won.sum() / (won.sum() + lost.sum()),
        "avg_unit_price": revenue / priced.sum(),
    }


@pytest.fixture(scope="module")
def sample() -> dict[str, dict[str, float]]:
    rows = sales_rows().query("usable")
    return {name: figures_in(rows, window) for name, window in WINDOWS.items()}


def one_decimal(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def expected_change(name: str, now: float, old: float, lang: str) -> str:
    """+12.5% for a volume or an amount, +2.5pt / +2.5 pt for the win rate."""
    if name == "win_rate":
        points = one_decimal((now - old) * 100)
        return ("+" if points >= 0 else "-") + f"{abs(points)}" + ("pt" if lang == "ja" else " pt")
    change = one_decimal((now / old - 1) * 100)
    return ("+" if change > 0 else "-" if change < 0 else "±") + f"{abs(change)}%"


def expected_line(name: str, now: float, old: float, basis: str, lang: str) -> str:
    """前月同日比 :green[↑ +5.0%] / :green[↑ +5.0%] vs same days last month (arrow and figure joined by a no-break
    space; every measure compared here is better higher: a rise is green, a fall red)."""
    change = expected_change(name, now, old, lang)
    shown = f":{'green' if change[0] == '+' else 'red'}[{'↑' if change[0] == '+' else '↓'}\u00a0{change}]"
    return f"{LABELS[lang][basis]} {shown}" if lang == "ja" else f"{shown} {LABELS[lang][basis]}"


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _blocks(node: Any) -> list[Block]:
    found = []
    if isinstance(node, Block):
        found.append(node)
        for child in node.children.values():
            found.extend(_blocks(child))
    return found


def _elements(node: Any) -> list[Any]:
    if isinstance(node, Block):
        return [e for child in node.children.values() for e in _elements(child)]
    return [node]


def card(at: AppTest, key: str) -> tuple[Metric, list[str]]:
    """The metric in the container keyed `key` and the caption lines under it (escapes removed)."""
    block = next(b for b in _blocks(at.main) if (getattr(b.proto, "id", "") or "").endswith(f"-{key}"))
    elements = _elements(block)
    metric = next(e for e in elements if isinstance(e, Metric))
    lines = [unescaped(line) for e in elements if isinstance(e, Caption) for line in e.value.split("  \n")]
    return metric, lines


def page(lang: str, path: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"lang": lang, "asof": AS_OF.isoformat()})
    at.run()
    if path is not None:
        at = at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_home_compares_this_month_with_the_same_days_last_year_and_last_month(sample, lang: str) -> None:
    at = page(lang)
    now, last_year = sample["current"], sample["last_year"]
    for name in ("opportunities", "won", "win_rate", "won_revenue"):
        metric, lines = card(at, f"kpi_{name}")
        assert metric.label.startswith(NAMES[lang][name])
        # Home leads with last year: its line first, then last month's
        expected = [
            expected_line(name, now[name], sample[basis][name], basis, lang) for basis in ("last_year", "previous")
        ]
        assert lines == expected
    metric, _ = card(at, "kpi_won")
    ly_won = f"{int(last_year['won']):,}"
    assert metric.label == (f"受注件数（前年同期 {ly_won}）" if lang == "ja" else f"Won deals (last year {ly_won})")
    assert metric.value == f"{int(now['won']):,}"
    # the exact days compared, in the tooltip
    assert ("2026年10月1日〜15日" if lang == "ja" else "Oct 1 – 15, 2026") in unescaped(metric.proto.help)
    windows = " ".join(unescaped(c.value) for c in at.caption)
    assert ("2025年11月1日〜15日" if lang == "ja" else "Nov 1 – 15, 2025") in windows


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_funnel_shows_the_month_so_far_against_last_month_and_last_year(sample, lang: str) -> None:
    at = page(lang, "pages/2_Funnel.py")
    now = sample["current"]
    for name in ("opportunities", "won", "won_revenue", "win_rate", "avg_unit_price"):
        metric, lines = card(at, f"kpi_cmp_{name}")
        # Funnel leads with last month; the same days last year under it
        expected = [
            expected_line(name, now[name], sample[basis][name], basis, lang) for basis in ("previous", "last_year")
        ]
        assert lines == expected
    metric, _ = card(at, "kpi_cmp_opportunities")
    assert metric.value == f"{int(now['opportunities']):,}"
    assert metric.label == ("商談数（11月）" if lang == "ja" else "Opportunities (Nov)")
    title = "2026年11月の動き（2026年11月1日〜15日）" if lang == "ja" else "Nov 2026 so far (Nov 1 – 15, 2026)"
    assert any(unescaped(m.value) == f"**{title}**" for m in at.markdown), [m.value for m in at.markdown][:8]


# ------------------------------------------------------------------------------------------------ the lines, by hand
def comparison_of(changes: dict[str, Change], *, unit: str = "count", better: str = "higher") -> PeriodComparison:
    item = MeasureComparison("m", unit, better, 5.0, changes)
    windows = {
        "previous": Window(dt.date(2024, 10, 1), dt.date(2024, 10, 15)),
        "last_year": Window(dt.date(2023, 11, 1), dt.date(2023, 11, 15)),
    }
    current = Window(dt.date(2024, 11, 1), dt.date(2024, 11, 15))
    return PeriodComparison(dt.date(2024, 11, 15), "month", 4, True, current, windows, {"m": item})


def test_a_fall_of_a_lower_is_better_figure_is_green_and_a_zero_base_shows_the_difference() -> None:
    c = comparison_of(
        {
            "previous": Change("previous", 8.0, -3.0, -0.375, True),
            "last_year": Change("last_year", 0.0, 5.0, None, True, ZERO_BASE),
        },
        better="lower",
    )
    item = c.measures["m"]
    assert unescaped(change_line(c, item, "previous", "ja")) == "前月同日比 :green[↓\u00a0-37.5%]"
    # 5 against 0: +5, not an infinite rise; more of a lower-is-better figure is bad news
    assert unescaped(change_line(c, item, "last_year", "en")) == ":red[↑\u00a0+5] vs same days last year"
    assert "比較期間が0のため" in unescaped(comparison_help(c, item, "ja"))


def test_a_period_without_data_says_so_in_grey() -> None:
    c = comparison_of(
        {
            "previous": Change("previous", None, None, None, False, "no_data"),
            "last_year": Change("last_year", 0.2, 0.05, None, False, "partial_data"),
        },
        unit="ratio",
    )
    item = c.measures["m"]
    assert unescaped(change_line(c, item, "previous", "ja")) == "前月同日比 :gray[比較期間のデータなし]"
    assert (
        unescaped(change_line(c, item, "last_year", "en"))
        == ":gray[data starts within that period] vs same days last year"
    )
    help_text = unescaped(comparison_help(c, item, "en"))
    assert "vs same days last month: Oct 1 – 15, 2024 (no data for that period)" in help_text


@pytest.mark.parametrize(
    ("start", "end", "ja", "en"),
    [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 15), "2026年11月1日〜15日", "Nov 1 – 15, 2026"),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 15), "2026年10月1日〜11月15日", "Oct 1 – Nov 15, 2026"),
        (dt.date(2025, 4, 1), dt.date(2026, 3, 31), "2025年4月1日〜2026年3月31日", "Apr 1, 2025 – Mar 31, 2026"),
    ],
)
def test_spans_of_days(start: dt.date, end: dt.date, ja: str, en: str) -> None:
    assert (span_text(Window(start, end), "ja"), span_text(Window(start, end), "en")) == (ja, en)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_goals_compares_the_kgi_year_to_date_and_each_kpi_month_to_date(sample, lang: str) -> None:
    """Goals: under the KGI card, the fiscal year to the as-of date against the same days of the last fiscal year
    (a year has no other comparison); under the bullet chart, each monthly KPI against last month and last year, all
    from plain pandas."""
    rows = sales_rows().query("usable")
    year_now = figures_in(rows, (dt.date(2026, 4, 1), AS_OF))["won_revenue"]
    year_before = figures_in(rows, (dt.date(2025, 4, 1), dt.date(2025, 11, 15)))["won_revenue"]
    at = page(lang, "pages/4_Goals.py")
    lines = [unescaped(line) for caption in at.caption for line in caption.value.split("  \n")]
    kgi_label = {"ja": "前年度同日比", "en": "vs same days last year"}[lang]
    change = expected_change("won_revenue", year_now, year_before, lang)
    assert any(kgi_label in line and change in line for line in lines), (change, lines[:3])
    win_rate = {"ja": "商談受注率", "en": "Deal win rate"}[lang]
    line = next(line for line in lines if line.startswith(win_rate))
    for basis in ("previous", "last_year"):
        expected = expected_line("win_rate", sample["current"]["win_rate"], sample[basis]["win_rate"], basis, lang)
        assert expected in line, (expected, line)
