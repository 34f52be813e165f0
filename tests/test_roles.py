"""Column roles from the headers of real exports (Salesforce, HubSpot, Japanese SFA, hand-kept sheets) and values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.intake.roles import roles_from_header
from kpi_core.metrics import compute_kpis


def load_text(tmp_path: Path, name: str, text: str, **options: Any) -> Dataset:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)], LoadOptions(**options))


SALESFORCE_OPPORTUNITIES = (
    "Opportunity Name,Account Name,Amount,Close Date,Stage,Opportunity Owner,Lead Source,Created Date,Type\n"
    'Acme - 200 Widgets,Acme,"$20,000.00",4/20/2025,Closed Won,Jane Doe,Web,4/1/2025,New Customer\n'
    'Globex - Upgrade,Globex,"$15,000.00",5/31/2025,Negotiation/Review,John Roe,Partner Referral,4/3/2025,'
    "Existing Customer - Upgrade\n"
    'Initech - Pilot,Initech,"$5,000.00",5/2/2025,Closed Lost,Jane Doe,Trade Show,4/5/2025,New Customer\n'
)


def test_salesforce_opportunity_report(tmp_path: Path) -> None:
    dataset = load_text(tmp_path, "report1745.csv", SALESFORCE_OPPORTUNITIES)
    assert dataset.mapping == {
        "created": "Created Date",
        "closed": "Close Date",
        "stage": "Stage",
        "amount": "Amount",
        "owner": "Opportunity Owner",
        "channel": "Lead Source",
        "account": "Account Name",
        "deal_type": "Type",
    }
    totals = compute_kpis(dataset).totals
    assert (totals["won"], totals["lost"], totals["open"]) == (1, 1, 1)
    assert totals["won_revenue"] == pytest.approx(20_000)
    assert totals["median_cycle_days"] == 19  # US dates: 4/1/2025 → 4/20/2025


HUBSPOT_DEALS = (
    "Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Pipeline\n"
    "Acme deal,Closed won,20000,2025-04-20 10:15,2025-04-01 09:00,Jane Doe,Sales Pipeline\n"
    "Globex deal,Contract sent,15000,2025-05-31 00:00,2025-04-03 11:30,John Roe,Sales Pipeline\n"
    "Initech deal,Closed lost,5000,2025-05-02 12:00,2025-04-05 08:00,Jane Doe,Sales Pipeline\n"
    "Umbrella deal,Appointment scheduled,,,2025-04-07 14:00,John Roe,Sales Pipeline\n"
)


def test_hubspot_deals_export(tmp_path: Path) -> None:
    dataset = load_text(tmp_path, "hubspot-crm-exports-all-deals.csv", HUBSPOT_DEALS)
    assert dataset.mapping == {
        "created": "Create Date",
        "closed": "Close Date",
        "stage": "Deal Stage",
        "amount": "Amount",
        "owner": "Deal owner",
    }
    totals = compute_kpis(dataset).totals
    assert (totals["records"], totals["won"], totals["lost"], totals["open"]) == (4, 1, 1, 2)
    assert totals["median_cycle_days"] == 19  # counted between dates, the clock time is dropped
    assert totals["open_pipeline_value"] == pytest.approx(15_000)


HUBSPOT_CONTACTS = (
    "Record ID,Create Date,Lifecycle Stage,Original Source,Contact owner\n"
    "101,2025-04-01 09:00,Lead,Organic Search,Jane\n"
    "102,2025-04-02 10:00,Marketing Qualified Lead,Paid Search,John\n"
    "103,2025-04-03 11:00,Sales Qualified Lead,Organic Search,Jane\n"
    "104,2025-04-04 12:00,Opportunity,Direct Traffic,John\n"
    "105,2025-04-05 13:00,Customer,Offline Sources,Jane\n"
    "106,2025-04-06 14:00,Subscriber,Social Media,\n"
)


def test_hubspot_contacts_export(tmp_path: Path) -> None:
    dataset = load_text(tmp_path, "hubspot-crm-exports-all-contacts.csv", HUBSPOT_CONTACTS)
    assert dataset.mapping == {
        "id": "Record ID",
        "created": "Create Date",
        "stage": "Lifecycle Stage",
        "owner": "Contact owner",
        "channel": "Original Source",
    }
    totals = compute_kpis(dataset).totals
    # Reach: every contact is a lead; MQL and beyond: 102-105; SQL and beyond: 103-105; opportunity: 104-105.
    assert [totals[k] for k in ("leads", "mql", "sql", "opportunities", "won")] == [6, 4, 3, 2, 1]
    assert totals["lost"] is None and totals["win_rate"] is None
    assert totals["conversion"]["lead_to_mql"] == pytest.approx(4 / 6)
    assert totals["conversion"]["first_to_won"] == pytest.approx(1 / 6)


JAPANESE_SFA = (
    "商談名,取引先名,フェーズ,金額,完了予定日,商談所有者,リードソース,作成日\n"
    'A社 新規導入,A社,受注,"JPY 1,200,000",2025/04/20,佐藤 健,展示会,2025/04/01\n'
    "B社 追加ライセンス,B社,見積提示,800000,2025/06/30,鈴木 花子,Web問い合わせ,2025/04/03\n"
    "C社 リプレース,C社,失注,500000,2025/05/15,佐藤 健,セミナー,2025/04/08\n"
)


def test_japanese_sfa_export(tmp_path: Path) -> None:
    dataset = load_text(tmp_path, "商談レポート.csv", JAPANESE_SFA)
    assert dataset.mapping == {
        "created": "作成日",
        "closed": "完了予定日",
        "stage": "フェーズ",
        "amount": "金額",
        "owner": "商談所有者",
        "channel": "リードソース",
        "account": "取引先名",
    }
    totals = compute_kpis(dataset).totals
    assert (totals["won"], totals["lost"], totals["open"]) == (1, 1, 1)
    assert totals["won_revenue"] == pytest.approx(1_200_000)


def test_hand_kept_sheet_uses_values_where_headers_are_vague(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "案件管理"
    sheet.append(["案件管理表（営業部）"])
    sheet.append([])
    sheet.append(["No", "日付", "会社名", "担当", "商材", "状況", "見込金額", "受注日", "備考"])
    sheet.append(
        [1, dt.datetime(2025, 4, 1), "A社", "佐藤", "クラウド会計", "受注", "120万円", dt.datetime(2025, 4, 25), "紹介"]
    )
    sheet.append([2, dt.datetime(2025, 4, 3), "B社", "鈴木", "給与計算", "提案中", "80万円", None, None])
    sheet.append(
        [3, dt.datetime(2025, 4, 8), "C社", "佐藤", "クラウド会計", "失注", "50万円", dt.datetime(2025, 4, 30), "価格"]
    )
    sheet.append([4, dt.datetime(2025, 4, 10), "D社", "鈴木", "勤怠管理", "見積提出", "30万円", None, None])
    path = tmp_path / "案件管理.xlsx"
    workbook.save(path)
    dataset = load_dataset([FileInput(path.name, path)])
    mapping = dataset.mapping
    # "日付" and "状況" name no role for a deal list: the values (dates, known stage names) decide.
    assert mapping["created"] == "日付"
    assert mapping["stage"] == "状況"
    assert {k: mapping.get(k) for k in ("account", "owner", "product", "amount", "closed")} == {
        "account": "会社名",
        "owner": "担当",
        "product": "商材",
        "amount": "見込金額",
        "closed": "受注日",
    }
    assert "備考" not in mapping.values()
    totals = compute_kpis(dataset).totals
    assert (totals["records"], totals["won"], totals["lost"], totals["open"]) == (4, 1, 1, 2)
    assert totals["won_revenue"] == pytest.approx(1_200_000)
    assert totals["open_pipeline_value"] == pytest.approx(1_100_000)


def test_maven_headers(tmp_path: Path) -> None:
    text = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n"
        "HAXMC4IX,James Ascencio,MG Advanced,,Engaging,2016-10-25,,\n"
        "ZZY4516Q,Elease Gluck,GTX Pro,,Prospecting,,,\n"
    )
    assert load_text(tmp_path, "sales_pipeline.csv", text).mapping == {
        "id": "opportunity_id",
        "created": "engage_date",
        "closed": "close_date",
        "stage": "deal_stage",
        "amount": "close_value",
        "owner": "sales_agent",
        "product": "product",
        "account": "account",
    }


def test_olist_headers(tmp_path: Path) -> None:
    mql = (
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "aaa,2018-02-01,p1,social\nbbb,2017-10-20,p2,\nccc,2018-03-22,p1,unknown\n"
    )
    deals = (
        "mql_id,seller_id,sdr_id,sr_id,won_date,business_segment,lead_type,lead_behaviour_profile,has_company,"
        "has_gtin,average_stock,business_type,declared_product_catalog_size,declared_monthly_revenue\n"
        'aaa,s1,d1,r1,2018-02-26 19:58:54,pet,online_medium,"cat, wolf",,,,reseller,,0.0\n'
    )
    (tmp_path / "mql.csv").write_text(mql)
    (tmp_path / "deals.csv").write_text(deals)
    dataset = load_dataset([FileInput(n, tmp_path / n) for n in ("mql.csv", "deals.csv")])
    assert dataset.link_key == "mql_id"
    mapping = dataset.mapping
    assert {k: mapping.get(k) for k in ("id", "created", "closed", "channel", "segment")} == {
        "id": "mql_id",
        "created": "first_contact_date",
        "closed": "won_date",
        "channel": "origin",
        "segment": "business_segment",
    }
    assert "amount" not in mapping  # declared_monthly_revenue is not a deal value
    assert compute_kpis(dataset).totals["won"] == 1


def test_values_find_dates_stage_and_id_when_headers_say_nothing(tmp_path: Path) -> None:
    text = (
        "code_id,col_b,col_c,col_d,col_e\n"
        "X-001,2025-04-01,2025-04-11,Won,100\n"
        "X-002,2025-04-02,2025-04-12,Lost,200\n"
        "X-003,2025-04-03,,Negotiation,300\n"
    )
    mapping = load_text(tmp_path, "export.csv", text).mapping
    # An unnamed second date is never taken as the close date (it decides what is won): the user maps it.
    assert {k: mapping.get(k) for k in ("id", "created", "closed", "stage")} == {
        "id": "code_id",
        "created": "col_b",
        "closed": None,
        "stage": "col_d",
    }


def test_a_header_whose_values_do_not_fit_is_not_taken(tmp_path: Path) -> None:
    # "Last Modified" names a date role, but here it holds words: it must not become a date.
    text = "Deal ID,Created Date,Last Modified,Stage\nD1,2025-04-01,by phone,Won\nD2,2025-04-02,by mail,Lost\n"
    mapping = load_text(tmp_path, "deals.csv", text).mapping
    assert "Last Modified" not in mapping.values()
    assert mapping["created"] == "Created Date"


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("金額（円）", "amount"),
        ("受注金額(税抜)", "amount"),
        ("Amount (JPY)", "amount"),
        ("ＣＬＯＳＥ　ＤＡＴＥ", "closed"),
        ("close_date", "closed"),
        ("Close-Date", "closed"),
        ("担当者", "owner"),
        ("営業担当", "owner"),
        ("流入経路", "channel"),
        ("業種", "segment"),
        ("架電数", "calls"),
        ("訪問件数", "visits"),
        ("提案数", "proposals"),
        ("商談種別", "deal_type"),
        ("リードID", "id"),
        ("年月", "period"),
        ("MQL数", "mql"),
        ("有効商談数", "opportunities"),
    ],
)
def test_header_synonyms(header: str, role: str) -> None:
    assert role in roles_from_header(header)


def test_probability_rank_before_phase_is_not_the_stage(tmp_path: Path) -> None:
    text = (
        "商談名,確度,フェーズ,作成日,完了予定日,金額\n"
        "X,A,受注,2025-04-01,2025-04-20,100\n"
        "Y,B,提案,2025-04-02,2025-05-20,200\n"
        "Z,C,失注,2025-04-03,2025-04-25,300\n"
    )
    dataset = load_text(tmp_path, "sfa.csv", text)
    assert dataset.mapping["stage"] == "フェーズ"
    assert compute_kpis(dataset).totals["won"] == 1


def test_second_created_type_date_is_not_the_close_date(tmp_path: Path) -> None:
    text = (
        "リードID,問合せ日,商談化日,流入経路\n"
        "L1,2025-04-01,2025-04-10,Web\nL2,2025-04-02,,展示会\nL3,2025-04-03,2025-04-15,Web\nL4,2025-04-04,,Web\n"
    )
    dataset = load_text(tmp_path, "leads.csv", text)
    assert dataset.mapping.get("closed") != "商談化日"
    assert compute_kpis(dataset).totals["won"] in (0, None)
