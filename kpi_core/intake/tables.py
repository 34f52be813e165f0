"""Source tables: each file read into DuckDB as `src{i}`, and row numbers as a person finds them in the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

import duckdb
import numpy as np

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import BadLine, SourceFile, record_start_lines
from kpi_core.sql import (
    create_skip_table,
    create_table_from_arrow,
    create_table_from_csv,
    csv_reject_rows,
    csv_sample_types,
    drop_table,
    execute,
    rejected_line_count,
    row_count,
    table_columns,
)

# Quoting lives in kpi_core.sql; intake (and kpi_core.workspace) know it by these names.
from kpi_core.sql import ident as quote_ident
from kpi_core.sql import literal as quote_literal

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

_log = logging.getLogger(__name__)


@dataclass
class SourceTable:
    """What reading one file into `src{index}` gave."""

    rows: int  # rows in src{index}
    bad_lines: list[BadLine]  # CSV lines left out for having more fields than the header, in file order
    skipped: int = 0  # rows listed in skip{index} (blank and summary rows, still in src{index})


class FileRow(Protocol):
    """Anything placed in a file by row number: a reject, a skipped row."""

    file: str
    row: int


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(execute(con, row_count(table)).fetchall()[0][0])


# Only unambiguous ISO dates are typed by DuckDB (fast path); anything else (2025/4/1, 04/01/2025, 令和…, time
# zones) stays text and goes through parse_date once per distinct value, so "04/01/2025" is never read day-first
# and "2025-04-01T08:00+09:00" keeps the date as written.
_CSV_TYPE_OPTIONS = (
    "dateformat='%Y-%m-%d', timestampformat='%Y-%m-%d %H:%M:%S', "
    "auto_type_candidates=['BOOLEAN', 'BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']"
)
TYPE_SAMPLE_ROWS = 20_480  # DuckDB's own type-sniffing sample, used when we sniff a cleaned sample instead
MAX_READS = 6  # strict reads of one file before falling back to the lenient reader
LINE_COUNT_BYTES = 4 * 1024 * 1024  # slice size when counting lines up to a rejected line


def load_source(con: duckdb.DuckDBPyConnection, index: int, source: SourceFile) -> SourceTable:
    """Create table src{index} from a source file, and skip{index} listing its blank and summary rows.

    A CSV line with more fields than the header is left out of src{index} and returned in ``bad_lines`` (also kept
    on ``source.bad_lines``, so file_row / rows_as_file_lines still place the rows after it).
    """
    table = f"src{index}"
    if source.kind == "csv":
        assert source.csv_path is not None
        source.bad_lines = _create_from_csv(con, table, source)
    else:
        assert source.frame is not None
        _create_from_cells(con, table, source.frame, source.typed_columns)
    skipped = find_skipped_rows(con, index)
    return SourceTable(count_rows(con, table), list(source.bad_lines), skipped)


# DuckDB's parallel reader cannot pad short rows when a quoted field holds a line break; it says so with this.
_QUOTED_NEWLINE_ERROR = "quoted new line"
# With an explicit skip, DuckDB's sniffer gives up when a line in its sample has more fields than the header.
_SNIFF_ERROR = "Error when sniffing file"
_TOO_MANY = "TOO MANY COLUMNS"


class _NotStrict(Exception):
    """The strict reader would lose rows for a reason other than too many fields: read leniently instead."""


def _create_from_csv(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> list[BadLine]:
    """Read the CSV into `table`, leaving out lines with too many fields; return those lines.

    The strict reader finds such lines in the same pass that reads the file (DuckDB's rejects table), so a
    ragged 1M-row file costs about what a clean one does. A file it refuses (mixed line endings, a quote inside an
    unquoted value) is read as before, where a line with too many fields keeps its first values.
    """
    try:
        return _read_strict(con, table, source)
    except (duckdb.Error, _NotStrict, OSError, csv.Error):  # OSError, csv.Error: from the cleaned type sample
        _log.info("%s: strict CSV read failed, reading leniently", source.name, exc_info=True)
    execute(con, drop_table(table))
    try:
        _read_lenient(con, table, source)
    except (duckdb.Error, OSError, csv.Error) as exc:
        raise _csv_failure(source) from exc
    return []


def _read_strict(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> list[BadLine]:
    """Read with strict_mode and ignore_errors: lines with too many fields go to a rejects table, not into `table`.

    Retries: serially when a quoted line break appears; with types sniffed from a cleaned sample when a wide line
    in DuckDB's sample stops its sniffer; with the whole file sniffed (as the lenient reader does) or the failing
    columns read as text when a value past the sample does not fit its type (ignore_errors would drop that row).
    """
    types: dict[str, str] | None = None  # explicit column types; None lets DuckDB sniff them
    whole_file = False
    rejects = f"{table}_rejects"
    path = str(source.csv_path)
    for _ in range(MAX_READS):
        execute(con, drop_table(table))
        execute(con, drop_table(rejects))
        execute(con, drop_table(f"{table}_scans"))
        try:
            options = _csv_options(source, types, whole_file=whole_file, rejects=table)
            execute(con, create_table_from_csv(table, path, options))
        except duckdb.Error as exc:
            if _QUOTED_NEWLINE_ERROR in str(exc) and not source.multiline:
                source.multiline = True  # a quoted line break our check did not count (other quoting rules)
                continue
            if types is None and _SNIFF_ERROR in str(exc):
                types = _sample_types(con, source)
                continue
            raise
        _check_wide_lines(con, table, source)
        errors = execute(con, csv_reject_rows(rejects)).fetchall()
        execute(con, drop_table(rejects, if_exists=False))
        execute(con, drop_table(f"{table}_scans", if_exists=False))
        too_many = [e for e in errors if e[0] == _TOO_MANY]
        wide = {e[2] for e in too_many}
        others = [e for e in errors if e[0] != _TOO_MANY and e[2] not in wide]
        if any(e[0] != "CAST" for e in others):
            raise _NotStrict(f"{source.name}: {others[0][0]}")
        if others:
            failed = {e[1] for e in others}
            if types is None and not whole_file:
                whole_file = True
            else:
                current = types or {r[0]: r[1] for r in execute(con, table_columns(table)).fetchall()}
                types = {c: "VARCHAR" if c in failed else t for c, t in current.items()}
            continue
        return _bad_lines(source, too_many)
    raise _NotStrict(f"{source.name}: no stable column types after {MAX_READS} reads")


def _check_wide_lines(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> None:
    """Refuse a file where more lines have too many fields than not (the header lacks names from some line on),
    before millions of rejected lines are fetched: the file sniffing only sees its first lines."""
    wide = execute(con, rejected_line_count(f"{table}_rejects", _TOO_MANY)).fetchall()[0][0]
    if wide and wide > count_rows(con, table):
        raise IntakeError(
            "intake.wide_rows", code="too_many_fields", file=source.name, rows=wide, columns=len(source.columns)
        )


def _csv_options(
    source: SourceFile, types: dict[str, str] | None, *, whole_file: bool = False, rejects: str | None = None
) -> str:
    """read_csv options: DuckDB sniffs the types (of the whole file with ``whole_file``) unless ``types`` are given.

    With ``rejects`` (a table name) the reader is strict and lines with too many fields go to `{rejects}_rejects`
    instead of the table; without, it is lenient and such a line keeps its first values.
    """
    options = (
        f"delim={quote_literal(source.delimiter)}, skip={int(source.skip_lines)}, header=true, null_padding=true, "
        f"{_CSV_TYPE_OPTIONS}"
    )
    if rejects is None:
        options += ", strict_mode=false"
    else:
        options += (
            f", strict_mode=true, ignore_errors=true, store_rejects=true, rejects_table='{rejects}_rejects', "
            f"rejects_scan='{rejects}_scans'"
        )
    if types is None:
        options += ", names=[" + ", ".join(quote_literal(c) for c in source.columns) + "]"
        if whole_file:
            options += ", sample_size=-1"
    else:
        columns = ", ".join(f"{quote_literal(c)}: {quote_literal(t)}" for c, t in types.items())
        options += f", auto_detect=false, columns={{{columns}}}"
    # Quoting is always RFC 4180 ('"' quotes, '""' inside quotes is one '"'): left to the sniffer, a file whose first
    # quote comes past its sample, or one the lenient reader takes, kept '""' doubled or split a quoted separator.
    options += ", quote='\"', escape='\"'"
    if source.multiline:
        options += ", parallel=false"  # padding short rows needs the serial reader once a record spans lines
    return options


def _sample_types(con: duckdb.DuckDBPyConnection, source: SourceFile) -> dict[str, str]:
    """Column types as DuckDB sniffs them on the file's first records, without the lines that have too many fields.

    Only needed when such a line is in DuckDB's own sample; the cleaned sample goes to a temporary file.
    """
    width = len(source.columns)
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="kpi_sample_")
    sample = Path(name)
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        with (
            os.fdopen(handle, "w", encoding="utf-8", newline="") as out,
            # only CSV files are sampled, and a CSV file's csv_path is set
            cast(Path, source.csv_path).open(encoding="utf-8", errors="replace", newline="") as text,
        ):
            for _ in range(source.skip_lines):
                text.readline()
            writer = csv.writer(out, delimiter=source.delimiter, lineterminator="\n")
            reader = csv.reader(text, delimiter=source.delimiter, quotechar='"', doublequote=True)
            kept = 0
            for fields in reader:
                if len(fields) > width + 1 or (len(fields) == width + 1 and fields[-1].strip()):
                    continue
                writer.writerow(fields[:width])
                kept += 1
                if kept > TYPE_SAMPLE_ROWS:
                    break
        query = csv_sample_types(str(sample), source.delimiter, source.columns, _CSV_TYPE_OPTIONS)
        described = execute(con, query).fetchall()
    finally:
        csv.field_size_limit(limit)
        sample.unlink(missing_ok=True)
    return {column: row[1] for column, row in zip(source.columns, described, strict=False)}


def _bad_lines(source: SourceFile, errors: list[tuple]) -> list[BadLine]:
    """One BadLine per rejected line (DuckDB reports one error per extra field), in file order.

    DuckDB's own line number counts a multi-line record once, so the line is found from the byte offset instead.
    """
    fields: dict[int, int] = {}
    for _, _, position, column_idx, text in errors:
        count = max(int(column_idx or 0), _field_count(text or "", source.delimiter))
        fields[int(position)] = max(fields.get(int(position), 0), count)
    assert source.csv_path is not None
    lines = _lines_at(source.csv_path, list(fields))
    offset = source.header_row - 1 - source.skip_lines  # csv_path line → line of the original file
    expected = len(source.columns)
    bad = {lines[p] + offset: BadLine(lines[p] + offset, fields[p], expected) for p in fields}
    return [bad[line] for line in sorted(bad)]


def _field_count(text: str, delimiter: str) -> int:
    """Fields of the first record in ``text`` (DuckDB's copy of the line may start with the line breaks before it)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=delimiter, quotechar='"')
        return len(next(reader, []))
    except csv.Error:
        return 0
    finally:
        csv.field_size_limit(limit)


def _lines_at(path: Path, positions: list[int]) -> dict[int, int]:
    """For byte offsets DuckDB reports as where a rejected line starts, that line's number in ``path`` (1-based).

    DuckDB's offset may point at the line break (or blank lines) just before the line, so the line is the one
    holding the first byte from the offset on that is not a line break. CRLF, LF and a lone CR each end a line;
    counted with numpy in 4 MB slices up to the last offset (about 10 ms for 40 MB).
    """
    found: dict[int, int] = {}
    step = LINE_COUNT_BYTES  # read at call time so tests can shrink it
    with path.open("rb") as handle:
        breaks, done, pending_cr = 0, 0, False  # line breaks in the first `done` bytes; they end with a CR
        for position in sorted(set(positions)):
            start = _first_non_break(handle, position)
            handle.seek(done)
            while done < start:
                chunk = handle.read(min(step, start - done))
                if not chunk:
                    break
                data = np.frombuffer(chunk, dtype=np.uint8)
                breaks += int(np.count_nonzero(data == 0x0A))
                if pending_cr and data[0] != 0x0A:
                    breaks += 1  # the CR ending the last slice was a line break of its own
                if b"\r" in chunk:  # most files have no CR: no second count
                    breaks += int(np.count_nonzero((data[:-1] == 0x0D) & (data[1:] != 0x0A)))  # a CR not before LF
                pending_cr = chunk.endswith(b"\r")
                done += len(chunk)
            if pending_cr:  # the byte at `start` is no LF
                breaks, pending_cr = breaks + 1, False
            found[position] = breaks + 1
    return found


def _first_non_break(handle: IO[bytes], position: int) -> int:
    """The offset of the first byte at or after ``position`` that is not CR or LF."""
    handle.seek(max(position, 0))
    offset = max(position, 0)
    while block := handle.read(64 * 1024):
        rest = block.lstrip(b"\r\n")
        offset += len(block) - len(rest)
        if rest:
            break
    return offset


def _read_lenient(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> None:
    """The reader before strict mode, for files the strict one refuses: a line with too many fields keeps its first
    values. Serial when a quoted line break appears; typed from a cleaned sample when DuckDB's sniffer gives up."""
    types: dict[str, str] | None = None
    for _ in range(MAX_READS):
        execute(con, drop_table(table))
        path = str(source.csv_path)
        try:
            execute(con, create_table_from_csv(table, path, _csv_options(source, types)))
            return
        except duckdb.ConversionException:
            # A value past the type sniffer's sample did not fit its guess: sniff the whole file (or read text).
            if types is not None:
                types = dict.fromkeys(types, "VARCHAR")
                continue
            options = _csv_options(source, None, whole_file=True)
            execute(con, create_table_from_csv(table, path, options, replace=True))
            return
        except duckdb.Error as exc:
            if _QUOTED_NEWLINE_ERROR in str(exc) and not source.multiline:
                source.multiline = True
                continue
            if types is None and _SNIFF_ERROR in str(exc):
                types = _sample_types(con, source)
                continue
            raise


def _csv_failure(source: SourceFile) -> IntakeError:
    """One sentence for the user; DuckDB's own text (with paths and internals) goes to the log only."""
    _log.warning("%s could not be read as CSV", source.name, exc_info=True)
    return IntakeError("intake.csv_unreadable", code="unreadable", file=source.name)


# ----------------------------------------------------------------------------------- blank and summary rows

# A summary row's first non-blank cell, NFKC-normalised, trimmed, lower case, without spaces or a trailing colon.
SUMMARY_WORDS = (
    "合計",
    "小計",
    "総計",
    "総合計",
    "計",
    "累計",
    "平均",
    "合計値",
    "total",
    "totals",
    "subtotal",
    "sub total",
    "grand total",
    "sum",
    "average",
    "avg",
    "mean",
    "gesamt",
    "summe",
    "zwischensumme",
    "durchschnitt",
    "total general",
    "promedio",
    "moyenne",
    "sous-total",
)
_SPACES = " \t\n\r\v\f\u00a0\u3000"
_SPACE_CLASS = r"[\s\x{3000}\x{a0}]*"
_SUMMARY_MAX_BYTES = 64  # a longer first cell is never a summary label


def _summary_pattern() -> str:
    """An RE2 full-match pattern for SUMMARY_WORDS as NFKC would fold them: any case, full-width letters, spaces
    anywhere (full-width too), and a trailing ':' or '：'."""

    def char(c: str) -> str:
        if c.isascii() and c.isalpha():
            return f"[{c}{chr(ord(c) + 0xFEE0)}]"  # (?i) adds the capitals of both widths
        if c == "-":
            return "[-－]"
        return c

    words = sorted({w.replace(" ", "") for w in SUMMARY_WORDS}, key=len, reverse=True)
    body = "|".join(_SPACE_CLASS.join(char(c) for c in word) for word in words)
    return f"(?i){_SPACE_CLASS}(?:{body}){_SPACE_CLASS}(?:[:：]{_SPACE_CLASS})?"


def _summary_char_codes(position: int) -> list[int]:
    """Code points a summary label can hold at ``position`` (0 = first, 1 = second; both cases, both widths; after
    the first also a space, a colon, or the end, as -1): checking two characters rules out almost every cell."""
    chars = {w.replace(" ", "")[position] for w in SUMMARY_WORDS if len(w.replace(" ", "")) > position}
    codes = {-1, ord(" "), 0x3000, 0xA0, ord(":"), ord("：")} if position else set()
    for c in chars:
        for variant in {c, c.lower(), c.upper()}:
            codes.add(ord(variant))
            if variant.isascii() and variant.isalpha():
                codes.add(ord(variant) + 0xFEE0)  # the full-width letter
    return sorted(codes)


def find_skipped_rows(con: duckdb.DuckDBPyConnection, index: int) -> int:
    """Create skip{index}(rowid BIGINT, reason VARCHAR, text VARCHAR) for src{index}; return its row count.

    reason "blank_row": every cell null or whitespace; "summary_row": the first non-blank cell is a total label
    (合計, Total, Summe …; ``text`` is that cell without surrounding spaces). One query, kept cheap for 10M rows:
    a CASE only looks past a row's first cell when it is blank (COALESCE would evaluate every column), a typed
    cell is never a label, and the pattern only runs on cells whose first two characters can start a label.
    """
    spaces = quote_literal(_SPACES)
    whens = []
    for name, sql_type, *_ in execute(con, table_columns(f"src{index}")).fetchall():
        column = quote_ident(name)
        if sql_type == "VARCHAR":
            # Trim only a cell that starts with a space: trimming every cell would cost more than the rest.
            whens.append(f"WHEN unicode({column}) > 32 AND unicode({column}) NOT IN (160, 12288) THEN {column}")
            whens.append(f"WHEN trim({column}, {spaces}) <> '' THEN trim({column}, {spaces})")
        else:
            whens.append(f"WHEN {column} IS NOT NULL THEN '#'")  # a number or date: not blank, never a label
    first = f"CASE {' '.join(whens)} END"
    firsts = ", ".join(str(c) for c in _summary_char_codes(0))
    seconds = ", ".join(str(c) for c in _summary_char_codes(1))
    label = (
        f"strlen(cell) <= {_SUMMARY_MAX_BYTES} AND unicode(cell) IN ({firsts}) "
        f"AND unicode(substring(cell, 2, 1)) IN ({seconds}) "
        f"AND regexp_full_match(cell, {quote_literal(_summary_pattern())})"
    )
    execute(con, create_skip_table(index, first, label, spaces))
    return count_rows(con, f"skip{index}")


# ----------------------------------------------------------------------------------------------- xlsx


def _create_from_cells(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, typed: Sequence[Any] | None = None
) -> None:
    """Create a table from Excel cells, giving each column one type: BIGINT, DOUBLE, DATE, TIMESTAMP, or VARCHAR.

    The columns go through Arrow arrays, about five times faster than binding Python lists. ``typed`` (from the
    sandbox: per column a TypedColumn of one type, or None) builds those columns straight from their buffers; it
    gives the same types and values as the frame, and is used only when its shape matches the frame's.
    """
    import pyarrow as pa

    if typed is not None and not _typed_fits(typed, frame):
        typed = None
    arrays = {}
    for j, column in enumerate(frame.columns):
        one_type = typed[j] if typed is not None else None
        if one_type is not None:
            arrays[column] = _typed_array(one_type)
            continue
        values = frame[column].tolist()
        kinds = _cell_kinds(values)
        if kinds and kinds <= {int, float}:
            arrays[column] = _number_array(values)
        elif kinds == {dt.date}:
            arrays[column] = pa.array([v if type(v) is dt.date else None for v in values], type=pa.date32())
        elif kinds and kinds <= {dt.date, dt.datetime}:
            arrays[column] = pa.array([_as_datetime(v) for v in values], type=pa.timestamp("us"))
        else:
            arrays[column] = pa.array([v if type(v) is str else _cell_text(v) for v in values], type=pa.string())
    arrow_table = pa.table(arrays)  # noqa: F841 (DuckDB reads the local variable by name)
    # con.execute itself (not sql.execute): DuckDB finds `arrow_table` in the calling frame only.
    con.execute(create_table_from_arrow(table, "arrow_table").text)


def _typed_fits(typed: Sequence[Any], frame: pd.DataFrame) -> bool:
    return len(typed) == len(frame.columns) and all(t is None or len(t.values) == len(frame) for t in typed)


def _typed_array(column: Any) -> pa.Array:
    """An Arrow array from a column of one type, as the frame path would type it."""
    import pyarrow as pa

    if column.kind == "float":
        return _numbers_array(np.asarray(column.values, dtype=np.float64))
    if column.kind == "date":
        return pa.array(column.values.astype(np.int32), mask=column.blank, type=pa.date32())
    if column.kind == "datetime":
        return pa.array(column.values, mask=column.blank, type=pa.timestamp("us"))
    return pa.array(column.values, type=pa.string(), from_pandas=False)


def _number_array(values: list[object]) -> pa.Array:
    """A numeric column as BIGINT when every number is whole (Excel stores every number as a float: ids and counts
    must not read "12.0"), else DOUBLE. Vectorised: the per-cell loops cost about half a second on 100k rows."""
    if str in set(map(type, values)):  # whitespace-only text counts as blank
        values = [v if type(v) in (int, float) else None for v in values]
    return _numbers_array(np.array(values, dtype=np.float64))  # None becomes NaN (Excel has no NaN of its own)


def _numbers_array(numbers: np.ndarray) -> pa.Array:
    """BIGINT when every non-NaN number is whole and fits, else DOUBLE; NaN is null."""
    import pyarrow as pa

    blank = np.isnan(numbers)
    present = numbers[~blank]
    if np.array_equal(present, np.floor(present)) and (np.abs(present) < 2.0**63).all():
        return pa.array(np.where(blank, 0.0, numbers).astype(np.int64), mask=blank, type=pa.int64())
    return pa.array(numbers, mask=blank, type=pa.float64())


def _cell_kinds(values: list[object]) -> set[type]:
    """The Python types of a column's non-blank cells (a whitespace-only text cell is blank)."""
    kinds = set(map(type, values))  # C speed: 800k cells in a few milliseconds
    kinds.discard(type(None))
    if str in kinds and len(kinds) > 1 and not any(type(v) is str and v.strip() for v in values):
        kinds.discard(str)
    return kinds


def _as_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else None


def _cell_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def rows_as_file_lines(
    items: Sequence[FileRow], sources: Sequence[SourceFile], counts: Sequence[int | SourceTable]
) -> None:
    """Turn CSV row numbers (header line + 1 + DuckDB row id, as file_row gives) into the line where the record
    starts; ``items`` are rejects, skipped rows, anything with ``file`` and ``row``; ``counts`` the rows read.

    DuckDB skips empty lines and lines with too many fields (``source.bad_lines``), and a quoted cell with line
    breaks makes one record span several lines: each makes the simple count drift. Only files with items are
    scanned (a 10M-row file without rejects pays nothing). A file without multi-line cells only has its blank lines
    counted; if its non-blank lines then do not match the rows DuckDB read (a multi-line cell the quote count
    missed), it is parsed as CSV like the others.
    """
    for source, count in zip(sources, counts, strict=True):
        rows = count.rows if isinstance(count, SourceTable) else int(count)
        mine = [item for item in items if item.file == source.name]
        if source.kind != "csv" or source.csv_path is None or not mine:
            continue
        bad = [b.line for b in source.bad_lines]
        blanks = []  # line numbers (as in the original file) of empty lines below the header
        if not source.multiline:
            filled = 0
            with open(source.csv_path, encoding="utf-8", errors="replace", newline="") as handle:
                for index, line in enumerate(handle):
                    if index > source.skip_lines:
                        if line.strip("\r\n"):
                            filled += 1
                        else:
                            blanks.append(source.header_row + index - source.skip_lines)
            source.multiline = filled != rows + len(bad)
        if source.multiline:
            first_data_row = int(source.header_row) + 1
            lines = record_start_lines(source, [item.row - first_data_row for item in mine])
            for item in mine:
                item.row = lines.get(item.row - first_data_row, item.row)
            continue
        gaps = sorted(blanks + bad)  # lines that are no row of the table, in file order
        for item in mine:
            row = item.row
            for gap in gaps:
                if gap > row:
                    break
                row += 1
            item.row = row


def file_row(source: SourceFile, rowid: int) -> int:
    """The row number a person sees in the file (header row + 1 for the first data row), before rows_as_file_lines
    adds the CSV lines that are no row (blank lines, lines with too many fields, extra lines of multi-line cells).

    Exact for .xlsx, where blank rows stay in the table (skip{index} lists them) and the row is Excel's."""
    return int(source.header_row) + 1 + int(rowid)
