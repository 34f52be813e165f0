"""File structure problems: lines with too many fields, rows saved as one quoted cell, blank and summary rows,
and the wording of every refusal. Files are made here; every expected line number is counted by hand."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import BadLine, SourceFile, list_sheets, open_source
from kpi_core.intake.tables import SourceTable, file_row, load_source, rows_as_file_lines
from tests import bad_files


@dataclass
class Listed:
    """A row as the lead lists it (a reject or a skipped row): a file and a row number."""

    file: str
    row: int


def read(name: str, data: bytes | Path, workdir: Path) -> tuple[SourceFile, duckdb.DuckDBPyConnection, SourceTable]:
    source = open_source(name, data, workdir=workdir)
    con = duckdb.connect()
    return source, con, load_source(con, 0, source)


def rows(con: duckdb.DuckDBPyConnection, table: str = "src0") -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def lines_of(source: SourceFile, table: SourceTable, rowids: list[int]) -> list[int]:
    """Where a person finds each DuckDB row: file_row, then rows_as_file_lines, as the lead numbers rows."""
    listed = [Listed(source.name, file_row(source, rowid)) for rowid in rowids]
    rows_as_file_lines(listed, [source], [table])
    return [item.row for item in listed]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


# ------------------------------------------------------------------------------------ too many fields


def test_ragged_line_in_the_middle_is_left_out_alone(workdir: Path) -> None:
    text = (
        "id,stage,amount\n"  # line 1: header, 3 fields
        "1,Won,100\n"  # line 2: rowid 0
        "2,Lost,200\n"  # line 3: rowid 1
        "3,Won,300,oops\n"  # line 4: 4 fields, left out
        "4,Open,400\n"  # line 5: rowid 2
        "\n"  # line 6: empty, DuckDB skips it
        "5,Won,500\n"  # line 7: rowid 3
    )
    source, con, table = read("deals.csv", text.encode(), workdir)
    assert table == SourceTable(rows=4, bad_lines=[BadLine(line=4, fields=4, expected=3)], skipped=0)
    assert source.bad_lines == table.bad_lines
    assert rows(con) == [(1, "Won", 100), (2, "Lost", 200), (4, "Open", 400), (5, "Won", 500)]
    assert lines_of(source, table, [0, 1, 2, 3]) == [2, 3, 5, 7]


def test_several_ragged_lines_and_field_counts(workdir: Path, tmp_path: Path) -> None:
    text = (
        "a;b\r\n"  # line 1
        "1;x;;z\r\n"  # line 2: 4 fields
        "2;y\r\n"  # line 3: rowid 0
        "3\r\n"  # line 4: rowid 1 (too few fields: padded with a null)
        '4;"q;r";s\r\n'  # line 5: 3 fields (the quoted ';' is no separator)
        "5;w\r\n"  # line 6: rowid 2
    )
    path = tmp_path / "semi.csv"
    path.write_bytes(text.encode())
    source, con, table = read("semi.csv", path, workdir)
    assert source.csv_path == path  # UTF-8 from a path: read in place
    assert table.bad_lines == [BadLine(2, 4, 2), BadLine(5, 3, 2)]
    assert rows(con) == [(2, "y"), (3, None), (5, "w")]
    assert lines_of(source, table, [0, 1, 2]) == [3, 4, 6]


def test_ragged_line_in_a_cp932_file(workdir: Path) -> None:
    text = (
        "商談一覧（2025年度）\r\n"  # line 1: title
        "\r\n"  # line 2: blank
        "商談ID,フェーズ,金額\r\n"  # line 3: header
        "D1,受注,100\r\n"  # line 4: rowid 0
        "D2,失注,200,余計な値\r\n"  # line 5: 4 fields, left out
        "D3,提案,300\r\n"  # line 6: rowid 1
    )
    source, con, table = read("商談.csv", text.encode("cp932"), workdir)
    assert (source.encoding, source.header_row, source.skip_lines) == ("cp932", 3, 0)  # a UTF-8 copy from line 3
    assert table.bad_lines == [BadLine(5, 4, 3)]
    assert rows(con) == [("D1", "受注", 100), ("D3", "提案", 300)]
    assert lines_of(source, table, [0, 1]) == [4, 6]


def test_ragged_line_below_title_lines_read_in_place(workdir: Path, tmp_path: Path) -> None:
    text = (
        "Deals export (CRM)\n"  # line 1: title
        "\n"  # line 2: blank
        "id,owner,amount\n"  # line 3: header
        "A1,Ann,10\n"  # line 4: rowid 0
        "\n"  # line 5: blank
        "A2,Bob,20,30,40\n"  # line 6: 5 fields, left out
        "A3,Cy,30\n"  # line 7: rowid 1
        "A4,Di,,\n"  # line 8: rowid 2 (a trailing separator: one empty field more is accepted)
    )
    path = tmp_path / "deals.csv"
    path.write_bytes(text.encode())
    source, con, table = read("deals.csv", path, workdir)
    assert (source.header_row, source.skip_lines) == (3, 2)
    assert table.bad_lines == [BadLine(6, 5, 3)]
    assert rows(con) == [("A1", "Ann", 10), ("A3", "Cy", 30), ("A4", "Di", None)]
    assert lines_of(source, table, [0, 1, 2]) == [4, 7, 8]


def test_ragged_line_next_to_multiline_cells(workdir: Path) -> None:
    text = (
        "id,note,amount\n"  # line 1
        '1,"a\n'  # line 2: rowid 0 starts
        'b",100\n'  # line 3
        "2,x,200,extra\n"  # line 4: 4 fields, left out
        '3,"c\n'  # line 5: 4 fields over two lines, left out
        'd",300,more\n'  # line 6
        "\n"  # line 7: blank
        '4,"e",400\n'  # line 8: rowid 1
    )
    source, con, table = read("notes.csv", text.encode(), workdir)
    assert source.multiline
    assert table.bad_lines == [BadLine(4, 4, 3), BadLine(5, 4, 3)]
    assert rows(con) == [(1, "a\nb", 100), (4, "e", 400)]
    assert lines_of(source, table, [0, 1]) == [2, 8]


def big_file(rows: int, bad_at: int | None, late_value: tuple[int, str] | None = None) -> str:
    """A header and ``rows`` data lines "i,owner,i*10" (line i + 2 holds row i); ``bad_at`` gets a 4th field."""
    lines = ["id,owner,amount"]
    for i in range(rows):
        amount = late_value[1] if late_value and i == late_value[0] else str(i * 10)
        line = f"{i},o{i % 7},{amount}"
        lines.append(line + ",extra" if bad_at is not None and i + 2 == bad_at else line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bad_at", [10, 24_000])  # inside DuckDB's 20,480-row sniffing sample, and past it
def test_ragged_line_inside_or_past_the_sniffing_sample(bad_at: int, workdir: Path) -> None:
    source, con, table = read("big.csv", big_file(25_000, bad_at).encode(), workdir)
    assert table.rows == 24_999 and table.bad_lines == [BadLine(bad_at, 4, 3)]
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE src0)").fetchall())
    assert types == {"id": "BIGINT", "owner": "VARCHAR", "amount": "BIGINT"}  # typed as without the bad line
    # Row bad_at - 2 (0-based) was left out: rowid bad_at - 2 now holds the next line's row.
    assert con.execute(f"SELECT id FROM src0 WHERE rowid = {bad_at - 2}").fetchall() == [(bad_at - 1,)]
    assert lines_of(source, table, [0, bad_at - 3, bad_at - 2, 24_998]) == [2, bad_at - 1, bad_at + 1, 25_001]


def test_value_past_the_sample_that_does_not_fit_keeps_its_row(workdir: Path) -> None:
    # Row 22,000 has "n/a" in a column sniffed as BIGINT from the first 20,480 rows: ignore_errors must not drop
    # that row. Without a ragged line the whole file is sniffed again (as before); with one, that column is text.
    for bad_at, expected in ((None, []), (100, [BadLine(100, 4, 3)])):
        text = big_file(25_000, bad_at, late_value=(22_000, "n/a"))
        _, con, table = read("late.csv", text.encode(), workdir)
        assert (table.rows, table.bad_lines) == (25_000 - len(expected), expected)
        assert con.execute("SELECT amount FROM src0 WHERE id = 22000").fetchall() == [("n/a",)]
        assert con.execute("SELECT amount FROM src0 WHERE id = 21999").fetchall() == [("219990",)]


def test_file_the_strict_reader_refuses_still_loads(workdir: Path) -> None:
    # '"x" y' (text after a closing quote) is refused by DuckDB's strict reader: the file is read as before the
    # strict reader, where the line with a 4th field keeps its first three values (nothing is listed for it).
    text = 'id,size,note\n1,"x" y,z\n2,a,b\n3,c,d,e\n'
    _, con, table = read("quirky.csv", text.encode(), workdir)
    assert (table.rows, table.bad_lines) == (3, [])
    assert [r[0] for r in rows(con)] == [1, 2, 3]


def test_most_rows_wider_than_the_header_is_refused(workdir: Path) -> None:
    text = "id,stage\n1,Won,100\n2,Lost,200\n3,Won,300\n"  # the amount column has no name
    with pytest.raises(IntakeError) as caught:
        open_source("nameless.csv", text.encode(), workdir=workdir)
    assert caught.value.code == "too_many_fields"
    assert caught.value.message == (
        "nameless.csv: most rows have 3 values but the header row names only 2 columns: give every column a name "
        "in the header row (or remove the extra values) and upload again."
    )


def test_most_lines_wider_past_the_first_rows_is_refused(workdir: Path) -> None:
    # 60 rows fit the header; the next 100 have a 4th value (a column added to the export without a name).
    text = "id,stage,amount\n" + "".join(f"{i},Won,{i}\n" for i in range(60))
    text += "".join(f"{i},Won,{i},web\n" for i in range(60, 160))
    source = open_source("grown.csv", text.encode(), workdir=workdir)  # the first 50 rows look fine
    with pytest.raises(IntakeError) as caught:
        load_source(duckdb.connect(), 0, source)
    assert caught.value.code == "too_many_fields"
    assert caught.value.message == (
        "grown.csv: 100 rows have more values than the 3 columns the header row names: give every column a name "
        "in the header row (or remove the extra values) and upload again."
    )
    assert_clean(caught.value, "grown.csv")


# ------------------------------------------------------------------------------ rows as one quoted cell


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "cp932"), (",", "utf-16")]
)
def test_every_line_one_quoted_cell_is_unwrapped(delimiter: str, encoding: str, workdir: Path) -> None:
    d = delimiter
    text = (
        f'"id{d}stage{d}amount{d}note"\r\n'  # line 1: header
        f'"1{d}受注{d}100{d}plain"\r\n'  # line 2: rowid 0
        f'"2{d}失注{d}200{d}""quoted{d} text"""\r\n'  # line 3: rowid 1, a quoted cell inside (quotes doubled)
        "\r\n"  # line 4: blank
        f'"3{d}提案{d}300{d}"\r\n'  # line 5: rowid 2, empty note
    )
    source, con, table = read("wrapped.csv", text.encode(encoding), workdir)
    assert source.unwrapped and source.encoding == encoding
    assert (source.columns, source.delimiter, source.header_row) == (["id", "stage", "amount", "note"], d, 1)
    assert source.csv_path.parent == workdir
    assert re.fullmatch(r"source_[0-9a-f]{32}\.csv", source.csv_path.name)  # generated, nothing from the name
    assert rows(con) == [(1, "受注", 100, "plain"), (2, "失注", 200, f"quoted{d} text"), (3, "提案", 300, None)]
    assert table.bad_lines == []
    assert lines_of(source, table, [0, 1, 2]) == [2, 3, 5]  # the copy keeps every line where it was


def test_wrapped_lines_with_a_title_above(workdir: Path) -> None:
    text = '売上一覧\n"id,amount"\n"A,1"\n"B,2"\n"C,3"\n'  # an unquoted title line is allowed above
    source, con, _ = read("t.csv", text.encode(), workdir)
    assert source.unwrapped and source.header_row == 2 and source.columns == ["id", "amount"]
    assert rows(con) == [("A", 1), ("B", 2), ("C", 3)]


def test_one_column_with_separators_that_cannot_be_unwrapped(workdir: Path) -> None:
    text = '"id,stage,amount"\n"1,Won"\n"2;Lost;200;x"\n"3"\n"4,Won,400,5,6"\n'  # no common width
    with pytest.raises(IntakeError) as caught:
        open_source("one.csv", text.encode(), workdir=workdir)
    assert caught.value.code == "one_column" and caught.value.file == "one.csv"
    assert caught.value.message == (
        "one.csv: every line holds one quoted cell with separators inside: save it again as a normal CSV "
        "(one value per column) and upload again."
    )
    assert list(workdir.iterdir()) == []


def test_real_one_column_file_is_left_alone(workdir: Path) -> None:
    # Quoted notes with commas under a plain header: a one-column file, not rows saved as one cell.
    text = 'note\n"Met the buyer, next: demo"\n"Called, no answer"\n"Sent the quote"\n'
    source, con, _ = read("notes.csv", text.encode(), workdir)
    assert not source.unwrapped and source.columns == ["note"]
    assert [r[0] for r in rows(con)] == ["Met the buyer, next: demo", "Called, no answer", "Sent the quote"]


# ------------------------------------------------------------------------------- blank and summary rows


def test_csv_blank_and_total_lines_are_listed(workdir: Path) -> None:
    text = (
        "id,stage,owner,amount\n"  # line 1
        "1,Won,Sato,100\n"  # line 2: rowid 0
        ",,,\n"  # line 3: rowid 1, blank row
        "2,Lost,Ito,200\n"  # line 4: rowid 2
        "\n"  # line 5: empty line, no row at all
        "Total,,,5000\n"  # line 6: rowid 3, summary row
        ",Ｓｕｂ Ｔｏｔａｌ：,,300\n"  # line 7: rowid 4, first non-blank cell folds to "subtotal"
        "3,Won,Totally,7\n"  # line 8: rowid 5, a word that only starts like a label
    )
    source, con, table = read("deals.csv", text.encode(), workdir)
    assert (table.rows, table.skipped) == (6, 3)
    skipped = rows(con, "skip0")
    assert skipped == [(1, "blank_row", ""), (3, "summary_row", "Total"), (4, "summary_row", "Ｓｕｂ Ｔｏｔａｌ：")]
    types = con.execute("SELECT column_name, column_type FROM (DESCRIBE skip0)").fetchall()
    assert types == [("rowid", "BIGINT"), ("reason", "VARCHAR"), ("text", "VARCHAR")]
    assert lines_of(source, table, [r[0] for r in skipped]) == [3, 6, 7]


def test_skip_table_exists_when_nothing_is_skipped(workdir: Path) -> None:
    _, con, table = read("ok.csv", b"id,amount\n1,10\n2,20\n", workdir)
    assert table.skipped == 0 and rows(con, "skip0") == []


def test_whitespace_cells_make_a_blank_row(workdir: Path) -> None:
    text = "name,amount\nA,1\n \t,\u3000\nB,2\n"  # line 3: a space and a tab, then an ideographic space
    _, con, table = read("ws.csv", text.encode(), workdir)
    assert rows(con, "skip0") == [(1, "blank_row", "")] and table.skipped == 1


def write_xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "商談"
    for row in rows:
        sheet.append(row)
    sheet["A12"].font = openpyxl.styles.Font(bold=True)  # a formatted, empty cell far below the table
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_blank_and_total_rows_keep_excel_row_numbers(workdir: Path) -> None:
    data = write_xlsx(
        [
            ["商談一覧"],  # row 1: title
            [],  # row 2
            ["商談ID", "作成日", "フェーズ", "金額"],  # row 3: header
            ["D1", dt.datetime(2025, 4, 1), "受注", 100],  # row 4: rowid 0
            ["D2", dt.datetime(2025, 4, 2), "失注", 200],  # row 5: rowid 1
            [None, None, None, None],  # row 6: rowid 2, blank
            ["D3", dt.datetime(2025, 4, 3), "提案", 300],  # row 7: rowid 3
            [],  # row 8: rowid 4, blank
            ["合　計", None, None, 600],  # row 9: rowid 5, summary (合計 with an ideographic space)
            # rows 10-12: empty below the table (A12 only has a format): not part of the table
        ]
    )
    source, con, table = read("商談.xlsx", data, workdir)
    assert source.header_row == 3
    assert (table.rows, table.bad_lines, table.skipped) == (6, [], 3)
    skipped = rows(con, "skip0")
    assert skipped == [(2, "blank_row", ""), (4, "blank_row", ""), (5, "summary_row", "合　計")]
    assert lines_of(source, table, [r[0] for r in skipped]) == [6, 8, 9]  # the rows Excel shows


# ---------------------------------------------------------------------------------------- messages

# What must never reach the user: a path of this machine, an exception's name or text, a traceback.
FORBIDDEN = re.compile(r"/tmp|/work|Error|Exception|duckdb|Traceback|File \"|\n|\\\\|0x[0-9a-f]", re.IGNORECASE)


def refusals(tmp_path: Path) -> list[tuple[str, object]]:
    """(file name, how to open it) for every refusal open_source / list_sheets / load_source can give."""
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return [
        ("blank.csv", bad_files.empty()),
        ("spaces.csv", bad_files.whitespace_only()),
        ("noise.csv", bad_files.random_binary()),
        ("chart.png", bad_files.png_header()),
        ("report.pdf", bad_files.pdf_header()),
        ("minutes.docx", bad_files.docx_like_zip()),
        ("old.xls", bad_files.legacy_xls_header()),
        ("locked.xlsx", bad_files.encrypted_xlsx_like()),
        ("bomb.xlsx", bad_files.zip_with_many_members()),
        ("cut.xlsx", bad_files.truncated_xlsx()),
        ("broken.xlsx", bad_files.corrupt_workbook_xml_xlsx()),
        ("headers.csv", bad_files.header_only_csv()),
        ("numbers.csv", bad_files.numbers_only_csv()),
        ("legacy.csv", bad_files.latin1_csv()),
        ("cover.xlsx", bad_files.xlsx_without_table()),
        ("gone.csv", tmp_path / "missing" / "gone.csv"),
        ("folder.csv", folder),
        ("one.csv", b'"id,stage,amount"\n"1,Won"\n"2;Lost;200;x"\n"3"\n"4,Won,400,5,6"\n'),
        ("nameless.csv", b"id,stage\n1,Won,100\n2,Lost,200\n3,Won,300\n"),
    ]


def assert_clean(error: IntakeError, name: str) -> None:
    assert name in error.message and ": " in error.message
    assert not FORBIDDEN.search(error.message.replace(name, "")), error.message


def test_no_refusal_shows_a_path_or_an_internal_error(workdir: Path, tmp_path: Path) -> None:
    for name, data in refusals(tmp_path):
        with pytest.raises(IntakeError) as caught:
            open_source(name, data, workdir=workdir)
        assert_clean(caught.value, name)
    for name, data in [("big.csv", b"a,b\n1,2\n" * 100)]:
        with pytest.raises(IntakeError) as caught:
            open_source(name, data, workdir=workdir, max_bytes=100)
        assert caught.value.code == "too_large"
        assert_clean(caught.value, name)
    for sheet in ("Sheet9", "表紙"):  # no such sheet; a sheet without a table
        with pytest.raises(IntakeError) as caught:
            open_source("report.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir, sheet=sheet)
        assert_clean(caught.value, "report.xlsx")
    with pytest.raises(IntakeError) as caught:
        list_sheets("locked.xlsx", bad_files.encrypted_xlsx_like())
    assert_clean(caught.value, "locked.xlsx")


def test_parser_crash_is_logged_not_shown(workdir: Path, monkeypatch, caplog) -> None:
    def explode(self, name):
        raise RuntimeError("internal calamine failure in /tmp/x")

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", explode)
    with caplog.at_level(logging.WARNING, logger="kpi_core.intake.files"), pytest.raises(IntakeError) as caught:
        open_source("kpi.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir)
    assert_clean(caught.value, "kpi.xlsx")
    assert any(r.exc_info and "calamine failure" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("case", ["deleted", "line_too_long"])
def test_csv_duckdb_cannot_read_is_one_sentence(case: str, workdir: Path, tmp_path: Path, caplog) -> None:
    path = tmp_path / "export.csv"
    if case == "deleted":
        path.write_bytes(b"id,amount\n1,10\n")
    else:  # a 3 MB cell: over DuckDB's longest line, in either reader
        path.write_bytes(b"id,note\n1,short\n2," + b"x" * (3 * 1024 * 1024) + b"\n")
    source = open_source("export.csv", path, workdir=workdir)
    if case == "deleted":
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="kpi_core.intake.tables"), pytest.raises(IntakeError) as caught:
        load_source(duckdb.connect(), 0, source)
    assert caught.value.code == "unreadable" and caught.value.file == "export.csv"
    assert caught.value.message == (
        "export.csv could not be read as CSV: open it in Excel or a text editor, save it again as "
        "'CSV UTF-8 (comma delimited)', and upload that."
    )
    assert_clean(caught.value, "export.csv")
    assert any(r.exc_info for r in caplog.records)  # DuckDB's own words are in the log
