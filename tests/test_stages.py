"""Stage vocabulary: Japanese / English synonyms, Salesforce and HubSpot stage names, funnel order, overrides."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.intake.stages import canonical_stage, map_stages, order_stages
from kpi_core.metrics import compute_kpis

SALESFORCE_OPEN = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
]
HUBSPOT_DEAL_OPEN = [
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
]

CANONICAL = {
    # Japanese
    "受注": "won",
    "成約": "won",
    "受注済み": "won",
    "契約締結": "won",
    "失注": "lost",
    "見送り": "lost",
    "商談": "opportunity",
    "提案": "opportunity",
    "提案中": "opportunity",
    "見積提出": "opportunity",
    "交渉中": "opportunity",
    "リード": "lead",
    "新規リード": "lead",
    "ＭＱＬ": "mql",
    "SQL": "sql",
    "アポ獲得": "sql",
    "商談化": "sql",
    "対象外": "disqualified",
    # English, any case and spacing
    "Won": "won",
    "Closed Won": "won",
    "closed-won": "won",
    "CLOSED WON": "won",
    "Lost": "lost",
    "Closed Lost": "lost",
    "Opportunity": "opportunity",
    "Lead": "lead",
    "MQL": "mql",
    "Marketing Qualified Lead": "mql",
    "Sales Qualified Lead": "sql",
    # Salesforce opportunity and lead status values
    **dict.fromkeys(SALESFORCE_OPEN, "opportunity"),
    "Open - Not Contacted": "lead",
    "Working - Contacted": "lead",
    "Closed - Converted": "sql",
    "Closed - Not Converted": "disqualified",
    # HubSpot deal stages and lifecycle stages
    **dict.fromkeys(HUBSPOT_DEAL_OPEN, "opportunity"),
    "closedwon": "won",
    "closedlost": "lost",
    "Subscriber": "lead",
    "Customer": "won",
    # CRM numbering prefixes
    "05_受注": "won",
    "3. Proposal": "opportunity",
    "1.リード": "lead",
    # Maven
    "Engaging": "opportunity",
}


@pytest.mark.parametrize(("raw", "canon"), CANONICAL.items())
def test_canonical_stage(raw: str, canon: str) -> None:
    assert canonical_stage(raw) == canon


@pytest.mark.parametrize("raw", ["社内確認", "Aヨミ", "", "Pending review"])
def test_unknown_stage_is_none(raw: str) -> None:
    assert canonical_stage(raw) is None


@pytest.mark.parametrize(("raw", "canon"), [("受注（確定）", "won"), ("失注（競合）", "lost")])
def test_japanese_stage_with_suffix(raw: str, canon: str) -> None:
    assert canonical_stage(raw) == canon


def test_hubspot_evangelist_is_a_customer() -> None:
    assert canonical_stage("Evangelist") == "won"


def test_overrides_win() -> None:
    mapping = map_stages(["受注", "保留", "Aヨミ"], {"保留": "lost", "受注": "won"})
    assert mapping == {"受注": "won", "保留": "lost", "Aヨミ": None}


def test_salesforce_order() -> None:
    values = [*SALESFORCE_OPEN, "Closed Won", "Closed Lost"]
    shuffled = values[:]
    random.Random(7).shuffle(shuffled)
    order = order_stages(map_stages(shuffled))
    assert order[: len(SALESFORCE_OPEN)] == SALESFORCE_OPEN
    assert set(order[-2:]) == {"Closed Won", "Closed Lost"}


def test_hubspot_deal_order() -> None:
    values = [*HUBSPOT_DEAL_OPEN, "Closed Won", "Closed Lost"]
    order = order_stages(map_stages(list(reversed(values))))
    assert order[: len(HUBSPOT_DEAL_OPEN)] == HUBSPOT_DEAL_OPEN


def test_japanese_order_with_unknown_last() -> None:
    values = ["受注", "提案", "社内確認", "リード", "失注", "MQL", "商談", "見積提出", "アポ獲得"]
    order = order_stages(map_stages(values))
    assert order[:6] == ["リード", "MQL", "アポ獲得", "商談", "提案", "見積提出"]
    assert set(order[6:8]) == {"受注", "失注"}
    assert order[-1] == "社内確認"


def test_lead_level_stages_through_the_engine(tmp_path: Path) -> None:
    rows = (
        ["リード"] * 3 + ["MQL"] * 2 + ["失注"] + ["受注"] * 2 + ["対象外"]  # 9 records
    )
    lines = ["id,作成日,完了日,ステータス"]
    for i, stage in enumerate(rows):
        closed = "2025-05-01" if stage in ("受注", "失注") else ""
        lines.append(f"R{i},2025-04-0{1 + i % 9},{closed},{stage}")
    path = tmp_path / "funnel.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = load_dataset([FileInput(path.name, path)])
    assert dataset.mapping["stage"] == "ステータス"
    # A lost deal reached the opportunity level; a disqualified lead reached the lead level only.
    assert dataset.present_levels == ["lead", "mql", "opportunity", "won"]
    position = {value: i for i, value in enumerate(dataset.stage_order)}
    assert position["リード"] < position["MQL"] < position["失注"] < position["受注"]
    totals = compute_kpis(dataset).totals
    assert [totals[k] for k in ("records", "leads", "mql", "sql", "opportunities", "won", "lost")] == [
        9,
        9,
        5,
        None,  # no SQL stage in the data: not 0
        3,
        2,
        1,
    ]
    assert totals["open"] == 5  # リード ×3, MQL ×2; 対象外 is closed, not open
    assert totals["conversion"]["lead_to_mql"] == pytest.approx(5 / 9)
    assert totals["conversion"]["mql_to_sql"] is None
    assert totals["conversion"]["opportunity_to_won"] == pytest.approx(2 / 3)
    assert totals["conversion"]["first_to_won"] == pytest.approx(2 / 9)
    assert totals["win_rate"] == pytest.approx(2 / 3)
