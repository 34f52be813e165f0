"""AppTest of the Pivots page (figures against kpi_core.pivots computed here), and its summary exports."""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, WON, metric_values, sales_rows, yen

from kpi_core.goals import load_goals, template_text
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.pivots import lever_history, parse_setting, pivots_for_goals
from kpi_core.report import build_report
from ui.format import fmt_yen_compact
from ui.pivots.charts import evidence_frame, pair_evidence_chart, pair_evidence_frame
from ui.pivots.sentences import fmt_lever_pair, pivot_sentence
from ui.pivots.state import lever_index
from ui.pivots.summary import build_summary, summary_html, summary_xlsx

NEUTRAL_SETTING = "avg_unit_price=+0%"

PIVOTS = "pages/6_Pivots.py"
ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 15)
SCRIPT = "<script>alert('x')</script>"
FORMULA = "=cmd|' /C calc'!A0"


@functools.cache
def sample(name: str) -> Dataset:
    path = ROOT / "sample_data" / name
    return load_dataset([FileInput(name, path)])


def engine_report(
    name: str,
    template: str,
    lang: str,
    as_of: dt.date = AS_OF,
    settings: tuple[str, ...] = (),
    target_mode: str = "catch_up",  # the page's default: the month's share catches up what the year is behind
):
    goals = load_goals(template_text(template, lang))
    settings_ = [parse_setting(s) for s in settings]
    return pivots_for_goals(goals, sample(name), as_of, settings=settings_, target_mode=target_mode)


def open_pivots(session: dict | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    return at.switch_page(PIVOTS).run()


def markdown_text(at: AppTest) -> str:
    """Every markdown block on the page, with the markdown escapes removed."""
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def pct(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def test_sales_sample_shows_the_engines_shortfall_and_top_pivot():
    report = engine_report("sales_deals_ja.csv", "sales", "ja")
    shortfalls = [s for s in report.shortfalls if s.kpi.id != "kgi"]
    assert [s.kpi.id for s in shortfalls] == ["win_rate"]  # the fixture the page is checked against
    shortfall = shortfalls[0]
    top = shortfall.pivots[0]
    at = open_pivots(asof=AS_OF.isoformat())
    assert not at.exception
    assert at.title[0].value == "代わりに何をするか？"
    figures = metric_values(at)
    assert figures["未達見込みのKPI"] == "1 / 3"
    text = markdown_text(at)
    assert f"商談受注率：見込み {pct(shortfall.kpi.forecast)}（目標 {pct(shortfall.kpi.target)}、2026年11月）" in text
    (change,) = top.changes
    assert change.unit == "ratio"
    assert f"必要 {pct(change.required)}" in text  # the rank-1 card
    assert f"過去{top.evidence.months}か月中{top.evidence.achieved}か月で達成" in text
    # KGI forecast headline: the pacing forecast of the year (exact value in the help text)
    kgi = next(m for m in at.metric if m.label.startswith("KGI見込み"))
    assert kgi.proto.help == f"正確な値：{yen(report.kgi['forecast']['value'])}"


def test_the_as_of_date_in_the_url_is_honoured():
    at = open_pivots(asof="2026-10-10", lang="en")
    assert not at.exception
    assert at.date_input(key="w_asof").value == dt.date(2026, 10, 10)
    report = engine_report(
        "sales_deals_ja.csv", "sales", "en", as_of=dt.date(2026, 10, 10), settings=("avg_unit_price=+0%",)
    )
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Oct 2026 revenue at the current pace") for label in labels)
    month = next(m for m in at.metric if m.label.startswith("Oct 2026 revenue at the current pace"))
    assert month.proto.help == f"Exact value: {yen(report.what_if.kgi_before)}"
    missing = len([s for s in report.shortfalls if s.kpi.id != "kgi"])
    assert metric_values(at)["KPIs forecast to miss"] == f"{missing} / 3"
    assert at.query_params["asof"] == "2026-10-10"


def outcome_help(at: AppTest) -> str:
    """The exact-value help of the what-if's revenue figure."""
    return next(m for m in at.metric if m.label.startswith("2026年11月の受注金額（")).proto.help


# Widget interactions run in Japanese: ui/goals_state.draw_calendar's format_func reads the session language at
# call time, and AppTest calls it outside the script run (→ Japanese labels against English options, ValueError).
def test_a_what_if_setting_in_the_url_changes_the_kgi_outcome_as_the_engine_says():
    base = engine_report("sales_deals_ja.csv", "sales", "ja", settings=("avg_unit_price=+0%",)).what_if
    changed = engine_report("sales_deals_ja.csv", "sales", "ja", settings=("win_rate=0.3",)).what_if
    assert changed.kgi_after != pytest.approx(base.kgi_after)
    at = open_pivots(asof=AS_OF.isoformat(), set="win_rate=0.3")
    assert not at.exception
    assert outcome_help(at) == f"正確な値：{yen(changed.kgi_after)}"
    assert at.number_input(key="w_wi_win_rate_value").value == pytest.approx(30.0)
    assert at.query_params["set"] == "win_rate=0.3"
    # Clearing goes back to the forecast before any change; a percentage typed in goes into the URL.
    at.button(key="what_if_reset").click().run()
    assert outcome_help(at) == f"正確な値：{yen(base.kgi_after)}"
    assert "set" not in at.query_params
    expected = engine_report("sales_deals_ja.csv", "sales", "ja", settings=("opportunities=+10%",)).what_if
    at.number_input(key="w_wi_opportunities_pct").set_value(10.0).run()
    assert not at.exception
    assert at.query_params["set"] == "opportunities=+10%"
    assert outcome_help(at) == f"正確な値：{yen(expected.kgi_after)}"


def test_leads_sample_shows_the_sql_shortfall_and_its_top_pivot():
    report = engine_report("marketing_leads_en.csv", "marketing", "en")
    shortfall = next(s for s in report.shortfalls if s.kpi.id != "kgi")
    top = shortfall.pivots[0]
    at = open_pivots(asof=AS_OF.isoformat(), lang="en", src="leads")
    assert not at.exception
    text = markdown_text(at)
    forecast, target = round(shortfall.kpi.forecast), round(shortfall.kpi.target)
    assert f"{shortfall.kpi.name}: forecast {forecast:,} (target {target:,}, Nov 2026)" in text
    assert top.kind == "pair" and top.verdict == "impossible"
    rate, price = top.changes
    price_text = f"¥{price.required / 1e3:.0f}K" if price.required < 1e6 else f"¥{price.required / 1e6:.2f}M"
    assert f"needed {pct(rate.required)} / {price_text}" in text
    assert any("Impossible" in m.value for m in at.markdown)


def test_the_monthly_sheet_says_what_it_can_and_cannot_do():
    at = open_pivots(asof=AS_OF.isoformat(), lang="en", src="kpi")
    assert not at.exception
    assert any(i.value.startswith("Monthly sheet") for i in at.info)
    assert "KPIs forecast to miss" in metric_values(at)


def test_no_kpi_forecast_to_miss_says_so_and_still_offers_the_what_if():
    text = template_text("sales", "en").replace("target: 0.25", "target: 0.05").replace("target: 50", "target: 5")
    text = text.replace("target: 1200000", "target: 1000")
    # An even share of the KGI: with the default catch-up share, the year's shortfall would make the month miss.
    at = open_pivots({"goals_yaml": {"sales": text}}, asof=AS_OF.isoformat(), lang="en", share="even")
    assert not at.exception
    assert any(s.value.startswith("No KPI is forecast to miss") for s in at.success)
    assert metric_values(at)["KPIs forecast to miss"] == "0 / 3"
    assert at.number_input(key="w_wi_win_rate_pct").value == 0.0


@pytest.mark.parametrize("share", ["catch_up", "even"])
def test_the_month_share_of_the_kgi_follows_the_url_and_the_engine(share):
    at = open_pivots(asof=AS_OF.isoformat(), lang="en", **({} if share == "catch_up" else {"share": share}))
    assert not at.exception
    report = engine_report("sales_deals_ja.csv", "sales", "en", settings=(NEUTRAL_SETTING,), target_mode=share)
    month_target = report.what_if.kgi_target
    assert month_target == pytest.approx(
        12_000_000 if share == "even" else (144_000_000 - booked_this_year_before(AS_OF)) / 5
    )  # the sample's KGI is 144M for the fiscal year starting in April; November leaves 5 months
    label = next(label for label in metric_values(at) if label.startswith("Nov 2026 revenue"))
    assert f"(target {fmt_yen_compact(month_target, 'en')})" in label


def booked_this_year_before(as_of: dt.date) -> float:
    """Won revenue of the sample from the fiscal year's start (April) to the end of the month before `as_of`, with
    plain pandas."""
    rows = sales_rows()
    start = dt.date(as_of.year if as_of.month >= 4 else as_of.year - 1, 4, 1)
    in_window = [isinstance(d, dt.date) and start <= d < as_of.replace(day=1) for d in rows["closed"]]
    won = rows["usable"] & rows["stage"].isin(WON) & pd.Series(in_window, index=rows.index)
    return float(rows.loc[won, "amount"].sum())


def hostile_goals(lang: str = "en") -> str:
    """The sales template with a KPI named like a script and a CSF action that looks like a spreadsheet formula."""
    text = template_text("sales", lang)
    name = "Deal win rate" if lang == "en" else "商談受注率"
    first_action = "Follow up regularly" if lang == "en" else "定期的にフォローする"
    assert name in text and first_action in text
    return text.replace(f"name: {name}", f'name: "{SCRIPT}"').replace(first_action, f'"{FORMULA}"')


def test_user_text_is_shown_as_text_on_the_page():
    at = open_pivots({"goals_yaml": {"sales": hostile_goals()}}, asof=AS_OF.isoformat(), lang="en")
    assert not at.exception
    assert SCRIPT in markdown_text(at)  # shown as typed (escaped for markdown), never as HTML
    assert not any(SCRIPT in m.value for m in at.markdown)  # the raw form is never handed to markdown


def test_the_html_summary_escapes_and_the_xlsx_neutralises_user_text():
    # Every CSF's first action looks like a formula; in October the revenue misses, so pivots name their CSFs.
    goals = load_goals(hostile_goals().replace("    actions:\n", f'    actions:\n      - "{FORMULA}"\n'))
    dataset = sample("sales_deals_ja.csv")
    report = build_report(goals, dataset, dt.date(2026, 10, 15))
    levers = lever_index(report.pivots.models, dataset)
    summary = build_summary(report, "en", levers, subtitle=f"Sample · {SCRIPT}", kgi_name=goals.kgi.name)
    assert any(SCRIPT in line for line in summary.why)
    assert any(FORMULA in line for line in summary.next)
    page = summary_html(summary)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "@page { size: A4" in page
    book = load_workbook(io.BytesIO(summary_xlsx(summary)))
    cells = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert any(SCRIPT in c for c in cells)
    formula_cells = [c for c in cells if FORMULA in c]
    assert formula_cells and all(not c.startswith("=") for c in formula_cells)
    subtitle = next(c for c in cells if c.startswith("Sample"))
    assert subtitle == f"Sample · {SCRIPT}"


def test_the_xlsx_neutralises_a_line_that_starts_like_a_formula():
    goals = load_goals(template_text("sales", "en").replace("name: Deal win rate", 'name: "=cmd"'))
    dataset = sample("sales_deals_ja.csv")
    report = build_report(goals, dataset, AS_OF)
    summary = build_summary(report, "en", lever_index(report.pivots.models, dataset), subtitle="x", kgi_name="=cmd")
    book = load_workbook(io.BytesIO(summary_xlsx(summary)))
    cells = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=cmd" in cells  # the KGI figure row
    assert any(c.startswith("'=cmd:") for c in cells)  # a "what we do next" line led by the KPI name
    assert not [c for c in cells if c.startswith("=")]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_pivot_that_needs_no_change_says_the_forecast_is_enough_and_names_no_csf(lang):
    dataset = sample("sales_deals_ja.csv")
    report = engine_report("sales_deals_ja.csv", "sales", lang, target_mode="even")
    levers = lever_index(report.models, dataset)
    # At AS_OF the sample's win rate misses, but the other levers' forecasts already cover an even month's share.
    slack = [p for s in report.shortfalls for p in s.pivots if p.verdict == "no_change_needed"]
    assert {p.kind for p in slack} == {"single", "pair"}
    for pivot in slack:
        assert all(c.change_pct <= 0 for c in pivot.changes if c.change_pct is not None)  # below the forecast
        text = pivot_sentence(pivot, lang, levers)
        assert ("でも足ります" if lang == "ja" else "would still be enough") in text
        assert ("今の見込みで達成できます" if lang == "ja" else "the forecast already covers it") in text
        assert "CSF" not in text and "must" not in text and "pivot to" not in text
        assert "pivot to" not in pivot.explanation.text and "must" not in pivot.explanation.text


def test_a_forecast_and_a_target_that_round_alike_are_written_in_full():
    assert fmt_lever_pair(144_300_000, 144_000_000, "currency", "ja") == ("¥144,300,000", "¥144,000,000")
    assert fmt_lever_pair(145_234_000, 144_000_000, "currency", "ja") == ("1.45億円", "1.44億円")  # already apart
    assert fmt_lever_pair(144e6, 144e6, "currency", "en") == ("¥144M", "¥144M")  # equal values stay short
    assert fmt_lever_pair(0.2, 0.25, "ratio", "en") == ("20.0%", "25.0%")


def test_evidence_charts_highlight_as_many_months_as_the_engine_counts():
    dataset = sample("sales_deals_ja.csv")
    report = engine_report("sales_deals_ja.csv", "sales", "en")
    history = lever_history(dataset, report.models, AS_OF)
    checked = 0
    for shortfall in report.shortfalls:
        for pivot in shortfall.pivots:
            if pivot.kind != "single" or not pivot.evidence.months:
                continue
            change = pivot.changes[0]
            frame = evidence_frame(history, change.lever, change.history_level, change.unit, "en")
            assert len(frame) == pivot.evidence.months
            assert int(frame["reached"].sum()) == pivot.evidence.achieved
            checked += 1
    assert checked >= 3


def test_pair_evidence_charts_highlight_the_months_both_levers_reached():
    dataset = sample("sales_deals_ja.csv")
    report = engine_report("sales_deals_ja.csv", "sales", "en", as_of=dt.date(2026, 10, 15))
    history = lever_history(dataset, report.models, dt.date(2026, 10, 15))
    pairs = [p for s in report.shortfalls for p in s.pivots if p.kind == "pair" and p.evidence.months]
    assert len(pairs) >= 3
    for pivot in pairs:
        frame = pair_evidence_frame(history, pivot.changes, "en")
        assert len(frame) == pivot.evidence.months
        assert int(frame["reached"].sum()) == pivot.evidence.achieved
        # independently: a month counts when both values are at or above their levels
        first, second = pivot.changes
        both = (frame["x"] >= first.history_level * (1 - 1e-9)) & (frame["y"] >= second.history_level * (1 - 1e-9))
        assert list(both) == list(frame["reached"])
        titles = {"x": "a", "y": "b", "period": "p", "status": "s", "reached": "r", "below": "n"}
        spec = pair_evidence_chart(frame, pivot.changes, title="t", subtitle="s", titles=titles, lang="en").to_dict()
        rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
        assert len(rules) == 2  # one dashed line per lever's level
