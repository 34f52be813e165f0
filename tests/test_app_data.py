"""AppTest of the Data page: the sample's rows and rejects, uploads (UTF-8, Shift_JIS, xlsx), a bad file, and
column-role / stage edits that re-run the engine at once."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest
from test_app_expected import (
    APP,
    DEALS,
    HEADER,
    SALES,
    TIMEOUT,
    deals_csv,
    expected_small,
    metric_values,
    sales_expected,
    sales_rows,
    upload,
)

from kpi_core.intake.roles import RECORD_ROLES
from ui.format import COUNT_FORMAT, DATE_FORMAT
from ui.frames import preview_formats

DATA = "pages/1_Data.py"
FUNNEL = "pages/2_Funnel.py"


def japanese_deals_csv() -> bytes:
    """The same deals with Japanese headers and stages, saved as Shift_JIS (cp932), as Excel does."""
    stages = {"Won": "受注", "Lost": "失注", "Proposal": "提案", "Negotiation": "交渉"}
    lines = ["商談ID,作成日,完了日,フェーズ,金額,担当者,リードソース"]
    lines += [",".join((*row[:3], stages[row[3]], *row[4:])) for row in DEALS]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def deals_xlsx() -> bytes:
    """A workbook whose first sheet is a note and whose second holds the deals."""
    book = Workbook()
    note = book.active
    note.title = "README"
    note["A1"] = "Exported deals: see the next sheet"
    sheet = book.create_sheet("Deals")
    sheet.append(HEADER)
    for row in DEALS:
        sheet.append([*row[:4], int(row[4]) if row[4] else None, *row[5:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def open_data_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(DATA).run()


def test_sample_rows_and_rejects_match_the_file():
    at = open_data_page()
    assert not at.exception
    expected = sales_expected()
    figures = metric_values(at)
    assert figures["読み込んだ行"] == f"{expected['rows_read']:,}"
    assert figures["集計に使う行"] == f"{expected['records']:,}"
    assert figures["除外した行"] == f"{expected['rejected']:,}"
    rejects = [df for df in at.dataframe if "理由" in df.value.columns]
    assert len(rejects) == 1 and len(rejects[0].value) == expected["rejected"]
    assert any(b.key == "rejects_csv" for b in at.get("download_button"))


def test_upload_a_csv_switches_every_page_to_it():
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    assert not at.exception
    assert at.selectbox(key="w_src").value == "upload"
    small = expected_small()
    assert metric_values(at)["Rows read"] == str(small["rows"])
    at.switch_page(FUNNEL).run()
    assert not at.exception
    figures = metric_values(at)
    assert figures["Won deals"] == str(small["won"])
    assert f"¥{small['won_revenue']:,}" in next(m.proto.help for m in at.metric if m.label == "Won revenue")


def test_upload_a_shift_jis_csv():
    at = open_data_page()
    upload(at, ("商談一覧.csv", japanese_deals_csv(), "text/csv"))
    assert not at.exception
    assert not at.error
    assert metric_values(at)["読み込んだ行"] == str(len(DEALS))
    files = next(df for df in at.dataframe if "文字コード" in df.value.columns).value
    assert files["文字コード"].tolist() == ["cp932"]


def test_upload_a_workbook_and_choose_its_sheet():
    at = open_data_page(lang="en")
    upload(at, ("deals.xlsx", deals_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert not at.exception
    sheet_choice = [s for s in at.selectbox if s.key.startswith("sheet_0_")]
    assert len(sheet_choice) == 1 and sheet_choice[0].options == ["README", "Deals"]
    assert sheet_choice[0].label == r"Sheet of deals\.xlsx"  # a file name is escaped: shown as typed
    assert sheet_choice[0].value == "Deals"  # the sheet holding the data is found on its own
    assert metric_values(at)["Rows read"] == str(len(DEALS))


def test_a_bad_file_gives_one_sentence_not_a_traceback():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    at = open_data_page()
    upload(at, ("report.csv", png, "text/csv"))
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("このファイルは使えません：")
    assert "Traceback" not in message and "\n" not in message
    assert any(b.key == "use_sample_data" for b in at.button)
    # The way back: the sample data again.
    at.button(key="use_sample_data").click().run()
    assert not at.error
    assert at.selectbox(key="w_src").value == "sales"


def test_my_files_without_an_upload_says_what_to_do():
    # "My files" chosen in this session before any upload (a link that opens on src=upload with nothing in the
    # session is a lost upload instead: tests/test_plain_text.py)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": "en"})
    at.run()
    at.selectbox(key="w_src").set_value("upload").run()
    assert not at.exception
    assert any("No file uploaded yet" in i.value for i in at.info)


def _edit(at: AppTest, key: str, rows: dict[int, dict[str, object]]) -> AppTest:
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_changing_a_column_role_reloads_at_once():
    at = open_data_page()
    assert at.multiselect(key="w_owner") is not None
    owner_row = RECORD_ROLES.index("owner")  # the editor lists the roles in RECORD_ROLES order
    channel_row = RECORD_ROLES.index("channel")
    _edit(at, "roles_editor_0_0", {owner_row: {"column": "—"}, channel_row: {"column": "業種"}})
    assert not at.exception
    assert "w_owner" not in [m.key for m in at.multiselect]
    industries = sorted(pd.read_csv(SALES, dtype=str)["業種"].dropna().unique())
    assert sorted(at.multiselect(key="w_channel").options) == industries
    # Back to what was detected.
    at.button(key="reset_options").click().run()
    assert "w_owner" in [m.key for m in at.multiselect]


def test_mapping_a_stage_value_changes_the_figures():
    at = open_data_page()
    editor = at.data_editor(key="stages_editor_0_0")
    order = editor.value["raw"].tolist()
    won_before = sales_expected()["won"]
    seiyaku = sum(1 for s in sales_rows().query("usable")["stage"] if s == "成約")
    _edit(at, "stages_editor_0_0", {order.index("成約"): {"canonical": "lost"}})
    assert not at.exception
    at.switch_page(FUNNEL).run()
    assert metric_values(at)["受注件数"] == f"{won_before - seiyaku:,}"


def test_two_files_are_linked_on_their_shared_id_and_the_link_can_be_chosen():
    activity = "Deal ID,Calls,Visits\r\n" + "".join(f"{row[0]},{i + 2},{i % 3}\r\n" for i, row in enumerate(DEALS))
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", deals_csv(), "text/csv"), ("activity.csv", activity.encode(), "text/csv"))
    assert not at.exception
    assert not at.error
    link = next(s for s in at.selectbox if s.label == "Column linking the files")
    assert link.value == "Deal ID"
    assert metric_values(at)["Rows used"] == str(len(DEALS))
    files = next(df for df in at.dataframe if "Encoding" in df.value.columns).value
    assert files["File"].tolist() == ["deals.csv", "activity.csv"]


def test_rejected_rows_are_listed_with_their_file_row():
    bad = deals_csv().decode() + "D10,2025-13-01,,Won,=HYPERLINK(1),Aoki,Web\r\n"
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", bad.encode(), "text/csv"))
    assert not at.exception
    assert metric_values(at)["Rows rejected"] == "1"
    assert any(b.key == "rejects_csv" for b in at.get("download_button"))
    rejects = next(df for df in at.dataframe if "Reason" in df.value.columns).value
    assert set(rejects["Row in the file"]) == {len(DEALS) + 2}  # header is line 1; one line per unreadable cell
    assert set(rejects["Column"]) == {"Created Date"}  # the amount is unknown, not a reason to reject the row


def test_uploaded_files_stay_for_the_session_and_can_be_removed():
    at = open_data_page()
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    at.switch_page(FUNNEL).run()  # the range's totals (Home shows the current month)
    assert metric_values(at)["受注件数"] == str(expected_small()["won"])
    at.switch_page(DATA).run()
    at.button(key="forget_files").click().run()
    assert at.selectbox(key="w_src").value == "sales"
    assert metric_values(at)["読み込んだ行"] == f"{sales_expected()['rows_read']:,}"


def test_emptying_the_uploader_goes_back_to_the_sample():
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    assert at.selectbox(key="w_src").value == "upload"
    at.file_uploader[0].set_value(None).run()
    assert not at.exception
    assert at.selectbox(key="w_src").value == "sales"
    assert metric_values(at)["Rows read"] == f"{sales_expected()['rows_read']:,}"


def test_a_language_switch_keeps_every_choice():
    at = open_data_page(src="leads", fy="1", period="quarter")
    at.selectbox(key="shape_choice_0_0").set_value("records").run()
    assert source_option_shape(at) == "records"
    at.segmented_control(key="w_lang").set_value("en").run()
    assert not at.exception
    assert at.selectbox(key="w_src").value == "leads"
    assert at.selectbox(key="w_fy").value == 1
    assert at.segmented_control(key="w_period").value == "quarter"
    assert source_option_shape(at) == "records"
    assert at.query_params["fy"] == "1" and at.query_params["src"] == "leads"


def source_option_shape(at: AppTest) -> str | None:
    return at.session_state["source_options"]["leads"].shape


# ------------------------------------------------------------------------------------------------ table formats
def column_config(table) -> dict[str, dict]:
    """The column configuration Streamlit sends with a table (label, type and format per column)."""
    import json

    return json.loads(table.proto.columns)


def number_format(config: dict[str, dict], column: str) -> str | None:
    type_config = config.get(column, {}).get("type_config", {})
    return type_config.get("format") if type_config.get("type") == "number" else None


def test_every_count_on_the_data_page_has_thousands_separators():
    """Rows per file, value counts per stage and rejected rows' numbers: 1,564 as everywhere else in the app, in a
    number column (still sortable), whatever the browser's locale."""
    at = open_data_page()
    tables = {tuple(df.value.columns): column_config(df) for df in at.dataframe}
    files = next(config for columns, config in tables.items() if "文字コード" in columns)
    assert number_format(files, "行数") == COUNT_FORMAT
    stages = column_config(at.data_editor(key="stages_editor_0_0"))
    assert number_format(stages, "count") == COUNT_FORMAT
    rejects = next(config for columns, config in tables.items() if "理由" in columns)
    assert number_format(rejects, "ファイル上の行") == COUNT_FORMAT
    preview = next(config for columns, config in tables.items() if "架電数" in columns)
    assert {c: number_format(preview, c) for c in ("架電数", "訪問数", "提案数")} == dict.fromkeys(
        ("架電数", "訪問数", "提案数"), COUNT_FORMAT
    )
    assert "商談ID" not in preview  # text cells are shown as read


def test_the_preview_shows_dates_without_a_time_and_amounts_with_separators():
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    assert not at.exception
    preview = next(df for df in at.dataframe if "Created Date" in df.value.columns)
    assert pd.api.types.is_datetime64_any_dtype(preview.value["Created Date"])  # still a date column: sortable
    config = column_config(preview)
    for column in ("Created Date", "Close Date"):
        assert config[column]["type_config"] == {"type": "date", "format": DATE_FORMAT}
    assert number_format(config, "Amount") == COUNT_FORMAT
    editor = next(e for e in at.data_editor if e.key.startswith("roles_editor_"))  # its key changes on upload
    roles = editor.value.set_index("role")["example"]
    assert roles["Created date"] == "2025-04-01 / 2025-04-03 / 2025-04-05"
    assert roles["Amount"] == "1,000,000 / 2,000,000 / 800,000"
    assert roles["ID"] == "D1 / D2 / D3"


def test_preview_formats_keep_ids_plain_and_real_times():
    frame = pd.DataFrame(
        {
            "Lead ID": [100001, 100002],
            "商談番号": [5001, 5002],
            "Paid": [1200, 3400],
            "amount": [1_200_000.0, None],
            "rate": [0.25, 0.5],
            "created": pd.to_datetime(["2025-04-01", None]),
            "call_at": pd.to_datetime(["2025-04-01 10:30", "2025-04-02 00:00"]),
            "won": [True, False],
            "name": ["a", "b"],
            "yyyymm": [202504, 202505],
        }
    )
    kinds = preview_formats(frame, plain=["yyyymm"])
    assert kinds == {"Paid": "count", "amount": "count", "rate": "number", "created": "date"}


def test_blank_text_cells_show_blank_in_the_preview():
    text = "Deal ID,Stage,Owner,Close Date\r\nA1,Closed Won,Aoki,2025-05-01\r\nA2,Prospecting,,\r\n"
    at = open_data_page()
    upload(at, ("blanks.csv", text.encode(), "text/csv"))
    assert not at.exception
    preview = next(df for df in at.dataframe if "Owner" in df.value.columns).value
    assert preview["Owner"].tolist() == ["Aoki", ""]  # never "None" on the page


def test_an_upload_over_the_servers_upload_budget_is_refused_with_a_sentence(monkeypatch):
    import ui.held_data

    released: list[str] = []
    monkeypatch.setattr(ui.held_data, "uploads_over_budget", lambda: True)
    monkeypatch.setattr(ui.held_data, "release_uploaded_file", released.append)
    at = open_data_page(lang="en")
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    assert not at.exception
    assert at.selectbox(key="w_src").value == "sales"  # nothing of the refused file is used
    assert "uploads" not in at.session_state or not at.session_state["uploads"]
    assert len(released) == 1  # Streamlit's copy of the bytes dropped at once
    errors = [e.value for e in at.error]
    assert any("holding as many uploaded files as it can" in e for e in errors), errors
