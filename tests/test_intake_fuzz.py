"""Fuzz the intake with hostile CSV and xlsx bytes: only IntakeError may leave load_dataset.

Random bytes, CSV text in mixed encodings with quotes, NUL bytes, huge fields and many columns, and workbooks
with far cells, formulas, broken shared strings, truncated or damaged ZIPs; some workbooks go through the sandbox.
Derandomized (the same examples every run) and sized to stay well under a minute in CI.
"""

from __future__ import annotations

import contextlib
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_core.intake import files
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import FileInput, load_dataset
from tests import bad_files

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
_BUDGET = {"started": 0.0}


def only_intake_errors(name: str, data: bytes) -> None:
    """load_dataset either reads the file or says one sentence about it; nothing else may escape."""
    try:
        dataset = load_dataset([FileInput(name, data)])
    except IntakeError as error:
        assert error.message and "\n" not in error.message, error.message
        assert "Traceback" not in error.message
        return
    assert dataset.rows_used >= 0


@contextlib.contextmanager
def through_sandbox(on: bool):
    """Send a workbook to the sandbox (no in-process parse) for this example only."""
    saved = files.INPROCESS_MAX_BYTES
    files.INPROCESS_MAX_BYTES = 0 if on else saved
    try:
        yield
    finally:
        files.INPROCESS_MAX_BYTES = saved


# ------------------------------------------------------------------------------------------ strategies

_CHARS = st.sampled_from(
    [*"abcXYZ019 ,;\t|\"'\r\n\\=+-@#%.:/", "\ufeff", "\u3000", "山", "田", "ｱ", "€", "é", "😀", "\ufffd"]
)
_FIELD = st.one_of(
    st.text(_CHARS, max_size=12),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        ["2025-04-01", "2025/4/1", "令和7年4月1日", "04/01/2025", "合計", "Total", "TRUE", "=1+1", "¥1,200"]
    ),
)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "latin-1", "mixed"])


def _quote(field: str, style: int) -> str:
    if style == 0:
        return field
    if style == 1:
        return '"' + field.replace('"', '""') + '"'
    return '"' + field  # an unclosed quote


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 8))
    header = [draw(st.text(_CHARS, min_size=1, max_size=8)) for _ in range(width)]
    rows = draw(st.lists(st.lists(_FIELD, min_size=0, max_size=width + 3), max_size=25))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    style = draw(st.integers(0, 2))
    lines = [delimiter.join(_quote(f, style if draw(st.booleans()) else 0) for f in row) for row in [header, *rows]]
    shape = draw(st.sampled_from(["plain"] * 5 + ["huge_field", "many_columns", "nul", "truncated", "title_lines"]))
    if shape == "huge_field":
        lines.insert(draw(st.integers(0, len(lines))), "x" * draw(st.integers(100_000, 600_000)))
    elif shape == "many_columns":
        count = draw(st.integers(900, 3_000))
        lines = [delimiter.join(f"c{i}" for i in range(count)), delimiter.join("1" * count)]
    elif shape == "title_lines":
        lines = ["レポート", "", *lines]
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(_ENCODINGS)
    if encoding == "mixed":  # every line in its own encoding
        data = b"".join(
            (line + newline).encode(draw(st.sampled_from(["utf-8", "cp932", "latin-1"])), errors="replace")
            for line in lines
        )
    else:
        data = text.encode(encoding, errors="replace")
    if shape == "nul":
        position = draw(st.integers(0, len(data)))
        data = data[:position] + b"\x00" + data[position:]
    elif shape == "truncated":
        data = data[: draw(st.integers(0, len(data)))]
    return data


def _cell(ref: str, value: object, kind: str) -> str:
    if kind == "formula":
        return f'<c r="{ref}"><f>SUM(A1:A{value})</f><v>{value}</v></c>'
    if kind == "shared":  # an index into a shared-string table that does not exist
        return f'<c r="{ref}" t="s"><v>{value}</v></c>'
    if kind == "bool":
        return f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>'
    if kind == "error":
        return f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>'
    if kind == "raw":  # a numeric cell whose text is not a number
        text = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}"><v>{text}</v></c>'
    if kind == "noref":
        return f"<c><v>{value}</v></c>"
    return bad_files._xml_cell(ref, value)


_XML_TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=10)


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    columns = draw(st.integers(1, 6))
    rows = draw(st.integers(0, 12))
    body = []
    header = "".join(bad_files._xml_cell(f"{files._column_letters(j)}1", f"h{j}") for j in range(columns))
    body.append(f'<row r="1">{header}</row>')
    for r in range(2, rows + 2):
        cells = []
        for j in range(columns):
            kind = draw(st.sampled_from(["text"] * 8 + ["number"] * 8 + ["formula", "bool", "error", "raw", "noref"]))
            if draw(st.integers(0, 60)) == 0:
                kind = "shared"  # rare: one such cell makes the whole sheet unreadable
            value = draw(
                st.one_of(
                    _XML_TEXT,
                    st.integers(-(10**15), 10**15),
                    st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.sampled_from(["NaN", "inf", "1e999", "45000", "-1", "2958466"]),
                )
            )
            if kind in ("number",) and isinstance(value, str):
                kind = "raw"
            cells.append(_cell(f"{files._column_letters(j)}{r}", value, kind))
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    if draw(st.integers(0, 3)) == 0:  # a stray value somewhere, perhaps very far
        ref = draw(st.sampled_from(["XFD1048576", "XFD5000", "XFD1000", "G1048576", "AA100", "ZZZZ99999999", "A0"]))
        body.append(f'<row r="{draw(st.integers(1, 1_048_576))}">{bad_files._xml_cell(ref, "x")}</row>')
    dimension = draw(st.sampled_from([None, "A1:B2", "A1:XFD1048576", "garbage"]))
    data = bad_files.xlsx_from_sheet_xml("".join(body), dimension=dimension, extra_sheets=draw(st.integers(0, 1)))
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip", "member"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "flip":
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1 :]
    elif damage == "member":  # a valid ZIP whose sheet is not XML
        import io

        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                content = source.read(info)
                if info.filename.endswith("sheet1.xml"):
                    content = content[: draw(st.integers(0, len(content)))] + draw(st.binary(max_size=20))
                target.writestr(info, content)
        data = buffer.getvalue()
    return data


# ------------------------------------------------------------------------------------------------ tests


@settings(FUZZ, max_examples=60)
@given(data=st.binary(max_size=3000), name=st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a"]))
def test_random_bytes(data: bytes, name: str) -> None:
    only_intake_errors(name, data)


@settings(FUZZ, max_examples=120)
@given(data=csv_bytes())
def test_hostile_csv(data: bytes) -> None:
    only_intake_errors("fuzz.csv", data)


@settings(FUZZ, max_examples=70)
@given(data=xlsx_bytes(), sandboxed=st.booleans())
def test_hostile_xlsx(data: bytes, sandboxed: bool) -> None:
    with through_sandbox(sandboxed):
        only_intake_errors("fuzz.xlsx", data)


@pytest.mark.parametrize(
    "build",
    [
        bad_files.xlsx_single_far_cell,
        bad_files.xlsx_lying_dimension,
        bad_files.utf8_csv_with_sjis_line,
        bad_files.csv_doubled_quotes,
        bad_files.ragged_csv_numeric_first_line,
        lambda: bad_files.csv_many_columns(10_000),
        lambda: bad_files.xlsx_table_with_far_cell("G1048576"),
    ],
)
def test_crafted_files_only_give_sentences(build) -> None:
    start = time.perf_counter()
    only_intake_errors("crafted.xlsx", build())
    assert time.perf_counter() - start < 10
