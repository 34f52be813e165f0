"""Forecast history and accuracy (kpi_core/forecast_history.py, the workspace's forecasts.json, the Weekly meeting's
view): accuracy computed by hand on three weekly forecasts, an actual of 0, a range that misses; a workspace stores the
report's forecasts with each snapshot and never loses a snapshot over them; the backtest of a plain upload against
plain pandas; the view alone in AppTest (tests/forecast_history_app.py) in ja and en."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_workspace import _dates, _yen

from kpi_core import forecast_history as fh
from kpi_core.backtest import snapshot_at
from kpi_core.forecast_history import ForecastSet, GoalForecast
from kpi_core.goals import load_goals, template_text
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.pacing import Pacer
from kpi_core.report import build_report
from kpi_core.workspace import create_workspace, open_workspace, store
from kpi_core.workspace import snapshots as snapshot_store
from kpi_core.workspace.store import SNAPSHOT_DIR
from tests.bilingual import english_words
from ui.format import unescape_markdown

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
SALES = SAMPLES / "sales_deals_ja.csv"
GOALS = template_text("sales", "ja")
APP = str(ROOT / "tests" / "forecast_history_app.py")
TIMEOUT = 120
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
# A goal file whose monthly KPI plain pandas can recompute: the month's won revenue (amount of deals won, by close).
REVENUE_GOALS = """
fiscal_year_start: 4
currency: JPY
kgi: {name: 年間売上, metric: won_revenue, target: 144000000, period: year}
kpis:
  - {id: monthly_revenue, name: 月間受注金額, metric: won_revenue, target: 12000000, per: month}
"""


def forecast(day: dt.date, value: float | None, low: float | None, high: float | None, **changes) -> ForecastSet:
    """One day's forecasts of a monthly KPI "deals" for October 2026 (as a snapshot of that day stored them)."""
    goal = GoalForecast(
        goal="deals", metric="opportunities", per="month", period="2026-10", period_start=OCT[0], period_end=OCT[1],
        target=50.0, value=value, low=low, high=high, probability_on_target=0.5, method="run_rate",
    )  # fmt: skip
    for name, value in changes.items():
        goal = GoalForecast(**{**goal.__dict__, name: value})
    return ForecastSet(day, "jp", (goal,), "stored", f"snapshot-{day.isoformat()}")


# Three weekly snapshots of October, the third one's range misses an actual of 100; and three that must be left out.
WEEKLY = [
    forecast(dt.date(2026, 10, 2), 80.0, 60.0, 120.0),  # 1 − 20/100 = 0.80, 60 ≤ 100 ≤ 120
    forecast(dt.date(2026, 10, 9), 110.0, 100.0, 130.0),  # 1 − 10/100 = 0.90, 100 ≤ 100 (the edge holds)
    forecast(dt.date(2026, 10, 16), 95.0, 86.0, 98.0),  # 1 − 5/100 = 0.95, 100 > 98: missed
]
LEFT_OUT = [
    forecast(dt.date(2026, 9, 25), 40.0, 30.0, 50.0, period="2026-09", period_start=dt.date(2026, 9, 1)),
    forecast(dt.date(2026, 10, 31), 100.0, 100.0, 100.0),  # made on the period's last day: a result
    forecast(dt.date(2026, 10, 23), 100.0, 90.0, 110.0, metric="won"),  # the id now measures something else
]


def scored(sets, actual: float | None, **how) -> fh.AccuracyHistory:
    return fh.score_period(
        "deals", sets, actual, per="month", period_start=OCT[0], period_end=OCT[1], metric="opportunities", **how
    )


# ------------------------------------------------------------------------------------------------ scoring by hand
def test_three_weekly_forecasts_scored_by_hand() -> None:
    history = scored([*LEFT_OUT, *WEEKLY], 100.0)
    assert [p.as_of.day for p in history.points] == [2, 9, 16]
    assert [p.accuracy for p in history.points] == pytest.approx([0.80, 0.90, 0.95])
    assert [p.inside for p in history.points] == [True, True, False]
    assert history.mean_accuracy == pytest.approx((0.80 + 0.90 + 0.95) / 3)
    assert (history.held, history.ranged, history.share_held) == (2, 3, pytest.approx(2 / 3))
    assert (history.code, history.kind, history.period, history.target) == ("scored", "history", "2026-10", 50.0)
    assert fh.headline(history, "ja") == "先月（2026年10月）の予測精度 88.3%（幅の中に 2 / 3 回）"
    assert fh.headline(history, "en") == "Last month (Oct 2026): forecast accuracy 88.3%, inside the range 2 of 3 times"
    assert json.loads(json.dumps(history.as_dict()))["points"][2]["inside"] is False


def test_an_actual_of_zero_has_no_accuracy_and_is_never_divided() -> None:
    sets = [forecast(dt.date(2026, 10, 2), 3.0, 0.0, 5.0), forecast(dt.date(2026, 10, 9), 1.0, 0.5, 2.0)]
    history = scored(sets, 0.0)
    assert [p.accuracy for p in history.points] == [None, None]
    assert [p.inside for p in history.points] == [True, False]
    assert (history.code, history.mean_accuracy, history.held, history.ranged) == ("actual_zero", None, 1, 2)
    ja, en = fh.headline(history, "ja"), fh.headline(history, "en")
    assert "実績が 0" in ja and "1 / 2 回" in ja and "%" not in ja
    assert "is 0" in en and "1 of 2" in en and english_words(ja, []) == []


def test_accuracy_and_range_edges() -> None:
    assert fh.forecast_accuracy(120.0, 100.0) == pytest.approx(0.8)
    assert fh.forecast_accuracy(250.0, 100.0) == pytest.approx(-0.5)  # more than twice off: below 0, not clipped
    assert fh.forecast_accuracy(5.0, 0.0) is None and fh.forecast_accuracy(None, 4.0) is None
    assert fh.range_held(1.0, 2.0, 2.0) is True and fh.range_held(None, 2.0, 1.0) is None
    not_yet = scored(WEEKLY, 100.0, actual_known=False)  # the data does not reach the period's end
    assert (not_yet.code, not_yet.actual, not_yet.ranged) == ("no_actual", None, 0)
    assert "届いていない" in fh.headline(not_yet, "ja")
    assert scored(LEFT_OUT, 100.0).code == "no_forecasts"


def test_periods_and_check_days() -> None:
    assert fh.last_complete_period(dt.date(2026, 11, 24), "month") == OCT
    assert fh.last_complete_period(dt.date(2026, 10, 31), "month") == OCT  # its last day: the period is over
    assert fh.last_complete_period(dt.date(2026, 11, 24), "year", 4) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    # October 2026: Thu 1 – Fri 2, 5–9, 12 (Sports Day) 13–16, 19–23, 26–30: Fri 30 is the last business day.
    assert fh.check_days(*OCT, "month", "jp") == [dt.date(2026, 10, d) for d in (2, 9, 16, 23)]
    week = (dt.date(2026, 10, 5), dt.date(2026, 10, 11))
    assert fh.check_days(*week, "week", "weekends") == [dt.date(2026, 10, d) for d in (5, 6, 7, 8)]


def test_a_forecast_set_survives_json() -> None:
    made = WEEKLY[2]
    again = ForecastSet.from_json(json.loads(json.dumps(made.as_json())), snapshot=made.snapshot)
    assert again == made
    with pytest.raises(ValueError):
        ForecastSet.from_json({"forecasts": [{"goal": "x"}], "as_of": "2026-10-01"})


# ------------------------------------------------------------------------------------------------ workspaces
def data_last_day(path: Path) -> dt.date:
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return max(_dates(raw["作成日"]).max(), _dates(raw["完了日"]).max()).date()


def expected_as_of(path: Path) -> dt.date:
    """The pages' rule by hand: today while the data reaches today's month, else the data's last day."""
    today, last = dt.date.today(), data_last_day(path)
    return today if (last.year, last.month) >= (today.year, today.month) else last


def stored_file(data_dir: Path, ws_id: str, snapshot_id: str) -> Path:
    return data_dir / ws_id / SNAPSHOT_DIR / snapshot_id / snapshot_store.FORECASTS


def assert_same_as_report(stored: dict, path: Path) -> None:
    """forecasts.json holds the report's forecasts (build_report's plan) for that data at its as-of date."""
    goals, dataset = load_goals(GOALS), load_dataset([FileInput(path.name, path)])
    as_of = dt.date.fromisoformat(stored["as_of"])
    report = build_report(goals, dataset, as_of, calendar="jp").plan.forecasts
    assert [f["goal"] for f in stored["forecasts"]] == ["kgi", *(k.id for k in goals.kpis)]
    for entry in stored["forecasts"]:
        made = report[entry["goal"]]
        assert (entry["metric"], entry["per"], entry["period"]) == (made.metric, made.per, made.period)
        assert entry["method"] == made.method["code"]
        for name in ("target", "value", "low", "high", "probability_on_target"):
            assert entry[name] == pytest.approx(getattr(made, name)), (entry["goal"], name)


def test_each_snapshot_stores_the_reports_forecasts(tmp_path: Path) -> None:
    keys = create_workspace([FileInput(SALES.name, SALES)], "営業", goals_text=GOALS, data_dir=tmp_path)
    editor = open_workspace(keys.id, keys.editor_key, data_dir=tmp_path)
    [first] = editor.snapshots()
    stored = json.loads(stored_file(tmp_path, keys.id, first.id).read_text(encoding="utf-8"))
    assert stored["as_of"] == expected_as_of(SALES).isoformat() and stored["calendar"] == "jp"
    assert_same_as_report(stored, SALES)
    newer = tmp_path / "newer.csv"
    newer.write_text("\n".join(SALES.read_text(encoding="utf-8-sig").splitlines()[:1201]) + "\n", encoding="utf-8")
    info = editor.add_snapshot([FileInput("sales_2026-05.csv", newer)])
    stored = json.loads(stored_file(tmp_path, keys.id, info.id).read_text(encoding="utf-8"))
    assert stored["as_of"] == expected_as_of(newer).isoformat()
    assert_same_as_report(stored, newer)
    viewer = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path)
    read = viewer.snapshot_forecasts(info.id)  # a viewer may read them
    assert read is not None and read.source == "stored" and read.snapshot == info.id
    assert read.as_json() == stored


def test_a_failed_forecast_write_keeps_the_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = create_workspace([FileInput(SALES.name, SALES)], "営業", goals_text=GOALS, data_dir=tmp_path)
    editor = open_workspace(keys.id, keys.editor_key, data_dir=tmp_path)

    def crash_on_forecasts(source: Path, target: Path) -> None:  # the disk fails just before forecasts.json lands
        if Path(target).name == snapshot_store.FORECASTS:
            raise OSError(28, "No space left on device")
        os.replace(source, target)

    monkeypatch.setattr(store, "replace", crash_on_forecasts)
    info = editor.add_snapshot([FileInput("again.csv", SALES)])
    assert [s.id for s in editor.snapshots()][-1] == info.id
    folder = stored_file(tmp_path, keys.id, info.id).parent
    assert sorted(p.name for p in folder.iterdir()) == ["0.csv", "0.parquet", "manifest.json"]  # no temp file left
    assert editor.load_dataset(info.id).shape == "records"
    monkeypatch.setattr(snapshot_store, "write_forecasts", lambda *_: (_ for _ in ()).throw(RuntimeError("boom")))
    other = editor.add_snapshot([FileInput("third.csv", SALES)])
    assert editor.snapshots()[-1].id == other.id
    # Without a stored file the forecasts are remade from the snapshot's own data, and say so.
    remade = editor.snapshot_forecasts(info.id)
    assert remade is not None and remade.source == "reconstructed"
    first = editor.snapshot_forecasts(editor.snapshots()[0].id)
    assert first is not None and first.source == "stored"
    assert remade.as_of == first.as_of  # the same data on the same day: the same forecasts
    for again, kept in zip(remade.as_json()["forecasts"], first.as_json()["forecasts"], strict=True):
        assert again == {k: pytest.approx(v) if isinstance(v, float) else v for k, v in kept.items()}
    assert editor.snapshot_forecasts(info.id, remake=False) is None


def test_without_a_goal_file_nothing_is_stored(tmp_path: Path) -> None:
    keys = create_workspace([FileInput(SALES.name, SALES)], "x", data_dir=tmp_path)
    workspace = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path)
    [only] = workspace.snapshots()
    assert not stored_file(tmp_path, keys.id, only.id).exists()
    assert workspace.snapshot_forecasts() is None
    remade = workspace.snapshot_forecasts(goals_text=GOALS)  # with the goal file the pages use (a template)
    assert remade is not None and remade.source == "reconstructed" and remade.get("kgi") is not None


# ------------------------------------------------------------------------------------------------ backtest
@pytest.fixture(scope="module")
def sales():
    return load_dataset([FileInput(SALES.name, SALES)])


def test_the_backtest_of_a_plain_upload(sales) -> None:
    goals = load_goals(REVENUE_GOALS)
    history = fh.goal_backtest(goals, "monthly_revenue", sales, dt.date(2026, 11, 24), calendar="jp")
    assert (history.kind, history.code, history.period, history.per) == ("backtest", "scored", "2026-10", "month")
    assert [p.as_of for p in history.points] == [dt.date(2026, 10, d) for d in (2, 9, 16, 23)]
    assert {p.source for p in history.points} == {"backtest"}
    # The actual by plain pandas: the amounts of the deals won (受注 / 成約) with a close date in October 2026.
    raw = pd.read_csv(SALES, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    closed = _dates(raw["完了日"])
    won = raw[raw["フェーズ"].isin(["受注", "成約"]) & (closed >= "2026-10-01") & (closed < "2026-11-01")]
    actual = float(won["金額"].map(_yen).sum())
    assert history.actual == pytest.approx(actual)
    # Each day's forecast is the existing backtest's: the month-end forecast of the data cut back to that day.
    for point in history.points:
        made = Pacer(snapshot_at(sales, point.as_of), calendar="jp").forecast(
            "won_revenue", target=12_000_000, per="month", as_of=point.as_of
        )
        assert (point.value, point.low, point.high) == pytest.approx((made.value, made.low, made.high))
        assert point.accuracy == pytest.approx(1 - abs(actual - made.value) / actual)
        assert point.inside == (made.low <= actual <= made.high)
    assert history.mean_accuracy == pytest.approx(sum(p.accuracy for p in history.points) / 4)
    notes = fh.notes(history, "ja")
    assert "バックテスト" in notes[0] and "履歴ではなく" in notes[0]
    assert "backtest, not history" in fh.notes(history, "en")[0]


def test_a_sheet_of_monthly_totals_cannot_be_backtested() -> None:
    sheet = SAMPLES / "monthly_kpi_ja.xlsx"
    dataset = load_dataset([FileInput(sheet.name, sheet)])
    goals = load_goals(template_text("marketing", "ja"))
    history = fh.goal_backtest(goals, "kgi", dataset, dt.date(2026, 11, 24), calendar="jp")
    assert (history.code, history.points) == ("not_records", ())
    assert "1行1件" in fh.headline(history, "ja")


# ------------------------------------------------------------------------------------------------ the view (AppTest)
def run_view(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_view_on_a_plain_upload(lang: str, sales) -> None:
    at = run_view(lang=lang, asof="2026-11-24")
    goals = load_goals(template_text("sales", lang))
    expected = fh.goal_backtest(goals, "valid_deals", sales, dt.date(2026, 11, 24), calendar="jp")
    assert at.selectbox(key="w_fh_goal").value == "valid_deals"  # the first monthly goal
    markdown = [unescape_markdown(m.value) for m in at.markdown]
    assert f"**{fh.headline(expected, lang)}**" in markdown
    captions = " ".join(unescape_markdown(c.value) for c in at.caption)
    assert ("バックテスト" if lang == "ja" else "backtest, not history") in captions
    if lang == "ja":  # no English on a Japanese page but the data's own names
        texts = [at.subheader[0].value, *markdown[-1:], captions]
        assert [w for text in texts for w in english_words(text, [])] == []


def test_the_view_shows_a_workspaces_stored_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(tmp_path))
    keys = create_workspace([FileInput(SALES.name, SALES)], "営業", goals_text=GOALS, data_dir=tmp_path)
    editor = open_workspace(keys.id, keys.editor_key, data_dir=tmp_path)
    for _ in range(2):
        editor.add_snapshot([FileInput(SALES.name, SALES)])
    # As if the three snapshots had been taken on three Fridays of October: their stored forecasts of that day.
    days = [dt.date(2026, 10, d) for d in (2, 9, 16)]
    for info, day, value in zip(editor.snapshots(), days, (40.0, 70.0, 60.0), strict=True):
        made = ForecastSet(day, "jp", (GoalForecast("valid_deals", "opportunities", "month", "2026-10", *OCT, 50.0,
                                                    value, value * 0.8, value * 1.2, 0.5, "run_rate"),))  # fmt: skip
        stored_file(tmp_path, keys.id, info.id).write_text(json.dumps(made.as_json()), encoding="utf-8")
    at = run_view(lang="ja", asof="2026-11-24", ws=keys.id, key=keys.viewer_key)
    captions = " ".join(unescape_markdown(c.value) for c in at.caption)
    assert "バックテスト" not in captions and "スナップショットを取り込んだ日" in captions
    actual = Pacer(load_dataset([FileInput(SALES.name, SALES)]), calendar="jp").value("opportunities", *OCT)
    assert actual
    held = sum(v * 0.8 <= actual <= v * 1.2 for v in (40.0, 70.0, 60.0))
    assert any(f"幅の中に {held} / 3 回" in unescape_markdown(m.value) for m in at.markdown)
