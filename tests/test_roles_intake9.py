"""Column roles from real-world headers (issue 9): normalised headers, wider synonyms, values deciding between
candidates, stage-date columns and period sheets. Every expectation is written by hand."""

from __future__ import annotations

import pytest

from kpi_core.intake.roles import (
    HEADLINE_ROLES,
    PERIOD_ROLES,
    RECORD_ROLES,
    detect_roles,
    detect_shape,
    header_key,
    missing_headline_roles,
    roles_from_header,
    stage_date_columns,
)


def detect(sample: dict[str, list[object]], **options: object) -> dict[str, str]:
    return detect_roles(list(sample), sample, **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- 1. normalised headers


@pytest.mark.parametrize(
    ("headers", "key"),
    [
        (["CloseDate", "close_date", "Close Date", "close-date", "CLOSE DATE"], "closedate"),
        (
            ["Amount, $", "Amount ($)", "Amount (USD)", "Amount in USD", "Amount USD", "amount_usd", "AmountUSD"],
            "amount",
        ),
        (["amount_jpy", "Amount (EUR)", "Amount in €", "Amount [JPY]", "Amount (in thousands)"], "amount"),
        (["受注金額（円）", "受注金額(千円)", "受注金額(税抜)", "受注金額（円・税抜）", "受注金額_円"], "受注金額"),
        (["Deal Stage (Sales Pipeline)", "Deal Stage", "deal_stage", "DealStage"], "dealstage"),
        (["Opportunity: Amount", "Deal - Amount", "Amount"], "amount"),
        (["Account Name: Account Name", "Account Name"], "accountname"),
        (["Étape", "Etape", "ÉTAPE"], "etape"),
    ],
)
def test_header_key_is_one_key_for_spellings_units_and_noise(headers: list[str], key: str) -> None:
    assert {header: header_key(header) for header in headers} == dict.fromkeys(headers, key)


def test_header_key_keeps_what_is_not_noise() -> None:
    assert header_key("Amount (converted)") == "amountconverted"  # a note that is no unit stays part of the name
    assert header_key("Deal-Name") == "dealname"  # "Deal-" without spaces is part of the name, not an object prefix
    assert header_key("Closed?") == "closed?"  # the question mark tells a flag from a date
    assert header_key("USD") == "usd"  # a header that is only a unit keeps it


@pytest.mark.parametrize(
    ("header", "roles"),
    [
        # An id of the owner / account / product / channel names that role...
        ("OwnerId", ["owner"]),
        ("Owner ID", ["owner"]),
        ("owner_id", ["owner"]),
        ("AccountId", ["account"]),
        ("担当者ID", ["owner"]),
        ("Sales Rep ID", ["owner"]),
        ("Product ID", ["product"]),
        ("Campaign ID", ["channel"]),
        # ... while the record's own id names the id.
        ("Id", ["id"]),
        ("ID", ["id"]),
        ("Deal ID", ["id"]),
        ("Record ID", ["id"]),
        ("Opportunity ID", ["id"]),
        ("Opportunity: ID", ["id"]),
        # Some other header ending in "id" names nothing.
        ("Paid", []),
        ("Pipeline ID", []),
    ],
)
def test_id_suffix(header: str, roles: list[str]) -> None:
    assert roles_from_header(header) == roles


def test_a_name_beats_an_id_of_the_same_thing() -> None:
    sample = {"OwnerId": ["0051", "0052"], "Owner Name": ["Jane Doe", "John Roe"], "Stage": ["Closed Won", "Lost"]}
    assert detect(sample) == {"owner": "Owner Name", "stage": "Stage"}


# ------------------------------------------------------------------------------------------ 2. wider synonyms


@pytest.mark.parametrize(
    ("role", "headers"),
    [
        (
            "amount",
            [
                "Estimated value", "Expected value", "Expected amount", "Final value", "Price", "Total price",
                "Booking", "Booking amount", "Bookings", "Deal size", "Opportunity value", "Amount (converted)",
                "Amount in company currency", "見込金額", "受注金額", "契約金額", "受注予定金額", "売上見込", "Betrag",
                "Wert", "Deal-Wert", "Auftragswert", "Importe", "Monto", "Valor", "Montant", "Valeur", "Revenue",
            ],
        ),
        (
            "owner",
            [
                "Assigned to", "Assignee", "Executive", "Account Executive", "Sales Executive", "Rep", "Sales rep",
                "Sales person", "Salesperson", "Owner name", "Deal owner name", "担当営業", "営業担当者名", "Besitzer",
                "Zuständig", "Verantwortlich", "Deal-Inhaber", "Vertriebsmitarbeiter", "Propietario", "Responsable",
                "Vendedor", "Propriétaire", "Commercial",
            ],
        ),
        (
            "created",
            [
                "Create date", "Created time", "Date created", "Lead date", "Inquiry date", "Sign-up date",
                "Registration date", "Erstellt am", "Erstelldatum", "Anlagedatum", "Fecha de creación",
                "Date de création",
            ],
        ),
        (
            "closed",
            [
                "Close date", "Closed date", "Won date", "Date won", "Booking date", "Order date", "Contract date",
                "受注日", "成約日", "契約日", "Abschlussdatum", "Schlussdatum", "Fecha de cierre", "Date de clôture",
            ],
        ),
        (
            "expected_close",
            ["Expected close date", "Estimated close date", "受注予定日", "完了予定日", "クローズ予定日", "予定日"],
        ),
        (
            "stage",
            [
                "Deal stage", "Opportunity stage", "Pipeline stage", "Sales stage", "Phase", "Deal-Phase", "Etapa",
                "Etapa del negocio", "Étape", "Étape de la transaction", "商談ステージ", "営業フェーズ",
                "Lifecycle stage", "Lead status",
            ],
        ),
        (
            "lifecycle",
            [
                "Lifecycle stage", "Lead status", "ライフサイクルステージ", "リードステータス", "Lebenszyklusphase",
                "Lead-Status", "Etapa del ciclo de vida", "Phase du cycle de vie",
            ],
        ),
        (
            "channel",
            [
                "Source", "Lead source", "Original source", "Original traffic source", "Campaign", "UTM campaign",
                "utm_campaign", "Medium", "utm_medium", "媒体", "流入チャネル", "Quelle", "Kanal", "Fuente", "Origen",
                "Canal", "Origine",
            ],
        ),
        ("product", ["Product name", "Item", "SKU", "Plan", "Produkt", "Producto", "Produit"]),
        (
            "account",
            [
                "Company", "Company name", "Account name", "Customer", "Client", "Organisation", "Organization",
                "Firma", "Unternehmen", "Empresa", "Cuenta", "Entreprise", "Société",
            ],
        ),
        (
            "segment",
            [
                "Industry", "Sector", "Region", "Country", "Company size", "Branche", "Industria", "Región", "Secteur",
                "Région",
            ],
        ),
        (
            "id",
            ["Deal ID", "Record ID", "Opportunity ID", "Lead ID", "HS Object ID", "hs_object_id", "Record ID - Deal"],
        ),
        ("won_flag", ["IsWon", "Won?", "Is won", "Is closed won", "受注フラグ", "成約フラグ", "Gewonnen?"]),
        ("closed_flag", ["IsClosed", "Closed?", "Is closed", "クローズ済", "完了フラグ", "Abgeschlossen?"]),
    ],
)  # fmt: skip
def test_record_synonyms(role: str, headers: list[str]) -> None:
    assert [header for header in headers if role not in roles_from_header(header)] == []


@pytest.mark.parametrize(
    "header", ["Expected close date", "expectedCloseDate", "受注予定日", "完了予定日", "クローズ予定日"]
)
def test_an_expected_close_date_is_not_the_close_date(header: str) -> None:
    assert "closed" not in roles_from_header(header)
    sample = {"Deal ID": ["D1", "D2"], header: ["2025-06-30", "2025-07-31"], "Stage": ["Proposal", "Negotiation"]}
    assert detect(sample) == {"id": "Deal ID", "expected_close": header, "stage": "Stage"}


def test_new_record_roles_are_appended_after_the_existing_order() -> None:
    assert RECORD_ROLES == (
        "id", "created", "closed", "expected_close", "updated", "stage", "amount", "owner", "channel", "product",
        "segment", "account", "deal_type", "calls", "visits", "proposals", "won_flag", "lifecycle", "closed_flag",
        "probability", "forecast_category",
    )  # fmt: skip


def test_german_hubspot_deals_export() -> None:
    sample = {
        "Deal-Name": ["Acme", "Globex", "Initech"],
        "Betrag": ["20000", "15000", "5000"],
        "Abschlussdatum": ["2025-04-20", "2025-05-31", "2025-05-02"],
        "Deal-Phase": ["Closed Won", "Negotiation", "Closed Lost"],
        "Deal-Inhaber": ["Anna Berg", "Ben Kurz", "Anna Berg"],
        "Erstelldatum": ["2025-04-01", "2025-04-03", "2025-04-05"],
    }
    assert detect(sample) == {
        "created": "Erstelldatum",
        "closed": "Abschlussdatum",
        "stage": "Deal-Phase",
        "amount": "Betrag",
        "owner": "Deal-Inhaber",
    }


def test_salesforce_opportunity_report_headers() -> None:
    sample = {
        "Opportunity Name": ["Acme - 200 Widgets", "Globex - Upgrade"],
        "Account Name": ["Acme", "Globex"],
        "Amount": ["$20,000.00", "$15,000.00"],
        "Close Date": ["4/20/2025", "5/31/2025"],
        "Stage": ["Closed Won", "Negotiation/Review"],
        "Opportunity Owner": ["Jane Doe", "John Roe"],
        "Created Date": ["4/1/2025", "4/3/2025"],
        "Lead Source": ["Web", "Partner Referral"],
        "Type": ["New Customer", "Existing Customer - Upgrade"],
    }
    assert detect(sample) == {
        "created": "Created Date",
        "closed": "Close Date",
        "stage": "Stage",
        "amount": "Amount",
        "owner": "Opportunity Owner",
        "channel": "Lead Source",
        "account": "Account Name",
        "deal_type": "Type",
    }


HUBSPOT_DEALS = {
    "Record ID": [9001, 9002, 9003],
    "Deal Name": ["Acme deal", "Globex deal", "Initech deal"],
    "Deal Stage": ["Closed won", "Contract sent", "Closed lost"],
    "Amount": [20000, 15000, 5000],
    "Close Date": ["2025-04-20 10:15", "2025-05-31 00:00", "2025-05-02 12:00"],
    "Create Date": ["2025-04-01 09:00", "2025-04-03 11:30", "2025-04-05 08:00"],
    "Deal owner": ["Jane Doe", "John Roe", "Jane Doe"],
    "Pipeline": ["Sales Pipeline", "Sales Pipeline", "Sales Pipeline"],
}


def test_hubspot_deals_export_headers() -> None:
    assert detect(HUBSPOT_DEALS) == {
        "id": "Record ID",
        "created": "Create Date",
        "closed": "Close Date",
        "stage": "Deal Stage",
        "amount": "Amount",
        "owner": "Deal owner",
    }


def test_a_deal_stage_takes_the_stage_and_the_lifecycle_stage_the_lifecycle() -> None:
    # "Pilot" and "Legal review" are custom deal stages: the deal stage fits less well, it is still the stage.
    sample = {
        "Record ID": [1, 2, 3, 4],
        "Lifecycle Stage": ["Lead", "Marketing Qualified Lead", "Opportunity", "Customer"],
        "Deal Stage": ["Appointment Scheduled", "Pilot", "Legal review", "Closed Won"],
    }
    assert detect(sample) == {"id": "Record ID", "stage": "Deal Stage", "lifecycle": "Lifecycle Stage"}


def test_lifecycle_stage_and_lead_status_without_a_deal_stage() -> None:
    sample = {
        "Lead Status": ["New", "Open", "In Progress", "Unqualified"],
        "Lifecycle Stage": ["Lead", "Marketing Qualified Lead", "Opportunity", "Customer"],
    }
    # Both are second status columns and both fit: the lifecycle stage is the more specific synonym.
    assert detect(sample) == {"stage": "Lifecycle Stage", "lifecycle": "Lead Status"}


def test_a_lone_lead_status_is_the_stage() -> None:
    sample = {"Lead ID": ["L1", "L2", "L3"], "Lead Status": ["New", "Open", "Unqualified"]}
    assert detect(sample) == {"id": "Lead ID", "stage": "Lead Status"}


@pytest.mark.parametrize(
    ("values", "role"),
    [
        (["TRUE", "FALSE", "true"], "won_flag"),
        (["ja", "nein", "Ja"], "won_flag"),
        (["sí", "no", "Sí"], "won_flag"),
        (["oui", "non", "Oui"], "won_flag"),
        (["2025-04-01", "2025-04-02", ""], None),  # a date is no flag
        (["maybe", "yes", "no"], None),  # every value must be a yes or a no
    ],
)
def test_a_flag_column_must_hold_yes_or_no(values: list[object], role: str | None) -> None:
    refused: list[tuple[str, str]] = []
    mapping = detect_roles(["Deal ID", "Won?"], {"Deal ID": ["D1", "D2", "D3"], "Won?": values}, refused=refused)
    assert mapping.get("won_flag") == ("Won?" if role else None)
    assert refused == ([] if role else [("won_flag", "Won?")])


def test_closed_is_a_date_or_a_flag_by_its_values() -> None:
    dates = {"Deal ID": ["D1", "D2"], "Closed": ["2025-04-20", "2025-05-02"], "IsWon": [True, False]}
    flags = {"Deal ID": ["D1", "D2"], "Closed": ["TRUE", "FALSE"], "IsWon": [True, False]}
    refused: list[tuple[str, str]] = []
    assert detect(dates, refused=refused) == {"id": "Deal ID", "closed": "Closed", "won_flag": "IsWon"}
    assert detect(flags, refused=refused) == {"id": "Deal ID", "won_flag": "IsWon", "closed_flag": "Closed"}
    assert refused == []  # each "Closed" fits one of the roles its header names: nothing to tell the user


# ------------------------------------------------------------------------------------- 3. values decide


def test_between_two_amount_columns_the_one_holding_numbers_wins() -> None:
    sample = {
        "Deal": ["Acme", "Globex", "Initech", "Umbrella"],
        "Amount": ["TBD", "see notes", "TBD", "call Bob"],
        "Amount (USD)": ["1,200", "800", "", "450"],
    }
    evidence: dict[str, dict[str, object]] = {}
    refused: list[tuple[str, str]] = []
    assert detect(sample, evidence=evidence, refused=refused) == {"amount": "Amount (USD)"}
    assert refused == [("amount", "Amount")]
    assert evidence == {
        "amount": {"column": "Amount (USD)", "by": "header", "header_key": "amount", "fit": 1.0, "alternatives": []},
        "refused": {"items": [{"role": "amount", "column": "Amount", "fit": 0.0}]},
    }


def test_a_better_fit_beats_the_column_order_and_is_recorded() -> None:
    # Half of the first column reads as amounts (enough to be a candidate), all of the second.
    sample = {"Amount": ["TBD", "1000", "see notes", "2000"], "amount_usd": ["500", "1000", "1500", "2000"]}
    evidence: dict[str, dict[str, object]] = {}
    assert detect(sample, evidence=evidence) == {"amount": "amount_usd"}
    assert evidence["amount"] == {
        "column": "amount_usd",
        "by": "header",
        "header_key": "amount",
        "fit": 1.0,
        "alternatives": ["Amount"],
    }
    assert "refused" not in evidence


def test_equal_fits_go_to_the_more_specific_synonym_then_the_first_column() -> None:
    stages = ["Closed Won", "Closed Lost", "Negotiation"]
    # The more specific name is the stage; the other stage-like column is a second status signal.
    assert detect({"Status": stages, "Deal Stage": stages}) == {"stage": "Deal Stage", "lifecycle": "Status"}
    assert detect({"Amount": [100, 200], "Amount (JPY)": [300, 400]}) == {"amount": "Amount"}


def test_revenue_is_the_amount_only_without_another_amount_column() -> None:
    assert detect({"Amount": [100, 200], "Revenue": [5_000_000, 9_000_000]}) == {"amount": "Amount"}
    assert detect({"Deal": ["Acme", "Globex"], "Revenue": [100, 200]}) == {"amount": "Revenue"}


def test_a_stage_column_must_meet_the_stage_vocabulary() -> None:
    refused: list[tuple[str, str]] = []
    sample = {"Deal ID": ["D1", "D2", "D3"], "Stage": ["Blue", "Green", "Red"], "Close Date": ["x", "y", "z"]}
    assert detect(sample, refused=refused) == {"id": "Deal ID"}
    assert refused == [("stage", "Stage"), ("closed", "Close Date")]


def test_evidence_says_who_chose_each_column() -> None:
    evidence: dict[str, dict[str, object]] = {}
    mapping = detect(HUBSPOT_DEALS, overrides={"owner": "Deal Name"}, evidence=evidence)
    assert mapping["owner"] == "Deal Name"
    assert evidence["owner"] == {
        "column": "Deal Name",
        "by": "user",
        "header_key": "dealname",
        "fit": None,  # a name's values are not measured
        "alternatives": ["Deal owner"],
    }
    assert evidence["id"] == {
        "column": "Record ID",
        "by": "header",
        "header_key": "recordid",
        "fit": None,
        "alternatives": [],
    }
    assert evidence["stage"]["fit"] == 1.0 and evidence["closed"]["fit"] == 1.0
    assert set(evidence) == {"id", "created", "closed", "stage", "amount", "owner"}


def test_evidence_of_a_column_found_by_its_values() -> None:
    sample = {"No": [1, 2, 3], "日付": ["2025/4/1", "2025/4/3", "2025/4/8"], "状況": ["受注", "提案中", "失注"]}
    evidence: dict[str, dict[str, object]] = {}
    assert detect(sample, evidence=evidence) == {"created": "日付", "stage": "状況"}
    assert evidence["created"] == {
        "column": "日付",
        "by": "values",
        "header_key": "日付",
        "fit": 1.0,
        "alternatives": [],
    }
    assert evidence["stage"]["by"] == "values"


def test_missing_headline_roles() -> None:
    assert HEADLINE_ROLES == ("stage", "amount", "created", "closed")
    assert missing_headline_roles({}) == ["stage", "amount", "created", "closed"]
    assert missing_headline_roles({"stage": "Stage", "amount": "Amount"}) == ["created", "closed"]
    # A won flag or stage-date columns give the outcome without a stage column.
    assert missing_headline_roles({"won_flag": "Converted", "created": "Created"}) == ["amount", "closed"]
    stage_dates = {"Date entered 'Closed Won (Sales Pipeline)'": "Closed Won"}
    assert missing_headline_roles({"amount": "Amount"}, stage_dates=stage_dates) == ["created", "closed"]


# ------------------------------------------------------------------------------------- 4. stage-date columns

DATES = ["2025-04-01", "2025-04-15", ""]


def test_stage_date_columns_name_their_stage() -> None:
    headers = {
        "Date entered: Proposal": "Proposal",
        'Date entered "Closed Won (Sales Pipeline)"': "Closed Won",
        "Date entered 'Appointment Scheduled (Sales Pipeline)'": "Appointment Scheduled",
        "hs_date_entered_closedlost": "closedlost",
        "Entered Negotiation Date": "Negotiation",
        "Became a Customer Date": "Customer",
        "Became a Marketing Qualified Lead Date": "Marketing Qualified Lead",
        "Proposal Date": "Proposal",
        "Won Date": "Won",
        "Lost Date": "Lost",
        "受注日": "受注",
        "失注日": "失注",
        "商談化日": "商談化",
        "提案日": "提案",
        "見積提出日": "見積提出",
        "初回訪問日": "初回訪問",
        "Datum des Eintritts in Phase 'Proposal'": "Proposal",
        "Eingetreten in Phase Negotiation": "Negotiation",
        "Fecha de entrada en 'Closed Won'": "Closed Won",
        "Date d'entrée dans 'Closed Lost'": "Closed Lost",
    }
    sample = dict.fromkeys(headers, DATES)
    assert stage_date_columns(list(headers), sample) == headers


def test_other_date_columns_are_not_stage_dates() -> None:
    headers = [
        "Create Date",
        "Close Date",
        "Last Activity Date",
        "Expected close date",
        "作成日",
        "受注予定日",
        "更新日",
        'Date exited "Closed Won (Sales Pipeline)"',
        "Date entered 'Zeta Step (Sales Pipeline)'",  # a stage the vocabulary does not know
        "Open Date",
    ]
    assert stage_date_columns(headers, dict.fromkeys(headers, DATES)) == {}


def test_stage_date_columns_must_hold_dates() -> None:
    sample = {"Proposal Date": ["yes", "no", "yes"], "Won Date": ["", None, ""], "Lost Date": ["2025-05-01", "x", ""]}
    assert stage_date_columns(list(sample), sample) == {"Lost Date": "Lost"}  # 1 of 2 values is a date: enough


def test_stage_date_export_without_a_stage_column() -> None:
    sample = {
        "Record ID": [1, 2, 3],
        "Create Date": ["2025-04-01", "2025-04-02", "2025-04-03"],
        "Close Date": ["2025-04-20", "", ""],
        "Amount": [1000, 2000, 3000],
        "Date entered 'Appointment Scheduled (Sales Pipeline)'": ["2025-04-05", "2025-04-06", ""],
        "Date entered 'Closed Won (Sales Pipeline)'": ["2025-04-20", "", ""],
        "Date exited 'Appointment Scheduled (Sales Pipeline)'": ["2025-04-20", "", ""],
    }
    mapping = detect(sample)
    # The stage dates change nothing in the mapping: the lead decides how to use them.
    assert mapping == {"id": "Record ID", "created": "Create Date", "closed": "Close Date", "amount": "Amount"}
    stage_dates = stage_date_columns(list(sample), sample)
    assert stage_dates == {
        "Date entered 'Appointment Scheduled (Sales Pipeline)'": "Appointment Scheduled",
        "Date entered 'Closed Won (Sales Pipeline)'": "Closed Won",
    }
    assert missing_headline_roles(mapping) == ["stage"]
    assert missing_headline_roles(mapping, stage_dates=stage_dates) == []


# ------------------------------------------------------------------------------------------ 5. period sheets


def test_daily_channel_funnel_is_a_period_sheet() -> None:
    sample = {
        "date": ["2025-04-01", "2025-04-01", "2025-04-02"],
        "channel": ["Organic", "Paid", "Organic"],
        "sessions": [1200, 800, 1300],
        "leads": [12, 9, 15],
        "mqls": [5, 3, 6],
        "customers": [1, 0, 2],
    }
    assert detect_shape(list(sample), sample) == "periods"
    assert detect(sample, shape="periods") == {
        "period": "date",
        "leads": "leads",
        "mql": "mqls",
        "won": "customers",
        "channel": "channel",
    }


def test_period_roles_include_text_breakdowns() -> None:
    assert PERIOD_ROLES == (
        "period", "leads", "mql", "sql", "opportunities", "won", "lost", "revenue", "channel", "product", "segment",
        "owner",
    )  # fmt: skip


def test_monthly_sheet_per_rep_with_english_count_headers() -> None:
    sample = {
        "Month": ["2025-04", "2025-04", "2025-05"],
        "Sales Rep": ["Jane", "John", "Jane"],
        "New leads": [40, 35, 42],
        "MQLs": [20, 15, 22],
        "SQLs": [10, 8, 11],
        "Deals created": [6, 5, 7],
        "Deals won": [2, 1, 3],
        "Lost deals": [1, 2, 1],
        "Won revenue": ["$20,000", "$9,000", "$31,000"],
        "Conversions": [3, 2, 4],  # ambiguous: no role
    }
    assert detect_shape(list(sample), sample) == "periods"  # an owner column is no record marker
    assert detect(sample, shape="periods") == {
        "period": "Month",
        "leads": "New leads",
        "mql": "MQLs",
        "sql": "SQLs",
        "opportunities": "Deals created",
        "won": "Deals won",
        "lost": "Lost deals",
        "revenue": "Won revenue",
        "owner": "Sales Rep",
    }


def test_japanese_daily_sheet_by_medium() -> None:
    sample = {
        "日付": ["2025/04/01", "2025/04/01", "2025/04/02"],
        "媒体": ["リスティング", "展示会", "リスティング"],
        "問い合わせ数": [10, 4, 12],
        "商談化数": [3, 2, 4],
        "新規顧客数": [1, 1, 0],
        "売上": ["120万円", "80万円", "0"],
    }
    assert detect_shape(list(sample), sample) == "periods"
    assert detect(sample, shape="periods") == {
        "period": "日付",
        "leads": "問い合わせ数",
        "opportunities": "商談化数",
        "won": "新規顧客数",
        "revenue": "売上",
        "channel": "媒体",
    }


@pytest.mark.parametrize(
    ("role", "headers"),
    [
        (
            "won",
            [
                "Customers", "New customers", "Deals won", "Won deals", "Wins", "Closed won", "Orders", "成約数",
                "受注件数", "受注数", "新規顧客数", "新規獲得数", "契約数", "Neue Kunden", "Nuevos clientes",
                "Nouveaux clients",
            ],
        ),
        (
            "leads",
            [
                "Leads", "New leads", "Sign-ups", "Signups", "Registrations", "Inquiries", "Contacts created",
                "問い合わせ数", "資料請求数",
            ],
        ),
        ("opportunities", ["Opportunities", "Deals created", "New deals", "商談数", "商談化数"]),
        ("mql", ["MQL", "MQLs", "Marketing qualified leads", "MQL数"]),
        ("sql", ["SQL", "SQLs", "Sales qualified leads"]),
        ("lost", ["Lost deals", "失注数"]),
        ("revenue", ["Revenue", "Sales", "Bookings", "Won revenue", "Closed won amount", "売上", "受注金額"]),
        ("period", ["Date", "Day", "Week", "Month", "日付", "日"]),
        ("channel", ["Channel", "Source", "Campaign", "Medium", "媒体", "チャネル", "キャンペーン"]),
    ],
)  # fmt: skip
def test_period_synonyms(role: str, headers: list[str]) -> None:
    assert [header for header in headers if role not in roles_from_header(header)] == []


def test_conversions_name_no_role() -> None:
    assert roles_from_header("Conversions") == []
