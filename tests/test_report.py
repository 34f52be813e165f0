"""The one report (kpi_core/report.py): its figures against expectations computed here with plain pandas from the
sales sample, its advice (on track, closest combination, a closed month) and the `report` command's JSON."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.goals import load_template
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.report import build_report

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 15)


@functools.cache
def sample(name: str) -> Dataset:
    return load_dataset([FileInput(name, ROOT / "sample_data" / name)])


def _amount(cell: object) -> float | None:
    """The sample's amount spellings (sample_data/README.md): ¥1,260,000 / 1,370,000円 / 62万円 / full-width."""
    if not isinstance(cell, str):
        return None if pd.isna(cell) else float(cell)
    text = unicodedata.normalize("NFKC", cell).replace("¥", "").replace(",", "").replace("円", "")
    scale = 10_000 if text.endswith("万") else 1
    try:
        return float(text.rstrip("万")) * scale
    except ValueError:
        return None  # 未定


def _date(cell: object) -> pd.Timestamp:
    """The sample's date spellings: 2025/04/01, 2026-10-21 10:00, 2025年9月25日, 令和8年5月7日."""
    if not isinstance(cell, str):
        return pd.NaT
    era = re.fullmatch(r"令和(\d+)年(\d+)月(\d+)日", cell)
    if era:
        return pd.Timestamp(2018 + int(era[1]), int(era[2]), int(era[3]))
    plain = re.fullmatch(r"(\d{4})年(\d+)月(\d+)日", cell)
    if plain:
        return pd.Timestamp(int(plain[1]), int(plain[2]), int(plain[3]))
    found = pd.to_datetime(cell, errors="coerce")
    return found if pd.isna(found) else found.normalize()


@functools.cache
def deals() -> pd.DataFrame:
    """The sales sample as plain pandas: amounts as numbers, dates as days, the rows with an unreadable date left
    out (as the app rejects them)."""
    frame = pd.read_csv(ROOT / "sample_data" / "sales_deals_ja.csv", encoding="utf-8-sig", dtype=str)
    frame["close"] = frame["完了日"].map(_date)
    frame["created"] = frame["作成日"].map(_date)
    frame = frame[frame["created"].notna() & (frame["完了日"].isna() | frame["close"].notna())].copy()
    frame["amount"] = frame["金額"].map(_amount)
    frame["won"] = frame["フェーズ"].isin(["受注", "成約"])  # the sample's two words for a won deal
    frame["lost"] = frame["フェーズ"].isin(["失注", "Closed Lost"])
    return frame


def closed_between(start: str, end: str) -> pd.DataFrame:
    frame = deals()
    return frame[(frame["close"] >= start) & (frame["close"] <= end)]


@functools.cache
def report(target_mode: str = "catch_up"):
    return build_report(load_template("sales", "ja"), sample("sales_deals_ja.csv"), AS_OF, target_mode=target_mode)


def test_the_month_booked_so_far_is_the_won_revenue_closed_in_november_to_the_as_of_date():
    window = closed_between("2026-11-01", "2026-11-15")
    booked = window.loc[window["won"], "amount"].sum()
    assert report().figures["month.booked"].value == pytest.approx(booked)


def test_rates_are_the_last_three_complete_months_and_say_so():
    window = closed_between("2026-08-01", "2026-10-31")
    won = window[window["won"]]
    lost = window[window["lost"]]
    levers = report().levers
    assert levers["win_rate"].current.value == pytest.approx(len(won) / (len(won) + len(lost)))
    assert levers["avg_unit_price"].current.value == pytest.approx(won["amount"].sum() / won["amount"].count())
    assert levers["win_rate"].current.window == "trailing_3m"
    assert levers["opportunities"].current.window == "month_end"  # a volume: its month-end forecast


def test_the_month_target_catches_up_what_the_year_is_behind():
    # catch-up: (144M − won revenue April–October) spread over the 5 months November–March
    window = closed_between("2026-04-01", "2026-10-31")
    before = window.loc[window["won"], "amount"].sum()
    assert report().figures["month.target"].value == pytest.approx((144_000_000 - before) / 5)
    assert report("even").figures["month.target"].value == pytest.approx(12_000_000)


def test_the_month_forecast_is_booked_plus_the_model_over_the_rest_and_each_lever_alone_meets_the_target():
    r = report()
    f, levers = r.figures, r.levers
    booked, target = f["month.booked"].value, f["month.target"].value
    opportunities = r.plan.forecasts["valid_deals"].value  # the month-end forecast the Pacing page shows
    assert levers["opportunities"].current.value == pytest.approx(opportunities)
    created = deals()
    created = created[
        pd.to_datetime(created["作成日"], format="%Y/%m/%d", errors="coerce").between("2026-11-01", "2026-11-15")
    ]
    rest = opportunities - len(created)
    rate, price = levers["win_rate"].current.value, levers["avg_unit_price"].current.value
    assert f["month.forecast"].value == pytest.approx(booked + rest * rate * price)
    assert f["month.gap"].value == pytest.approx(f["month.forecast"].value - target)
    assert levers["win_rate"].required.value == pytest.approx((target - booked) / (rest * price))
    assert levers["avg_unit_price"].required.value == pytest.approx((target - booked) / (rest * rate))
    assert levers["opportunities"].required.value == pytest.approx(len(created) + (target - booked) / (rate * price))


def test_one_figure_one_text_and_required_counts_round_up():
    levers = report().levers
    needed = levers["opportunities"].required.value
    assert levers["opportunities"].required.text("ja") == f"{int(-(-needed // 1)):,}"
    assert report().figures["month.forecast"].text("ja") == "1,288万円"
    assert report().figures["month.forecast"].text("en", currency="JPY") == "¥12.9M"


def test_the_supported_target_is_the_upper_quartile_of_the_last_18_complete_months():
    frame = deals()
    won = frame[frame["won"] & frame["close"].between("2025-05-01", "2026-10-31")]
    monthly = won.groupby(won["close"].dt.to_period("M"))["amount"].sum()
    assert len(monthly) == 18
    assert report().figures["month.supported"].value == pytest.approx(monthly.quantile(0.75))


def test_on_target_no_pivot_lowers_a_lever_and_the_headroom_is_said():
    r = report("even")
    assert r.figures["month.forecast"].value >= r.figures["month.target"].value
    assert r.advice.code == "on_track" and r.advice.best is None
    assert all(s.explanation.params["best"] is None for s in r.pivots.shortfalls)  # nothing to lower is "best"
    from kpi_core.report import advice_lines

    (line,) = advice_lines(r, "ja")
    assert "88.1万円の余裕" in line and "必要はありません" in line


def test_below_target_the_best_pivot_raises_a_lever_seen_before():
    best = report().advice.best
    assert report().advice.code == "pivot"
    assert best.verdict == "feasible" and all(c.change_abs > 0 for c in best.changes)


def test_when_nothing_reaches_the_target_the_closest_combination_and_its_forecast_are_given():
    dataset = sample("marketing_leads_en.csv")
    r = build_report(load_template("marketing", "en"), dataset, dt.date(2026, 11, 24))
    assert r.advice.code == "closest"
    closest = r.advice.closest
    assert closest is not None
    assert r.figures["month.forecast"].value < closest.forecast.value < r.figures["month.target"].value
    # each lever at most the best month of the history, never below where it is
    for move in closest.levers:
        seen = [v for v in r.history.values[move.lever] if v is not None]
        assert move.current.value <= move.required.value <= max(seen) + 1e-12
    from kpi_core.report import advice_lines

    text = " ".join(advice_lines(r, "en"))
    assert "Closest:" in text and "—" not in text and "history supports" in text


def test_a_closed_month_is_a_result_not_a_forecast():
    dataset = sample("monthly_kpi_ja.xlsx")
    r = build_report(load_template("marketing", "ja"), dataset, dt.date(2026, 11, 30))
    assert r.final and r.advice.code == "final"
    assert r.figures["month.forecast"].value == r.figures["month.booked"].value  # the month's result
    from kpi_core.report import advice_lines

    assert "締まりました" in advice_lines(r, "ja")[0]


def test_the_report_command_prints_the_report_as_json():
    out = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(ROOT / "sample_data" / "sales_deals_ja.csv"),
         "--goals", "template:sales_ja", "--as-of", AS_OF.isoformat(), "--json", "--lang", "ja"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    payload = json.loads(out.stdout)
    assert payload["figures"]["month.forecast"]["value"] == pytest.approx(report().figures["month.forecast"].value)
    assert payload["advice"]["code"] == "pivot"
    assert payload["pivots"]["kgi_month"]["period"] == "2026-11"
    assert {"plan", "pivots", "levers", "advice_text"} <= set(payload)
