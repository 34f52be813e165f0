"""Hostile files an attacker test found (issue 10), made here, with the sentence each must give.

Every risky parse runs through the sandbox: a native abort in the Excel reader kills a child process, never this
one. Each refusal is one sentence naming the file; the process goes on and reads the next file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import re
import time
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pytest

from kpi_core.intake import files, sandbox
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import MixedLine, list_sheets, open_source
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.intake.tables import load_source
from tests import bad_files
from tests.bilingual import assert_bilingual

FORBIDDEN = re.compile(r"/tmp|/work|Error|Exception|duckdb|Traceback|File \"|\n|\\\\|0x[0-9a-f]", re.IGNORECASE)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def sandbox_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No scan before the reader and no in-process parse: the Excel reader meets the raw file in the child."""
    monkeypatch.setattr(files, "INPROCESS_MAX_BYTES", 0)
    monkeypatch.setattr(files, "PRESCAN_MAX_BYTES", 0)


def refusal(name: str, data: bytes | Path, workdir: Path, **kwargs: object) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        open_source(name, data, workdir=workdir, **kwargs)
    error = caught.value
    assert error.file == name and error.message.startswith(name)
    assert str(error) == error.message
    assert not FORBIDDEN.search(error.message.replace(name, "")), error.message  # one sentence, nothing internal
    assert not FORBIDDEN.search(error.message("ja").replace(name, "")), error.message("ja")
    assert_bilingual(error)  # the same sentence in Japanese, naming the file
    assert list(workdir.iterdir()) == []  # nothing left behind
    return error


def still_reads(workdir: Path) -> None:
    """The process survived and reads the next workbook."""
    source = open_source("next.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir)
    assert source.sheet == "データ" and source.frame.shape == (5, 4)


# ------------------------------------------------------------------------------------------ far cells


def test_single_cell_at_xfd1048576_is_one_cell(workdir: Path) -> None:
    # The only cell sits in Excel's last corner: the used range is that one cell, not 17 billion.
    data = bad_files.xlsx_single_far_cell("XFD1048576")
    assert len(data) < 2000
    start = time.perf_counter()
    error = refusal("corner.xlsx", data, workdir)
    assert time.perf_counter() - start < 5
    assert error.code == "no_rows"
    assert error.message == (
        "corner.xlsx has no table on any visible sheet (a row of column names with data below it): put the data "
        "under one header row on a visible sheet and upload again."
    )
    still_reads(workdir)


def test_single_cell_at_xfd1048576_in_the_sandbox(workdir: Path, sandbox_only: None) -> None:
    error = refusal("corner.xlsx", bad_files.xlsx_single_far_cell("XFD1048576"), workdir)
    assert error.code == "no_rows"
    still_reads(workdir)


def test_lying_dimension_is_refused_before_any_reader(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # <dimension ref="A1:D6"> but a value at XFD1048576: the cells decide, and nothing is parsed by the reader.
    def no_reader(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Excel reader ran")

    monkeypatch.setattr(files, "_read_in_process", no_reader)
    monkeypatch.setattr(files, "_read_sandboxed", no_reader)
    error = refusal("lie.xlsx", bad_files.xlsx_lying_dimension(), workdir)
    assert error.code == "too_many_cells"
    assert error.message == (
        "lie.xlsx: this workbook claims 17,179,869,184 cells (sheet 'Data', A1:XFD1048576), more than the "
        "25,000,000 this app reads: save the sheet with only its table, or export it as CSV."
    )


def test_native_abort_in_the_reader_is_one_sentence(workdir: Path, sandbox_only: None, caplog) -> None:
    # Unchecked, calamine asks for 549,755,813,888 bytes and aborts (SIGABRT): only the child dies.
    error = refusal("lie.xlsx", bad_files.xlsx_lying_dimension(), workdir)
    assert error.code == "too_many_cells"
    assert error.message == (
        "lie.xlsx: this workbook claims 17,179,869,184 cells (sheet 'Data', A1:XFD1048576), more than this app can "
        "read safely: save the sheet with only its table, or export it as CSV."
    )
    assert any("sandboxed Excel reader failed (memory)" in r.getMessage() for r in caplog.records)
    still_reads(workdir)


def test_table_with_a_value_at_xfd5000(workdir: Path) -> None:
    start = time.perf_counter()
    error = refusal("wide.xlsx", bad_files.xlsx_table_with_far_cell("XFD5000"), workdir)
    assert time.perf_counter() - start < 2
    assert error.code == "too_many_cells"
    assert error.message == (
        "wide.xlsx: this workbook claims 81,920,000 cells (sheet 'Data', A1:XFD5000), more than the 25,000,000 "
        "this app reads: save the sheet with only its table, or export it as CSV."
    )


def test_xfd5000_in_a_sandbox_out_of_memory(workdir: Path, sandbox_only: None, monkeypatch) -> None:
    # With a 1 GiB child the reader's 2.6 GB range fails at once; the sentence comes from scanning afterwards.
    monkeypatch.setattr(sandbox, "SANDBOX_MEMORY_BYTES", 1024**3)
    error = refusal("wide.xlsx", bad_files.xlsx_table_with_far_cell("XFD5000"), workdir)
    assert error.code == "too_many_cells"
    assert "claims 81,920,000 cells (sheet 'Data', A1:XFD5000), more than this app can read safely" in error.message
    still_reads(workdir)


def test_table_with_a_value_at_xfd1000_is_nearly_empty(workdir: Path) -> None:
    error = refusal("far.xlsx", bad_files.xlsx_table_with_far_cell("XFD1000"), workdir)
    assert error.code == "too_many_cells"
    assert error.message == (
        "far.xlsx: this workbook claims 16,384,000 cells (sheet 'Data', A1:XFD1000) but only 25 hold a value: "
        "save the sheet with only its table, or export it as CSV."
    )


def test_value_at_g1048576_is_not_a_million_blank_rows(workdir: Path) -> None:
    error = refusal("g.xlsx", bad_files.xlsx_table_with_far_cell("G1048576"), workdir)
    assert error.code == "too_many_cells"
    assert error.message == (
        "g.xlsx: this workbook claims 7,340,032 cells (sheet 'Data', A1:G1048576) but only 25 hold a value: "
        "save the sheet with only its table, or export it as CSV."
    )


def test_value_at_g1048576_in_the_sandbox(workdir: Path, sandbox_only: None) -> None:
    # The child measures the range calamine built (7.3M cells, within the budget) and counts its values.
    error = refusal("g.xlsx", bad_files.xlsx_table_with_far_cell("G1048576"), workdir)
    assert error.code == "too_many_cells" and "but only 25 hold a value" in error.message
    still_reads(workdir)


def test_through_load_dataset_the_server_lives_on() -> None:
    pid = os.getpid()
    for name, data in [
        ("corner.xlsx", bad_files.xlsx_single_far_cell()),
        ("lie.xlsx", bad_files.xlsx_lying_dimension()),
        ("g.xlsx", bad_files.xlsx_table_with_far_cell("G1048576")),
    ]:
        with pytest.raises(IntakeError) as caught:
            load_dataset([FileInput(name, data)])
        assert caught.value.message.startswith(name)
    assert os.getpid() == pid
    dataset = load_dataset([FileInput("ok.xlsx", bad_files.xlsx_from_sheet_xml(bad_files.small_table_xml()))])
    assert dataset.rows_used == 5


def test_too_many_table_columns(workdir: Path) -> None:
    header = "".join(f'<c r="{files._column_letters(i)}1" t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(1200))
    values = "".join(f'<c r="{files._column_letters(i)}2"><v>{i}</v></c>' for i in range(1200))
    data = bad_files.xlsx_from_sheet_xml(f'<row r="1">{header}</row><row r="2">{values}</row>')
    error = refusal("cols.xlsx", data, workdir)
    assert error.code == "too_many_columns"
    assert error.message == (
        "cols.xlsx: the table on sheet 'Data' has 1,200 columns, more than the 1,000 this app reads: save the sheet "
        "with only its table, or export it as CSV."
    )


def test_chosen_sheet_over_the_limits_and_a_small_hidden_one(workdir: Path) -> None:
    # Only the sheets read count: a far cell on another sheet does not refuse the chosen one.
    data = bad_files.xlsx_from_sheet_xml(bad_files.small_table_xml(), extra_sheets=1)
    source = open_source("two.xlsx", data, workdir=workdir, sheet="Data")
    assert source.sheets == ["Data", "Extra1"] and source.frame.shape == (5, 4)


# ----------------------------------------------------------------------------------- sandbox behaviour


def test_sandbox_and_in_process_give_the_same_frame(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for data in (
        bad_files.xlsx_with_titles_and_hidden_sheet(),  # dates, date-times, booleans, blanks in one table
        bad_files.xlsx_data_not_first(),
        bad_files.xlsx_cells_without_refs(30),  # positions from order, no r attributes
        bad_files.xlsx_formula_cells(),
    ):
        inside = open_source("a.xlsx", data, workdir=workdir)
        with monkeypatch.context() as patch:
            patch.setattr(files, "INPROCESS_MAX_BYTES", 0)
            outside = open_source("a.xlsx", data, workdir=workdir)
        assert (outside.sheet, outside.header_row, outside.columns) == (inside.sheet, inside.header_row, inside.columns)
        assert outside.frame.shape == inside.frame.shape
        for column in inside.columns:
            got, want = outside.frame[column].tolist(), inside.frame[column].tolist()
            assert got == want and [type(v) for v in got] == [type(v) for v in want]
        tables = []
        for source in (inside, outside):  # the table built from the sandbox's typed columns is the same
            con = duckdb.connect()
            load_source(con, 0, source)
            tables.append((con.execute("DESCRIBE src0").fetchall(), con.execute("SELECT * FROM src0").fetchall()))
        assert tables[0] == tables[1]
    assert list(workdir.iterdir()) == []


def test_cells_without_references_are_placed_in_order(workdir: Path) -> None:
    source = open_source("norefs.xlsx", bad_files.xlsx_cells_without_refs(5), workdir=workdir)
    assert source.columns == ["col0", "col1", "col2", "col3", "col4"]
    assert source.frame.iloc[0].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_formulas_are_read_as_their_values(workdir: Path) -> None:
    source = open_source("f.xlsx", bad_files.xlsx_formula_cells(), workdir=workdir)
    assert source.columns == ["id", "amount", "note"]
    assert source.frame["amount"].tolist()[0] == 3.0
    assert source.frame["note"].tolist() == ['=HYPERLINK("http://x")', "+cmd"]  # text stays text


def test_sandbox_timeout_is_one_sentence(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "INPROCESS_MAX_BYTES", 0)
    monkeypatch.setattr(sandbox, "SANDBOX_TIMEOUT_SECONDS", 0.0)
    monkeypatch.setattr(sandbox, "SANDBOX_KEEP_SPARE", False)
    error = refusal("slow.xlsx", bad_files.xlsx_data_not_first(), workdir)
    assert error.code == "too_slow"
    assert error.message == (
        "slow.xlsx took longer than 0 seconds to read: save the sheet with only its table, or export it as CSV."
    )


def test_sandbox_child_gets_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_SECRET_TOKEN", "do-not-pass")
    env = sandbox._child_env()
    assert "KPI_SECRET_TOKEN" not in env and not any("SECRET" in k or "TOKEN" in k for k in env)
    assert set(env) <= {"LC_ALL", "LANG", "PATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                        "NUMEXPR_NUM_THREADS", "PYTHONIOENCODING", "PYTHONHASHSEED"}  # fmt: skip


def test_sandbox_refuses_unknown_tasks(workdir: Path) -> None:
    with pytest.raises(ValueError):
        sandbox.run("os.system", {}, workdir=workdir)


def test_file_name_never_becomes_a_path_for_a_sandboxed_workbook(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(files, "INPROCESS_MAX_BYTES", 0)
    workdir = tmp_path / "work"
    source = open_source("../../etc/passwd.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir)
    assert source.frame.shape == (5, 4)
    assert list(workdir.iterdir()) == []  # the copy and the answer file had generated names and are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_list_sheets_of_a_big_workbook_goes_through_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "INPROCESS_MAX_BYTES", 0)
    assert list_sheets("r.xlsx", bad_files.xlsx_data_not_first()) == ["表紙", "データ", "メモ"]
    with pytest.raises(IntakeError) as caught:
        list_sheets("sales.xlsx", bad_files.encrypted_xlsx_like())
    assert caught.value.code == "encrypted"


def test_cell_codec_round_trip() -> None:
    values = [
        [1.5, "a\x00b", dt.date(2025, 4, 1), True, None],
        [float("nan"), "", dt.date(2025, 4, 2), False, 7],
        [None, "日本語", None, None, dt.time(23, 59, 59, 999999)],
        [2.0, None, dt.date(1900, 1, 1), None, dt.timedelta(days=-1, microseconds=5)],
    ]
    data = np.empty((4, 5), dtype=object)
    for i, row in enumerate(values):
        data[i, :] = row
    extra = np.array(
        [
            [dt.datetime(1, 1, 1)],
            [dt.datetime(9999, 12, 31, 23, 59, 59, 999999)],
            [None],
            [dt.datetime(2025, 4, 2, 9, 30, 1, 123456)],
        ]
    )
    data = np.concatenate([data, extra.astype(object)], axis=1)
    metas, buffers = sandbox.encode_columns(data)
    assert [m["kind"] for m in metas] == ["float", "mixed", "date", "mixed", "mixed", "datetime"]
    decoded = sandbox.decode_columns(metas, [memoryview(b) for b in buffers], 4)
    for j, column in enumerate(decoded):
        for got, want in zip(column.tolist(), data[:, j].tolist(), strict=True):
            if isinstance(want, float) and want != want:
                assert got != got
            else:
                assert got == want and type(got) is type(want)


def test_cell_codec_rejects_inconsistent_answers() -> None:
    metas, buffers = sandbox.encode_columns(np.array([[1.0], [2.0]], dtype=object))
    views = [memoryview(b) for b in buffers]
    with pytest.raises(ValueError):
        sandbox.decode_columns(metas, views, 3)
    with pytest.raises(ValueError):
        sandbox.decode_columns([{"kind": "float", "buffers": [5, 9]}], views, 2)
    with pytest.raises(ValueError):
        sandbox.decode_columns([{"kind": "pickle", "buffers": [0]}], views, 2)


# ---------------------------------------------------------------------------------------------- csv


def test_ten_thousand_columns_are_refused_fast(workdir: Path) -> None:
    data = bad_files.csv_many_columns(10_000)
    start = time.perf_counter()
    error = refusal("wide.csv", data, workdir)
    assert time.perf_counter() - start < 2
    assert error.code == "too_many_columns"
    assert error.message == (
        "wide.csv has 10,000 columns, more than the 1,000 this app reads: keep only the columns you need "
        "(or split the file) and upload again."
    )
    start = time.perf_counter()
    with pytest.raises(IntakeError):
        load_dataset([FileInput("wide.csv", data)])
    assert time.perf_counter() - start < 2


def test_a_thousand_columns_are_read(workdir: Path) -> None:
    source = open_source("ok.csv", bad_files.csv_many_columns(1_000, rows=3), workdir=workdir)
    assert len(source.columns) == 1_000


def test_line_too_long_is_one_sentence(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_LINE_CHARS", 1000)
    text = "id,note\n1,short\n2," + "x" * 1500 + "\n3,y\n"
    for data in (text.encode(), text.encode("utf-16"), text.encode() + "日本".encode("cp932")):
        error = refusal("long.csv", data, workdir)
        assert error.code == "line_too_long"
        assert error.message.startswith("long.csv: line 3 is longer than")


def test_line_count_is_kept_across_chunks(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "CHUNK_BYTES", 7)
    monkeypatch.setattr(files, "MAX_LINE_CHARS", 20)
    for index, newline in enumerate(("\r\n", "\n", "\r")):  # CRLF pairs split across chunks
        text = newline.join(["a,b", "1,2", "", "3,4", "5," + "y" * 30, "6,z"]) + newline  # line 5 is too long
        workdir = workdir.parent / f"work{index}"
        workdir.mkdir()
        error = refusal("c.csv", text.encode(), workdir)
        assert error.message == (
            "c.csv: line 5 is longer than 20 characters (a missing line break or an unclosed quote?): fix or remove "
            "that line and upload again."
        )
        assert open_source("c.csv", text[: text.rindex("5,")].encode(), workdir=workdir).lines == 4


def test_utf8_file_with_one_shift_jis_line_keeps_its_text(workdir: Path) -> None:
    data = bad_files.utf8_csv_with_sjis_line()
    source = open_source("names.csv", data, workdir=workdir)
    assert source.encoding == "utf-8"  # not cp932: the other lines would be mojibake
    assert source.mixed_lines == [MixedLine(line=4, read_as="cp932")]  # for the lead: a warning naming line 4
    con = duckdb.connect()
    load_source(con, 0, source)
    assert con.execute("SELECT * FROM src0").fetchall() == [
        ("山田太郎", "株式会社あおば", 100),
        ("佐藤花子", "さくら商事", 200),
        ("鈴木一郎", "みどり工業", 300),  # the Shift_JIS line, read as Shift_JIS
        ("高橋次郎", "ひかり物産", 400),
    ]


def test_utf8_file_from_a_path_with_one_shift_jis_line_is_copied(workdir: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_bytes(bad_files.utf8_csv_with_sjis_line())
    source = open_source("names.csv", path, workdir=workdir)
    assert source.csv_path != path and source.csv_path.parent == workdir
    assert "鈴木一郎,みどり工業,300" in source.csv_path.read_text(encoding="utf-8")


def test_line_that_is_neither_utf8_nor_shift_jis_is_replaced_and_listed(workdir: Path) -> None:
    data = "name,city\n山田,東京\n".encode() + "Renée,Besançon\n".encode("latin-1") + "佐藤,大阪\n".encode()
    source = open_source("mix.csv", data, workdir=workdir)
    assert source.encoding == "utf-8" and source.mixed_lines == [MixedLine(3, "replaced")]
    con = duckdb.connect()
    load_source(con, 0, source)
    assert con.execute("SELECT * FROM src0").fetchall() == [
        ("山田", "東京"),
        ("Ren\ufffde", "Besan\ufffdon"),
        ("佐藤", "大阪"),
    ]


def test_shift_jis_file_with_one_utf8_line(workdir: Path) -> None:
    data = "担当者,金額\n山田太郎,100\n".encode("cp932") + "佐藤花子,200\n".encode() + "鈴木,300\n".encode("cp932")
    source = open_source("sjis.csv", data, workdir=workdir)
    assert source.encoding == "cp932" and source.mixed_lines == [MixedLine(3, "utf-8")]
    con = duckdb.connect()
    load_source(con, 0, source)
    assert con.execute("SELECT * FROM src0").fetchall() == [("山田太郎", 100), ("佐藤花子", 200), ("鈴木", 300)]


@pytest.mark.parametrize("chunk", [3, 7, 64])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_mixed_line_numbers_across_chunks(chunk: int, newline: str, workdir: Path, monkeypatch) -> None:
    monkeypatch.setattr(files, "CHUNK_BYTES", chunk)  # chunks cut inside lines, characters and CRLF pairs
    rows = ["担当者,金額", "山田太郎,100", "", "佐藤花子,200", "鈴木一郎,300", "高橋,400"]
    utf8 = newline.join(rows[:4]).encode() + newline.encode() + (rows[4] + newline).encode("cp932")
    utf8 += (rows[5] + newline).encode()
    source = open_source("u.csv", codecs.BOM_UTF8 + utf8, workdir=workdir)
    assert source.encoding == "utf-8-sig" and source.mixed_lines == [MixedLine(5, "cp932")]
    assert source.csv_path.read_bytes().decode().split(newline)[4] == "鈴木一郎,300"
    sjis = newline.join(rows[:4]).encode("cp932") + newline.encode() + (rows[4] + newline).encode()
    sjis += (rows[5] + newline).encode("cp932")
    source = open_source("s.csv", sjis, workdir=workdir)
    assert source.encoding == "cp932" and source.mixed_lines == [MixedLine(5, "utf-8")]
    assert source.csv_path.read_bytes().decode().split(newline)[4] == "鈴木一郎,300"


def test_plain_shift_jis_file_has_no_mixed_lines(workdir: Path) -> None:
    source = open_source("営業.csv", bad_files.cp932_csv_with_titles(), workdir=workdir)
    assert source.encoding == "cp932" and source.mixed_lines == [] and source.lines == 7


def test_doubled_quotes_are_one_quote(workdir: Path) -> None:
    source = open_source("q.csv", bad_files.csv_doubled_quotes(), workdir=workdir)
    con = duckdb.connect()
    table = load_source(con, 0, source)
    assert table.bad_lines == [] and table.rows == 25_003
    names = con.execute("SELECT name FROM src0 WHERE id IN (1, 25003) ORDER BY id").fetchall()
    assert names == [('Smith, "Bob"',), ('O"Neil, "Jr"',)]  # the second one is far past DuckDB's sample


def test_ragged_file_with_a_numeric_first_line_keeps_its_header(workdir: Path) -> None:
    data = bad_files.ragged_csv_numeric_first_line()
    error = refusal("ragged.csv", data, workdir)
    assert error.code == "too_many_fields"
    assert error.message == (
        "ragged.csv: most rows have 6 values but the header row names only 3 columns: give every column a name in "
        "the header row (or remove the extra values) and upload again."
    )


def test_narrow_header_above_some_wide_rows_is_the_header(workdir: Path) -> None:
    # Only a few rows carry extra values: line 2 is the header, the wide lines are listed, no row is lost.
    lines = ["20250401,3\n", "id,stage,amount\n"]
    lines += [f"D{i},Won,{i}\n" for i in range(1, 9)]
    lines[3] = "D2,Won,2,web,East,Tokyo\n"
    lines[5] = "D4,Won,4,web,West,Osaka\n"
    source = open_source("r.csv", "".join(lines).encode(), workdir=workdir)
    assert source.header_row == 2 and source.columns == ["id", "stage", "amount"]
    con = duckdb.connect()
    table = load_source(con, 0, source)
    assert [b.line for b in table.bad_lines] == [4, 6] and table.rows == 6


def test_mostly_text_data_row_is_not_taken_for_a_narrow_header(workdir: Path) -> None:
    text = "id,name,city\n" + "".join(f"{i},Ann,Tokyo,East,web,x\n" for i in range(1, 6)) + "6,Bob,Osaka\n"
    with pytest.raises(IntakeError) as caught:
        open_source("r.csv", text.encode(), workdir=workdir)
    assert caught.value.code == "too_many_fields"  # not header_row 2 with the first data row as column names


def test_workbook_written_by_openpyxl_at_the_far_corner(workdir: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "amount"])
    sheet.append(["D1", 1])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = refusal("corner.xlsx", buffer.getvalue(), workdir)
    assert error.code == "too_many_cells" and "A1:XFD1048576" in error.message
