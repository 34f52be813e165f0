"""Real public exports (Maven CRM pipeline, Olist MQL + closed deals, X Education leads) against plain-pandas figures.

Every expectation is computed here from the CSV with pandas only; kpi_core is the code under test.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpi_core.cli import main
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import compute_kpis

pytestmark = pytest.mark.realdata

MAVEN = "sales_pipeline.csv"
OLIST_MQL = "olist_marketing_qualified_leads_dataset.csv"
OLIST_DEALS = "olist_closed_deals_dataset.csv"


# ------------------------------------------------------------------------------------------ plain pandas


def month_key(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m")


def fiscal_quarter_key(dates: pd.Series) -> pd.Series:
    """Fiscal year from April: 2018-Q1 = Apr-Jun 2018, 2018-Q4 = Jan-Mar 2019."""
    fiscal_year = dates.dt.year - (dates.dt.month < 4).astype(int)
    quarter = (dates.dt.month - 4) % 12 // 3 + 1
    return fiscal_year.astype(str) + "-Q" + quarter.astype(str)


def fiscal_year_key(dates: pd.Series) -> pd.Series:
    return (dates.dt.year - (dates.dt.month < 4).astype(int)).astype(str)


def outcome_figures(frame: pd.DataFrame) -> dict[str, Any]:
    """won / lost / revenue / cycle of the rows given (already chosen by their close date)."""
    won = frame[frame["outcome"] == "won"]
    lost = int((frame["outcome"] == "lost").sum())
    cycles = (won["closed"] - won["created"]).dt.days.dropna()
    return {
        "won": len(won),
        "lost": lost,
        "won_revenue": float(won["amount"].sum()) if "amount" in frame else None,
        "median_cycle_days": float(cycles.median()) if len(cycles) else None,
    }


def figures_by_period(frame: pd.DataFrame, key: Callable[[pd.Series], pd.Series]) -> dict[str, dict[str, Any]]:
    """Records and open in the period of `created`; won, lost, revenue, cycle in the period of `closed`."""
    out: dict[str, dict[str, Any]] = {}
    created = frame[frame["created"].notna()]
    for period, group in created.groupby(key(created["created"])):
        empty_revenue = 0.0 if "amount" in frame else None
        slot = out.setdefault(period, {"won": 0, "lost": 0, "won_revenue": empty_revenue, "median_cycle_days": None})
        slot["records"] = len(group)
        slot["open"] = int((group["outcome"] == "open").sum())
    closed = frame[frame["closed"].notna() & frame["outcome"].isin(["won", "lost"])]
    for period, group in closed.groupby(key(closed["closed"])):
        slot = out.setdefault(period, {"records": 0, "open": 0})
        slot.update(outcome_figures(group))
    for slot in out.values():
        slot.setdefault("records", 0)
        slot.setdefault("open", 0)
    return out


def assert_figures(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for name, value in expected.items():
        got = actual[name]
        if value is None:
            assert got is None, f"{where}: {name} is {got!r}, expected null"
        elif isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-9), f"{where}: {name} {got!r} != {value!r}"
        else:
            assert got == value, f"{where}: {name} {got!r} != {value!r}"


def run_cli(*argv: object) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], out=out, err=err)
    assert status == 0, err.getvalue()
    assert err.getvalue() == ""
    return json.loads(out.getvalue())


# ------------------------------------------------------------------------------------------------- Maven


@pytest.fixture(scope="module")
def maven_frame(maven_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(maven_dir / MAVEN, dtype=str, keep_default_na=False)
    frame = pd.DataFrame(
        {
            "owner": raw["sales_agent"],
            "product": raw["product"],
            "stage": raw["deal_stage"],
            "created": pd.to_datetime(raw["engage_date"].replace("", None), format="%Y-%m-%d"),
            "closed": pd.to_datetime(raw["close_date"].replace("", None), format="%Y-%m-%d"),
            "amount": pd.to_numeric(raw["close_value"].replace("", None)),
        }
    )
    frame["outcome"] = frame["stage"].map({"Won": "won", "Lost": "lost"}).fillna("open")
    assert len(frame) == 8800  # the file as documented in SOURCE.md
    return frame


@pytest.fixture(scope="module")
def maven_dataset(maven_dir: Path):
    return load_dataset([FileInput(MAVEN, maven_dir / MAVEN)])


@pytest.fixture(scope="module")
def maven_month(maven_dataset):
    return compute_kpis(maven_dataset, period="month", by=["owner", "product"])


def maven_totals(frame: pd.DataFrame) -> dict[str, Any]:
    won = int((frame["outcome"] == "won").sum())
    lost = int((frame["outcome"] == "lost").sum())
    revenue = float(frame.loc[frame["outcome"] == "won", "amount"].sum())
    return {
        "records": len(frame),
        "open": int((frame["outcome"] == "open").sum()),
        **outcome_figures(frame),
        "win_rate": won / (won + lost) if won + lost else None,
        "avg_unit_price": revenue / won if won else None,
    }


def test_maven_mapping_and_rows(maven_dataset) -> None:
    assert maven_dataset.mapping == {
        "id": "opportunity_id",
        "created": "engage_date",
        "closed": "close_date",
        "stage": "deal_stage",
        "amount": "close_value",
        "owner": "sales_agent",
        "product": "product",
        "account": "account",
    }
    assert (maven_dataset.rows_read, maven_dataset.rows_used, maven_dataset.rejected) == (8800, 8800, 0)
    assert maven_dataset.rejects == []
    assert maven_dataset.can_lose


def test_maven_totals(maven_frame: pd.DataFrame, maven_month) -> None:
    expected = maven_totals(maven_frame)
    assert expected["won"] == 4238 and expected["lost"] == 2473  # sanity of the pandas side itself
    assert_figures(maven_month.totals, expected, "totals")
    # Maven is a deal pipeline: every record reached the opportunity level; no lead / MQL / SQL stage exists.
    assert maven_month.totals["opportunities"] == 8800
    assert maven_month.totals["leads"] is None
    assert maven_month.totals["mql"] is None
    assert maven_month.totals["conversion"]["first_to_won"] == pytest.approx(expected["won"] / 8800)


def test_maven_every_agent(maven_frame: pd.DataFrame, maven_month) -> None:
    by_owner = {row["key"]: row for row in maven_month.by["owner"]}
    expected_owners = set(maven_frame["owner"])
    assert len(expected_owners) == 30  # 5 of the 35 agents have no opportunities
    assert set(by_owner) == expected_owners
    for owner, group in maven_frame.groupby("owner"):
        assert_figures(by_owner[owner], maven_totals(group), f"owner {owner}")


def test_maven_every_product(maven_frame: pd.DataFrame, maven_month) -> None:
    by_product = {row["key"]: row for row in maven_month.by["product"]}
    assert set(by_product) == set(maven_frame["product"])
    assert "GTXPro" in by_product  # kept as written: products.csv spells it "GTX Pro"
    for product, group in maven_frame.groupby("product"):
        assert_figures(by_product[product], maven_totals(group), f"product {product}")


def test_maven_by_month(maven_frame: pd.DataFrame, maven_month) -> None:
    expected = figures_by_period(maven_frame, month_key)
    actual = {row["period"]: row for row in maven_month.by_period}
    assert set(actual) == set(expected)
    for period, figures in expected.items():
        assert_figures(actual[period], figures, f"month {period}")
    # Prospecting rows have no engage_date: in the totals, in no period, reported as undated.
    undated = int(maven_frame["created"].isna().sum())
    assert undated == 500
    assert maven_month.undated == undated
    assert sum(row["records"] for row in maven_month.by_period) + undated == 8800
    assert [row["period"] for row in maven_month.by_period] == sorted(actual)


@pytest.mark.parametrize(("period", "key"), [("quarter", fiscal_quarter_key), ("year", fiscal_year_key)])
def test_maven_fiscal_periods(maven_frame: pd.DataFrame, maven_dataset, period: str, key) -> None:
    result = compute_kpis(maven_dataset, period=period)
    expected = figures_by_period(maven_frame, key)
    actual = {row["period"]: row for row in result.by_period}
    assert set(actual) == set(expected)
    for name, figures in expected.items():
        assert_figures(actual[name], figures, f"{period} {name}")
    if period == "quarter":
        # Engage dates start in Oct 2016 = FY2016 Q3; close dates end in Dec 2017 = FY2017 Q3.
        assert min(actual) == "2016-Q3" and max(actual) == "2017-Q3"
        assert actual["2016-Q4"]["start"] == "2017-01-01"
    else:
        assert set(actual) == {"2016", "2017"}
        assert actual["2016"]["start"] == "2016-04-01"


def test_maven_cohort(maven_frame: pd.DataFrame, maven_dataset) -> None:
    result = compute_kpis(maven_dataset, period="month", cohort=True)
    dated = maven_frame[maven_frame["created"].notna()]
    months = month_key(dated["created"])
    actual = {row["period"]: row for row in result.by_period}
    assert set(actual) == set(months)
    for period, group in dated.groupby(months):
        assert actual[period]["records"] == len(group), period
        assert actual[period]["won"] == int((group["outcome"] == "won").sum()), period
        assert actual[period]["lost"] == int((group["outcome"] == "lost").sum()), period
        revenue = float(group.loc[group["outcome"] == "won", "amount"].sum())
        assert actual[period]["won_revenue"] == pytest.approx(revenue), period
    assert_figures(result.totals, maven_totals(maven_frame), "cohort totals")


def test_maven_cli_json(maven_dir: Path, maven_frame: pd.DataFrame) -> None:
    payload = run_cli("kpis", maven_dir / MAVEN, "--json", "--by", "owner", "--period", "quarter")
    assert payload["rows"] == {"read": 8800, "used": 8800, "rejected": 0, "linked": 0, "skipped": 0}
    assert payload["rejects"] == []
    assert payload["mapping"]["owner"] == "sales_agent"
    assert_figures(payload["totals"], maven_totals(maven_frame), "cli totals")
    by_owner = {row["key"]: row for row in payload["by"]["owner"]}
    assert set(by_owner) == set(maven_frame["owner"])
    for owner, group in maven_frame.groupby("owner"):
        assert_figures(by_owner[owner], maven_totals(group), f"cli owner {owner}")
    expected = figures_by_period(maven_frame, fiscal_quarter_key)
    actual = {row["period"]: row for row in payload["by_period"]}
    assert set(actual) == set(expected)
    for name, figures in expected.items():
        assert_figures(actual[name], figures, f"cli quarter {name}")
    assert payload["undated"] == 500


# ------------------------------------------------------------------------------------------------- Olist


@pytest.fixture(scope="module")
def olist_frame(olist_dir: Path) -> pd.DataFrame:
    mql = pd.read_csv(olist_dir / OLIST_MQL, dtype=str, keep_default_na=False)
    deals = pd.read_csv(olist_dir / OLIST_DEALS, dtype=str, keep_default_na=False)
    assert deals["mql_id"].is_unique and deals["mql_id"].isin(mql["mql_id"]).all()  # as SOURCE.md says
    joined = mql.merge(deals[["mql_id", "won_date", "sr_id"]], on="mql_id", how="left")
    frame = pd.DataFrame(
        {
            "channel": joined["origin"].replace("", None),
            "owner": joined["sr_id"].replace("", None),
            "created": pd.to_datetime(joined["first_contact_date"], format="%Y-%m-%d"),
            # won_date has a time part: days are counted between dates.
            "closed": pd.to_datetime(joined["won_date"].replace("", None), format="%Y-%m-%d %H:%M:%S").dt.normalize(),
        }
    )
    frame["outcome"] = frame["closed"].notna().map({True: "won", False: "open"})
    return frame


@pytest.fixture(scope="module")
def olist_files(olist_dir: Path) -> list[Path]:
    return [olist_dir / OLIST_MQL, olist_dir / OLIST_DEALS]


@pytest.fixture(scope="module")
def olist_dataset(olist_files: list[Path]):
    return load_dataset([FileInput(p.name, p) for p in olist_files])


@pytest.fixture(scope="module")
def olist_month(olist_dataset):
    return compute_kpis(olist_dataset, period="month", by=["channel", "owner"])


def olist_figures(frame: pd.DataFrame) -> dict[str, Any]:
    won = int((frame["outcome"] == "won").sum())
    return {
        "records": len(frame),
        "leads": len(frame),
        "won": won,
        "open": len(frame) - won,
        "median_cycle_days": outcome_figures(frame)["median_cycle_days"],
        # No lost outcome and no deal value in this data: these figures cannot be given.
        "lost": None,
        "win_rate": None,
        "won_revenue": None,
        "avg_unit_price": None,
    }


def test_olist_link_and_mapping(olist_dataset) -> None:
    assert olist_dataset.link_key == "mql_id"
    # Both files are read; each of the 842 deals is attached to its MQL: read = used + rejected + linked.
    assert (olist_dataset.rows_read, olist_dataset.rows_used, olist_dataset.rejected) == (8842, 8000, 0)
    assert olist_dataset.rows_linked == 842
    assert olist_dataset.rejects == []
    mapping = olist_dataset.mapping
    assert mapping["id"] == "mql_id"
    assert mapping["created"] == "first_contact_date"
    assert mapping["closed"] == "won_date"
    assert mapping["channel"] == "origin"
    # declared_monthly_revenue is 0 in 797 of 842 rows: it is not a deal value.
    assert "amount" not in mapping
    assert not olist_dataset.can_lose


def test_olist_totals(olist_frame: pd.DataFrame, olist_month) -> None:
    expected = olist_figures(olist_frame)
    assert expected["won"] == 842
    assert_figures(olist_month.totals, expected, "olist totals")
    assert olist_month.totals["conversion"]["first_to_won"] == pytest.approx(842 / 8000)
    assert olist_month.totals["opportunities"] is None  # no opportunity stage in this data


def test_olist_every_channel(olist_frame: pd.DataFrame, olist_month) -> None:
    by_channel = {row["key"]: row for row in olist_month.by["channel"]}
    keys = olist_frame["channel"].fillna("__blank__")
    assert set(by_channel) == {None if k == "__blank__" else k for k in keys}
    assert by_channel[None]["records"] == 60  # blank origin is its own (null) key
    assert by_channel["unknown"]["records"] == 1099  # the literal "unknown" is a value
    for key, group in olist_frame.groupby(keys):
        row = by_channel[None if key == "__blank__" else key]
        expected = olist_figures(group)
        assert_figures(row, expected, f"channel {key}")
        assert row["conversion"]["first_to_won"] == pytest.approx(expected["won"] / len(group)), key


def test_olist_won_per_owner(olist_frame: pd.DataFrame, olist_month) -> None:
    by_owner = {row["key"]: row for row in olist_month.by["owner"]}
    deals = olist_frame[olist_frame["owner"].notna()]
    for owner, group in deals.groupby("owner"):
        assert by_owner[owner]["won"] == len(group), owner
    assert by_owner[None]["won"] == 0
    assert by_owner[None]["records"] == 8000 - 842


def test_olist_by_month(olist_frame: pd.DataFrame, olist_month) -> None:
    expected = figures_by_period(olist_frame, month_key)
    actual = {row["period"]: row for row in olist_month.by_period}
    assert set(actual) == set(expected)
    for period, figures in expected.items():
        figures = {**figures, "lost": None, "won_revenue": None}
        assert_figures(actual[period], figures, f"olist month {period}")
    assert olist_month.undated == 0
    # Won deals run to Nov 2018, months after the last MQL (May 2018).
    assert actual["2018-11"]["records"] == 0 and actual["2018-11"]["won"] > 0


def test_olist_cohort(olist_frame: pd.DataFrame, olist_dataset) -> None:
    result = compute_kpis(olist_dataset, period="month", cohort=True)
    months = month_key(olist_frame["created"])
    actual = {row["period"]: row for row in result.by_period}
    assert set(actual) == set(months)
    for period, group in olist_frame.groupby(months):
        assert actual[period]["records"] == len(group), period
        assert actual[period]["won"] == int((group["outcome"] == "won").sum()), period


def test_olist_fiscal_quarter(olist_frame: pd.DataFrame, olist_dataset) -> None:
    result = compute_kpis(olist_dataset, period="quarter")
    expected = figures_by_period(olist_frame, fiscal_quarter_key)
    actual = {row["period"]: row for row in result.by_period}
    assert set(actual) == set(expected)
    for name, figures in expected.items():
        assert_figures(actual[name], {**figures, "lost": None, "won_revenue": None}, f"olist quarter {name}")


def test_olist_cli_json(olist_files: list[Path], olist_frame: pd.DataFrame) -> None:
    payload = run_cli("kpis", *olist_files, "--json", "--by", "channel")
    assert payload["rows"] == {"read": 8842, "used": 8000, "rejected": 0, "linked": 842, "skipped": 0}
    assert_figures(payload["totals"], olist_figures(olist_frame), "olist cli totals")
    by_channel = {row["key"]: row for row in payload["by"]["channel"]}
    keys = olist_frame["channel"].fillna("__blank__")
    for key, group in olist_frame.groupby(keys):
        row = by_channel[None if key == "__blank__" else key]
        assert row["won"] == int((group["outcome"] == "won").sum()), key
        assert row["conversion"]["first_to_won"] == pytest.approx(row["won"] / len(group)), key
    expected = figures_by_period(olist_frame, month_key)
    actual = {row["period"]: row for row in payload["by_period"]}
    assert {p: r["won"] for p, r in actual.items()} == {p: f["won"] for p, f in expected.items()}
    assert {p: r["records"] for p, r in actual.items()} == {p: f["records"] for p, f in expected.items()}


# ------------------------------------------------------------------------------------------- X Education


def test_xeducation_leads_without_dates_give_totals_from_the_converted_flag(xedu_dir: Path) -> None:
    """No dates, no amounts, no stage: the Converted flag (0/1) says won; figures are totals only."""
    path = xedu_dir / "Leads.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    dataset = load_dataset([FileInput(path.name, path)])
    assert dataset.mapping["won_flag"] == "Converted" and dataset.mapping["channel"] == "Lead Source"
    assert "no_dates" in dataset.notes
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (len(raw), 9240, 0)
    result = compute_kpis(dataset, by=["channel"])
    converted = raw["Converted"] == "1"
    assert result.totals["records"] == result.totals["leads"] == 9240
    assert result.totals["won"] == int(converted.sum())
    assert result.totals["open"] == int((~converted).sum())
    assert result.totals["won_revenue"] is None and result.totals["win_rate"] is None
    assert result.totals["conversion"]["first_to_won"] == pytest.approx(converted.mean())
    assert result.by_period == [] and result.undated == 9240
    # Per source: blank sources are the null key; "Google" and "google" stay apart as the file has them.
    expected = raw.assign(won=converted).groupby("Lead Source")["won"].agg(["size", "sum"])
    got = {row["key"]: (row["records"], row["won"]) for row in result.by["channel"]}
    blank = expected.loc[""] if "" in expected.index else None
    for source, (size, won) in expected.drop(index="", errors="ignore").iterrows():
        assert got[source] == (size, won), source
    if blank is not None:
        assert got[None] == (blank["size"], blank["sum"])
    out, err = io.StringIO(), io.StringIO()
    assert main(["kpis", str(path), "--json"], out=out, err=err) == 0
    assert json.loads(out.getvalue())["totals"]["won"] == int(converted.sum())
