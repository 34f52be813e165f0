"""Source tables: each file read into DuckDB as `src{i}`, and row numbers as a person finds them in the file."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import SourceFile, record_start_lines

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from kpi_core.intake.load import Reject


def quote_ident(name: str) -> str:
    """A DuckDB identifier for any column name (user text is only ever quoted, never interpolated raw)."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A DuckDB string literal for any text."""
    return "'" + str(text).replace("'", "''") + "'"


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


# Only unambiguous ISO dates are typed by DuckDB (fast path); anything else (2025/4/1, 04/01/2025, 令和…, time
# zones) stays text and goes through parse_date once per distinct value, so "04/01/2025" is never read day-first
# and "2025-04-01T08:00+09:00" keeps the date as written.
_CSV_TYPE_OPTIONS = (
    "dateformat='%Y-%m-%d', timestampformat='%Y-%m-%d %H:%M:%S', "
    "auto_type_candidates=['BOOLEAN', 'BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']"
)


def load_source(con: duckdb.DuckDBPyConnection, index: int, source: SourceFile) -> int:
    """Create table src{index} from a source file; return its row count."""
    table = f"src{index}"
    if source.kind == "csv":
        assert source.csv_path is not None
        try:
            _create_from_csv(con, table, source)
        except duckdb.Error as exc:
            if source.multiline or _QUOTED_NEWLINE_ERROR not in str(exc):
                raise _csv_failure(source, exc) from exc
            # DuckDB met a quoted line break our check did not count (other quoting rules): read it serially.
            source.multiline = True
            try:
                _create_from_csv(con, table, source)
            except duckdb.Error as again:
                raise _csv_failure(source, again) from again
    else:
        assert source.frame is not None
        _create_from_cells(con, table, source.frame)
    return count_rows(con, table)


# DuckDB's parallel reader cannot pad short rows when a quoted field holds a line break; it says so with this.
_QUOTED_NEWLINE_ERROR = "quoted new line"


def _create_from_csv(con: duckdb.DuckDBPyConnection, table: str, source: SourceFile) -> None:
    """Read the CSV with DuckDB; a file with multi-line quoted fields is read serially with '"' quoting."""
    names = "[" + ", ".join(quote_literal(c) for c in source.columns) + "]"
    options = (
        f"delim={quote_literal(source.delimiter)}, skip={int(source.skip_lines)}, header=true, "
        f"names={names}, null_padding=true, strict_mode=false, {_CSV_TYPE_OPTIONS}"
    )
    if source.multiline:
        # Padding short rows needs the serial reader once a record spans lines (only these files pay for it);
        # the quote is fixed so a multi-line cell past the sniffer's sample is never split into rows.
        options += ", quote='\"', escape='\"', parallel=false"
    path = quote_literal(str(source.csv_path))
    try:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv({path}, {options})")
    except duckdb.ConversionException:
        # A value past the type sniffer's sample did not fit its guess: sniff the whole file instead.
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({path}, {options}, sample_size=-1)")


def _csv_failure(source: SourceFile, exc: Exception) -> IntakeError:
    return IntakeError(
        f"{source.name} could not be read as CSV ({str(exc).splitlines()[0][:160]}): "
        "save it again from Excel as 'CSV UTF-8' and retry.",
        code="unreadable",
        file=source.name,
    )


def _create_from_cells(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Create a table from Excel cells, giving each column one type: BIGINT, DOUBLE, DATE, TIMESTAMP, or VARCHAR.

    The columns go through Arrow arrays, about five times faster than binding Python lists.
    """
    import pyarrow as pa

    arrays = {}
    for column in frame.columns:
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
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM arrow_table")


def _number_array(values: list[object]) -> pa.Array:
    """A numeric column as BIGINT when every number is whole (Excel stores every number as a float: ids and counts
    must not read "12.0"), else DOUBLE. Vectorised: the per-cell loops cost about half a second on 100k rows."""
    import numpy as np  # imported here: the CSV path never needs it
    import pyarrow as pa

    if str in set(map(type, values)):  # whitespace-only text counts as blank
        values = [v if type(v) in (int, float) else None for v in values]
    numbers = np.array(values, dtype=np.float64)  # None becomes NaN (Excel has no NaN cells of its own)
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


def rows_as_file_lines(rejects: list[Reject], sources: list[SourceFile], counts: list[int]) -> None:
    """Turn CSV rejects' row numbers (header line + 1 + DuckDB row id) into the line where the record starts.

    DuckDB skips empty lines, and a quoted cell with line breaks makes one record span several lines: either
    makes the simple count drift. Only files with rejects are scanned (a 10M-row file without rejects pays
    nothing). A file without multi-line cells only has its blank lines counted; if its non-blank lines then do not
    match the rows DuckDB read (a multi-line cell the quote count missed), it is parsed as CSV like the others.
    """
    for source, rows in zip(sources, counts, strict=True):
        mine = [r for r in rejects if r.file == source.name]
        if source.kind != "csv" or source.csv_path is None or not mine:
            continue
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
            source.multiline = filled != rows
        if source.multiline:
            first_data_row = int(source.header_row) + 1
            lines = record_start_lines(source, [r.row - first_data_row for r in mine])
            for reject in mine:
                reject.row = lines.get(reject.row - first_data_row, reject.row)
            continue
        for reject in mine:
            for blank in blanks:
                if blank <= reject.row:
                    reject.row += 1


def file_row(source: SourceFile, rowid: int) -> int:
    """The row number a person sees in the file (header row + 1 for the first data row)."""
    return int(source.header_row) + 1 + int(rowid)
