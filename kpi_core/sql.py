"""Query SQL built in one place, from small structures: quoting, date basis, filters, period keys, grouped measures.

Every query the engine runs on a loaded dataset is written here, and so is the intake's table building (read_csv,
the `source` view joining several files, the parsed `records` / `periods` tables). Other modules describe what they
want (a `Select`, `GroupedMeasures`, `DailySums`, a filter, a named statement) and run the `Sql` it builds with
`execute`. User text (column names, role values) only ever reaches SQL quoted by `ident` / `literal` or as a
parameter; numbers and dates written into SQL are formatted from typed values.

>>> Select(["count(*)"], "records", where=[OPEN]).build().text
"SELECT count(*) FROM records WHERE outcome = 'open'"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

# The normalised `records` table (kpi_core/intake/load.py) says a record's state in `outcome`.
OPEN = "outcome = 'open'"
WON = "outcome = 'won'"
DECIDED = "outcome IN ('won', 'lost')"  # the close date of these places won, lost, revenue and cycle
CLOSED = "outcome IN ('won', 'lost', 'disqualified')"
NOT_CLOSED = "outcome NOT IN ('won', 'lost', 'disqualified')"
# The date that places a closed record in history: its close date, else its last update, else its creation
# (MA exports often leave the close date of a disqualified lead blank).
HISTORY_DATE = "coalesce(closed, updated, created)"
# A monthly sheet's last day of each month.
_MONTH_END = "period_start + INTERVAL 1 MONTH - INTERVAL 1 DAY"


def ident(name: object) -> str:
    """A DuckDB identifier for any column name (user text is only ever quoted, never interpolated raw)."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: object) -> str:
    """A DuckDB string literal for any text."""
    return "'" + str(text).replace("'", "''") + "'"


def date_literal(day: dt.date) -> str:
    """A DATE literal (formatted from a date, never from text)."""
    return f"DATE '{day:%Y-%m-%d}'"


@dataclass(frozen=True)
class Sql:
    """SQL text and its positional parameters, in the order of their `?` in the text."""

    text: str
    params: tuple[object, ...] = ()


Part = str | Sql


def _sql(part: Part) -> Sql:
    return part if isinstance(part, Sql) else Sql(part)


def _join(parts: Sequence[Part], sep: str) -> Sql:
    """Fragments joined by `sep`, their parameters kept in text order."""
    pieces = [_sql(p) for p in parts]
    return Sql(sep.join(p.text for p in pieces), tuple(v for p in pieces for v in p.params))


def execute(cursor: duckdb.DuckDBPyConnection, query: Sql | Select) -> duckdb.DuckDBPyConnection:
    """Run a built query on a cursor (fetch with .fetchall() or .df())."""
    built = query.build() if isinstance(query, Select) else query
    return cursor.execute(built.text, list(built.params))


def relation(cursor: duckdb.DuckDBPyConnection, query: Sql | Select) -> duckdb.DuckDBPyRelation:
    """A built query as a relation (its Arrow table is made without the extra copy a DB-API result needs)."""
    built = query.build() if isinstance(query, Select) else query
    return cursor.sql(built.text, params=list(built.params))


@dataclass(frozen=True)
class Select:
    """One SELECT: columns from a table, a sub-select or a fragment, with optional CTEs, conditions (joined by AND:
    a condition with a top-level OR comes in parentheses), grouping, order and limit. Fragments carry their own
    parameters; `build` keeps them in text order."""

    columns: Sequence[Part]
    source: str | Select | Sql
    where: Sequence[Part] = ()
    group_by: str = ""  # "ALL", "1", a column; empty: no GROUP BY
    grouping_sets: Sequence[str] = ()  # each "(a, b)" or "()"; overrides group_by
    order_by: str = ""
    limit: int | None = None
    distinct: bool = False
    ctes: Sequence[tuple[str, Select | Sql]] = ()

    def build(self) -> Sql:
        parts: list[Part] = []
        if self.ctes:
            defined = [
                _join([f"{name} AS (", q.build() if isinstance(q, Select) else q, ")"], "") for name, q in self.ctes
            ]
            parts.append(_join(["WITH ", _join(defined, ", ")], ""))
        parts.append("SELECT DISTINCT" if self.distinct else "SELECT")
        parts.append(_join(self.columns, ", "))
        if isinstance(self.source, str):
            parts.append(f"FROM {self.source}")
        else:
            inner = self.source.build() if isinstance(self.source, Select) else self.source
            parts.append(_join(["FROM (", inner, ")"], ""))
        if self.where:
            parts.append(_join(["WHERE", _join(self.where, " AND ")], " "))
        if self.grouping_sets:
            parts.append(f"GROUP BY GROUPING SETS ({', '.join(self.grouping_sets)})")
        elif self.group_by:
            parts.append(f"GROUP BY {self.group_by}")
        if self.order_by:
            parts.append(f"ORDER BY {self.order_by}")
        if self.limit is not None:
            parts.append(f"LIMIT {int(self.limit)}")
        return _join(parts, " ")


def star_replace(columns: Sequence[Part]) -> Sql:
    """Every column, with those named in `columns` ("expr AS name") computed instead."""
    return _join(["* REPLACE (", _join(columns, ", "), ")"], "")


def union_all(*selects: Select) -> Sql:
    """The rows of every select, one after the other."""
    return _join([s.build() for s in selects], " UNION ALL ")


# --- Dates, periods and filters ------------------------------------------------------------------------------------


def age_days(column: str = "created") -> str:
    """Days from `column` to the as-of date given as the next parameter."""
    return f"date_diff('day', {column}, ?::DATE)"


def period_start(column: str, period: str, fiscal_start: int = 4) -> str:
    """SQL giving the first day of the period a date falls in."""
    if period == "month":
        return f"date_trunc('month', {column})"
    if period == "week":
        return f"date_trunc('week', {column})"
    # Shift dates so the fiscal year starts in January, truncate, shift back.
    months = int(fiscal_start) - 1
    unit = "year" if period == "year" else "quarter"
    return f"CAST(date_trunc('{unit}', {column} - INTERVAL {months} MONTH) + INTERVAL {months} MONTH AS DATE)"


def date_basis(shape: str, basis: str, cohort: bool = False) -> tuple[str, str]:
    """(date column, row condition) of a measure counted on `basis` ("created" / "closed").

    Records and stage reach fall on `created`; won, lost, revenue and cycle on `closed`, over decided records only.
    With `cohort` every measure falls on `created`. A monthly sheet has one date: `period_start`.
    """
    if shape == "periods":
        return "period_start", "true"
    if basis == "created":
        return "created", "true"
    return ("created" if cohort else "closed"), DECIDED


def filter_condition(
    date_column: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    roles: Sequence[tuple[str, Sequence[str | None]]] = (),
) -> Sql:
    """Dates inclusive on `date_column`, each role's column among its values (None selects the blank key)."""
    clauses: list[Part] = ["true"]
    if start is not None:
        clauses.append(Sql(f"{date_column} >= ?", (start,)))
    if end is not None:
        clauses.append(Sql(f"{date_column} <= ?", (end,)))
    for role, values in roles:
        known = [v for v in values if v is not None]
        condition = f"list_contains(?, {ident(role)})"
        if None in values:
            condition = f"({ident(role)} IS NULL OR {condition})"
        clauses.append(Sql(condition, (known,)))
    return _join(clauses, " AND ")


def closed_after(as_of: dt.date) -> str:
    """The record closed (won, lost or disqualified) after the end of `as_of`: it was open then."""
    return f"(outcome <> 'open' AND closed > {date_literal(as_of)})"


def data_bounds(shape: str, table: str) -> Select:
    """The first and last date of the data: created / closed, or a monthly sheet's first and last days."""
    if shape == "records":
        return Select(["least(min(created), min(closed))", "greatest(max(created), max(closed))"], table)
    return Select(["min(period_start)", f"max({_MONTH_END})"], table)


def role_values(table: str, role: str, limit: int) -> Select:
    """A role's values with their counts, most frequent first."""
    column = ident(role)
    return Select([column, "count(*) AS n"], table, [f"{column} IS NOT NULL"], "1", order_by="n DESC, 1", limit=limit)


def source_rows(limit: int) -> Select:
    """The first rows of the intake's joined `source` view, the file's own columns only (not our row numbers)."""
    return Select(["COLUMNS(lambda c: NOT starts_with(c, '__row_'))"], "source", limit=limit)


def value_counts(table: str, expression: str, where: Part) -> Select:
    """(value, count) of `expression` over the rows matching `where`, by value."""
    return Select([f"{expression} AS v", "count(*)"], table, [where], "1", order_by="1")


def table_columns(table: str) -> Sql:
    """The columns of a table (name first in each row)."""
    return Sql(f"DESCRIBE {table}")


def create_table_as(name: str, source: str) -> Sql:
    """A table holding every row of `source`."""
    return Sql(f"CREATE TABLE {name} AS " + Select(["*"], source).build().text)


# --- The engine's grouped measures -----------------------------------------------------------------------------------


def basis_rows(table: str, date_column: str, condition: str, where: Sql, period: str, fiscal_start: int) -> Sql:
    """The rows a basis counts, with the start of their period as __start and their basis date as __date."""
    start = period_start(date_column, period, fiscal_start)
    return Select(["*", f"{start} AS __start", f"{date_column} AS __date"], table, [condition, where]).build()


@dataclass(frozen=True)
class GroupingSets:
    """Totals, per period, per role (`by`) and per period × role (`by_period_and`), as one GROUPING SETS."""

    by: Sequence[str] = ()
    by_period_and: Sequence[str] = ()

    @property
    def dims(self) -> list[str]:
        return list(dict.fromkeys([*self.by, *self.by_period_and]))

    def sets(self, extra: str = "") -> list[str]:
        """Each set as SQL, with `extra` (a column) added to every set."""
        sets = [[], ["__start"], *([ident(r)] for r in self.by), *(["__start", ident(r)] for r in self.by_period_and)]
        return ["(" + ", ".join([*s, extra] if extra else s) + ")" for s in sets]

    def grouping(self) -> str:
        """The period start, and each role with whether it is grouped (g_period, g_<role>: 0 when grouped)."""
        roles = "".join(f", {ident(d)}, GROUPING({ident(d)}) AS {ident('g_' + d)}" for d in self.dims)
        return f"CAST(__start AS DATE) AS __start, GROUPING(__start) AS g_period{roles}"


@dataclass(frozen=True)
class GroupedMeasures:
    """Additive measures (counts and sums) over `base`, in every grouping set, with the last basis date (__last).

    The rows are grouped once at the finest grain (period start × every role), then the few thousand groups are
    rolled up into the grouping sets: about half the time of grouping sets over 10M rows.
    """

    base: Sql  # basis_rows
    sets: GroupingSets
    measures: Mapping[str, str]  # name → SQL of a count or a sum

    def build(self) -> Sql:
        keys = "".join(f", {ident(d)}" for d in self.sets.dims)
        fine = ", ".join(f"{expr} AS {ident(name)}" for name, expr in self.measures.items())
        rolled = ", ".join(f"sum({ident(name)}) AS {ident(name)}" for name in self.measures)
        return Select(
            [self.sets.grouping(), rolled, "CAST(max(__last) AS DATE) AS __last"],
            "fine",
            grouping_sets=self.sets.sets(),
            ctes=[
                ("base", self.base),
                ("fine", Select([f"__start{keys}", fine, "max(__date) AS __last"], "base", group_by="ALL")),
            ],
        ).build()


@dataclass(frozen=True)
class GroupedValueCounts:
    """How many rows of `base` have each value of `value` (where `condition` holds), in every grouping set: the
    exact median per group follows from the counts, far cheaper than median() for small integers such as days."""

    base: Sql
    sets: GroupingSets
    value: str
    condition: str | None = None

    def build(self) -> Sql:
        keys = "".join(f", {ident(d)}" for d in self.sets.dims)
        return Select(
            [self.sets.grouping(), "__v", "sum(__n) AS __n"],
            "fine",
            grouping_sets=self.sets.sets("__v"),
            ctes=[
                ("base", self.base),
                (
                    "fine",
                    Select(
                        [f"__start{keys}", f"{self.value} AS __v", "count(*) AS __n"],
                        "base",
                        [self.condition or "true", f"{self.value} IS NOT NULL"],
                        group_by="ALL",
                    ),
                ),
            ],
        ).build()


@dataclass(frozen=True)
class DailySums:
    """Each measure summed per day of `date_column` over the rows where `condition` and `where` hold."""

    table: str
    date_column: str
    condition: str
    measures: Mapping[str, str] = field(default_factory=dict)  # name → SQL of a count or a sum
    where: Sql = Sql("true")

    def build(self) -> Sql:
        columns = [f"{self.date_column} AS day", *(f"{expr} AS {ident(name)}" for name, expr in self.measures.items())]
        where: list[Part] = [f"{self.date_column} IS NOT NULL", self.condition, self.where]
        return Select(columns, self.table, where, "1").build()


# --- Small statements: settings, counts, tables ----------------------------------------------------------------------


def setting(name: str, value: str) -> Sql:
    """A DuckDB setting for this connection (`value` is SQL: a literal or a keyword)."""
    return Sql(f"SET {name} = {value}")


def row_count(table: str) -> Sql:
    """The number of rows of a table."""
    return Select(["count(*)"], table).build()


def drop_table(table: str, *, if_exists: bool = True) -> Sql:
    """Drop a table (one that may not exist with `if_exists`)."""
    return Sql(f"DROP TABLE IF EXISTS {table}" if if_exists else f"DROP TABLE {table}")


def create_empty_table(table: str, columns: Mapping[str, str]) -> Sql:
    """An empty table of these columns (name → SQL type)."""
    defs = ", ".join(f"{ident(c)} {t}" for c, t in columns.items())
    return Sql(f"CREATE TABLE {table} ({defs})")


def expression_value(table: str, expression: str) -> Sql:
    """One aggregate expression over a table (a metric's own SQL, the first date)."""
    return Select([expression], table).build()


def matching_row_count(table: str, condition: str) -> Sql:
    """How many rows of a table a condition keeps."""
    return Select(["count(*)"], table, [condition]).build()


def first_data_date(shape: str, table: str) -> Sql:
    """The earliest date of the data: created or closed, or a monthly sheet's first month."""
    return expression_value(table, "min(period_start)" if shape == "periods" else "least(min(created), min(closed))")


def distinct_present_values(table: str, column: str) -> Sql:
    """The distinct non-blank values of a column."""
    return Select([ident(column)], table, [f"{ident(column)} IS NOT NULL"], distinct=True).build()


def memory_in_use() -> Sql:
    """The bytes DuckDB holds for this database."""
    return Select(["coalesce(sum(memory_usage_bytes), 0)"], "duckdb_memory()").build()


def copy_to_parquet(table: str, path: str) -> Sql:
    """Write a table to a parquet file (zstd)."""
    return Sql(f"COPY {table} TO {literal(path)} (FORMAT parquet, COMPRESSION zstd)")


def copy_parquet_to_csv(source: str, target: str) -> Sql:
    """Write a parquet file out as a comma-separated CSV file with a header."""
    query = Select(["*"], f"read_parquet({literal(source)})").build().text
    return Sql(f"COPY ({query}) TO {literal(target)} (FORMAT csv, HEADER, DELIMITER ',')")


# --- Intake: reading files into src{i} (kpi_core/intake/tables.py) ---------------------------------------------------


def create_table_from_csv(table: str, path: str, options: str, *, replace: bool = False) -> Sql:
    """A table holding a CSV file as read_csv reads it with `options` (SQL named arguments)."""
    create = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    return Sql(f"{create} {table} AS " + Select(["*"], f"read_csv({literal(path)}, {options})").build().text)


def csv_sample_types(path: str, delimiter: str, columns: Sequence[str], type_options: str) -> Sql:
    """The column types DuckDB gives a cleaned CSV sample (DESCRIBE: name and type first in each row)."""
    names = "[" + ", ".join(literal(c) for c in columns) + "]"
    source = (
        f"read_csv({literal(path)}, delim={literal(delimiter)}, header=true, names={names}, null_padding=true, "
        f"strict_mode=false, quote='\"', escape='\"', {type_options})"
    )
    return Sql("DESCRIBE " + Select(["*"], source).build().text)


def csv_reject_rows(rejects: str) -> Sql:
    """The lines read_csv left out (error type, column, line position, column index, line text)."""
    return Select(["error_type", "column_name", "line_byte_position", "column_idx", "csv_line"], rejects).build()


def rejected_line_count(rejects: str, error_type: str) -> Sql:
    """How many lines read_csv left out for one error type."""
    return Select(["count(DISTINCT line_byte_position)"], rejects, [f"error_type = {literal(error_type)}"]).build()


def create_table_from_arrow(table: str, variable: str) -> Sql:
    """A table holding the Arrow table in the caller's local `variable` (DuckDB finds it by name)."""
    return Sql(f"CREATE TABLE {table} AS " + Select(["*"], variable).build().text)


def create_skip_table(index: int, first_cell: str, is_label: str, spaces: str) -> Sql:
    """skip{index}(rowid, reason, text): the rows of src{index} whose first non-blank cell (`first_cell`, NULL on a
    blank row) is missing ("blank_row") or a total label per `is_label` ("summary_row"); `spaces` is the literal of
    the characters trimmed."""
    return Sql(
        f"""
        CREATE OR REPLACE TABLE skip{index} AS
        SELECT CAST(rowid AS BIGINT) AS rowid,
               CASE WHEN cell IS NULL THEN 'blank_row' ELSE 'summary_row' END AS reason,
               coalesce(trim(cell, {spaces}), '') AS text
        FROM (SELECT rowid, {first_cell} AS cell FROM src{index})
        WHERE cell IS NULL OR ({is_label})
        ORDER BY rowid
        """
    )


def skipped_rows(index: int) -> Sql:
    """The blank and summary rows of src{index}: (rowid, reason, text), in file order."""
    return Select(["rowid", "reason", "text"], f"skip{index}", order_by="rowid").build()


def delete_skipped_rows(index: int) -> Sql:
    """Take the rows listed in skip{index} out of src{index} (the other rows keep their rowid)."""
    return Sql(f"DELETE FROM src{index} WHERE rowid IN ({Select(['rowid'], f'skip{index}').build().text})")


# --- Intake: several files as one `source` view (kpi_core/intake/link.py) -------------------------------------------


def single_source_view() -> Sql:
    """The `source` view of one file: its rows with their row id as __row_0."""
    return Sql("CREATE VIEW source AS " + Select(["*", "rowid AS __row_0"], "src0").build().text)


def create_source_view(query: str) -> Sql:
    """The `source` view over a joined query (`joined_source`, `with_parent_leads`)."""
    return Sql(f"CREATE VIEW source AS {query}")


def first_rows(table: str, limit: int) -> Sql:
    """The first rows of a table, every column."""
    return Select(["*"], table, limit=limit).build()


def key_stats(table: str, key: str) -> Sql:
    """(distinct, present) values of a key column (compared as text)."""
    qkey = ident(key)
    return Select([f"count(DISTINCT CAST({qkey} AS VARCHAR))", f"count({qkey})"], table).build()


def key_overlap(table: str, anchor: str, key: str) -> Sql:
    """The share of the distinct values of `key` in `table` also found in `anchor` (compared as text)."""
    qcol = ident(key)
    found = Select([f"CAST({qcol} AS VARCHAR)"], anchor).build().text
    share = (
        f"count(DISTINCT CAST(o.{qcol} AS VARCHAR)) FILTER (WHERE CAST(o.{qcol} AS VARCHAR) IN ({found})) "
        f"/ greatest(count(DISTINCT o.{qcol}), 1)"
    )
    return Select([share], f"{table} o").build()


def first_per_key(key: str) -> str:
    """QUALIFY keeping the first row (by rowid) of each key value."""
    return f"QUALIFY row_number() OVER (PARTITION BY CAST({ident(key)} AS VARCHAR) ORDER BY rowid) = 1"


def repeated_key_rows(table: str, key: str) -> Sql:
    """The rowids of the rows repeating a key value seen on an earlier row, in order."""
    qkey = ident(key)
    repeats = f"QUALIFY row_number() OVER (PARTITION BY CAST({qkey} AS VARCHAR) ORDER BY rowid) > 1"
    return Sql(Select(["rowid"], table, [f"{qkey} IS NOT NULL"]).build().text + f" {repeats} ORDER BY 1")


def rows_with_rowid(table: str, first_only_key: str | None = None) -> str:
    """Every row of a table with its rowid (only the first row of each key value with `first_only_key`)."""
    query = Select(["*", "rowid"], table).build().text
    return query if first_only_key is None else f"{query} {first_per_key(first_only_key)}"


def first_rows_per_key(table: str, key: str) -> str:
    """A sub-select of the first row of each key value, its rowid as __row."""
    return f"({Select(['*', 'rowid AS __row'], table).build().text} {first_per_key(key)})"


def _not_in_base(base: str, qkey: str) -> str:
    inner = Select(["1"], f"{base} b", [f"CAST(b.{qkey} AS VARCHAR) = CAST(o.{qkey} AS VARCHAR)"]).build().text
    return f"NOT EXISTS ({inner})"


def orphan_rows(table: str, base: str, key: str) -> Sql:
    """The rowids of the rows of `table` whose key is blank or missing from `base`, in order."""
    qkey = ident(key)
    condition = f"o.{qkey} IS NULL OR {_not_in_base(base, qkey)}"
    return Select(["rowid"], f"{table} o", [condition], order_by="1").build()


def bookings_by_key(table: str, key: str, aggregates: Sequence[str]) -> str:
    """A sub-select of one row per key value: the first rowid as __row and `aggregates` (one per other column)."""
    qkey = ident(key)
    return f"({Select([qkey, 'min(rowid) AS __row', *aggregates], table, group_by=qkey).build().text})"


def left_join_on_key(other: str, alias: str, key: str) -> str:
    """LEFT JOIN of another file's rows (`other`, as `alias`) onto the base rows `b`, on the key compared as text."""
    qkey = ident(key)
    return f"LEFT JOIN {other} {alias} ON CAST(b.{qkey} AS VARCHAR) = CAST({alias}.{qkey} AS VARCHAR)"


def joined_source(columns: Sequence[str], base_rows: str, joins: Sequence[str]) -> str:
    """The base file's rows (`rows_with_rowid`, as b) with each other file joined."""
    return f"SELECT {', '.join(columns)} FROM ({base_rows}) b {' '.join(joins)}"


def with_parent_leads(view: str, base: int, key: str, parents: Sequence[tuple[int, str]]) -> str:
    """The joined view with `__lead_unit` (1 on the first row of each key, and on a blank key), plus a row for
    each lead of a parent file (index, its cells as "o.col AS name, …") that no base row has, by column name."""
    qkey = ident(key)
    first = (
        f"CASE WHEN {qkey} IS NULL OR row_number() OVER (PARTITION BY CAST({qkey} AS VARCHAR) "
        f"ORDER BY __row_{base}) = 1 THEN 1 ELSE 0 END"
    )
    parts = [f"SELECT *, {first} AS __lead_unit FROM ({view})"]
    for index, cells in parents:
        columns = [f"o.{qkey} AS {qkey}", cells, f"o.rowid AS __row_{index}", "1 AS __lead_unit"]
        where = [f"o.{qkey} IS NOT NULL", _not_in_base(f"src{base}", qkey)]
        parts.append(Select(columns, f"src{index} o", where).build().text)
    return " UNION ALL BY NAME ".join(parts)


# --- Intake: parsing `source` into records / periods (kpi_core/intake/load.py) ---------------------------------------


def create_value_map(table: str, sql_type: str, raws: list[str], oks: list[bool], values: list, months: list) -> Sql:
    """map_<role>(raw, ok, value, month_only): each distinct cell text, whether it was read, its value as `sql_type`
    and whether it gave only a month."""
    columns = [
        "unnest(?::VARCHAR[]) AS raw",
        "unnest(?::BOOLEAN[]) AS ok",
        f"unnest(?::{sql_type}[]) AS value",
        "unnest(?::BOOLEAN[]) AS month_only",
    ]
    return Sql(f"CREATE TABLE {table} AS SELECT {', '.join(columns)}", (raws, oks, values, months))


def create_stage_map(raws: list[str], levels: list, outcomes: list[str], positions: list[int]) -> Sql:
    """stage_map(raw, level, outcome, position): each stage value's funnel level, outcome and order."""
    columns = (
        "unnest(?::VARCHAR[]) AS raw, unnest(?::INTEGER[]) AS level, "
        "unnest(?::VARCHAR[]) AS outcome, unnest(?::INTEGER[]) AS position"
    )
    return Sql(f"CREATE TABLE stage_map AS SELECT {columns}", (raws, levels, outcomes, positions))


def stage_map_rows() -> Sql:
    """(raw, level, outcome, position) of every stage value."""
    return Select(["raw", "level", "outcome", "position"], "stage_map").build()


def source_distinct_values(column: str) -> Sql:
    """The distinct values of a `source` column, blank included."""
    return Select([ident(column)], "source", distinct=True).build()


def source_present_cells(column: str, limit: int) -> Sql:
    """Up to `limit` non-blank cells of a `source` column."""
    return Select([ident(column)], "source s", [f"{ident(column)} IS NOT NULL"], limit=limit).build()


def source_key_stats(column: str) -> Sql:
    """(distinct, present) values of a `source` column."""
    qcol = ident(column)
    return Select([f"count(DISTINCT {qcol})", f"count({qcol})"], "source s").build()


def source_any(condition: str) -> Sql:
    """Whether any row of `source` meets a condition (NULL when none decides)."""
    return Select([f"bool_or({condition})"], "source s").build()


def _joined(joins: Sequence[str]) -> str:
    return f"source s {' '.join(joins)}"


def create_text_map(table: str, raw: str, clean: str) -> Sql:
    """text_<role>(raw, value): each distinct text (`raw`, SQL over `source s`) and its cleaned form (`clean`, SQL
    over `raw`)."""
    distinct = Select([f"{raw} AS raw"], "source s", distinct=True).build().text
    return Sql(f"CREATE TABLE {table} AS " + Select(["raw", f"{clean} AS value"], Sql(distinct)).build().text)


def changed_text_count(table: str) -> Sql:
    """How many texts of a text map the clean-up changed."""
    return matching_row_count(table, "raw IS DISTINCT FROM value")


def unreadable_cell_count(raw: str, joins: Sequence[str], unreadable: str, any_bad: str) -> Sql:
    """(count, first three distinct texts) of the unreadable cells of the rows that are used."""
    columns = ["count(*)", f"list_sort(list_distinct(list({raw})))[:3]"]
    return Select(columns, _joined(joins), [unreadable, f"NOT ({any_bad})"]).build()


def rejected_cells(file_index: int, column: str, joins: Sequence[str], flag: str) -> Sql:
    """(row in its file, cell text) of the rows a reject flag marks, in row order."""
    columns = [f"s.__row_{file_index}", f"CAST(s.{ident(column)} AS VARCHAR)"]
    return Select(columns, _joined(joins), [flag], order_by="1").build()


def value_counts_in_source(expression: str, joins: Sequence[str]) -> Sql:
    """(value, count) of an expression over `source` with its joins."""
    return Select([expression, "count(*)"], _joined(joins), group_by="1").build()


def create_repeated_ids(row: str, column: str) -> Sql:
    """repeated_ids(r): the row numbers (`row`) repeating an id already seen on an earlier row."""
    qcol = ident(column)
    query = Select([f"{row} AS r"], "source s", [f"{qcol} IS NOT NULL"]).build().text
    return Sql(
        f"CREATE TABLE repeated_ids AS {query} "
        f"QUALIFY row_number() OVER (PARTITION BY CAST({qcol} AS VARCHAR) ORDER BY {row}) > 1"
    )


def in_repeated_ids(row: str) -> str:
    """SQL that is true on a row listed in repeated_ids."""
    return f"coalesce({row} IN ({Select(['r'], 'repeated_ids').build().text}), false)"


def _parsed_rows(select: str, joins: str, any_bad: str) -> str:
    return f"(SELECT {select} FROM source s {joins} WHERE NOT ({any_bad})) p"


def flag_conflict_count(select: str, joins: str, any_bad: str, outcome: str, contradicts: str) -> Sql:
    """(count, first three ids) of the used rows where a flag contradicts the outcome (`o` in `contradicts`)."""
    with_outcome = f"(SELECT p.*, {outcome} AS o FROM {_parsed_rows(select, joins, any_bad)}) p"
    return Select(["count(*)", "list(id ORDER BY row_no)[:3]"], with_outcome, [contradicts]).build()


@dataclass(frozen=True)
class RecordsTable:
    """The `records` table (or view) from the parsed columns of `source`: SQL for each part of the statement."""

    kind: str  # "TABLE" or "VIEW"
    kept: str  # the parsed columns kept ("p.* EXCLUDE (…)")
    level: str
    outcome: str
    position: str
    existing_pattern: str  # regex of deal types meaning an existing customer (no quote in it)
    select: str  # parsed columns, "expr AS name, …"
    joins: str
    any_bad: str  # true on a rejected row

    def build(self) -> Sql:
        return Sql(
            f"""
            CREATE {self.kind} records AS
            SELECT {self.kept}, {self.level} AS level, {self.outcome} AS outcome, {self.position} AS stage_position,
                   CASE WHEN {self.outcome} = 'open' THEN coalesce(p.__expected_close, p.closed) ELSE p.__expected_close
                       END AS expected_close,
                   regexp_matches(lower(p.deal_type), '{self.existing_pattern}') AS is_existing,
                   CASE WHEN {self.outcome} = 'won' AND p.__day_precise THEN date_diff('day', created, closed) END
                       AS cycle_days
            FROM {_parsed_rows(self.select, self.joins, self.any_bad)}
            """
        )


def create_parsed_periods(select: str, any_bad: str, joins: Sequence[str]) -> Sql:
    """parsed: the parsed columns of every `source` row of a monthly sheet, with __bad (the row is rejected)."""
    return Sql(f"CREATE TABLE parsed AS SELECT {select}, ({any_bad}) AS __bad FROM {_joined(joins)}")


def create_periods_table() -> Sql:
    """periods: the rows of `parsed` that are used and have a period, by period."""
    query = Select(["* EXCLUDE (__bad)"], "parsed", ["NOT __bad", "period_start IS NOT NULL"], order_by="period_start")
    return Sql("CREATE TABLE periods AS " + query.build().text)
