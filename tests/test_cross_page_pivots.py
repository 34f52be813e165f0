"""One figure, one value: every figure the Pivots page shows in more than one place (cards, sentences, the pivot
cards, the simulator, the advice and the meeting summary) is read from the rendered page (AppTest) and compared with
the report built here, formatted once — for the sales, leads and monthly-sheet samples in Japanese and English."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP

from kpi_core.goals import load_template
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.report import Report, advice_lines, build_report, change_figures, lever_name

ROOT = Path(__file__).resolve().parents[1]
PIVOTS = "pages/6_Pivots.py"
CASES = {  # source → (file, template, as-of: the file's last date for the two marketing samples)
    "sales": ("sales_deals_ja.csv", "sales", dt.date(2026, 11, 15)),
    "leads": ("marketing_leads_en.csv", "marketing", dt.date(2026, 11, 24)),
    "kpi": ("monthly_kpi_ja.xlsx", "marketing", dt.date(2026, 11, 30)),
}


@functools.cache
def sample(name: str) -> Dataset:
    return load_dataset([FileInput(name, ROOT / "sample_data" / name)])


@functools.cache
def expected(source: str, lang: str) -> Report:
    name, template, as_of = CASES[source]
    return build_report(load_template(template, lang), sample(name), as_of)


@functools.cache
def page(source: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"src": source, "lang": lang, "asof": CASES[source][2].isoformat()})
    at.run()
    at = at.switch_page(PIVOTS).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def unescaped(text: str) -> str:
    return text.replace("\\", "")


def texts(at: AppTest) -> str:
    """Every text block on the page (markdown, captions, alerts), Markdown escapes removed."""
    blocks = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning]
    return "\n".join(unescaped(str(b.value)) for b in blocks)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    """Each headline card by its container key (kpi_<name>): (value, delta)."""
    found = {}
    for metric in at.metric:
        found[metric.label] = (metric.value, metric.proto.delta)
    return found


CASE_IDS = [(source, lang) for source in CASES for lang in ("ja", "en")]


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_kgi_and_the_month_show_the_reports_values_in_every_place(source, lang):
    report, at = expected(source, lang), page(source, lang)
    f = report.figures
    cards = metrics(at)
    values = {value for value, _ in cards.values()}
    assert f["kgi.forecast"].text(lang) in values
    month, target, gap = f["month.forecast"].text(lang), f["month.target"].text(lang), f["month.gap"].text(lang)
    month_cards = [(label, v) for label, v in cards.items() if target in label]
    # the headline card and the simulator's card: one value, one delta
    assert month_cards and all(v == (month, gap) for _, v in month_cards), month_cards
    body = texts(at)
    kgi_entry = next((s for s in report.pivots.shortfalls if s.kpi.id == "kgi"), None)
    if kgi_entry is not None:  # its title and its sentence name the same month figures as the card
        assert f"{month}" in body and f"{target}" in body


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_advice_is_the_reports_advice(source, lang):
    report, at = expected(source, lang), page(source, lang)
    body = texts(at)
    assert "—（—）" not in body and "— (—)" not in body and "→ —" not in body  # no sentence with a blank value
    for line in advice_lines(report, lang):
        assert line in body
        assert "—（—）" not in line and "— (—)" not in line
    if report.advice.best is not None:  # the best-pivot card shows the best pivot's required level
        moves = [change_figures(c) for c in report.advice.best.changes]
        card = " / ".join(m.required.text(lang) for m in moves)
        assert card in {value for value, _ in metrics(at).values()}
    if report.advice.code in ("on_track", "final", "closest"):
        assert report.advice.best is None


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_each_lever_shows_one_current_and_one_required_value(source, lang):
    report, at = expected(source, lang), page(source, lang)
    if report.final or not report.levers:
        return  # a closed month offers no simulator line per lever
    body = texts(at)
    kgi_entry = next((s for s in report.pivots.shortfalls if s.kpi.id == "kgi"), None)
    singles = {p.levers[0]: p for p in kgi_entry.pivots if p.kind == "single"} if kgi_entry else {}
    sep = "：" if lang == "ja" else ": "
    for name, lever in report.levers.items():
        current, required, change = (lever.current.text(lang), lever.required.text(lang), lever.change.text(lang))
        label = lever_name(report, name, lang)
        # the simulator's "each other lever alone" line
        assert f"{label}{sep}{current} → {required}" in body, (label, current, required)
        # the KGI entry's card for the same lever: the same three values
        if name in singles:
            (move,) = [change_figures(c) for c in singles[name].changes]
            assert (move.current.text(lang), move.required.text(lang), move.change.text(lang)) == (
                current,
                required,
                change,
            )
            if lang == "ja":
                assert f"現在 {current} → 必要 {required}（{change}）" in body
            else:
                assert f"now {current} → needed {required} ({change})" in body
