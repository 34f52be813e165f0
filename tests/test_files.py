"""Tests for kpi_core.intake.files: kind detection, decoding, header finding and refusals."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from kpi_core.intake import files
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import list_sheets, open_source
from tests import bad_files
from tests.bilingual import assert_bilingual


def read_with_duckdb(path: Path, skip: int, delimiter: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows as DuckDB reads them the way the next intake layer will (all as text)."""
    con = duckdb.connect()
    try:
        result = con.execute(
            "SELECT * FROM read_csv(?, skip = ?, header = true, delim = ?, all_varchar = true)",
            [str(path), skip, delimiter],
        )
        rows = result.fetchall()
        return [d[0] for d in result.description], rows
    finally:
        con.close()


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


# ------------------------------------------------------------------------------------------- refusals

REFUSALS = [
    ("blank.csv", bad_files.empty, "empty"),
    ("spaces.csv", bad_files.whitespace_only, "empty"),
    ("bom.csv", bad_files.bom_only, "empty"),
    ("noise.csv", bad_files.random_binary, "binary"),
    ("chart.png", bad_files.png_header, "binary"),
    ("report.pdf", bad_files.pdf_header, "binary"),
    ("minutes.docx", bad_files.docx_like_zip, "binary"),
    ("sales_png_named.csv", bad_files.png_header, "binary"),
    ("old.xls", bad_files.legacy_xls_header, "bad_extension"),
    ("legacy_named.xlsx", bad_files.legacy_xls_header, "bad_extension"),
    ("sales.xlsx", bad_files.encrypted_xlsx_like, "encrypted"),
    ("bomb.xlsx", bad_files.zip_bomb_xlsx, "zip_bomb"),
    ("many.xlsx", bad_files.zip_with_many_members, "zip_bomb"),
    ("cut.xlsx", bad_files.truncated_xlsx, "unreadable"),
    ("broken.xlsx", bad_files.corrupt_workbook_xml_xlsx, "unreadable"),
    ("headers.csv", bad_files.header_only_csv, "no_rows"),
    ("numbers.csv", bad_files.numbers_only_csv, "no_header"),
    ("legacy.csv", bad_files.latin1_csv, "unreadable"),
    ("legacy2.csv", bad_files.latin1_csv_valid_as_cp932, "unreadable"),
    ("cover.xlsx", bad_files.xlsx_without_table, "no_rows"),
]


@pytest.mark.parametrize(("name", "build", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal_has_code_and_names_the_file(name, build, code, workdir):
    with pytest.raises(IntakeError) as caught:
        open_source(name, build(), workdir=workdir)
    error = caught.value
    assert error.code == code
    assert error.file == name
    assert name in error.message
    assert str(error) == error.message
    assert "\n" not in error.message and ": " in error.message  # one sentence: problem, then what to do
    assert_bilingual(error)  # and the same in Japanese
    assert files_under(workdir) == set()  # nothing left behind


@pytest.mark.parametrize(("name", "build", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal_is_the_same_from_a_path(name, build, code, workdir, tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(build())
    with pytest.raises(IntakeError) as caught:
        open_source(name, path, workdir=workdir)
    assert caught.value.code == code
    assert name in caught.value.message
    assert caught.value.message("ja") == _refusal(name, build(), workdir).message("ja")  # same words, bytes or path


def _refusal(name: str, data: bytes, workdir: Path) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        open_source(name, data, workdir=workdir)
    return caught.value


def test_encrypted_message_says_how_to_remove_the_password(workdir):
    with pytest.raises(IntakeError) as caught:
        open_source("sales.xlsx", bad_files.encrypted_xlsx_like(), workdir=workdir)
    assert "password" in caught.value.message and "Protect Workbook" in caught.value.message


def test_encryption_marker_split_across_chunks_is_found(workdir, monkeypatch):
    data = bad_files.encrypted_xlsx_like()
    marker = data.find("EncryptedPackage".encode("utf-16-le"))
    # Chunks of 13 bytes: the 32-byte UTF-16 marker always spans at least two chunks.
    monkeypatch.setattr(files, "CHUNK_BYTES", 13)
    assert marker > 0
    with pytest.raises(IntakeError) as caught:
        open_source("sales.xlsx", data, workdir=workdir)
    assert caught.value.code == "encrypted"


def test_legacy_xls_message_asks_for_xlsx_or_csv(workdir):
    with pytest.raises(IntakeError) as caught:
        open_source("old.xls", bad_files.legacy_xls_header(), workdir=workdir)
    assert ".xlsx or CSV" in caught.value.message


@pytest.mark.parametrize("as_path", [False, True])
def test_too_large_states_the_limit(as_path, workdir, tmp_path):
    data = b"a,b\n1,2\n" * 1000  # 8000 bytes
    source = data
    if as_path:
        source = tmp_path / "big.csv"
        source.write_bytes(data)
    with pytest.raises(IntakeError) as caught:
        open_source("big.csv", source, workdir=workdir, max_bytes=3 * 1024 * 1024 // 1000)
    assert caught.value.code == "too_large"
    assert "big.csv" in caught.value.message and "MB" in caught.value.message


def test_too_large_limit_in_mb_for_the_default(workdir, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:  # sparse file: the size is real, nothing is read
        fh.truncate(files.DEFAULT_MAX_BYTES + 1)
    with pytest.raises(IntakeError) as caught:
        open_source("huge.csv", path, workdir=workdir)
    assert caught.value.code == "too_large"
    assert "200 MB limit" in caught.value.message


def test_too_large_path_is_checked_before_reading(workdir, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n1,2\n" * 100)

    def refuse_to_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", refuse_to_open)
    with pytest.raises(IntakeError) as caught:
        open_source("big.csv", path, workdir=workdir, max_bytes=100)
    assert caught.value.code == "too_large"


def test_zip_bomb_total_size_rule(workdir, monkeypatch):
    # 2 MB of random bytes: ratio ~1, so only the total-size rule (lowered to 1 MB here) can refuse it.
    data = bad_files.zip_with_incompressible_member(2)
    monkeypatch.setattr(files, "MAX_ZIP_TOTAL_BYTES", 1024 * 1024)
    with pytest.raises(IntakeError) as caught:
        open_source("big.xlsx", data, workdir=workdir)
    assert caught.value.code == "zip_bomb"


def test_zip_within_limits_is_not_a_bomb(workdir):
    # Same archive under the real limits passes the guard and fails later as a damaged workbook.
    with pytest.raises(IntakeError) as caught:
        open_source("big.xlsx", bad_files.zip_with_incompressible_member(2), workdir=workdir)
    assert caught.value.code == "unreadable"


def test_highly_compressible_small_member_is_not_a_bomb(workdir):
    # 5 MB of zeros: ratio > 200 but below the 10 MB floor, so the ratio rule does not apply.
    with pytest.raises(IntakeError) as caught:
        open_source("small.xlsx", bad_files.zip_bomb_xlsx(5), workdir=workdir)
    assert caught.value.code == "unreadable"


def test_missing_path_is_unreadable(workdir, tmp_path):
    with pytest.raises(IntakeError) as caught:
        open_source("gone.csv", tmp_path / "nope.csv", workdir=workdir)
    assert caught.value.code == "unreadable" and "gone.csv" in caught.value.message


def test_parser_crash_becomes_unreadable(workdir, monkeypatch):
    def explode(self, name):
        raise RuntimeError("internal calamine failure")

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", explode)
    with pytest.raises(IntakeError) as caught:
        open_source("kpi.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir)
    assert caught.value.code == "unreadable" and "kpi.xlsx" in caught.value.message


def test_csv_failure_after_copy_started_leaves_no_file(workdir, monkeypatch):
    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(files, "_drop_lines", explode)
    with pytest.raises(IntakeError) as caught:
        open_source("kpi.csv", bad_files.cp932_csv_with_titles(), workdir=workdir)
    assert caught.value.code == "unreadable"
    assert files_under(workdir) == set()


# ------------------------------------------------------------------------------------------- good csv


def test_cp932_with_title_lines(workdir):
    source = open_source("営業KPI.csv", bad_files.cp932_csv_with_titles(), workdir=workdir)
    assert source.kind == "csv" and source.sheets == [] and source.sheet is None and source.frame is None
    assert source.encoding == "cp932"
    assert source.delimiter == ","
    assert source.header_row == 4
    # NFKC: full-width parentheses and half-width katakana are normalised in the header.
    assert source.columns == ["日付", "担当者", "売上金額(円)", "メモ"]
    assert source.csv_path.parent == workdir and source.skip_lines == 0
    names, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert names == ["日付", "担当者", "売上金額（円）", "ﾒﾓ"]  # the Japanese header survives the conversion
    assert rows == [
        ("2025/04/01", "山田", "1,200,000", "初回訪問"),
        ("2025/04/02", "佐藤", "800000", None),
        ("2025/04/03", "ｽｽﾞｷ", "500000", "再訪"),
    ]
    assert source.csv_path.read_bytes()[:3] != b"\xef\xbb\xbf"


def test_utf8_bom_semicolons(workdir):
    source = open_source("eu.csv", bad_files.utf8_bom_semicolon_csv(), workdir=workdir)
    assert (source.encoding, source.delimiter, source.header_row) == ("utf-8-sig", ";", 1)
    assert source.columns == ["Region", "Amount", "Note"]
    assert source.csv_path.read_bytes().startswith(b"Region;")  # BOM removed in the copy
    _, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert rows == [("East", "10,5", "a;b"), ("West", "20,0", "plain")]


def test_utf8_path_is_read_in_place(workdir, tmp_path):
    path = tmp_path / "weekly.txt"  # a CSV named .txt is fine
    path.write_bytes(bad_files.tab_separated_csv())
    source = open_source("weekly.txt", path, workdir=workdir)
    assert source.csv_path == path  # no copy for UTF-8 without BOM
    assert files_under(workdir) == set()
    assert (source.encoding, source.delimiter, source.header_row, source.skip_lines) == ("utf-8", "\t", 3, 2)
    assert source.columns == ["name", "city", "visits"]
    names, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert names == ["name", "city", "visits"]
    assert rows == [("Alice", "Tokyo", "3"), ("Bob", "Osaka", "5")]


def test_utf8_bytes_are_copied_from_the_header_line(workdir):
    source = open_source("weekly.tsv", bad_files.tab_separated_csv(), workdir=workdir)
    assert source.header_row == 3 and source.skip_lines == 0
    assert source.csv_path.read_text(encoding="utf-8") == "name\tcity\tvisits\nAlice\tTokyo\t3\nBob\tOsaka\t5\n"


def test_utf16_unicode_text(workdir):
    source = open_source("unicode.txt", bad_files.utf16_csv(), workdir=workdir)
    assert (source.encoding, source.delimiter, source.header_row) == ("utf-16", "\t", 1)
    assert source.columns == ["顧客", "金額"]
    names, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert names == ["顧客", "金額"]
    assert rows == [("A社", "100"), ("B社", "200")]


def test_text_named_xlsx_is_read_as_csv(workdir):
    source = open_source("really_a.xlsx", b"a,b\n1,2\n", workdir=workdir)
    assert source.kind == "csv" and source.columns == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "delimiter", "width"),
    [
        ("a|b|c\n1|2|3\n4|5|6\n", "|", 3),
        ('a;b\n"x,1";2\n"y,2";3\n', ";", 2),  # commas only inside quotes
        ('a,b,c\n"1;2",3,4\n5,6,7\n', ",", 3),
        ("only\nx\ny\n", ",", 1),  # one column is allowed
    ],
)
def test_delimiter_sniffing(text, delimiter, width, workdir):
    source = open_source("d.csv", text.encode(), workdir=workdir)
    assert source.delimiter == delimiter and len(source.columns) == width


def test_title_line_with_a_date_is_not_the_header(workdir):
    text = "出力日,2025/04/01\n\n日付,売上\n2025/04/01,100\n2025/04/02,200\n"
    source = open_source("two.csv", text.encode(), workdir=workdir)
    assert source.header_row == 3 and source.columns == ["日付", "売上"]
    _, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert rows == [("2025/04/01", "100"), ("2025/04/02", "200")]


def test_half_text_title_directly_above_the_header_is_skipped(workdir):
    # One text cell of two is not "mostly text": the title row is not taken for the header.
    text = "出力日,2025/04/01\n日付,売上\n2025/04/01,100\n"
    source = open_source("two.csv", text.encode(), workdir=workdir)
    assert source.header_row == 2 and source.columns == ["日付", "売上"]


def test_blank_line_below_the_header_is_allowed(workdir):
    source = open_source("gap.csv", b"region,owner,amount\n\nEast,Ann,10\nWest,Bob,20\n", workdir=workdir)
    assert source.header_row == 1 and source.columns == ["region", "owner", "amount"]


def test_two_text_title_above_a_gap_is_not_the_header(workdir):
    text = "KPI管理表,営業部\n\n担当,件数\n山田,3\n"
    source = open_source("t.csv", text.encode(), workdir=workdir)
    assert source.header_row == 3 and source.columns == ["担当", "件数"]


def test_header_must_start_within_30_rows(workdir):
    late = "note\n" * 30 + "a,b\n1,2\n"
    with pytest.raises(IntakeError) as caught:
        open_source("late.csv", late.encode(), workdir=workdir)
    assert caught.value.code == "no_header"
    ok = "note\n" * 29 + "a,b\n1,2\n"
    assert open_source("ok.csv", ok.encode(), workdir=workdir).header_row == 30


def test_column_names_are_cleaned(workdir):
    header = " Ｎａｍｅ ,,売上,売上,売上_2,\u3000担当\u3000,column_2\n"
    text = header + "a,b,c,d,e,f,g\n"
    source = open_source("cols.csv", text.encode(), workdir=workdir)
    assert source.columns == ["Name", "column_2", "売上", "売上_2", "売上_2_2", "担当", "column_2_2"]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 11])
def test_crlf_and_multibyte_characters_split_across_chunks(chunk, workdir, monkeypatch):
    text = "タイトル行\r\n\r\n日付,担当者\r\n2025/04/01,山田\r\n2025/04/02,佐藤\r\n"
    # Tiny chunks split CRLF pairs and two-byte cp932 characters at every possible place.
    monkeypatch.setattr(files, "CHUNK_BYTES", chunk)
    source = open_source("chunks.csv", text.encode("cp932"), workdir=workdir)
    assert source.header_row == 3
    assert source.csv_path.read_bytes() == "日付,担当者\r\n2025/04/01,山田\r\n2025/04/02,佐藤\r\n".encode()


def test_quoted_newline_in_a_title_counts_physical_lines(workdir, tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes('"売上レポート\n(速報)"\nregion,amount\nEast,10\n'.encode())
    source = open_source("q.csv", path, workdir=workdir)
    assert source.header_row == 3 and source.skip_lines == 2
    _, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert rows == [("East", "10")]


def test_sample_cut_inside_a_quoted_field(workdir, tmp_path, monkeypatch):
    # The sniffing sample (shrunk to 40 bytes) ends inside the first data record's quoted field.
    path = tmp_path / "long.csv"
    path.write_bytes(b'title\nregion,note\nEast,"' + b"x\n" * 100 + b'"\nWest,y\n')
    monkeypatch.setattr(files, "SNIFF_BYTES", 40)
    source = open_source("long.csv", path, workdir=workdir)
    assert source.header_row == 2 and source.columns == ["region", "note"]
    _, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert [r[0] for r in rows] == ["East", "West"]


def test_real_dataset_read_in_place(workdir):
    path = Path(__file__).resolve().parents[2] / "shared/datasets/maven_crm_sales/sales_pipeline.csv"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing")
        pytest.skip("shared datasets not available")
    source = open_source("sales_pipeline.csv", path, workdir=workdir)
    assert source.csv_path == path and source.header_row == 1 and source.delimiter == ","
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert source.columns == first_line.split(",")
    _, rows = read_with_duckdb(source.csv_path, source.skip_lines, source.delimiter)
    assert len(rows) == 8800


# ------------------------------------------------------------------------------------------ good xlsx


def test_xlsx_with_titles_skips_hidden_sheet(workdir):
    data = bad_files.xlsx_with_titles_and_hidden_sheet()
    source = open_source("kpi.xlsx", data, workdir=workdir)
    assert source.kind == "xlsx" and source.encoding == "" and source.csv_path is None
    assert source.sheets == ["KPI", "raw"] and source.sheet == "KPI"
    assert source.header_row == 4
    assert source.columns == ["日付", "担当者", "売上", "受注"]  # empty column A and styled H20 dropped
    frame = source.frame
    assert frame.shape == (3, 4)
    assert frame.iloc[0].tolist() == [dt.date(2025, 4, 1), "山田", 1200000.0, True]
    assert frame.iloc[1].tolist() == [dt.datetime(2025, 4, 2, 9, 30), "佐藤", 800000.5, False]
    assert frame.iloc[2].tolist() == [dt.date(2025, 4, 3), None, 500000.0, None]
    assert files_under(workdir) == set()


def test_hidden_sheet_not_chosen_even_when_larger(workdir):
    source = open_source("kpi.xlsx", bad_files.xlsx_with_titles_and_hidden_sheet(hidden_rows=50), workdir=workdir)
    assert source.sheet == "KPI"


def test_hidden_sheet_can_be_chosen_by_name(workdir):
    source = open_source("kpi.xlsx", bad_files.xlsx_with_titles_and_hidden_sheet(3), workdir=workdir, sheet="raw")
    assert source.sheet == "raw" and source.header_row == 1
    assert source.columns == ["id", "value", "note"]
    assert source.frame["value"].tolist() == [0.0, 10.0, 20.0]


def test_data_sheet_that_is_not_first(workdir):
    source = open_source("report.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir)
    assert source.sheets == ["表紙", "データ", "メモ"] and source.sheet == "データ"
    assert source.header_row == 1 and source.columns == ["月", "リード", "商談", "受注"]
    assert source.frame.shape == (5, 4)
    assert source.frame.iloc[0].tolist() == ["2025-01", 400.0, 80.0, 20.0]


def test_unknown_sheet_lists_the_sheets(workdir):
    with pytest.raises(IntakeError) as caught:
        open_source("report.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir, sheet="Sheet9")
    error = caught.value
    assert error.code == "sheet_missing"
    assert all(s in error.message for s in ["report.xlsx", "Sheet9", "'表紙'", "'データ'", "'メモ'"])


def test_chosen_sheet_without_table(workdir):
    with pytest.raises(IntakeError) as caught:
        open_source("report.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir, sheet="表紙")
    assert caught.value.code == "no_rows" and "表紙" in caught.value.message


def test_xlsx_from_path(workdir, tmp_path):
    path = tmp_path / "report.bin"  # the extension does not matter
    path.write_bytes(bad_files.xlsx_data_not_first())
    source = open_source("report.xlsx", path, workdir=workdir)
    assert source.sheet == "データ" and len(source.frame) == 5


def test_list_sheets(tmp_path):
    assert list_sheets("kpi.xlsx", bad_files.xlsx_with_titles_and_hidden_sheet()) == ["KPI", "raw"]
    path = tmp_path / "r.xlsx"
    path.write_bytes(bad_files.xlsx_data_not_first())
    assert list_sheets("r.xlsx", path) == ["表紙", "データ", "メモ"]
    assert list_sheets("a.csv", b"a,b\n1,2\n") == []
    with pytest.raises(IntakeError) as caught:
        list_sheets("sales.xlsx", bad_files.encrypted_xlsx_like())
    assert caught.value.code == "encrypted"


# ------------------------------------------------------------------------------------ names are text


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c.csv", "/tmp/evil.csv", "..", "C:\\x\\y.csv"])
def test_file_name_never_becomes_a_path(name, tmp_path, monkeypatch):
    workdir = tmp_path / "work"
    cwd = tmp_path / "deep" / "cwd"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    before = files_under(tmp_path)
    # cp932 content forces a converted copy to be written.
    source = open_source(name, bad_files.cp932_csv_with_titles(), workdir=workdir)
    created = files_under(tmp_path) - before
    assert created == {source.csv_path}
    assert source.csv_path.parent == workdir
    assert re.fullmatch(r"source_[0-9a-f]{32}\.csv", source.csv_path.name)  # generated, nothing from the name
    assert source.name == name


# ------------------------------------------------------------------------------- multi-line quoted cells


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 4 * 1024 * 1024])
@pytest.mark.parametrize(
    ("text", "multiline"),
    [
        ('title "x\r\n\r\nid,note\r\n1,"a\r\nb"\r\n2,c\r\n', True),  # the quote in the title line is not counted
        ('title "x\r\n\r\nid,note\r\n1,"a ""b"""\r\n2,"c"\r\n', False),  # quoted, one line each
        ('"売上\n(速報)"\nid,note\n1,a\n', False),  # the multi-line cell is in the title, above the header
        ("id,note\n1,a\n2,b\n", False),  # no quote at all
        ('id,note\n1,"a\rb"\n', True),  # a lone CR inside a quoted cell
    ],
)
def test_quoted_line_break_is_detected_below_the_header(text, multiline, chunk, workdir, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CHUNK_BYTES", chunk)  # quote parity and CRLF pairs carried across chunks
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode())
    for data in (path, text.encode("cp932"), text.encode("utf-16")):
        assert open_source("m.csv", data, workdir=workdir).multiline is multiline


def test_record_start_lines_count_every_line(workdir):
    text = 'title\r\n\r\nid,"note\r\n(text)"\r\n1,"a\r\n\r\nb"\r\n\r\n2, "c\r\nd"\r\n3,e\r\n4,"f"'
    # lines: 1 title, 2 blank, 3-4 header, 5-7 row 0, 8 blank, 9-10 row 1 (a quote after a blank opens a cell,
    # as DuckDB reads it), 11 row 2, 12 row 3 (no line break at the end)
    for data in (text.encode(), text.encode("cp932"), text.encode("utf-16")):
        source = open_source("r.csv", data, workdir=workdir)
        assert source.header_row == 3 and source.multiline
        assert files.record_start_lines(source, [3, 0, 2, 1, 9]) == {0: 5, 1: 9, 2: 11, 3: 12}
