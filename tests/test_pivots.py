"""CSF pivot engine: driver-model algebra, remaining-period arithmetic, evidence, ranking, Goodhart guard, what-if."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import compute_kpis
from kpi_core.pivots import (
    SALES_MODEL,
    CsfRef,
    KpiForecast,
    LeverHistory,
    LeverSetting,
    PeriodPosition,
    PivotInputError,
    available_models,
    best_lag_correlation,
    change_correlation,
    csfs_for_lever,
    find_pivots,
    funnel_model,
    goodhart_checks,
    goodhart_for_dataset,
    history_evidence,
    identity_check,
    kgi_forecast,
    lever_history,
    model_for_metric,
    parse_setting,
    period_kgi_target,
    period_position,
    rank_pivots,
    required_common_change,
    required_rest_value,
    what_if,
)

HEADER = "id,created,close_date,stage,amount,owner,segment,channel"


def _load(path: Path):
    return load_dataset([FileInput(path.name, path)])


def _deals_csv(tmp_path: Path, rows: list[tuple], name: str = "deals.csv") -> Path:
    """rows: (created, closed or "", stage, amount or "", owner); segment and channel are constant."""
    lines = [HEADER]
    for i, (created, closed, stage, amount, owner) in enumerate(rows, start=1):
        lines.append(f"D{i:04d},{created},{closed},{stage},{amount},{owner},Mfg,Web")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _algebra_rows() -> list[tuple]:
    """Jan-Jun 2026 complete, July in progress (as of 15 July: 11 of 22 business days, Marine Day on the 20th).

    Each month 12 deals created on the 5th and closed on the 20th at 1.2M:
      Jan: A 4 won 2 lost, B 2 won 4 lost -> win rate 6/12 = 0.5
      Feb-Jun: A 3 won 3 lost, B 0 won 6 lost -> win rate 3/12 = 0.25
    July: 10 deals created on the 2nd, 2 of them won on the 10th at 1.5M (3M booked), 8 still open.
    """
    rows = []
    for month in range(1, 7):
        a_won, a_lost, b_won, b_lost = (4, 2, 2, 4) if month == 1 else (3, 3, 0, 6)
        created, closed = f"2026-{month:02d}-05", f"2026-{month:02d}-20"
        for owner, won, lost in (("A", a_won, a_lost), ("B", b_won, b_lost)):
            rows += [(created, closed, "Won", 1200000, owner)] * won
            rows += [(created, closed, "Lost", "", owner)] * lost
    rows += [("2026-07-02", "2026-07-10", "Won", 1500000, "A")] * 2
    rows += [("2026-07-02", "", "Open", "", "B")] * 8
    return rows


AS_OF = dt.date(2026, 7, 15)
TARGET = 9_000_000  # July's share of the KGI in these tests


@pytest.fixture(scope="module")
def algebra(tmp_path_factory):
    path = _deals_csv(tmp_path_factory.mktemp("algebra"), _algebra_rows())
    dataset = _load(path)
    monthly = compute_kpis(dataset, period="month").by_period
    position = period_position(dataset, [SALES_MODEL], AS_OF, "month", TARGET, monthly=monthly)
    history = lever_history(dataset, [SALES_MODEL], AS_OF, monthly=monthly)
    return dataset, position, history


def _position(**changes) -> PeriodPosition:
    """A month at its first day: nothing booked, the whole month to come."""
    base = PeriodPosition(
        period="2026-05",
        start=dt.date(2026, 5, 1),
        end=dt.date(2026, 5, 31),
        as_of=dt.date(2026, 5, 1),
        remaining_share=1.0,
        months=1.0,
        kgi_booked=0.0,
        kgi_target=15_000_000.0,
        booked={"opportunities": 0.0},
        rest={"opportunities": 42.0, "win_rate": 0.25, "avg_unit_price": 1_200_000.0},
    )
    return replace(base, **changes)


EMPTY_HISTORY = LeverHistory(months=(), values={})


# --- driver models and the identity ------------------------------------------------------------------------------
def test_models_are_data_and_the_funnel_follows_the_levels():
    assert SALES_MODEL.lever_names == ["opportunities", "win_rate", "avg_unit_price"]
    assert SALES_MODEL.is_product
    full = funnel_model(["lead", "mql", "sql", "opportunity", "won"])
    assert full.lever_names == [
        "leads", "lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won", "avg_unit_price",
    ]  # fmt: skip
    skipped = funnel_model(["lead", "sql", "won"])
    assert skipped.lever_names == ["leads", "lead_to_sql", "sql_to_won", "avg_unit_price"]
    assert skipped.lever("sql_to_won").formula == "won / sql"
    cut = funnel_model(["lead", "mql", "sql", "opportunity", "won"], start="mql")
    assert cut.lever_names[0] == "mql" and "leads" not in cut.lever_names
    assert funnel_model(["opportunity"]) is None  # no won level: nothing to multiply up to revenue


def test_model_for_metric_picks_the_lever_the_kpi_is():
    levels = ["lead", "mql", "sql", "opportunity", "won"]
    models = [SALES_MODEL, funnel_model(levels)]
    assert model_for_metric(models, "opportunities", levels) == (SALES_MODEL, "opportunities")
    assert model_for_metric(models, "won_revenue", levels) == (SALES_MODEL, None)
    model, missing = model_for_metric(models, "mql", levels)
    assert (model.lever_names[0], missing) == ("mql", "mql")
    model, missing = model_for_metric(models, "won", levels)
    assert (model.lever_names, missing) == (["won", "avg_unit_price"], "won")
    assert model_for_metric(models, "median_cycle_days", levels) is None


@pytest.mark.realdata
def test_identity_check_on_maven_matches_plain_pandas(maven_dir):
    dataset = _load(maven_dir / "sales_pipeline.csv")
    result = compute_kpis(dataset, period="month")
    check = identity_check(SALES_MODEL, result)

    frame = pd.read_csv(maven_dir / "sales_pipeline.csv")
    created = pd.to_datetime(frame["engage_date"]).dt.strftime("%Y-%m")
    closed = pd.to_datetime(frame["close_date"]).dt.strftime("%Y-%m")
    opportunities = created.value_counts()
    won = closed[frame["deal_stage"] == "Won"].value_counts()
    lost = closed[frame["deal_stage"] == "Lost"].value_counts()
    revenue = frame[frame["deal_stage"] == "Won"].groupby(closed)["close_value"].sum()
    expected = {}
    for month in sorted(set(opportunities.index) | set(won.index)):
        w, lo, r, o = won.get(month, 0), lost.get(month, 0), revenue.get(month, 0.0), opportunities.get(month, 0)
        modeled = o * (w / (w + lo)) * (r / w) if w else None
        expected[month] = (float(r), None if modeled is None else float(r - modeled))

    rows = {row.period: row for row in check.by_period}
    assert set(rows) == set(expected)
    compared = 0
    for month, (actual, residual) in expected.items():
        assert rows[month].actual == pytest.approx(actual)
        if residual is None:
            assert rows[month].residual is None
            continue
        compared += 1
        assert rows[month].residual == pytest.approx(residual, rel=1e-9, abs=1e-6)
        assert rows[month].flagged == (abs(residual / actual) > 0.01)
    assert compared >= 9
    # In total every deal counts (8,800 opportunities, the undated prospects included) against 6,711 closed ones.
    total_revenue = float(frame.loc[frame["deal_stage"] == "Won", "close_value"].sum())
    closed_deals = int(frame["deal_stage"].isin(["Won", "Lost"]).sum())
    assert check.totals.residual == pytest.approx(total_revenue * (1 - len(frame) / closed_deals))
    assert check.totals.flagged and check.explanation.code == "identity_residual"
    assert check.flagged_periods == sum(r.flagged for r in check.by_period)


def test_funnel_identity_is_exact_on_a_monthly_sheet(tmp_path):
    path = tmp_path / "monthly.csv"
    path.write_text(
        "month,leads,mql,sql,opportunities,won,lost,revenue\n"
        "2026-04,400,160,80,60,20,30,24000000\n"
        "2026-05,380,150,70,50,15,30,19500000\n"
        "2026-06,420,170,85,55,0,40,0\n",
        encoding="utf-8",
    )
    dataset = _load(path)
    assert dataset.shape == "periods"
    result = compute_kpis(dataset, period="month")
    models = available_models(result.totals, dataset.present_levels)
    marketing = next(m for m in models if m.name == "marketing")
    check = identity_check(marketing, result)
    rows = {r.period: r for r in check.by_period}
    assert rows["2026-04"].residual == pytest.approx(0, abs=1e-6) and not rows["2026-04"].flagged
    assert rows["2026-04"].levers["lead_to_mql"] == pytest.approx(160 / 400)
    assert rows["2026-06"].modeled is None  # no won deal: no unit price, nothing to multiply
    assert check.totals.residual == pytest.approx(0, abs=1e-6)
    assert check.explanation.code == "identity_ok"


# --- required values: exact algebra ------------------------------------------------------------------------------
def test_required_values_match_the_issue_example():
    # 42 deals forecast against 50; the KPI targets imply 50 x 25 % x 1.2M = 15M for the month.
    position = _position()
    assert required_rest_value(SALES_MODEL, position, "win_rate") == pytest.approx(15e6 / (42 * 1.2e6))
    assert required_rest_value(SALES_MODEL, position, "avg_unit_price") == pytest.approx(15e6 / (42 * 0.25))
    assert required_rest_value(SALES_MODEL, position, "opportunities") == pytest.approx(50)
    kpi = KpiForecast("valid_deals", "New-deal count", "opportunities", 50, 42)
    csfs = [
        CsfRef("deal_quality", "deal quality", "win_rate", ("tailored proposals", "reach decision makers")),
        CsfRef("existing", "existing customers", "avg_unit_price", ("upsell",)),
    ]
    history = LeverHistory(
        months=tuple(f"m{i}" for i in range(18)),
        values={
            "win_rate": (0.30,) * 7 + (0.20,) * 11,
            "avg_unit_price": (1.5e6,) * 2 + (1.1e6,) * 16,
            "opportunities": (45.0,) * 18,
        },
    )
    pivots = find_pivots(
        SALES_MODEL, position, history, missing="opportunities", kpi=kpi, csfs=csfs, kgi_goal=144_000_000
    )
    by_lever = {p.lever: p for p in pivots}
    price = by_lever["avg_unit_price"]
    assert price.changes[0].required == pytest.approx(1_428_571.43, rel=1e-6)
    assert price.change_pct == pytest.approx(50 / 42 - 1)
    assert (price.evidence.achieved, price.evidence.months) == (2, 18)
    assert price.explanation.text.startswith(
        "New-deal count will end at 42 of 50; to keep ¥144M, average unit price must reach ¥1.43M (+19.0%), "
        "seen in 2 of the last 18 months"
    )
    rate = by_lever["win_rate"]
    assert rate.changes[0].required == pytest.approx(0.25 * 50 / 42)
    assert "29.8%" in rate.explanation.text and "seen in 7 of the last 18 months" in rate.explanation.text
    assert rate.explanation.text.endswith("pivot to deal quality: tailored proposals, reach decision makers.")
    assert rate.as_dict()["csf"] == "deal quality" and rate.as_dict()["actions"][0] == "tailored proposals"
    assert rate.evidence.history_share == pytest.approx(7 / 18)
    assert rate.evidence.percentile == pytest.approx(100 * 11 / 18)
    assert pivots[0].lever == "win_rate"  # 7 of 18 beats 2 of 18
    assert rate.explanation.code == "pivot_single_feasible"
    assert rate.explanation.params["months_achieved"] == 7


def test_pairs_change_both_levers_by_the_same_exact_percentage():
    position = _position()
    common = required_common_change(SALES_MODEL, position, ("win_rate", "avg_unit_price"))
    assert common == pytest.approx(math.sqrt(15e6 / (42 * 0.25 * 1.2e6)) - 1)
    pivots = find_pivots(SALES_MODEL, position, EMPTY_HISTORY, missing="opportunities")
    pair = next(p for p in pivots if p.kind == "pair")
    assert pair.levers == ("win_rate", "avg_unit_price")  # pairs with the missing KPI are left out
    assert len([p for p in pivots if p.kind == "pair"]) == 1
    rate, price = pair.changes
    assert rate.required * price.required * 42 == pytest.approx(15e6)
    assert rate.change_pct == pytest.approx(common) and price.change_pct == pytest.approx(common)
    assert pair.kgi_after == pytest.approx(15e6)
    assert pair.verdict == "no_history"


def test_remaining_period_arithmetic_counts_what_is_booked(algebra):
    _, position, _ = algebra
    # 11 of July's 22 business days are behind 15 July; 10 deals and 3M are booked.
    assert position.remaining_share == pytest.approx(0.5)
    assert position.kgi_booked == pytest.approx(3_000_000)
    assert position.booked["opportunities"] == 10
    assert position.rest["opportunities"] == pytest.approx(10)  # run rate: as many again
    assert position.rest["win_rate"] == pytest.approx(0.25)  # April-June: 9 won, 27 lost
    assert position.rest["avg_unit_price"] == pytest.approx(1_200_000)
    assert kgi_forecast(SALES_MODEL, position) == pytest.approx(3e6 + 10 * 0.25 * 1.2e6)
    # The rate applies to the remaining volume only: (9M - 3M) / (10 x 1.2M).
    assert required_rest_value(SALES_MODEL, position, "win_rate") == pytest.approx(0.5)
    assert required_rest_value(SALES_MODEL, position, "avg_unit_price") == pytest.approx(6e6 / (10 * 0.25))
    assert required_rest_value(SALES_MODEL, position, "opportunities") == pytest.approx(20)


def test_a_pacing_forecast_sets_the_rest_of_a_volume(algebra):
    dataset, _, _ = algebra
    position = period_position(dataset, [SALES_MODEL], AS_OF, "month", TARGET, forecasts={"opportunities": 26})
    assert position.rest["opportunities"] == pytest.approx(16)
    assert required_rest_value(SALES_MODEL, position, "win_rate") == pytest.approx(6e6 / (16 * 1.2e6))


def test_pivots_on_the_fixture_carry_evidence_verdicts_and_rank(algebra):
    _, position, history = algebra
    assert history.months == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
    assert history.values["win_rate"] == pytest.approx((0.5, 0.25, 0.25, 0.25, 0.25, 0.25))
    owners = {g.key: g for g in history.groups["win_rate"] if g.role == "owner"}
    assert owners["A"].value == pytest.approx(19 / 36) and owners["A"].records == 36
    assert owners["B"].value == pytest.approx(2 / 36)

    pivots = find_pivots(SALES_MODEL, position, history, missing=None)
    by = {p.lever: p for p in pivots}
    rate = by["win_rate"]
    assert (rate.evidence.achieved, rate.evidence.months) == (1, 6)  # January's 50 % counts as reaching 50 %
    assert [g["key"] for g in rate.evidence.reached_by] == ["A"]
    assert rate.verdict == "feasible" and rate.feasible and rate.rank == 1
    assert rate.changes[0].rest_required == pytest.approx(0.5)

    price = by["avg_unit_price"]
    assert price.changes[0].required == pytest.approx(2_400_000)
    assert price.verdict == "impossible" and price.reason == "never_reached" and not price.feasible
    assert "by no owner, segment or channel: impossible" in price.explanation.text

    deals = by["opportunities"]
    change = deals.changes[0]
    assert (change.current, change.required) == pytest.approx((20, 30))  # period-end totals
    assert change.rest_change_pct == pytest.approx(1.0)  # the remaining 10 must become 20
    assert change.history_level == pytest.approx(40)  # 20 in half a month is a pace of 40 a month
    assert deals.verdict == "impossible" and deals.evidence.groups_compared == 0

    pair = by["win_rate+avg_unit_price"]
    assert pair.change_pct == pytest.approx(math.sqrt(2) - 1)
    assert pair.evidence.achieved == 0 and pair.evidence.reached_by == ()

    # feasible first, then by history share, then the smaller change; ties: single before pair, then by name.
    assert [p.lever for p in pivots] == [
        "win_rate",
        "opportunities+avg_unit_price",
        "opportunities+win_rate",
        "win_rate+avg_unit_price",
        "opportunities",
        "avg_unit_price",
    ]
    assert [p.rank for p in pivots] == [1, 2, 3, 4, 5, 6]


def test_required_above_100_percent_is_impossible():
    position = _position(kgi_target=60e6)
    pivots = find_pivots(SALES_MODEL, position, EMPTY_HISTORY, missing="opportunities")
    rate = next(p for p in pivots if p.lever == "win_rate")
    assert rate.changes[0].required == pytest.approx(60e6 / (42 * 1.2e6))
    assert (rate.verdict, rate.reason) == ("impossible", "above_max")
    assert "above 100 %" in rate.explanation.text


def test_nothing_left_in_the_period_is_impossible_and_booked_targets_need_nothing():
    ended = _position(remaining_share=0.0, rest={"opportunities": 0.0, "win_rate": 0.25, "avg_unit_price": 1.2e6})
    ended = replace(ended, kgi_booked=10e6)
    pivots = find_pivots(SALES_MODEL, ended, EMPTY_HISTORY, missing=None)
    assert {p.lever: (p.verdict, p.reason) for p in pivots if p.kind == "single"} == {
        "opportunities": ("impossible", "nothing_left"),
        "win_rate": ("impossible", "nothing_left"),
        "avg_unit_price": ("impossible", "nothing_left"),
    }
    met = _position(kgi_booked=16e6)
    single = find_pivots(SALES_MODEL, met, EMPTY_HISTORY, missing="opportunities")
    assert all(p.verdict == "no_change_needed" for p in single)
    assert next(p for p in single if p.lever == "win_rate").changes[0].required == 0


def test_existing_share_pivot_grosses_up_new_customer_revenue():
    position = _position(rest={"opportunities": 42.0, "win_rate": 0.25, "avg_unit_price": 1.2e6, "existing_share": 0.2})
    pivots = find_pivots(SALES_MODEL, position, EMPTY_HISTORY, missing="opportunities")
    share = next(p for p in pivots if p.lever == "existing_share")
    new_revenue = 42 * 0.25 * 1.2e6 * (1 - 0.2)  # held at the forecast
    assert share.changes[0].required == pytest.approx(1 - new_revenue / 15e6)
    assert share.kgi_after == pytest.approx(15e6)


def test_history_evidence_counts_joint_months_and_groups():
    history = LeverHistory(
        months=("a", "b", "c", "d"),
        values={"x": (1.0, 2.0, None, 3.0), "y": (5.0, 1.0, 9.0, 6.0)},
        groups={},
    )
    single = history_evidence(history, {"x": 2.0})
    assert (single.months, single.achieved, single.percentile) == (3, 2, pytest.approx(100 / 3))
    joint = history_evidence(history, {"x": 2.0, "y": 5.0})
    assert (joint.months, joint.achieved, joint.history_share) == (3, 1, pytest.approx(1 / 3))
    assert joint.percentile is None


def test_csfs_attach_by_lever_and_by_the_count_a_rate_moves():
    csfs = [
        CsfRef("lead_quality", "Lead quality", "mql", ("scoring",)),
        CsfRef("conversion", "Conversion", "won", ()),
        CsfRef("quality", "Deal quality", "win_rate", ()),
    ]
    assert [c.id for c in csfs_for_lever(csfs, "lead_to_mql")] == ["lead_quality"]
    assert [c.id for c in csfs_for_lever(csfs, "opportunity_to_won")] == ["conversion", "quality"]
    assert [c.id for c in csfs_for_lever(csfs, "win_rate")] == ["quality", "conversion"]
    assert csfs_for_lever(csfs, "leads") == ()


# --- ranking stability -------------------------------------------------------------------------------------------
def _ranked(rest: dict[str, float]) -> list[str]:
    history = LeverHistory(
        months=tuple(f"m{i}" for i in range(12)),
        values={
            "win_rate": (0.35,) * 9 + (0.2,) * 3,  # 9 of 12 months above the ~0.3 needed
            "avg_unit_price": (1.6e6,) * 2 + (1.0e6,) * 10,  # 2 of 12 above the ~1.43M needed
            "opportunities": (30.0,) * 12,
        },
    )
    position = _position(rest=rest)
    return [p.lever for p in find_pivots(SALES_MODEL, position, history, missing="opportunities")]


def test_ranking_is_stable_under_small_perturbations():
    base = {"opportunities": 42.0, "win_rate": 0.25, "avg_unit_price": 1.2e6}
    expected = _ranked(base)
    assert expected.index("win_rate") < expected.index("avg_unit_price")
    for factor in (0.995, 1.005):
        for name in base:
            assert _ranked({**base, name: base[name] * factor}) == expected


def test_ties_are_broken_deterministically():
    position = _position(rest={"opportunities": 40.0, "win_rate": 0.25, "avg_unit_price": 1.5e6})
    pivots = find_pivots(SALES_MODEL, position, EMPTY_HISTORY, missing="opportunities")
    # Same verdict, no history, same change for both singles: single before pair, then by name.
    assert [p.lever for p in pivots] == ["avg_unit_price", "win_rate", "win_rate+avg_unit_price"]
    assert [p.lever for p in rank_pivots(list(reversed(pivots)))] == [p.lever for p in pivots]
    # A pair with exactly the change of a single comes after it, whatever the names.
    single, pair = pivots[0], replace(pivots[2], change_pct=pivots[0].change_pct, levers=("a_lever", "b_lever"))
    assert [p.lever for p in rank_pivots([pair, single])] == [single.lever, "a_lever+b_lever"]


# --- Goodhart guard ----------------------------------------------------------------------------------------------
def _goodhart_rows(before: tuple[int, int], after: tuple[int, int]) -> list[tuple]:
    """Three months at `before` (deals, won), three at `after`; every deal created and closed on its month."""
    rows = []
    for month in range(1, 7):
        deals, won = before if month <= 3 else after
        day = f"2026-{month:02d}-10"
        rows += [(day, day, "Won", 1000000, "A")] * won
        rows += [(day, day, "Lost", "", "A")] * (deals - won)
    return rows


def test_goodhart_flags_deals_up_while_win_rate_falls(tmp_path):
    dataset = _load(_deals_csv(tmp_path, _goodhart_rows(before=(10, 5), after=(20, 4))))
    checks = goodhart_for_dataset(dataset, dt.date(2026, 7, 15))
    check = next(c for c in checks if c.code == "volume_up_quality_down" and c.kpi == "opportunities")
    assert (check.kpi_before, check.kpi_after) == (30, 60)
    assert check.kpi_change_pct == pytest.approx(1.0)
    assert (check.partner_before, check.partner_after) == pytest.approx((0.5, 0.2))
    assert check.partner_change_pct == pytest.approx(-0.6)
    assert check.flagged
    assert "Opportunities rose 100.0% (30 → 60)" in check.explanation.text
    assert "win rate fell 60.0% (50.0% → 20.0%)" in check.explanation.text
    revenue = next(c for c in checks if c.code == "kpi_up_kgi_down" and c.kpi == "opportunities")
    assert (revenue.partner_before, revenue.partner_after) == (15e6, 12e6) and revenue.flagged


def test_goodhart_control_both_rising_is_not_flagged(tmp_path):
    dataset = _load(_deals_csv(tmp_path, _goodhart_rows(before=(10, 3), after=(20, 10))))
    checks = goodhart_for_dataset(dataset, dt.date(2026, 7, 15))
    deal_check = next(c for c in checks if c.kpi == "opportunities" and c.code == "volume_up_quality_down")
    assert deal_check.partner_change_pct == pytest.approx((10 / 20) / (3 / 10) - 1)
    assert not any(c.flagged for c in checks)


def test_goodhart_ignores_a_dip_within_the_threshold(tmp_path):
    dataset = _load(_deals_csv(tmp_path, _goodhart_rows(before=(50, 25), after=(100, 49))))
    checks = goodhart_for_dataset(dataset, dt.date(2026, 7, 15))
    deal_check = next(c for c in checks if c.kpi == "opportunities" and c.code == "volume_up_quality_down")
    assert deal_check.partner_change_pct == pytest.approx(0.49 / 0.5 - 1)  # -2 %: noise, not a fall
    assert not deal_check.flagged


def test_change_correlation_and_lag():
    xs = [1.0, 3.0, 2.0, 5.0, 4.0, 8.0, 6.0, 7.0, 10.0, 9.0, 12.0, 11.0, 15.0, 13.0]
    assert change_correlation(xs, xs)[0] == pytest.approx(1.0)
    assert change_correlation(xs, [-x for x in xs])[0] == pytest.approx(-1.0)
    assert change_correlation(xs[:11], xs[:11]) == (None, 10)  # fewer than 12 months
    shifted = [0.0, 0.0, *xs[:-2]]  # y moves two months after x
    corr, lag, changes = best_lag_correlation(xs, shifted)
    assert (lag, changes) == (2, 11) and corr == pytest.approx(1.0)


def test_goodhart_flags_a_kpi_whose_changes_run_against_the_kgi():
    # A slow wave (period 20 months): its changes keep their sign for months, so no lag of 0-3 rescues it.
    kpi = [10 + 5 * math.sin(2 * math.pi * t / 20) for t in range(16)]
    revenue = [100.0 - 3 * (k - 10) for k in kpi]  # every rise of the KPI comes with a fall of revenue
    monthly = [{"calls": k, "won_revenue": r} for k, r in zip(kpi, revenue, strict=True)]
    before, after = {"calls": 45.0, "won_revenue": 300.0}, {"calls": 47.0, "won_revenue": 298.0}
    checks = goodhart_checks(before, after, monthly, kpis=["calls"])
    check = next(c for c in checks if c.kpi == "calls")
    assert check.code == "kpi_kgi_negative_correlation" and check.flagged
    assert check.correlation <= -0.3  # the best of lags 0-3 is still negative
    assert check.correlation_changes >= 10


# --- what-if ------------------------------------------------------------------------------------------------------
def test_parse_setting():
    assert parse_setting("win_rate=0.3") == LeverSetting("win_rate", 0.3)
    assert parse_setting("win_rate=30%") == LeverSetting("win_rate", 0.3)
    assert parse_setting("avg_unit_price=+10%") == LeverSetting("avg_unit_price", pytest.approx(0.1), True)
    assert parse_setting("opportunities=-5%") == LeverSetting("opportunities", pytest.approx(-0.05), True)
    for bad in ("win_rate", "win_rate=", "=3", "win_rate=abc"):
        with pytest.raises(PivotInputError):
            parse_setting(bad)


def test_what_if_arithmetic():
    position = _position(
        kgi_booked=3e6,
        booked={"opportunities": 20.0},
        rest={"opportunities": 22.0, "win_rate": 0.25, "avg_unit_price": 1.2e6},
    )
    result = what_if(SALES_MODEL, position, [LeverSetting("win_rate", 0.3), LeverSetting("avg_unit_price", 0.1, True)])
    assert result.kgi_before == pytest.approx(3e6 + 22 * 0.25 * 1.2e6)
    assert result.kgi_after == pytest.approx(3e6 + 22 * 0.3 * 1.32e6)
    assert result.gap_after == pytest.approx(3e6 + 22 * 0.3 * 1.32e6 - 15e6)
    required = {c.lever: c for c in result.required}
    assert list(required) == ["opportunities"]
    # Opportunities alone after the changes: (15M - 3M) / (0.3 x 1.32M) more, shown as a period-end total.
    assert required["opportunities"].required == pytest.approx(20 + 12e6 / (0.3 * 1.32e6))

    volume = what_if(SALES_MODEL, position, [LeverSetting("opportunities", 50)])  # a period-end total
    assert volume.kgi_after == pytest.approx(3e6 + 30 * 0.25 * 1.2e6)
    assert {c.lever: c.required for c in volume.required}["win_rate"] == pytest.approx(12e6 / (30 * 1.2e6))
    relative = what_if(SALES_MODEL, position, [LeverSetting("opportunities", 0.5, True)])  # +50 % of 42 = 63
    assert relative.kgi_after == pytest.approx(3e6 + 43 * 0.25 * 1.2e6)

    for bad in (LeverSetting("win_rate", 1.2), LeverSetting("opportunities", 10), LeverSetting("leads", 5)):
        with pytest.raises(PivotInputError):
            what_if(SALES_MODEL, position, [bad])


def test_period_kgi_target():
    assert period_kgi_target(144e6, "year", "month") == pytest.approx(12e6)
    assert period_kgi_target(144e6, "year", "quarter") == pytest.approx(36e6)
    # 60M booked in the first 6 months: the other 84M over 6 months.
    assert period_kgi_target(144e6, "year", "month", mode="catch_up", booked_before=60e6, months_left=6) == (
        pytest.approx(14e6)
    )
    with pytest.raises(PivotInputError):
        period_kgi_target(144e6, "year", "month", mode="guess")


def test_role_filters_give_the_pivots_of_that_slice_of_the_data(tmp_path):
    """Pivots for one channel (a sidebar filter) equal the pivots of a file that holds only that channel's deals."""

    from kpi_core.goals import load_template
    from kpi_core.metrics import Filters

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "sales_deals_ja.csv"
    raw = pd.read_csv(sample, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    channel = "既存顧客"
    only = tmp_path / "only.csv"
    raw[raw["リードソース"] == channel].to_csv(only, index=False, encoding="utf-8-sig")
    as_of = dt.date(2026, 11, 15)
    goals = load_template("sales", "ja")
    whole = load_dataset([FileInput(sample.name, sample)])
    sliced = load_dataset([FileInput(only.name, only)])
    from kpi_core.pivots import pivots_for_goals

    filtered = pivots_for_goals(goals, whole, as_of, filters=Filters(roles={"channel": [channel]})).as_dict()
    expected = pivots_for_goals(goals, sliced, as_of).as_dict()
    assert filtered["kgi"] == expected["kgi"]
    assert filtered["shortfalls"] == expected["shortfalls"]
    assert filtered["identity"] == expected["identity"]
