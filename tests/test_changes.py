"""What changed since last week (kpi_core/changes.py, `python -m kpi_core changes`): a 10-deal pair classified by
hand, the waterfall adding up, the command's JSON and exit codes, and the Maven data cut into two snapshots checked
against plain pandas."""

from __future__ import annotations

import datetime as dt
import io
import json
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.changes import CHANGE_KINDS, WATERFALL_BARS, ChangesError, compare_snapshots
from kpi_core.cli import main
from kpi_core.intake.load import Dataset, FileInput, load_dataset

D = dt.date
HEADER = "Opportunity ID,Stage,Amount,Created Date,Close Date,Expected Close Date,Owner\n"
# Last week: ten deals. D10 was already won.
OLD = HEADER + (
    "D01,Prospecting,100,2025-05-01,,2025-06-30,Aoki\n"
    "D02,Proposal,200,2025-05-01,,2025-06-22,Aoki\n"
    "D03,Negotiation,300,2025-05-02,,2025-06-10,Baba\n"
    "D04,Proposal,400,2025-05-02,,2025-06-15,Baba\n"
    "D05,Proposal,500,2025-05-03,,2025-06-20,Aoki\n"
    "D06,Negotiation,600,2025-05-03,,2025-06-25,Baba\n"
    "D07,Qualification,700,2025-05-04,,2025-06-12,Aoki\n"
    "D08,Qualification,800,2025-05-04,,2025-07-15,Baba\n"
    "D09,Proposal,900,2025-05-05,,2025-06-18,Aoki\n"
    "D10,Closed Won,1000,2025-04-01,2025-05-20,,Baba\n"
)
# This week, by hand: D01 forward, D02 back, D03 won, D04 lost, D05 amount +150, D06 amount -150, D07 slipped
# 38 days (out of June), D08 pulled in 17 days (into June), D09 gone, D10 unchanged, D11 new, D12 new and won.
NEW = HEADER + (
    "D01,Qualification,100,2025-05-01,,2025-06-30,Aoki\n"
    "D02,Qualification,200,2025-05-01,,2025-06-22,Aoki\n"
    "D03,Closed Won,300,2025-05-02,2025-06-09,2025-06-10,Baba\n"
    "D04,Closed Lost,400,2025-05-02,2025-06-08,2025-06-15,Baba\n"
    "D05,Proposal,650,2025-05-03,,2025-06-20,Aoki\n"
    "D06,Negotiation,450,2025-05-03,,2025-06-25,Baba\n"
    "D07,Qualification,700,2025-05-04,,2025-07-20,Aoki\n"
    "D08,Qualification,800,2025-05-04,,2025-06-28,Baba\n"
    "D10,Closed Won,1000,2025-04-01,2025-05-20,,Baba\n"
    "D11,Prospecting,110,2025-06-02,,2025-06-29,Aoki\n"
    "D12,Closed Won,120,2025-06-02,2025-06-05,,Baba\n"
)
EXPECTED = {
    "new": (["D11", "D12"], 230.0),
    "won": (["D03", "D12"], 420.0),
    "lost": (["D04"], 400.0),
    "forward": (["D01"], 100.0),
    "back": (["D02"], 200.0),
    "amount_up": (["D05"], 150.0),
    "amount_down": (["D06"], -150.0),
    "slipped": (["D07"], 700.0),
    "pulled_in": (["D08"], 800.0),
    "removed": (["D09"], 900.0),
    "reopened": ([], 0.0),
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, *linked: Path) -> Dataset:
    return load_dataset([FileInput(p.name, p) for p in (path, *linked)])


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "old.csv", OLD), write(tmp_path, "new.csv", NEW)


def test_every_change_kind_as_classified_by_hand(pair: tuple[Path, Path]) -> None:
    result = compare_snapshots(load(pair[0]), load(pair[1]))
    assert list(result.summary) == list(CHANGE_KINDS)
    for kind, (ids, amount) in EXPECTED.items():
        assert sorted(c.id for c in result.of(kind)) == ids, kind
        assert result.summary[kind] == {"count": len(ids), "amount": amount}, kind
    assert result.deals_before == 10 and result.deals_after == 11
    assert result.notes == []


def test_a_deal_new_and_already_won_counts_in_both(pair: tuple[Path, Path]) -> None:
    result = compare_snapshots(load(pair[0]), load(pair[1]))
    d12 = [c for c in result.deals if c.id == "D12"]
    assert [c.change for c in d12] == ["new", "won"]
    assert d12[0].before is None and d12[0].after is not None and d12[0].after.outcome == "won"


def test_before_and_after_of_each_change(pair: tuple[Path, Path]) -> None:
    result = compare_snapshots(load(pair[0]), load(pair[1]))
    slipped = result.of("slipped")[0].as_dict()
    assert slipped["before"]["expected_close"] == "2025-06-12"
    assert slipped["after"]["expected_close"] == "2025-07-20"
    assert slipped["days"] == 38
    assert result.of("pulled_in")[0].days == -17
    up = result.of("amount_up")[0].as_dict()
    assert (up["before"]["amount"], up["after"]["amount"], up["amount"]) == (500.0, 650.0, 150.0)
    removed = result.of("removed")[0].as_dict()
    assert removed["after"] is None and removed["before"]["stage"] == "Proposal"
    assert result.of("forward")[0].as_dict()["before"]["stage"] == "Prospecting"
    assert result.of("back")[0].as_dict()["after"]["stage"] == "Qualification"


def _adds_up(fall: dict) -> bool:
    """start + Σ bars = end, in exact arithmetic on the printed floats (the fixture's amounts are whole)."""
    bars = sum((Fraction(bar["amount"]) for bar in fall["bars"]), Fraction(0))
    return Fraction(fall["start"]) + bars == Fraction(fall["end"])


def test_waterfall_of_the_whole_open_pipeline(pair: tuple[Path, Path]) -> None:
    fall = compare_snapshots(load(pair[0]), load(pair[1])).waterfall.as_dict()
    assert fall["start"] == 4500.0  # D01–D09 open last week: 100 + … + 900
    assert fall["end"] == 3010.0  # D01 100, D02 200, D05 650, D06 450, D07 700, D08 800, D11 110
    bars = {bar["change"]: bar for bar in fall["bars"]}
    assert [bar["change"] for bar in fall["bars"]] == list(WATERFALL_BARS)
    amounts = {kind: bar["amount"] for kind, bar in bars.items() if bar["count"]}
    assert amounts == {"new": 110.0, "won": -300.0, "lost": -400.0, "amount_up": 150.0, "amount_down": -150.0,
                       "removed": -900.0}  # fmt: skip
    assert bars["won"]["deals"] == [{"id": "D03", "amount": -300.0}]  # D12 was never in the open pipeline
    assert _adds_up(fall)


def test_waterfall_of_the_deals_expected_in_june(pair: tuple[Path, Path]) -> None:
    fall = compare_snapshots(load(pair[0]), load(pair[1]), period=(D(2025, 6, 1), D(2025, 6, 30))).waterfall
    out = fall.as_dict()
    assert out["period"] == {"start": "2025-06-01", "end": "2025-06-30"}
    assert out["start"] == 3700.0  # all but D08 (July) last week
    assert out["end"] == 2310.0  # D01 100, D02 200, D05 650, D06 450, D08 800, D11 110
    amounts = {bar["change"]: bar["amount"] for bar in out["bars"] if bar["count"]}
    assert amounts == {"new": 110.0, "pulled_in": 800.0, "amount_up": 150.0, "amount_down": -150.0,
                       "slipped": -700.0, "won": -300.0, "lost": -400.0, "removed": -900.0}  # fmt: skip
    assert fall.start + sum(bar.amount for bar in fall.bars) == fall.end
    assert _adds_up(out)


def test_waterfall_adds_up_with_fractional_amounts(tmp_path: Path) -> None:
    old = write(tmp_path, "o.csv", "Deal ID,Stage,Amount\nA,Proposal,0.1\nB,Proposal,0.2\nC,Proposal,0.3\n")
    new = write(tmp_path, "n.csv", "Deal ID,Stage,Amount\nA,Proposal,0.7\nB,Closed Won,0.2\nD,Proposal,0.3\n")
    fall = compare_snapshots(load(old), load(new)).waterfall
    assert fall.start + sum(bar.amount for bar in fall.bars) == fall.end  # exact fractions
    assert float(fall.start) == pytest.approx(0.6) and float(fall.end) == pytest.approx(1.0)


def test_reopened_and_lost_deals(tmp_path: Path) -> None:
    old = write(tmp_path, "o.csv", "Deal ID,Stage,Amount\nA,Closed Lost,100\nB,Proposal,200\n")
    new = write(tmp_path, "n.csv", "Deal ID,Stage,Amount\nA,Proposal,100\nB,Closed Lost,200\n")
    result = compare_snapshots(load(old), load(new))
    assert [(c.id, c.change) for c in result.deals] == [("B", "lost"), ("A", "reopened")]
    bars = {bar.change: float(bar.amount) for bar in result.waterfall.bars if bar.deals}
    assert bars == {"reopened": 100.0, "lost": -200.0}


def test_without_an_id_column_one_sentence(tmp_path: Path) -> None:
    old = write(tmp_path, "o.csv", "Stage,Amount\nProposal,100\n")
    new = write(tmp_path, "n.csv", "Stage,Amount\nProposal,200\n")
    with pytest.raises(ChangesError) as caught:
        compare_snapshots(load(old), load(new))
    assert caught.value.code == "changes.no_id"
    assert "o.csv" in caught.value.message("en") and "id" in caught.value.message("en")
    assert "商談ID" in caught.value.message("ja")


def test_notes_without_amounts_or_dates(tmp_path: Path) -> None:
    old = write(tmp_path, "o.csv", "Deal ID,Stage\nA,Proposal\n")
    new = write(tmp_path, "n.csv", "Deal ID,Stage\nA,Negotiation\n")
    result = compare_snapshots(load(old), load(new))
    assert result.notes == ["no_amount", "no_expected_close"]
    assert result.summary["forward"] == {"count": 1, "amount": None}
    messages = [n["message"] for n in result.as_dict("ja")["notes"]]
    assert all(m and not m.startswith("changes.") for m in messages)


# --- the command ------------------------------------------------------------------------------------------------
def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_json_shape(pair: tuple[Path, Path]) -> None:
    status, out, err = run("changes", str(pair[0]), str(pair[1]), "--json")
    assert status == 0, err
    payload = json.loads(out)
    assert {"summary", "deals", "waterfall", "old", "new", "notes"} <= set(payload)
    assert payload["summary"]["removed"] == {"count": 1, "amount": 900.0}
    assert set(payload["summary"]) == set(CHANGE_KINDS)
    assert all(set(d) >= {"id", "change", "before", "after"} for d in payload["deals"])
    assert len(payload["deals"]) == sum(len(ids) for ids, _ in EXPECTED.values())
    assert payload["old"]["file"] == "old.csv" and payload["new"]["rows"]["used"] == 11
    assert _adds_up(payload["waterfall"])


def test_cli_period_and_text_in_both_languages(pair: tuple[Path, Path]) -> None:
    status, out, _ = run("changes", str(pair[0]), str(pair[1]), "--from", "2025-06-01", "--to", "2025-06-30", "--json")
    assert status == 0 and json.loads(out)["waterfall"]["start"] == 3700.0
    status, out, _ = run("--lang", "ja", "changes", str(pair[0]), str(pair[1]))
    assert status == 0
    assert "前回からの変化" in out and "予定日の後ろ倒し" in out and "D07" in out
    status, out, _ = run("changes", str(pair[0]), str(pair[1]), "--lang", "en")
    assert status == 0 and "Slipped" in out and "Open pipeline" in out


def test_cli_exit_codes(pair: tuple[Path, Path], tmp_path: Path) -> None:
    status, _, err = run("changes", str(pair[0]), str(tmp_path / "missing.csv"), "--json")
    assert status == 2 and err.startswith("error: ") and "missing.csv" in err
    no_id = write(tmp_path, "noid.csv", "Stage,Amount\nProposal,100\n")
    status, _, err = run("changes", str(no_id), str(no_id), "--json")
    assert status == 2 and err.startswith("error: ") and "id" in err
    status, _, err = run("changes", str(pair[0]), str(pair[1]), "--from", "2025-06-01")
    assert status == 2 and "--to" in err
    status, _, err = run("changes", str(pair[0]), str(pair[1]), "--from", "2025-07-01", "--to", "2025-06-01")
    assert status == 2
    status, _, err = run("changes", str(pair[0]))
    assert status == 2 and err.startswith("error: ")


def test_cli_with_a_linked_file_shared_by_both(pair: tuple[Path, Path], tmp_path: Path) -> None:
    owners = write(tmp_path, "owners.csv", "Owner,Team\nAoki,East\nBaba,West\n")
    status, out, err = run("changes", str(pair[0]), str(pair[1]), str(owners), "--json")
    assert status == 0, err
    payload = json.loads(out)
    assert payload["summary"]["won"]["count"] == 2 and payload["new"]["rows"]["used"] == 11


# --- the Maven data, as an export on two dates would have shown it -------------------------------------------------
FIRST, SECOND = "2017-06-30", "2017-07-07"


def _snapshot(pipeline: pd.DataFrame, prices: dict[str, float], day: str) -> pd.DataFrame:
    """The deals an export taken on `day` lists: engaged by then (Prospecting deals have no date: always listed);
    a deal closed later is still Engaging, without close date, its amount the product's list price."""
    engaged = pipeline["engage_date"].isna() | (pipeline["engage_date"] <= day)
    rows = pipeline[engaged].copy()
    still_open = rows["close_date"].isna() | (rows["close_date"] > day)
    rows.loc[still_open & rows["close_date"].notna(), "deal_stage"] = "Engaging"
    rows.loc[still_open, "close_date"] = None
    list_price = rows["product"].map(prices).astype(float)
    rows["close_value"] = rows["close_value"].astype(float).where(~still_open, list_price)
    return rows


@pytest.mark.realdata
def test_maven_cut_into_two_snapshots_matches_pandas(maven_dir: Path, tmp_path: Path) -> None:
    pipeline = pd.read_csv(maven_dir / "sales_pipeline.csv", dtype=str)
    products = pd.read_csv(maven_dir / "products.csv", dtype=str)
    prices = {row["product"].replace(" ", ""): float(row["sales_price"]) for _, row in products.iterrows()}
    pipeline["product"] = pipeline["product"].str.replace(" ", "")  # GTXPro / GTX Pro: one product
    old, new = _snapshot(pipeline, prices, FIRST), _snapshot(pipeline, prices, SECOND)
    old.to_csv(tmp_path / "pipeline_0630.csv", index=False)
    new.to_csv(tmp_path / "pipeline_0707.csv", index=False)
    result = compare_snapshots(load(tmp_path / "pipeline_0630.csv"), load(tmp_path / "pipeline_0707.csv"))

    # Plain pandas: join the two snapshots on the id.
    both = old.merge(new, on="opportunity_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    only_new, only_old = both["_merge"] == "right_only", both["_merge"] == "left_only"
    won_now = both["deal_stage_new"] == "Won"
    lost_now = both["deal_stage_new"] == "Lost"
    expected = {
        "new": only_new.sum(),
        "won": (won_now & (both["deal_stage_old"] != "Won")).sum(),
        "lost": (lost_now & (both["deal_stage_old"] != "Lost")).sum(),
        "removed": only_old.sum(),
        "amount_up": (both["close_value_new"] > both["close_value_old"]).sum(),
        "amount_down": (both["close_value_new"] < both["close_value_old"]).sum(),
    }
    counts = {kind: result.summary[kind]["count"] for kind in expected}
    assert counts == {kind: int(n) for kind, n in expected.items()}
    assert expected["new"] > 50 and expected["won"] > 50 and expected["lost"] > 20  # a real week, not an empty one
    assert result.summary["forward"]["count"] == result.summary["back"]["count"] == 0
    assert result.summary["slipped"]["count"] == 0 and "no_expected_close" in result.notes
    assert result.summary["won"]["amount"] == pytest.approx(
        both.loc[won_now & (both["deal_stage_old"] != "Won"), "close_value_new"].sum()
    )

    # The waterfall: list prices of the open deals, last week → this week.
    open_old = old.loc[old["close_date"].isna(), "close_value"].sum()
    open_new = new.loc[new["close_date"].isna(), "close_value"].sum()
    fall = result.waterfall
    assert float(fall.start) == pytest.approx(open_old) and float(fall.end) == pytest.approx(open_new)
    assert fall.start + sum(bar.amount for bar in fall.bars) == fall.end
    bars = {bar.change: bar for bar in fall.bars}
    was_open = both["close_date_old"].isna() & ~only_new
    new_open = only_new & both["close_date_new"].isna()
    assert len(bars["new"].deals) == new_open.sum()
    assert float(bars["won"].amount) == pytest.approx(-both.loc[was_open & won_now, "close_value_old"].sum())
    assert float(bars["lost"].amount) == pytest.approx(-both.loc[was_open & lost_now, "close_value_old"].sum())
