"""One figure, one value across pages: every figure Home, Goals, Pacing and Pivots share (the KGI's target, actual,
forecast, range, odds and gap, the month's forecast, target, gap and booked revenue, each KPI's actual, forecast and
target, win rate and unit price with their windows, the backward plan's required levels) is read from the rendered
pages (AppTest) and compared with the report built here, formatted once (report.figures[...].text(lang)) — for the
sales, leads and monthly-sheet samples in Japanese and English, at each sample's as-of date."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Metric
from test_app_expected import APP
from test_cross_page_pivots import CASES, expected, unescaped
from test_cross_page_pivots import page as pivots_page

from kpi_core.report import Figure, Report, actual_figures, forecast_figures, goal_prefix, plan_figures
from ui.goals.forecasts import join_range
from ui.i18n import metric_label, t

HOME, GOALS, PACING = None, "pages/4_Goals.py", "pages/5_Pacing.py"
CASE_IDS = [(source, lang) for source in CASES for lang in ("ja", "en")]


@functools.cache
def page(source: str, lang: str, path: str | None) -> AppTest:
    """A page of the sample at its as-of date (in the URL, as a shared link carries it); Home when `path` is None."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"src": source, "lang": lang, "asof": CASES[source][2].isoformat()})
    at.run()
    if path is not None:
        at = at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _blocks(node: Any) -> list[Block]:
    found = []
    if isinstance(node, Block):
        found.append(node)
        for child in node.children.values():
            found.extend(_blocks(child))
    return found


def _key(block: Block) -> str:
    ident = getattr(block.proto, "id", "") or ""
    return ident.rsplit("-", 1)[-1] if ident.startswith("$$ID-") else ""


def _elements(node: Any) -> list[Any]:
    if isinstance(node, Block):
        return [e for child in node.children.values() for e in _elements(child)]
    return [node]


def cards(at: AppTest) -> dict[str, tuple[str, str, str]]:
    """Each headline card by its name (its container is keyed kpi_<name>): (label, value, delta), escapes removed."""
    found = {}
    for block in _blocks(at.main):
        key = _key(block)
        if not key.startswith("kpi_"):
            continue
        metric = next((e for e in _elements(block) if isinstance(e, Metric)), None)
        if metric is not None and key[4:] not in found:
            found[key[4:]] = (unescaped(metric.label), metric.value, unescaped(metric.proto.delta))
    return found


def keyed_text(at: AppTest, key: str) -> str:
    """Every text inside the container keyed `key`, escapes removed."""
    block = next(b for b in _blocks(at.main) if _key(b) == key)
    return "\n".join(unescaped(str(getattr(e, "value", ""))) for e in _elements(block))


def texts(at: AppTest) -> str:
    blocks = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning]
    return "\n".join(unescaped(str(b.value)) for b in blocks)


def text(figure: Figure | None, lang: str) -> str:
    assert figure is not None
    return figure.text(lang)


def goals_of(report: Report) -> list[tuple[str, str]]:
    """(goal id, metric) of the KGI and each KPI, from the report's forecasts."""
    return [(goal_id, forecast.metric) for goal_id, forecast in report.plan.forecasts.items()]


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_kgi_target_actual_and_kpi_targets_are_one_text_on_every_page(source: str, lang: str) -> None:
    report = expected(source, lang)
    f, now = report.figures, actual_figures(report)
    target = text(f["kgi.target"], lang)
    assert text(now["kgi.period_target"], lang) == target  # the plan's row and the report's figure agree
    pivots_cards = cards(pivots_page(source, lang))
    home = cards(page(source, lang, HOME))
    goals = cards(page(source, lang, GOALS))
    pacing = cards(page(source, lang, PACING))
    # the KGI's target in the label of its card on every page
    for card in (home["goal_kgi"], goals["kgi_actual"], pacing["kgi_forecast"], pivots_cards["kgi_forecast"]):
        assert f"{target}）" in card[0] or f"{target})" in card[0], (card, target)
    # the KGI's actual so far: Home and Goals show the report's value
    assert home["goal_kgi"][1] == goals["kgi_actual"][1] == text(now["kgi.actual"], lang)
    assert goals["kgi_attainment"][1] == text(now["kgi.attainment"], lang)
    # each KPI: its actual so far on Home, its target there and on Pacing
    for goal_id, _ in goals_of(report):
        if goal_id == "kgi":
            continue
        prefix = goal_prefix(goal_id)
        kpi_target = text(f[f"{prefix}.target"], lang)
        assert text(now[f"{prefix}.period_target"], lang) == kpi_target
        label, value, _ = pacing[f"{goal_id}_forecast"]
        assert f"{kpi_target}）" in label or f"{kpi_target})" in label, (label, kpi_target)
        if f"goal_{goal_id}" in home:  # Home shows a KPI with an actual so far (its first five goals)
            label, value, _ = home[f"goal_{goal_id}"]
            assert value == text(now[f"{prefix}.actual"], lang)
            assert f"{kpi_target}）" in label or f"{kpi_target})" in label, (label, kpi_target)


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_kgi_forecast_range_odds_and_gap_are_the_reports(source: str, lang: str) -> None:
    report = expected(source, lang)
    f = report.figures
    forecast, gap = text(f["kgi.forecast"], lang), text(f["kgi.gap"], lang)
    pacing = cards(page(source, lang, PACING))
    _, value, delta = pacing["kgi_forecast"]
    assert value == forecast and gap in delta
    if f["kgi.low"].value is not None:
        assert pacing["kgi_range"][1] == join_range(text(f["kgi.low"], lang), text(f["kgi.high"], lang))
        assert pacing["kgi_range"][1].endswith(text(f["kgi.high"], lang).lstrip("¥$"))
    assert pacing["kgi_probability"][1] == text(f["kgi.probability"], lang)
    # Pivots' headline card: the same value and delta
    pivots = cards(pivots_page(source, lang))
    assert pivots["kgi_forecast"][1] == forecast and pivots["kgi_forecast"][2] == gap
    # Goals says the forecast in one sentence under its cards, with the same four figures
    sentence = keyed_text(page(source, lang, GOALS), "goals_forecast")
    for figure in ("kgi.forecast", "kgi.target", "kgi.gap", "kgi.probability"):
        assert text(f[figure], lang) in sentence, (figure, sentence)
    # the KGI's method sentence on Pacing ends on the same forecast
    method = keyed_text(page(source, lang, PACING), "kgi_method")
    if f["kgi.forecast"].value is not None and report.plan.forecasts["kgi"].method["code"] not in ("complete",):
        assert forecast in method


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_months_figures_are_the_reports_on_pacing_and_pivots(source: str, lang: str) -> None:
    report = expected(source, lang)
    f = report.figures
    if "month.forecast" not in f:
        return
    month, target, gap = (text(f[f"month.{k}"], lang) for k in ("forecast", "target", "gap"))
    pacing, pivots = cards(page(source, lang, PACING)), cards(pivots_page(source, lang))
    for card in (pacing["kgi_month"], pivots["kgi_month"]):
        label, value, delta = card
        assert value == month and gap in delta and target in label, card
    assert pacing["kgi_month_booked"][1] == text(f["month.booked"], lang)


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_each_kpis_forecast_range_and_odds_are_the_reports(source: str, lang: str) -> None:
    report = expected(source, lang)
    pacing = cards(page(source, lang, PACING))
    for goal_id, forecast in report.plan.forecasts.items():
        if goal_id == "kgi":
            continue
        figures = forecast_figures(goal_id, forecast, report.figures)
        assert figures["forecast"] is report.figures[f"kpi.{goal_id}.forecast"]  # the report's own figure
        _, value, _ = pacing[f"{goal_id}_forecast"]
        assert value == text(figures["forecast"], lang)
        if forecast.low is not None and forecast.high is not None:
            assert pacing[f"{goal_id}_range"][1] == join_range(text(figures["low"], lang), text(figures["high"], lang))
        assert pacing[f"{goal_id}_probability"][1] == text(figures["probability"], lang)


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_win_rate_and_unit_price_carry_their_window(source: str, lang: str) -> None:
    """A lever a KPI measures: where Pivots shows it over another window (a rate: the last 3 months) Pacing says so
    beside its month-end forecast with the report's value; a volume's current value is its month-end forecast, the
    same text on both pages."""
    report = expected(source, lang)
    pacing_at = page(source, lang, PACING)
    pacing, body = cards(pacing_at), texts(pacing_at)
    pivots_body = texts(pivots_page(source, lang))
    goal_metrics = {goal_id: m for goal_id, m in goals_of(report) if goal_id != "kgi"}
    for goal_id, metric in goal_metrics.items():
        lever = report.levers.get(metric)
        if lever is None:
            continue
        current = text(lever.current, lang)
        forecast = text(report.figures[f"kpi.{goal_id}.forecast"], lang)
        if lever.current.window == "month_end":
            assert current == forecast == pacing[f"{goal_id}_forecast"][1]
            continue
        window = t(f"report.window.{lever.current.window}", lang)
        note = keyed_text(pacing_at, f"pacing_kpi_{goal_id}")
        assert current in note and window in note and forecast in note, note
        assert metric_label(metric, lang) in note
        if not report.final:  # the simulator's "now" line on Pivots shows the same value
            assert current in pivots_body
    assert body  # the page rendered its texts


@pytest.mark.parametrize(("source", "lang"), CASE_IDS)
def test_the_backward_plans_required_levels_are_the_reports(source: str, lang: str) -> None:
    report = expected(source, lang)
    plan = report.plan.backward_plan
    body = texts(page(source, lang, GOALS))
    if plan.get("status") != "ok":
        return
    figures = plan_figures(plan)
    target = text(report.figures["kgi.target"], lang)
    steps = [s for s in plan["steps"] if s.get("needed_per_month") is not None]
    assert steps
    needed = [text(figures["plan." + s["metric"] + ".needed"], lang) for s in steps]
    listed = " → ".join(f"{metric_label(s['metric'], lang)} {n}" for s, n in zip(steps, needed, strict=True))
    assert listed in body, (listed, body)
    assert target in body
