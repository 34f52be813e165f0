"""Every sentence the intake refuses a file with, in Japanese and English, from crafted bad inputs (issue 11)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from kpi_core.intake import files
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import open_source
from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.intake.tables import load_source
from kpi_core.messages import MESSAGES
from tests import bad_files
from tests.bilingual import assert_bilingual, english_words

Case = Callable[[Path, pytest.MonkeyPatch], object]  # (workdir, monkeypatch) → raises the error


def _open(name: str, data: bytes | Path, **kwargs: object) -> Case:
    return lambda workdir, _: open_source(name, data, workdir=workdir, **kwargs)


def _open_with(limits: dict[str, int], name: str, data: bytes) -> Case:
    """open_source with some of the reader's limits lowered (a file over the real ones is slow to make)."""

    def opened(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> object:
        for limit, value in limits.items():
            monkeypatch.setattr(files, limit, value)
        return open_source(name, data, workdir=workdir)

    return opened


def _open_path(name: str, make: Callable[[Path], Path]) -> Case:
    return lambda workdir, _: open_source(name, make(workdir.parent), workdir=workdir)


def _read_table(name: str, data: bytes, *, delete: bool = False) -> Case:
    """The table read of a file open_source let through (deleted in between with ``delete``)."""

    def read(workdir: Path, _: pytest.MonkeyPatch) -> object:
        path = workdir.parent / "input.csv"
        path.write_bytes(data)
        source = open_source(name, path, workdir=workdir)
        if delete:
            path.unlink()
        return load_source(duckdb.connect(), 0, source)

    return read


def _load(*inputs: tuple[str, bytes], **options: object) -> Case:
    return lambda workdir, _: load_dataset([FileInput(n, d) for n, d in inputs], LoadOptions(**options))


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def _sheet(rows: list[list[str]]) -> bytes:
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{files._column_letters(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return bad_files.xlsx_from_sheet_xml(body)


class _Failed(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


def _sandbox(name: str, data: bytes, kind: str) -> Case:
    """What a sandboxed child that timed out or ran out of memory is reported as."""

    def fail(workdir: Path, _: pytest.MonkeyPatch) -> object:
        raise files._sandbox_failure(files._Input(name, data, None, len(data)), None, _Failed(kind))

    return fail


DEALS = b"id,created,closed,stage,amount\n1,2025-04-01,2025-04-10,Won,100\n2,2025-04-02,,Open,50\n"
WIDE_HEADER = b"id,stage\n1,Won,100\n2,Lost,200\n3,Won,300\n"
ONE_CELL = b'"id,stage,amount"\n"1,Won"\n"2;Lost;200;x"\n"3"\n"4,Won,400,5,6"\n'
MONTHS_NO_YEAR = "月,リード数,商談数,受注件数\n4月,100,20,5\n5月,80,10,3\n".encode()
UNUSABLE = b"id,created,closed,stage,amount\n1,x,2025-04-02,Won,1\n2,y,2025-04-02,Won,2\n"
NUMBERS_ONLY = [["1", "2"], ["3", "4"], ["5", "6"]]
GROWN = ("id,stage,amount\n" + "".join(f"{i},Won,{i}\n" for i in range(60))).encode()
GROWN += "".join(f"{i},Won,{i},web\n" for i in range(60, 160)).encode()
LONG_LINE = ("id,note\n1,short\n2," + "x" * 1500 + "\n3,y\n").encode()
COUNTS_ONLY = "リード数,商談数,受注件数\n100,20,5\n80,10,3\n".encode()

# (name of the case, how to get the error, the sentence expected): every error sentence of the catalogue.
CASES: list[tuple[str, Case, str]] = [
    ("empty", _open("空.csv", bad_files.empty()), "intake.empty"),
    ("blank lines", _open("spaces.csv", bad_files.whitespace_only()), "intake.empty"),
    ("random bytes", _open("noise.csv", bad_files.random_binary()), "intake.binary"),
    ("png", _open("chart.png", bad_files.png_header()), "intake.binary"),
    ("pdf", _open("report.pdf", bad_files.pdf_header()), "intake.binary"),
    ("docx", _open("minutes.docx", bad_files.docx_like_zip()), "intake.binary"),
    ("gzip", _open("data.csv.gz", b"\x1f\x8b" + bytes(100)), "intake.binary"),
    ("legacy xls", _open("old.xls", bad_files.legacy_xls_header()), "intake.legacy_xls"),
    ("encrypted", _open("sales.xlsx", bad_files.encrypted_xlsx_like()), "intake.encrypted"),
    ("xlsb", _open("book.xlsb", _zip(["xl/workbook.bin"])), "intake.other_spreadsheet"),
    ("zip bomb", _open("bomb.xlsx", bad_files.zip_bomb_xlsx()), "intake.zip_bomb"),
    ("many members", _open("many.xlsx", bad_files.zip_with_many_members()), "intake.zip_bomb"),
    ("cut off", _open("cut.xlsx", bad_files.truncated_xlsx()), "intake.damaged_zip"),
    ("broken xml", _open("broken.xlsx", bad_files.corrupt_workbook_xml_xlsx()), "intake.unreadable"),
    ("latin-1", _open("legacy.csv", bad_files.latin1_csv()), "intake.not_text"),
    ("too large", _open("big.csv", DEALS, max_bytes=10), "intake.too_large"),
    ("many columns", _open("cols.csv", bad_files.csv_many_columns(1_200, rows=2)), "intake.too_many_columns"),
    ("wide rows", _open("nameless.csv", WIDE_HEADER), "intake.header_too_narrow"),
    ("one quoted cell", _open("one.csv", ONE_CELL), "intake.one_quoted_cell"),
    ("header only", _open("headers.csv", bad_files.header_only_csv()), "intake.no_rows"),
    ("numbers only", _open("numbers.csv", bad_files.numbers_only_csv()), "intake.no_header"),
    ("no table", _open("cover.xlsx", bad_files.xlsx_without_table()), "intake.no_table"),
    ("no sheet", _open("report.xlsx", bad_files.xlsx_data_not_first(), sheet="Sheet9"), "intake.sheet_missing"),
    ("sheet header only", _open("h.xlsx", _sheet([["id", "stage"]]), sheet="Data"), "intake.no_rows_sheet"),
    ("sheet numbers only", _open("n.xlsx", _sheet(NUMBERS_ONLY), sheet="Data"), "intake.no_header_sheet"),
    ("lying dimension", _open("lie.xlsx", bad_files.xlsx_lying_dimension()), "intake.claims_too_many"),
    ("nearly empty", _open("far.xlsx", bad_files.xlsx_table_with_far_cell("XFD1000")), "intake.claims_sparse"),
    ("sandbox memory", _sandbox("lie.xlsx", bad_files.xlsx_lying_dimension(), "memory"), "intake.claims_unsafe"),
    ("sandbox memory, small", _sandbox("m.xlsx", bad_files.xlsx_data_not_first(), "memory"), "intake.too_much_memory"),
    ("sandbox timeout", _sandbox("slow.xlsx", bad_files.xlsx_data_not_first(), "timeout"), "intake.too_slow"),
    ("missing path", _open_path("gone.csv", lambda folder: folder / "gone.csv"), "intake.cannot_open"),
    ("a folder", _open_path("folder.csv", lambda folder: folder), "intake.not_regular_file"),
    ("too many cells", _open_with({"MAX_CSV_CELLS": 10}, "cells.csv", DEALS), "intake.csv_too_many_cells"),
    ("long line", _open_with({"MAX_LINE_CHARS": 1000}, "long.csv", LONG_LINE), "intake.line_too_long"),
    (
        "long line, millions",
        _open_with({"MAX_LINE_CHARS": 1024**2}, "l.csv", b"a,b\n1," + b"x" * 1024**2 + b"\n"),
        "intake.line_too_long",
    ),
    (
        "sheet columns",
        _open("cols.xlsx", _sheet([[f"c{i}" for i in range(1_200)], ["1"] * 1_200])),
        "intake.sheet_too_many_columns",
    ),
    ("rows grow wider", _read_table("grown.csv", GROWN), "intake.wide_rows"),
    ("deleted before reading", _read_table("export.csv", DEALS, delete=True), "intake.csv_unreadable"),
    ("no file", _load(), "intake.no_file"),
    ("no link", _load(("a.csv", b"x,y\n1,2\n3,4\n"), ("b.csv", b"p,q\n5,6\n7,8\n")), "intake.no_link"),
    ("no link column", _load(("a.csv", DEALS), ("b.csv", DEALS), link_key="取引先ID"), "intake.no_link_column"),
    ("months without a year", _load(("月次.csv", MONTHS_NO_YEAR)), "intake.period_without_year"),
    ("no period column", _load(("月次.csv", COUNTS_ONLY), shape="periods"), "intake.no_period"),
    ("no usable rows", _load(("bad.csv", UNUSABLE), roles={"created": "created"}), "intake.no_usable_rows"),
    ("unknown role", _load(("deals.csv", DEALS), roles={"colour": "stage"}), "intake.bad_role"),
    ("unknown column", _load(("deals.csv", DEALS), roles={"owner": "営業マン"}), "intake.bad_column"),
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.mark.parametrize(("case", "raise_it", "key"), CASES, ids=[c[0] for c in CASES])
def test_refusal_in_both_languages(
    case: str, raise_it: Case, key: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(IntakeError) as caught:
        raise_it(workdir, monkeypatch)
    error = caught.value
    assert error.key == key, error.message
    assert_bilingual(error)


def test_the_cases_cover_every_refusal_sentence() -> None:
    words = ("intake.kind.", "intake.word.", "intake.generic", "intake.where_column", "intake.the_data")
    refusals = {key for key in MESSAGES if key.startswith("intake.") and not key.startswith(words)}
    said_by_the_app_only = {"intake.no_upload", "intake.no_sample", "intake.server_full"}  # raised by ui/
    assert refusals - said_by_the_app_only - {key for _, _, key in CASES} == set()


@pytest.mark.parametrize("kind", ["png", "pdf", "jpeg", "gif", "gzip", "7z", "rar", "zip", "binary"])
def test_every_file_kind_is_named_in_both_languages(kind: str) -> None:
    error = files._binary("x.bin", kind)
    assert_bilingual(error)
    assert MESSAGES[f"intake.kind.{kind}"]["en"] in str(error)


def test_sentences_said_by_the_app_render_in_both_languages() -> None:
    assert_bilingual(IntakeError("intake.no_upload", code="no_file"))
    no_sample = IntakeError("intake.no_sample", code="no_sample", file="sales.csv", command="python x.py")
    assert_bilingual(no_sample)
    assert "`python x.py`" in str(no_sample) and "python x.py" in no_sample.message("ja")
    full = IntakeError("intake.server_full", code="server_full", setting="KPI_PIVOT_MEMORY_BUDGET_MB")
    assert_bilingual(full)
    assert "KPI_PIVOT_MEMORY_BUDGET_MB" in full.message("ja")


def test_user_values_are_never_translated(workdir: Path) -> None:
    with pytest.raises(IntakeError) as caught:
        open_source("Report Final.xlsx", bad_files.xlsx_data_not_first(), workdir=workdir, sheet="Summary Sheet")
    error = caught.value
    ja = error.message("ja")
    assert ja.startswith("Report Final.xlsxには「Summary Sheet」という名前のシートがない")
    assert ja.endswith("「表紙」「データ」「メモ」のいずれかを選んでください。")
    assert str(error).endswith("choose one of '表紙', 'データ', 'メモ'.")
    assert error.params == {"sheet": "Summary Sheet", "sheets": ("表紙", "データ", "メモ")}


def test_numbers_are_grouped_in_both_languages(workdir: Path) -> None:
    error = files._claims_error("w.xlsx", "Data", 81_920_000, "A1:XFD5000", "intake.claims_too_many", limit=25_000_000)
    assert "81,920,000" in error.message("ja") and "25,000,000" in error.message("ja")
    assert "シート「Data」のA1:XFD5000" in error.message("ja")
    assert "(sheet 'Data', A1:XFD5000)" in str(error)


def test_a_sentence_not_in_the_catalogue_is_kept_as_written() -> None:
    error = IntakeError("No file uploaded yet.", code="no_file")
    assert str(error) == error.message == error.message("ja") == "No file uploaded yet."


def test_the_error_survives_pickling() -> None:
    import pickle

    error = files._binary("chart.png", "png")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.key, copy.code, copy.file, copy.message("ja")) == (
        error.key,
        error.code,
        error.file,
        error.message("ja"),
    )


def test_the_english_word_check_finds_english() -> None:
    assert english_words("report.csvは空です", ["report.csv"]) == []
    assert english_words("report.csv is empty", ["report.csv"]) == ["empty"]
    assert english_words("Shift_JISとCSV UTF-8", []) == []
