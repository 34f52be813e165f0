"""Issue 9: one fixture per class of export that used to be misread silently, each checked end to end (load →
figures) against expectations counted by hand or with plain pandas. Files are made here, never copied."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_core.cli import main
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.metrics import Filters, compute_kpis


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def load(*paths: Path, **options: object) -> Dataset:
    return load_dataset([FileInput(p.name, p) for p in paths], LoadOptions(**options))  # type: ignore[arg-type]


def totals(dataset: Dataset) -> dict:
    return compute_kpis(dataset).totals


def codes(dataset: Dataset) -> dict[str, int]:
    return {w.code: w.count for w in dataset.warnings}


# ------------------------------------------------------------------------------------------------ 1. structure


def test_blank_and_total_rows_under_an_excel_table_are_skipped_and_listed(tmp_path: Path) -> None:
    rows = [
        ["商談ID", "作成日", "フェーズ", "金額"],  # row 1
        ["D1", dt.datetime(2025, 4, 1), "提案", 1_000_000],  # row 2
        ["D2", dt.datetime(2025, 4, 2), "交渉", 2_000_000],  # row 3
        ["D3", dt.datetime(2025, 4, 3), "受注", 3_000_000],  # row 4
        [None, None, None, None],  # row 5: blank
        ["合計", None, None, 6_000_000],  # row 6: the total
    ]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "deals.xlsx"
    book.save(path)
    dataset = load(path)
    assert [(s.row, s.reason, s.text) for s in dataset.skipped] == [(5, "blank_row", ""), (6, "summary_row", "合計")]
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected, len(dataset.skipped)) == (5, 3, 0, 2)
    figures = totals(dataset)
    assert (figures["records"], figures["open"], figures["won"]) == (3, 2, 1)
    assert figures["open_pipeline_value"] == 3_000_000  # D1 + D2, not 4× with the total in it
    assert None not in dataset.stage_counts and "nan" not in dataset.stage_counts


def test_a_ragged_csv_line_is_rejected_alone(tmp_path: Path) -> None:
    text = "id,created,stage,amount\n1,2025-04-01,Won,100\n2,2025-04-02,Won,200,extra,fields\n3,2025-04-03,Lost,0\n"
    dataset = load(write(tmp_path, "ragged.csv", text))
    assert [(r.row, r.reason) for r in dataset.rejects] == [(3, "too many fields: 6, the header has 4")]
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (3, 2, 1)
    assert (totals(dataset)["won"], totals(dataset)["lost"]) == (1, 1)


def test_a_table_saved_as_one_quoted_column_is_unwrapped(tmp_path: Path) -> None:
    lines = ["id,stage,amount", "1,Won,100", "2,Lost,0", "3,Won,300"]
    dataset = load(write(tmp_path, "wrapped.csv", "".join(f'"{line}"\n' for line in lines)))
    assert dataset.columns == ["id", "stage", "amount"]
    assert (totals(dataset)["won"], totals(dataset)["won_revenue"]) == (2, 400)
    assert "unwrapped" in codes(dataset)


# --------------------------------------------------------------------------------------------------- 2. values


def test_open_deals_with_unknown_amounts_still_count(tmp_path: Path) -> None:
    amounts = ["未定", "TBD", "要確認", ""] * 5 + [f"{(i + 1) * 10}万円" for i in range(40)]
    stages = ["提案"] * 20 + ["受注"] * 20 + ["提案"] * 20
    pairs = enumerate(zip(stages, amounts, strict=True))
    text = "商談ID,作成日,フェーズ,金額\n" + "".join(f"D{i},2025-04-{i % 28 + 1:02d},{s},{a}\n" for i, (s, a) in pairs)
    dataset = load(write(tmp_path, "deals.csv", text))
    figures = totals(dataset)
    assert (figures["records"], figures["open"], figures["won"]) == (60, 40, 20)
    # 15 cells say the amount is unknown (未定/TBD/要確認 × 5); the 5 blanks are simply empty. No close date: said.
    assert codes(dataset) == {"amount_unreadable": 15, "missing_closed": 0}
    frame = pd.DataFrame({"stage": stages, "amount": amounts})
    known = frame["amount"].str.extract(r"(\d+)万円")[0].astype(float) * 10_000
    assert figures["open_pipeline_value"] == known[frame["stage"] == "提案"].sum()
    assert figures["won_revenue"] == known[frame["stage"] == "受注"].sum()


def test_approximate_amount_reads_as_its_number(tmp_path: Path) -> None:
    text = "id,stage,amount\n1,Won,約100万\n2,Won,200000\n3,Lost,0\n"
    assert totals(load(write(tmp_path, "a.csv", text)))["won_revenue"] == 1_200_000


def test_day_first_dates_are_decided_per_column(tmp_path: Path) -> None:
    # 18-05-2025 and 13/01/2025 prove day-first; 02/03/2025 is then 2 March, never 3 February.
    rows = [("1", "13/01/2025", "18-05-2025"), ("2", "02/03/2025", "10/03/2025"), ("3", "05/01/2025", "25/01/2025")]
    text = "id,created,closed,stage\n" + "".join(f"{i},{c},{d},Won\n" for i, c, d in rows)
    dataset = load(write(tmp_path, "dmy.csv", text))
    assert dataset.evidence["date_order"]["created"]["order"] == "dmy"
    assert dataset.evidence["date_order"]["closed"]["by"] == "proven"
    cycles = [(dt.date(2025, 5, 18) - dt.date(2025, 1, 13)).days, 8, 20]  # 125, 8 (2/3 → 10/3), 20
    assert totals(dataset)["median_cycle_days"] == sorted(cycles)[1]
    assert dataset.rejected == 0


def test_an_ambiguous_column_follows_the_other_date_column_and_says_so(tmp_path: Path) -> None:
    text = "id,created,closed,stage\n1,01/02/2025,20/02/2025,Won\n2,03/04/2025,05/04/2025,Won\n"
    dataset = load(write(tmp_path, "amb.csv", text))
    assert dataset.evidence["date_order"]["created"] | {} == dataset.evidence["date_order"]["created"]
    assert dataset.evidence["date_order"]["created"]["by"] == "other_columns"
    [warning] = [w for w in dataset.warnings if w.code == "date_order_assumed"]
    assert warning.column == "created" and warning.params["order"] == "dmy"
    # The user can say otherwise: month-first makes 20/02/2025 unreadable, and that row is rejected, not swapped.
    dataset = load(write(tmp_path, "amb.csv", text), date_orders={"created": "mdy", "closed": "mdy"})
    assert dataset.evidence["date_order"]["created"]["by"] == "user"
    assert [(r.row, r.column) for r in dataset.rejects] == [(2, "closed")]


def test_month_only_dates_give_periods_but_no_cycle_days(tmp_path: Path) -> None:
    text = "id,created,closed,stage\n1,2024-10,2024-11,Won\n2,2024年10月,2024年12月,Won\n3,Oct 2024,,Open\n"
    dataset = load(write(tmp_path, "months.csv", text), roles={"created": "created", "closed": "closed"})
    result = compute_kpis(dataset)
    assert result.totals["median_cycle_days"] is None  # not made up from the 1st of each month
    by_period = {row["period"]: row for row in result.by_period}
    assert by_period["2024-10"]["records"] == 3
    assert (by_period["2024-11"]["won"], by_period["2024-12"]["won"]) == (1, 1)
    assert "month_precision" in codes(dataset)


def test_currency_is_read_from_cells_and_can_be_overridden(tmp_path: Path) -> None:
    text = "id,stage,amount\n1,Won,$1200.50\n2,Won,$800\n3,Lost,$0\n"
    dataset = load(write(tmp_path, "usd.csv", text))
    assert dataset.currency == "USD" and dataset.evidence["currency"]["by"] == "cells"
    assert totals(dataset)["won_revenue"] == pytest.approx(2000.5)
    assert load(write(tmp_path, "usd.csv", text), currency="EUR").currency == "EUR"
    mixed = load(write(tmp_path, "mixed.csv", "id,stage,amount\n1,Won,$100\n2,Won,€100\n3,Won,$5\n"))
    assert "currency_mixed" in codes(mixed)


def test_amounts_in_thousands_of_yen(tmp_path: Path) -> None:
    text = "id,stage,金額（千円）\n1,受注,1200\n2,受注,800\n"
    assert totals(load(write(tmp_path, "k.csv", text)))["won_revenue"] == 2_000_000


# ------------------------------------------------------------------------------------------ 3. headers and roles


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (  # Salesforce opportunity report
            "Opportunity Name,Account Name,Amount,Close Date,Stage,Opportunity Owner,Created Date,Lead Source",
            [
                "A,X,1200,2025-05-01,Closed Won,Ann,2025-04-01,Web",
                "B,Y,800,2025-05-02,Closed Lost,Bob,2025-04-02,Web",
                "C,Z,500,2025-06-01,Proposal/Price Quote,Ann,2025-04-03,Event",
            ],
        ),
        (  # HubSpot deals export with units in the header
            "Record ID,Deal Name,Deal Stage,Amount (USD),Close Date,Create Date,Deal owner,Pipeline",
            [
                "1,A,Closed Won,1200,2025-05-01,2025-04-01,Ann,Sales Pipeline",
                "2,B,Closed Lost,800,2025-05-02,2025-04-02,Bob,Sales Pipeline",
                "3,C,Contract Sent,500,2025-06-01,2025-04-03,Ann,Sales Pipeline",
            ],
        ),
        (  # German HubSpot report
            "Deal-Name,Betrag,Abschlussdatum,Deal-Phase,Deal-Inhaber,Erstelldatum",
            [
                "A,1200,2025-05-01,Abgeschlossen und gewonnen,Ann,2025-04-01",
                "B,800,2025-05-02,Abgeschlossen und verloren,Bob,2025-04-02",
                "C,500,2025-06-01,Vertrag gesendet,Ann,2025-04-03",
            ],
        ),
        (  # snake_case with the currency in the header
            "deal_id,created_at,closed_at,deal_stage,amount_jpy,assigned_to",
            [
                "1,2025-04-01,2025-05-01,won,1200,Ann",
                "2,2025-04-02,2025-05-02,lost,800,Bob",
                "3,2025-04-03,,negotiation,500,Ann",
            ],
        ),
    ],
)
def test_common_real_headers_give_won_revenue(tmp_path: Path, header: str, rows: list[str]) -> None:
    dataset = load(write(tmp_path, "export.csv", header + "\n" + "\n".join(rows) + "\n"))
    figures = totals(dataset)
    assert (figures["won"], figures["lost"], figures["open"]) == (1, 1, 1)
    assert figures["won_revenue"] == 1200 and figures["open_pipeline_value"] == 500
    assert figures["win_rate"] == pytest.approx(0.5)
    assert {"owner", "created", "closed"} <= set(dataset.mapping)
    assert dataset.evidence["amount"]["by"] == "header"


def test_a_missing_headline_role_is_a_warning(tmp_path: Path) -> None:
    dataset = load(write(tmp_path, "nomoney.csv", "id,created,closed,stage\n1,2025-04-01,2025-04-20,Won\n"))
    assert "missing_amount" in codes(dataset)


def test_a_doubtful_headline_role_is_a_warning(tmp_path: Path) -> None:
    # 2 of the 5 stage values are known stages: the column is used (40 % fit), and the pages say it is doubtful.
    text = "id,Status\n1,Won\n2,Lost\n3,Red\n4,Green\n5,Blue\n"
    dataset = load(write(tmp_path, "doubt.csv", text))
    [warning] = [w for w in dataset.warnings if w.code == "role_uncertain"]
    assert (warning.column, warning.params) == ("Status", {"role": "stage", "fit": 0.4})
    assert warning.message("en") == (
        "doubt.csv: 'Status' is used as Stage, but only 40% of its values fit: check it on the Data page."
    )


# --------------------------------------------------------------------------------- 4. outcomes from several signals


def test_lifecycle_and_deal_stage_combine_into_the_furthest_level(tmp_path: Path) -> None:
    text = (
        "id,Lifecycle Stage,Deal Stage,Create Date\n"
        "1,Customer,Closed Lost,2025-04-01\n"  # won anywhere wins
        "2,Opportunity,Closed Lost,2025-04-02\n"  # lost
        "3,Lead,,2025-04-03\n"  # a lead without a deal
        "4,Marketing Qualified Lead,,2025-04-04\n"
        "5,Opportunity,Contract Sent,2025-04-05\n"  # open
    )
    dataset = load(write(tmp_path, "hubspot.csv", text))
    assert dataset.mapping["stage"] == "Deal Stage" and dataset.mapping["lifecycle"] == "Lifecycle Stage"
    figures = totals(dataset)
    assert (figures["won"], figures["lost"], figures["open"]) == (1, 1, 3)
    assert (figures["leads"], figures["mql"], figures["opportunities"]) == (5, 4, 3)


def test_won_and_closed_flags_without_a_stage(tmp_path: Path) -> None:
    text = "Id,IsWon,IsClosed,Amount,CloseDate\n1,true,true,100,2025-05-01\n2,false,true,50,2025-05-02\n"
    text += "3,false,false,70,2025-06-01\n"
    figures = totals(load(write(tmp_path, "sf.csv", text)))
    assert (figures["won"], figures["lost"], figures["open"], figures["won_revenue"]) == (1, 1, 1, 100)


def test_flags_that_contradict_the_stage_are_reported(tmp_path: Path) -> None:
    text = "id,stage,IsWon\n1,Closed Won,true\n2,Closed Lost,true\n3,Prospecting,false\n"
    dataset = load(write(tmp_path, "c.csv", text))
    [warning] = [w for w in dataset.warnings if w.code == "flag_conflict"]
    assert (warning.column, warning.count, warning.examples) == ("IsWon", 1, ["2"])
    assert totals(dataset)["won"] == 1  # the stage decides


def test_one_date_column_per_stage(tmp_path: Path) -> None:
    header = "Deal ID,Create Date,Date entered 'Proposal (Sales Pipeline)',Date entered 'Closed Won (Sales Pipeline)',"
    header += "Date entered 'Closed Lost (Sales Pipeline)',Amount\n"
    rows = [
        "1,2025-04-01,2025-04-05,2025-04-20,,100",  # won on 4/20
        "2,2025-04-02,2025-04-06,,2025-04-25,200",  # lost
        "3,2025-04-03,2025-04-07,,,300",  # open, in proposal
        "4,2025-04-04,,,,400",  # open, created only
    ]
    dataset = load(write(tmp_path, "dates.csv", header + "\n".join(rows) + "\n"))
    figures = totals(dataset)
    assert (figures["won"], figures["lost"], figures["open"]) == (1, 1, 2)
    assert figures["won_revenue"] == 100 and figures["median_cycle_days"] == 19
    assert figures["open_pipeline_value"] == 700


def test_won_and_lost_date_columns_in_japanese(tmp_path: Path) -> None:
    text = "商談ID,作成日,受注日,失注日,金額\nA,2025/4/1,2025/4/11,,100\nB,2025/4/2,,2025/4/30,50\nC,2025/4/3,,,70\n"
    figures = totals(load(write(tmp_path, "ja.csv", text)))
    assert (figures["won"], figures["lost"], figures["open"], figures["won_revenue"]) == (1, 1, 1, 100)


def test_a_bookings_file_means_won_for_the_ids_it_holds(tmp_path: Path) -> None:
    leads = "lead_id,created,status\n" + "".join(f"L{i},2025-04-{i + 1:02d},Working - Contacted\n" for i in range(6))
    bookings = "lead_id,booking_date,booking_amount\nL1,2025-05-01,100\nL3,2025-05-02,200\nL3,2025-05-20,50\n"
    dataset = load(write(tmp_path, "leads.csv", leads), write(tmp_path, "bookings.csv", bookings))
    assert [(link.relation, link.matched, link.unmatched) for link in dataset.links] == [("bookings", 3, 0)]
    figures = totals(dataset)
    assert (figures["records"], figures["won"]) == (6, 2)


def test_lost_in_a_lead_list_is_a_disqualified_lead(tmp_path: Path) -> None:
    text = "id,Lead Status\n1,New\n2,Working - Contacted\n3,Lost\n4,Unqualified\n"
    dataset = load(write(tmp_path, "leads.csv", text))
    figures = totals(dataset)
    assert figures["lost"] is None or figures["lost"] == 0
    assert dataset.stage_map["Lost"] == "disqualified"


# ---------------------------------------------------------------------------------------------- 5. several files


def test_deals_and_contacts_many_to_one(tmp_path: Path) -> None:
    contacts = "contact_id,Contact owner,Lead Source\nC1,Ann,Web\nC2,Bob,Event\nC3,Ann,Web\n"
    deals = "deal_id,contact_id,Deal Stage,Amount,Close Date,Create Date\n"
    deals += "".join(
        f"D{i},{c},{s},{a},2025-05-{i + 1:02d},2025-04-{i + 1:02d}\n"
        for i, (c, s, a) in enumerate(
            [
                ("C1", "Closed Won", 100),
                ("C1", "Closed Won", 200),
                ("C1", "Closed Lost", 0),
                ("C2", "Closed Won", 50),
                ("C1", "Contract Sent", 70),
            ]
        )
    )
    dataset = load(
        write(tmp_path, "contacts.csv", contacts), write(tmp_path, "deals.csv", deals), link_key="contact_id"
    )
    assert [(link.file, link.relation, link.matched, link.unmatched) for link in dataset.links] == [
        ("contacts.csv", "many_to_one", 2, 1)  # C3 has no deal: not an error
    ]
    assert dataset.rejected == 0
    result = compute_kpis(dataset, by=["owner"])
    assert (result.totals["won"], result.totals["won_revenue"], result.totals["lost"]) == (3, 350, 1)
    owners = {row["key"]: row for row in result.by["owner"]}
    assert (owners["Ann"]["won_revenue"], owners["Bob"]["won_revenue"]) == (300, 50)


# ----------------------------------------------------------------------------------------------- 6. period sheets


def test_daily_channel_funnel_breaks_down_by_channel(tmp_path: Path) -> None:
    text = "date,channel,sessions,leads,mqls,customers\n"
    text += "2025-04-01,Paid Search,900,30,10,2\n2025-04-01,Organic,500,20,8,1\n"
    text += "2025-04-02,Paid Search,800,25,9,0\n2025-05-01,Organic,700,40,12,3\n"
    dataset = load(write(tmp_path, "daily.csv", text))
    assert dataset.shape == "periods" and dataset.mapping["channel"] == "channel"
    result = compute_kpis(dataset, by=["channel"])
    assert (result.totals["leads"], result.totals["mql"], result.totals["won"]) == (115, 39, 6)
    channels = {row["key"]: row for row in result.by["channel"]}
    assert (channels["Paid Search"]["leads"], channels["Organic"]["won"]) == (55, 4)
    months = {row["period"]: row["leads"] for row in result.by_period}
    assert months == {"2025-04": 75, "2025-05": 40}
    organic = compute_kpis(dataset, filters=Filters(roles={"channel": ["Organic"]})).totals
    assert (organic["leads"], organic["won"]) == (60, 4)  # 20 + 40 leads, 1 + 3 customers


def test_period_sheet_customers_are_won(tmp_path: Path) -> None:
    text = "Month,Leads,MQLs,Customers\n2025-04,100,40,5\n2025-05,120,50,6\n"
    dataset = load(write(tmp_path, "monthly.csv", text))
    assert dataset.shape == "periods" and dataset.mapping["won"] == "Customers"
    assert (totals(dataset)["leads"], totals(dataset)["won"]) == (220, 11)


# ------------------------------------------------------------------------------------------------------- contract


def test_kpis_json_has_skipped_warnings_and_links(tmp_path: Path) -> None:
    text = "id,stage,amount\n1,Won,100\n2,Open,TBD\n3,Open,200\n,,\nTotal,,300\n"
    out, err = io.StringIO(), io.StringIO()
    assert main(["kpis", str(write(tmp_path, "c.csv", text)), "--json"], out=out, err=err) == 0
    payload = json.loads(out.getvalue())
    assert payload["rows"] == {"read": 5, "used": 3, "rejected": 0, "linked": 0, "skipped": 2}
    assert [(s["row"], s["reason"]) for s in payload["skipped"]] == [(5, "blank_row"), (6, "summary_row")]
    assert [w["code"] for w in payload["warnings"]] == ["amount_unreadable", "missing_created", "missing_closed"]
    warning = payload["warnings"][0]
    assert {k: warning[k] for k in ("file", "column", "code", "count", "examples")} == {
        "file": "c.csv",
        "column": "amount",
        "code": "amount_unreadable",
        "count": 1,
        "examples": ["TBD"],
    }
    assert payload["links"] == []


def test_a_contact_list_counts_each_contact_once_as_a_lead(tmp_path: Path) -> None:
    contacts = "contact_id,Create Date,Lifecycle Stage,Contact owner\n"
    contacts += "C1,2025-04-01,Customer,Ann\nC2,2025-04-02,Opportunity,Bob\nC3,2025-04-03,Lead,Ann\n"
    contacts += "C4,2025-04-04,Marketing Qualified Lead,Bob\n"
    deals = "deal_id,contact_id,Deal Stage,Amount,Deal Create Date,Close Date\n"
    deals += "D1,C1,Closed Won,100,2025-04-10,2025-05-01\nD2,C1,Closed Won,200,2025-04-11,2025-05-02\n"
    deals += "D3,C1,Closed Lost,0,2025-04-12,2025-05-03\nD4,C2,Contract Sent,70,2025-04-13,\n"
    dataset = load(write(tmp_path, "contacts.csv", contacts), write(tmp_path, "deals.csv", deals))
    assert [(link.relation, link.matched, link.unmatched) for link in dataset.links] == [("many_to_one", 2, 2)]
    figures = totals(dataset)
    # Leads: C1..C4 once each; MQL and beyond: C1, C2, C4; opportunities: the 4 deals; C3 and C4 have no deal.
    assert (figures["leads"], figures["mql"], figures["opportunities"]) == (4, 3, 4)
    assert (figures["won"], figures["lost"], figures["open"], figures["won_revenue"]) == (2, 1, 3, 300)
    assert dataset.rows_read == dataset.rows_used + dataset.rejected + len(dataset.skipped) + dataset.rows_linked


def test_a_status_column_beside_the_stage_and_won_lost_times(tmp_path: Path) -> None:
    # Pipedrive-style: the stage keeps the last pipeline step of a won deal; the status says won / lost / open;
    # a lost deal's close date is its lost time; each record names its currency.
    text = (
        "Deal - ID,Deal - Value,Deal - Currency,Deal - Status,Deal - Stage,Deal - Owner,Deal - Deal created,"
        "Deal - Won time,Deal - Lost time\n"
        "1,1200,USD,won,Negotiations Started,Ann,2025-03-01 10:00:00,2025-04-02 11:00:00,\n"
        "2,800,USD,lost,Proposal Made,Bob,2025-03-02 10:00:00,,2025-04-05 09:00:00\n"
        "3,500,USD,open,Contact Made,Ann,2025-03-03 10:00:00,,\n"
        "4,300,USD,open,Demo Scheduled,Bob,2025-03-04 10:00:00,,\n"
    )
    dataset = load(write(tmp_path, "pipedrive.csv", text))
    assert (dataset.mapping["stage"], dataset.mapping["lifecycle"]) == ("Deal - Stage", "Deal - Status")
    assert (dataset.currency, dataset.evidence["currency"]["by"]) == ("USD", "column")
    result = compute_kpis(dataset)
    figures = result.totals
    assert (figures["won"], figures["lost"], figures["open"]) == (1, 1, 2)
    assert (figures["won_revenue"], figures["open_pipeline_value"], figures["median_cycle_days"]) == (1200, 800, 32)
    assert {row["period"]: row["lost"] for row in result.by_period}["2025-04"] == 1  # placed on its lost time


def test_every_warning_renders_in_both_languages(tmp_path: Path) -> None:
    from kpi_core.intake.findings import IntakeWarning
    from kpi_core.messages import MESSAGES

    params = {
        "order": "dmy",
        "by": "other_columns",
        "role": "owner",
        "fit": 0.5,
        "currencies": {"USD": 2, "EUR": 1},
        "proofs": 3,
    }
    for key in (k for k in MESSAGES if k.startswith("warn.")):
        warning = IntakeWarning("f.csv", "Amount", key.removeprefix("warn."), 2, ["x", "y"], params)
        for lang in ("ja", "en"):
            text = warning.message(lang)
            assert "{" not in text and "}" not in text, (key, lang, text)
            assert "f.csv" in text or "{file}" not in MESSAGES[key][lang]
    unknown = IntakeWarning("f.csv", "Amount", "something_new", 4)
    assert unknown.message("en") == "f.csv, 'Amount': 4 values need a look; check them on the Data page."


def test_non_finite_and_out_of_range_numbers_are_unknown_cells(tmp_path: Path) -> None:
    text = "id,stage,amount,calls\n1,Won,inf,3\n2,Won,100,nan\n3,Lost,1e400,-inf\n4,Won,200,2\n5,Won,9e18,1\n"
    dataset = load(write(tmp_path, "inf.csv", text))
    assert dataset.rejected == 0
    assert {k: v for k, v in codes(dataset).items() if k.endswith("unreadable")} == {
        "amount_unreadable": 3,  # inf, 1e400 (read as inf), 9e18 (above any real amount)
        "count_unreadable": 2,  # nan, -inf
    }
    figures = totals(dataset)
    assert (figures["won"], figures["won_revenue"], figures["calls"]) == (4, 300, 6)
    out, err = io.StringIO(), io.StringIO()
    assert main(["kpis", str(tmp_path / "inf.csv"), "--json"], out=out, err=err) == 0
    assert "NaN" not in out.getvalue() and "Infinity" not in out.getvalue()


def test_a_record_exported_twice_counts_once(tmp_path: Path) -> None:
    text = "id,created,stage,amount\nA,2025-04-01,Won,100\nB,2025-04-02,Won,200\nA,2025-04-01,Won,100\n"
    dataset = load(write(tmp_path, "dup.csv", text))
    assert [(r.row, r.column) for r in dataset.rejects] == [(4, "id")]
    assert (totals(dataset)["won"], totals(dataset)["won_revenue"]) == (2, 300)


def test_typed_dates_outside_1900_2100_are_unreadable(tmp_path: Path) -> None:
    text = "id,created,closed,stage\n1,2025-04-01,2025-04-20,Won\n2,1800-01-01,2025-04-20,Won\n"
    text += "3,2025-04-01,2999-01-01,Won\n"
    dataset = load(write(tmp_path, "years.csv", text))
    assert [(r.row, r.column) for r in dataset.rejects] == [(3, "created"), (4, "closed")]
    assert totals(dataset)["median_cycle_days"] == 19  # never a cycle of −82,235 days


def test_a_contact_list_with_at_most_one_deal_each(tmp_path: Path) -> None:
    contacts = "contact_id,Create Date,Lead Source\nC1,2025-04-01,Web\nC2,2025-04-02,Event\nC3,2025-04-03,Web\n"
    deals = "contact_id,Deal Stage,Amount,Close Date\nC1,Closed Won,100,2025-05-01\nC2,Closed Lost,0,2025-05-02\n"
    dataset = load(write(tmp_path, "contacts.csv", contacts), write(tmp_path, "deals.csv", deals))
    assert [(link.relation, link.matched, link.unmatched) for link in dataset.links] == [("many_to_one", 2, 1)]
    assert dataset.rejected == 0  # C3 has no deal yet: a lead, not an error
    figures = totals(dataset)
    assert (figures["leads"], figures["opportunities"], figures["won"], figures["lost"]) == (3, 2, 1, 1)
    assert {row["key"]: row["leads"] for row in compute_kpis(dataset, by=["channel"]).by["channel"]} == {
        "Web": 2,
        "Event": 1,
    }


def test_a_shift_jis_line_in_a_utf8_file_is_read_right_and_said(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "id,担当者,stage\n1,佐藤,受注\n".encode()
        + "2,鈴木,失注\n".encode("cp932")  # line 3, pasted from a Shift_JIS sheet
        + "3,高橋,受注\n".encode()
    )
    dataset = load(path)
    [warning] = [w for w in dataset.warnings if w.code == "mixed_encoding"]
    assert (warning.count, warning.examples, warning.params) == (1, ["3"], {"encoding": "UTF-8"})
    owners = {row["key"] for row in compute_kpis(dataset, by=["owner"]).by["owner"]}
    assert owners == {"佐藤", "鈴木", "高橋"}  # no mojibake
