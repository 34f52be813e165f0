"""Query SQL built in one place, from small structures: quoting, date basis, filters, period keys, grouped measures.

Every query the engine runs on a loaded dataset is written here (the intake's table building lives in
kpi_core/intake). Other modules describe what they want (a `Select`, `GroupedMeasures`, `DailySums`, a filter) and
run the `Sql` it builds with `execute`. User text (column names, role values) only ever reaches SQL quoted by
`ident` / `literal` or as a parameter; numbers and dates written into SQL are formatted from typed values.

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
