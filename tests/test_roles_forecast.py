"""ヨミ roles: a probability / confidence column, a forecast category and the expected close date of open deals,
found from ja / en headers with their evidence, checked on their values, and carried into `records` (unreadable
cells warned about, never dropping the row)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.intake.roles import (
    FORECAST_ROLES,
    RECORD_ROLES,
    detect_roles,
    forecast_category,
    parse_probability,
    probability_rank,
    roles_from_header,
)
from kpi_core.intake.values import ValueParseError
from kpi_core.messages import MESSAGES

D = dt.date


def load_text(tmp_path: Path, name: str, text: str, **options: Any) -> Dataset:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)], LoadOptions(**options))


def records(dataset: Dataset, columns: str) -> list[tuple]:
    return dataset.cursor().execute(f"SELECT id, {columns} FROM records ORDER BY id").fetchall()


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Probability (%)", "probability"),
        ("Probability", "probability"),
        ("Win Probability", "probability"),
        ("確度", "probability"),
        ("受注確度", "probability"),
        ("確度ランク", "probability"),
        ("ヨミ", "probability"),
        ("ランク", "probability"),
        ("Forecast Category", "forecast_category"),
        ("ForecastCategoryName", "forecast_category"),
        ("売上予測分類", "forecast_category"),
        ("ヨミ区分", "forecast_category"),
        ("ヨミ", "forecast_category"),
        ("受注予定日", "expected_close"),
        ("予定日", "expected_close"),
        ("Expected Close Date", "expected_close"),
        ("受注見込日", "expected_close"),
    ],
)
def test_header_synonyms_in_ja_and_en(header: str, role: str) -> None:
    assert role in roles_from_header(header)


def test_the_forecast_roles_are_record_roles_listed_last() -> None:
    assert FORECAST_ROLES == ("probability", "forecast_category")
    assert RECORD_ROLES[-2:] == FORECAST_ROLES  # the role editor lists them, after the others
    assert all(f"role.{role}" in MESSAGES for role in FORECAST_ROLES)


def test_detected_with_evidence_en() -> None:
    sample = {
        "Opportunity ID": ["O1", "O2", "O3"],
        "Stage": ["Proposal", "Negotiation", "Closed Won"],
        "Probability (%)": [50, 75, 100],
        "Forecast Category": ["Pipeline", "Commit", "Closed"],
    }
    evidence: dict[str, dict[str, object]] = {}
    mapping = detect_roles(list(sample), sample, evidence=evidence)
    assert mapping["probability"] == "Probability (%)" and mapping["forecast_category"] == "Forecast Category"
    assert evidence["probability"]["by"] == "header" and evidence["probability"]["fit"] == 1.0
    assert evidence["probability"]["header_key"] == "probability%"
    assert evidence["forecast_category"]["fit"] == 1.0


def test_detected_with_evidence_ja() -> None:
    sample = {
        "商談ID": ["S1", "S2", "S3", "S4"],
        "フェーズ": ["提案", "見積提出", "受注", "失注"],
        "確度": ["A", "Bヨミ", "C", "A"],
        "ヨミ": ["コミット", "見込み", "コミット", "パイプライン"],
    }
    evidence: dict[str, dict[str, object]] = {}
    mapping = detect_roles(list(sample), sample, evidence=evidence)
    # "ヨミ" names both roles: its values (categories, not ranks) decide.
    assert mapping["probability"] == "確度" and mapping["forecast_category"] == "ヨミ"
    assert mapping["stage"] == "フェーズ"
    assert evidence["probability"]["fit"] == 1.0 and evidence["forecast_category"]["by"] == "header"


def test_a_yomi_column_of_ranks_is_the_probability() -> None:
    sample = {"商談ID": ["S1", "S2"], "フェーズ": ["提案", "受注"], "ヨミ": ["A", "C"]}
    mapping = detect_roles(list(sample), sample)
    assert mapping.get("probability") == "ヨミ" and "forecast_category" not in mapping


def test_values_that_fit_no_probability_are_refused() -> None:
    sample = {"商談ID": ["S1", "S2"], "フェーズ": ["提案", "受注"], "確度": ["2025-04-01", "2025-05-01"]}
    refused: list[tuple[str, str]] = []
    mapping = detect_roles(list(sample), sample, refused=refused)
    assert "probability" not in mapping
    assert ("probability", "確度") in refused


@pytest.mark.parametrize(
    ("cell", "share", "rank"),
    [
        ("80%", 0.8, None),
        ("80 %", 0.8, None),
        ("８０％", 0.8, None),
        ("0.8", 0.8, None),
        (0.25, 0.25, None),
        (80, 0.8, None),
        ("A", None, "A"),
        ("Aヨミ", None, "A"),
        ("ランクB", None, "B"),
        ("確度A (80%)", 0.8, "A"),
        ("高", None, "high"),
        ("", None, None),
    ],
)
def test_probability_cells(cell: object, share: float | None, rank: str | None) -> None:
    assert parse_probability(cell) == share
    assert probability_rank(cell) == rank


@pytest.mark.parametrize("cell", ["abc", "150%", -5, "たぶん"])
def test_unreadable_probability_cells_raise(cell: object) -> None:
    with pytest.raises(ValueParseError):
        parse_probability(cell)


@pytest.mark.parametrize(
    ("cell", "category"),
    [
        ("Commit", "commit"),
        ("Best Case", "best_case"),
        ("BestCase", "best_case"),
        ("Pipeline", "pipeline"),
        ("Omitted", "omitted"),
        ("Closed", "closed"),
        ("コミット", "commit"),
        ("見込み", "best_case"),
        ("パイプライン", "pipeline"),
        ("売上予測から除外", "omitted"),
        ("maybe", None),
    ],
)
def test_forecast_category_cells(cell: str, category: str | None) -> None:
    assert forecast_category(cell) == category


EN_DEALS = (
    "Opportunity ID,Stage,Amount,Created Date,Close Date,Expected Close Date,Probability (%),Forecast Category\n"
    "O1,Proposal,100,2025-04-01,,2025-06-10,80,Commit\n"
    "O2,Negotiation,200,2025-04-02,,2025-06-20,50,Best Case\n"
    "O3,Closed Won,300,2025-04-03,2025-05-20,,100,Closed\n"
    "O4,Qualification,400,2025-04-04,,someday,abc,Maybe\n"
    "O5,Qualification,500,2025-04-05,,2025-13-45,150,Pipeline\n"
)


def test_unreadable_values_are_warned_and_their_rows_kept(tmp_path: Path) -> None:
    dataset = load_text(tmp_path, "deals.csv", EN_DEALS)
    assert dataset.rows_used == 5 and dataset.rejected == 0
    warnings = {w.code: w for w in dataset.warnings}
    assert (warnings["probability_unreadable"].count, warnings["probability_unreadable"].examples) == (
        2,
        ["150", "abc"],
    )
    assert warnings["forecast_category_unreadable"].examples == ["Maybe"]
    assert warnings["expected_close_unreadable"].count == 2
    for code in ("probability_unreadable", "forecast_category_unreadable", "expected_close_unreadable"):
        assert str(warnings[code].column) in warnings[code].message("en")
        assert warnings[code].message("ja") != warnings[code].message("en")
        assert f"warn.{code}" in MESSAGES
    assert records(dataset, "probability, forecast_category, expected_close") == [
        ("O1", 0.8, "commit", D(2025, 6, 10)),
        ("O2", 0.5, "best_case", D(2025, 6, 20)),
        ("O3", 1.0, "closed", None),  # a won deal has no expected close date of its own here
        ("O4", None, None, None),
        ("O5", None, "pipeline", None),
    ]


def test_ranks_and_the_close_date_of_open_deals_ja(tmp_path: Path) -> None:
    text = (
        "商談ID,フェーズ,金額,作成日,受注予定日,確度,ヨミ区分\n"
        "S1,提案,100,2025-04-01,2025-06-10,A,コミット\n"
        "S2,提案,200,2025-04-02,2025-06-20,80%,見込み\n"
        "S3,受注,300,2025-04-03,2025-05-20,B,\n"
    )
    dataset = load_text(tmp_path, "ヨミ.csv", text)
    # Without a close-date column the expected close date is the close date of decided deals, as before; an open
    # deal's date is its expected close date.
    assert dataset.mapping["closed"] == "受注予定日"
    assert dataset.evidence["probability"]["column"] == "確度"  # type: ignore[index]
    assert records(dataset, "probability, probability_rank, forecast_category, expected_close") == [
        ("S1", None, "A", "commit", D(2025, 6, 10)),
        ("S2", 0.8, None, "best_case", D(2025, 6, 20)),
        ("S3", None, "B", None, None),
    ]


@pytest.mark.parametrize(
    ("cells", "shares"),
    [
        (["0.2", "0.5", "0.9"], [0.2, 0.5, 0.9]),  # shares
        (["20", "50", "1"], [0.2, 0.5, 0.01]),  # percentages: one number above 1 says so for the column
    ],
)
def test_plain_numbers_read_once_per_column(tmp_path: Path, cells: list[str], shares: list[float]) -> None:
    rows = "".join(f"O{i},Proposal,{cell}\n" for i, cell in enumerate(cells))
    dataset = load_text(tmp_path, "p.csv", "Deal ID,Stage,Probability\n" + rows)
    assert [r[1] for r in records(dataset, "probability")] == pytest.approx(shares)


def test_a_typed_number_column_and_a_role_override(tmp_path: Path) -> None:
    text = "Deal ID,Stage,Score\nO1,Proposal,30\nO2,Proposal,70\nO3,Proposal,250\n"
    dataset = load_text(tmp_path, "s.csv", text, roles={"probability": "Score"})
    assert dataset.mapping["probability"] == "Score"
    assert dataset.evidence["probability"]["by"] == "user"  # type: ignore[index]
    assert [r[1] for r in records(dataset, "probability")] == [0.3, 0.7, None]
    assert [w.count for w in dataset.warnings if w.code == "probability_unreadable"] == [1]
