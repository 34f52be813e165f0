"""kpi_core.substages: reach of the open opportunity-level sub-stages (counts worked out by hand), the funnel
frame that puts them between 商談 and 受注, and the Funnel page drawing them from an uploaded Salesforce export."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, upload

from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.metrics import Filters, compute_kpis
from kpi_core.substages import SubstageReach, SubstageStep, open_substages, substage_reach
from ui.frames import biggest_drop, funnel_steps

# A Salesforce opportunity report: 7 open (2 Prospecting, 2 Qualification, 2 Proposal/Price Quote, 1 Negotiation),
# 2 won, 3 lost; 6 created in April, 6 in May; 8 from Web, 4 from Event.
SALESFORCE = [
    ("006A1", "2025-04-01", "", "Prospecting", "100000", "Web"),
    ("006A2", "2025-04-02", "", "Prospecting", "100000", "Event"),
    ("006A3", "2025-04-03", "", "Qualification", "200000", "Web"),
    ("006A4", "2025-04-04", "", "Qualification", "200000", "Web"),
    ("006A5", "2025-04-05", "", "Proposal/Price Quote", "300000", "Event"),
    ("006A6", "2025-04-06", "", "Proposal/Price Quote", "300000", "Web"),
    ("006A7", "2025-05-01", "", "Negotiation/Review", "400000", "Web"),
    ("006A8", "2025-05-02", "2025-06-01", "Closed Won", "500000", "Web"),
    ("006A9", "2025-05-03", "2025-06-02", "Closed Won", "500000", "Event"),
    ("006B1", "2025-05-04", "2025-06-03", "Closed Lost", "600000", "Web"),
    ("006B2", "2025-05-05", "2025-06-04", "Closed Lost", "600000", "Event"),
    ("006B3", "2025-05-06", "2025-06-05", "Closed Lost", "600000", "Web"),
]
SALESFORCE_HEADER = ("Opportunity ID", "Created Date", "Close Date", "Stage", "Amount", "Lead Source")
SF_STAGES = ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review"]

# A Japanese SFA export with a generic 商談 and a 保留 (on hold): neither is a step of the sales process.
JAPANESE = [
    ("J1", "2025/04/01", "", "商談"),
    ("J2", "2025/04/02", "", "初回訪問"),
    ("J3", "2025/04/03", "", "ヒアリング"),
    ("J4", "2025/04/04", "", "ヒアリング"),
    ("J5", "2025/04/05", "", "提案"),
    ("J6", "2025/04/06", "", "見積提出"),
    ("J7", "2025/04/07", "", "交渉"),
    ("J8", "2025/04/08", "", "保留"),
    ("J9", "2025/04/09", "2025/05/09", "受注"),
    ("J10", "2025/04/10", "2025/05/10", "受注"),
    ("J11", "2025/04/11", "2025/05/11", "失注"),
]
JAPANESE_HEADER = ("商談ID", "作成日", "完了日", "フェーズ")
JA_STAGES = ["初回訪問", "ヒアリング", "提案", "見積提出", "交渉"]


def csv_bytes(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    return ("\r\n".join([",".join(header), *(",".join(row) for row in rows)]) + "\r\n").encode()


def load(header, rows, options: LoadOptions | None = None, name: str = "export.csv"):
    return load_dataset([FileInput(name, csv_bytes(header, rows))], options)


def counts(reach: SubstageReach) -> dict[str, int]:
    return {step.stage: step.count for step in reach}


def test_salesforce_stages_reached_by_open_and_won_deals():
    dataset = load(SALESFORCE_HEADER, SALESFORCE)
    reach = substage_reach(dataset)
    # Prospecting: the 7 open deals (all at Prospecting or later) + 2 won; Qualification: 5 + 2; Proposal: 3 + 2;
    # Negotiation: 1 + 2. The 3 lost deals count at the opportunity level only.
    assert counts(reach) == {
        "Prospecting": 9,
        "Qualification": 7,
        "Proposal/Price Quote": 5,
        "Negotiation/Review": 3,
    }
    assert [step.stage for step in reach] == SF_STAGES
    assert reach.lost_unplaced == 3
    assert all(isinstance(step, SubstageStep) for step in reach)
    assert [step.position for step in reach] == [dataset.stage_order.index(s) for s in SF_STAGES]


def test_a_channel_filter_counts_the_same_rows_as_the_funnel():
    dataset = load(SALESFORCE_HEADER, SALESFORCE)
    web = Filters(roles={"channel": ["Web"]})
    reach = substage_reach(dataset, filters=web)
    # Web: open 006A1, A3, A4, A6, A7; won 006A8; lost 006B1, B3.
    assert counts(reach) == {
        "Prospecting": 6,
        "Qualification": 5,
        "Proposal/Price Quote": 3,
        "Negotiation/Review": 2,
    }
    assert reach.lost_unplaced == 2
    assert compute_kpis(dataset, filters=web).totals["opportunities"] == 8


@pytest.mark.parametrize("cohort", [False, True])
def test_a_date_range_counts_deals_created_in_it(cohort):
    # Created in May: 006A7 (Negotiation), 2 won, 3 lost. Stage reach falls in the period of the created date in
    # both views, as the engine counts stages.
    dataset = load(SALESFORCE_HEADER, SALESFORCE)
    may = Filters(start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31))
    reach = substage_reach(dataset, filters=may, cohort=cohort)
    assert list(counts(reach).values()) == [3, 3, 3, 3]
    assert reach.lost_unplaced == 3
    assert compute_kpis(dataset, filters=may, cohort=cohort).totals["opportunities"] == 6


def test_japanese_stages_leave_out_the_generic_stage_and_holds():
    dataset = load(JAPANESE_HEADER, JAPANESE)
    assert dataset.stage_map["商談"] == "opportunity" and dataset.stage_map["保留"] == "opportunity"
    reach = substage_reach(dataset)
    # 初回訪問: open J2–J7 + won J9, J10; ヒアリング: J3–J7 + 2; 提案: J5–J7 + 2; 見積提出: J6, J7 + 2; 交渉: J7 + 2.
    # J1 (商談: no sub-stage yet) and J8 (保留: on hold, no place in the process) reach no sub-stage.
    assert counts(reach) == {"初回訪問": 8, "ヒアリング": 7, "提案": 5, "見積提出": 4, "交渉": 3}
    assert [step.stage for step in reach] == JA_STAGES
    assert reach.lost_unplaced == 1
    assert [step.position for step in reach] == sorted(step.position for step in reach)


def test_a_stage_the_user_maps_elsewhere_is_no_sub_stage():
    dataset = load(JAPANESE_HEADER, JAPANESE, LoadOptions(stage_map={"見積提出": "lost"}))
    reach = substage_reach(dataset)
    assert [step.stage for step in reach] == ["初回訪問", "ヒアリング", "提案", "交渉"]
    assert reach.lost_unplaced == 2  # J11 and J6, now lost
    assert counts(reach)["提案"] == 4  # J5, J7 + 2 won


def test_no_steps_without_two_sub_stages_or_a_stage_column():
    one = [
        ("D1", "2025-04-01", "", "商談"),
        ("D2", "2025-04-02", "", "提案"),
        ("D3", "2025-04-03", "2025-05-01", "受注"),
    ]
    assert substage_reach(load(JAPANESE_HEADER, one)) == []
    no_stage = load(
        ("Deal ID", "Created Date", "Close Date"), [("D1", "2025-04-01", "2025-05-01"), ("D2", "2025-04-02", "")]
    )
    assert open_substages(no_stage) == []
    reach = substage_reach(no_stage)
    assert reach == [] and reach.lost_unplaced == 0


def test_funnel_steps_put_the_sub_stages_between_opportunity_and_won():
    figures = {"opportunities": 12, "won": 2}
    substages = [("Prospecting", 9), ("Qualification", 7), ("Proposal/Price Quote", 5), ("Negotiation/Review", 3)]
    steps = funnel_steps(figures, ["opportunity", "won"], "ja", substages=substages)
    assert steps["step"].tolist() == ["商談", *SF_STAGES, "受注"]
    assert steps["level"].tolist() == ["opportunity", *["substage"] * 4, "won"]
    assert steps["pct_prev"].iloc[2] == pytest.approx(7 / 9)
    assert steps["pct_first"].iloc[-1] == pytest.approx(2 / 12)
    # Negotiation keeps 3 of 5 (60 %): the biggest drop, no longer 商談 → 受注.
    assert biggest_drop(steps) == ("Proposal/Price Quote", "Negotiation/Review", pytest.approx(0.6))
    # Without sub-stages the funnel is as before.
    assert funnel_steps(figures, ["opportunity", "won"], "ja")["step"].tolist() == ["商談", "受注"]


# ------------------------------------------------------------------------------------------------ the Funnel page
def funnel_chart_data(at: AppTest) -> list:
    """The rows of the main funnel chart (the first chart on the page), from the data Streamlit sends."""
    chart = at.get("vega_lite_chart")[0]
    assert "layer" in json.loads(chart.proto.spec)
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()


def open_uploaded_funnel(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/1_Data.py").run()
    upload(at, ("salesforce_opportunities.csv", csv_bytes(SALESFORCE_HEADER, SALESFORCE), "text/csv"))
    assert not at.exception
    return at.switch_page("pages/2_Funnel.py").run()


def test_the_funnel_page_shows_each_salesforce_stage_between_opportunity_and_won():
    at = open_uploaded_funnel("ja")
    assert not at.exception
    rows = sorted(funnel_chart_data(at), key=lambda r: r["order"])
    assert [r["step"] for r in rows] == ["商談", *SF_STAGES, "受注"]
    assert [r["count"] for r in rows] == [12, 9, 7, 5, 3, 2]
    # Qualification keeps 7 of the 9 that reached Prospecting (77.8 %), 7 of the 12 deals (58.3 %).
    assert rows[2]["label"] == "7  前段比 77.8% · 初段比 58.3%"
    leak = [m.value for m in at.markdown if "最も大きく漏れている" in m.value]
    assert leak == [
        "最も大きく漏れているのは **Proposal/Price Quote → Negotiation/Review**：次の段階に進むのは **60.0%** です。"
    ]
    assert any(c.value.startswith("失注（3件）は「商談」の段階にだけ数えています") for c in at.caption)


def test_the_english_page_says_how_lost_deals_are_counted():
    at = open_uploaded_funnel("en")
    assert not at.exception
    steps = [r["step"] for r in sorted(funnel_chart_data(at), key=lambda r: r["order"])]
    assert steps == ["Opportunity", *SF_STAGES, "Won"]
    assert any(c.value.startswith("Lost deals (3) are counted at Opportunity only") for c in at.caption)


def test_the_sales_sample_shows_its_japanese_sub_stages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/2_Funnel.py").run()
    assert not at.exception
    steps = [r["step"] for r in sorted(funnel_chart_data(at), key=lambda r: r["order"])]
    assert steps == ["商談", *JA_STAGES, "受注"]
