"""Load one or more files into a DuckDB connection as a normalised `records` (or `periods`) table, listing rejects."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import DEFAULT_MAX_BYTES, SourceFile, open_source
from kpi_core.intake.findings import IntakeWarning, Link, Skipped
from kpi_core.intake.roles import (
    PERIOD_ROLES,
    RECORD_ROLES,
    TEXT_ROLES,
    TRUE_FLAGS,
    detect_roles,
    detect_shape,
    parse_period_start,
    roles_from_header,
)
from kpi_core.intake.stages import LEVEL_RANK, LEVELS, map_stages, order_stages
from kpi_core.intake.tables import (
    count_rows,
    file_row,
    load_source,
    quote_ident,
    quote_literal,
    rows_as_file_lines,
)
from kpi_core.intake.values import ValueParseError, parse_amount, parse_count, parse_date

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_ROWS = 2000
MAX_LISTED_REJECTS = 10_000  # all are counted; the list is capped so a broken 10M-row file stays usable


@dataclass
class FileInput:
    """A file to load: its display name and its bytes (upload) or path (command line)."""

    name: str
    data: bytes | Path
    sheet: str | None = None


@dataclass
class LoadOptions:
    """What the user overrode: roles, stage mapping and order, link key, shape."""

    roles: dict[str, str | None] = field(default_factory=dict)
    stage_map: dict[str, str] = field(default_factory=dict)
    stage_order: list[str] | None = None
    link_key: str | None = None
    shape: str | None = None  # "records" / "periods" / None = detect
    max_bytes: int = DEFAULT_MAX_BYTES  # the upload limit; the command line reads local files of any size
    date_orders: dict[str, str] = field(default_factory=dict)  # column → "dmy" / "mdy" for a/b/yyyy dates
    currency: str | None = None  # "JPY", "USD", "EUR"…; None = detect from cells and headers


@dataclass
class Reject:
    """A row kept out of the figures, and why.

    ``row`` is where a person finds the row in the file: for .xlsx the sheet row Excel shows; for CSV the line
    where the record starts, as a text editor numbers lines (title lines, blank lines and the extra lines of
    multi-line quoted cells all count, so in a CSV with multi-line cells it can be larger than Excel's row).
    """

    file: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Dataset:
    """Loaded data: a DuckDB connection holding `records` (or `periods`), and how it was read."""

    con: duckdb.DuckDBPyConnection
    shape: str
    mapping: dict[str, str]
    columns: list[str]
    files: list[dict[str, object]]
    rows_read: int
    rows_used: int
    rejected: int
    rejects: list[Reject]
    stage_map: dict[str, str | None] = field(default_factory=dict)
    stage_order: list[str] = field(default_factory=list)
    stage_counts: dict[str, int] = field(default_factory=dict)
    present_levels: list[str] = field(default_factory=list)
    can_lose: bool = False
    link_key: str | None = None
    rows_linked: int = 0
    notes: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # blank and summary rows, listed; not in `rejected`
    warnings: list[IntakeWarning] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # Every inference with its evidence, for the Data page and --json: role → {column, by, …}, plus
    # "date_order" {column: {order, by, …}} and "currency" {code, by, …}.
    evidence: dict[str, object] = field(default_factory=dict)
    currency: str | None = None

    @property
    def table(self) -> str:
        return "records" if self.shape == "records" else "periods"

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the dataset's connection, safe to use from another thread."""
        return self.con.cursor()

    def sample(self, limit: int = 20) -> pd.DataFrame:
        """The first rows of the joined source as read (for previews)."""
        return self.cursor().execute(f"SELECT {_DATA_COLUMNS_SQL} FROM source LIMIT {int(limit)}").df()


_DATA_COLUMNS_SQL = "COLUMNS(lambda c: NOT starts_with(c, '__row_'))"  # the file's columns, not our row numbers


def load_dataset(inputs: Sequence[FileInput], options: LoadOptions | None = None) -> Dataset:
    """Read, link, map and normalise `inputs`. Raises IntakeError with one sentence for unusable input.

    Converted copies of uploads live in a temporary folder only while loading: the data is in DuckDB after that.
    """
    if not inputs:
        raise IntakeError("No file given: choose at least one CSV or Excel file.", code="no_file")
    with tempfile.TemporaryDirectory(prefix="kpi_pivot_") as workdir:
        return _load(inputs, options or LoadOptions(), Path(workdir))


def _load(inputs: Sequence[FileInput], options: LoadOptions, workdir: Path) -> Dataset:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # never print to the user's terminal
    sources = [open_source(f.name, f.data, workdir=workdir, sheet=f.sheet, max_bytes=options.max_bytes) for f in inputs]
    counts = [load_source(con, index, source) for index, source in enumerate(sources)]
    rejects: list[Reject] = []
    link_key = None
    if len(sources) == 1:
        con.execute("CREATE VIEW source AS SELECT *, rowid AS __row_0 FROM src0")
        columns = list(sources[0].columns)
        column_file = dict.fromkeys(columns, 0)
    else:
        link_key, columns, column_file, link_rejects = _link_sources(con, sources, counts, options)
        rejects += link_rejects
    sample = _sample(con)
    shape = options.shape or detect_shape(columns, sample)
    _check_overrides(options.roles, columns, shape)
    refused: list[tuple[str, str]] = []
    mapping = detect_roles(columns, sample, shape=shape, overrides=options.roles, refused=refused)
    dataset = Dataset(
        con=con,
        shape=shape,
        mapping=mapping,
        columns=columns,
        files=[
            {
                "name": s.name,
                "kind": s.kind,
                "sheet": s.sheet,
                "sheets": s.sheets,
                "rows": n,
                "encoding": s.encoding,
            }
            for s, n in zip(sources, counts, strict=True)
        ],
        rows_read=sum(counts),
        rows_used=0,
        rejected=0,
        rejects=[],
        link_key=link_key,
        notes=[f"refused_role:{role}:{column}" for role, column in refused if role not in mapping],
    )
    builder = _RecordBuilder(con, sources, column_file, mapping, options)
    if shape == "records":
        if "created" not in mapping and "closed" not in mapping:
            # Totals are still right (a lead-scoring export has no dates); periods need a date column.
            dataset.notes.append("no_dates")
        builder.build_records(dataset)
    else:
        month_columns = [column for role, column in refused if role == "period"]
        if "period" not in mapping and month_columns:
            raise IntakeError(
                f"{sources[0].name}: the {month_columns[0]} column holds months without a year (like 4月): "
                "write the year in each cell (2025年4月 or 2025-04) and upload again.",
                code="period_without_year",
            )
        if "period" not in mapping:
            raise IntakeError(
                f"{sources[0].name}: the monthly sheet has no period column (月 / Month): name it in the column roles.",
                code="no_period",
            )
        builder.build_periods(dataset)
    all_rejects = rejects + builder.rejects
    rows_as_file_lines(all_rejects, sources, counts)
    file_order = {source.name: index for index, source in enumerate(sources)}
    all_rejects.sort(key=lambda r: (file_order.get(r.file, 0), r.row, r.column))
    dataset.rejected = len({(r.file, r.row) for r in all_rejects})
    dataset.rejects = all_rejects[:MAX_LISTED_REJECTS]
    dataset.rows_used = count_rows(con, dataset.table)
    # Rows of the other files that were attached to a base record: read = used + rejected + linked.
    dataset.rows_linked = dataset.rows_read - dataset.rows_used - dataset.rejected
    if dataset.rows_used == 0:
        raise IntakeError(
            f"{sources[0].name}: none of its {dataset.rows_read} rows could be used "
            f"({dataset.rejected} rejected): check the column roles and the rejected-rows list.",
            code="no_usable_rows",
        )
    return dataset


def _sample(con: duckdb.DuckDBPyConnection) -> dict[str, list[object]]:
    """The first rows of `source` as column → values (plain Python: the command line never imports pandas)."""
    result = con.execute(f"SELECT {_DATA_COLUMNS_SQL} FROM source LIMIT {SAMPLE_ROWS}")
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _check_overrides(roles: dict[str, str | None], columns: list[str], shape: str) -> None:
    allowed = RECORD_ROLES if shape == "records" else PERIOD_ROLES
    for role, column in roles.items():
        if role not in allowed:
            raise IntakeError(f"Unknown column role {role!r}: use one of {', '.join(allowed)}.", code="bad_role")
        if column is not None and column not in columns:
            raise IntakeError(
                f"Column {column!r} (given for {role}) is not in the file: the columns are {', '.join(columns)}.",
                code="bad_column",
            )


def _link_sources(
    con: duckdb.DuckDBPyConnection, sources: list[SourceFile], counts: list[int], options: LoadOptions
) -> tuple[str, list[str], dict[str, int], list[Reject]]:
    """Join every file to the largest one on a shared id column; list duplicates and orphans."""
    base = max(range(len(sources)), key=lambda i: counts[i])
    order = [base] + [i for i in range(len(sources)) if i != base]
    key = options.link_key or _find_link_key(con, sources, base)
    if key is None:
        names = ", ".join(s.name for s in sources)
        raise IntakeError(
            f"{names}: no shared id column links these files: choose the link column, or upload them one at a time.",
            code="no_link",
        )
    for index in order:
        if key not in sources[index].columns:
            raise IntakeError(
                f"{sources[index].name} has no column {key!r} to link on: rename it or choose another link column.",
                code="no_link",
                file=sources[index].name,
            )
    columns = list(sources[base].columns)
    column_file = dict.fromkeys(columns, base)
    select = [f"b.{quote_ident(c)}" for c in columns] + [f"b.rowid AS __row_{base}"]
    joins = []
    rejects: list[Reject] = []
    qkey = quote_ident(key)
    first_only = f"QUALIFY row_number() OVER (PARTITION BY CAST({qkey} AS VARCHAR) ORDER BY rowid) = 1"
    dup_sql = (
        "SELECT rowid FROM src{i} WHERE {k} IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY CAST({k} AS VARCHAR) ORDER BY rowid) > 1"
    )
    # A repeated id in the base file would count its linked rows twice: the first row is used, the rest listed.
    for row in (r[0] for r in con.execute(dup_sql.format(i=base, k=qkey) + " ORDER BY 1").fetchall()):
        reason = f"duplicate {key}: only the first row with this id is used"
        rejects.append(Reject(sources[base].name, file_row(sources[base], row), key, reason))
    for index in order[1:]:
        alias = f"o{index}"
        for column in sources[index].columns:
            if column == key:
                continue
            name = column if column not in column_file else f"{column} ({sources[index].name})"
            column_file[name] = index
            columns.append(name)
            select.append(f"{alias}.{quote_ident(column)} AS {quote_ident(name)}")
        select.append(f"{alias}.__row AS __row_{index}")
        joins.append(
            f"LEFT JOIN (SELECT *, rowid AS __row FROM src{index} {first_only}) {alias} "
            f"ON CAST(b.{qkey} AS VARCHAR) = CAST({alias}.{qkey} AS VARCHAR)"
        )
        # Ids missing from the base file and repeated ids are kept out and listed (an orphan first).
        orphan_sql = (
            f"SELECT rowid FROM src{index} o WHERE NOT EXISTS (SELECT 1 FROM src{base} b "
            f"WHERE CAST(b.{qkey} AS VARCHAR) = CAST(o.{qkey} AS VARCHAR))"
        )
        listed: set[int] = set()
        for sql, reason in (
            (orphan_sql, f"{key} not found in {sources[base].name}"),
            (dup_sql.format(i=index, k=qkey), f"duplicate {key}: only the first row with this id is used"),
        ):
            rows = [r[0] for r in con.execute(sql + " ORDER BY 1").fetchall() if r[0] not in listed]
            listed.update(rows)
            rejects += [Reject(sources[index].name, file_row(sources[index], r), key, reason) for r in rows]
    con.execute(
        f"CREATE VIEW source AS SELECT {', '.join(select)} FROM (SELECT *, rowid FROM src{base} {first_only}) b "
        f"{' '.join(joins)}"
    )
    return key, columns, column_file, rejects


def _find_link_key(con: duckdb.DuckDBPyConnection, sources: list[SourceFile], base: int) -> str | None:
    """The shared column that identifies records: unique in the base file, named like an id where possible, and
    whose values in the other files are mostly found in the base. An owner or channel column is never unique."""
    shared = set(sources[base].columns)
    for source in sources:
        shared &= set(source.columns)
    best: tuple[float, str] | None = None
    for column in sorted(shared):
        qcol = quote_ident(column)
        distinct, present = con.execute(
            f"SELECT count(DISTINCT CAST({qcol} AS VARCHAR)), count({qcol}) FROM src{base}"
        ).fetchall()[0]
        id_like = "id" in roles_from_header(column)
        if not present or distinct < (0.5 if id_like else 0.95) * present:
            continue
        overlaps = []
        for index in range(len(sources)):
            if index == base:
                continue
            sql = (
                f"SELECT count(DISTINCT CAST(o.{qcol} AS VARCHAR)) FILTER (WHERE CAST(o.{qcol} AS VARCHAR) IN "
                f"(SELECT CAST({qcol} AS VARCHAR) FROM src{base})) / greatest(count(DISTINCT o.{qcol}), 1) "
                f"FROM src{index} o"
            )
            overlaps.append(float(con.execute(sql).fetchall()[0][0] or 0))
        score = min(overlaps) + (1.0 if id_like else 0.0)
        if min(overlaps) >= 0.5 and (best is None or score > best[0]):
            best = (score, column)
    return best[1] if best else None


def _case(column: str, values: dict[str, str], default: str) -> str:
    """CASE column WHEN 'raw' THEN sql … ELSE default END (raw values quoted as literals)."""
    if not values:
        return default
    whens = " ".join(f"WHEN {quote_literal(raw)} THEN {sql}" for raw, sql in values.items())
    return f"CASE {column} {whens} ELSE {default} END"


class _RecordBuilder:
    """Builds the normalised table with SQL, parsing messy text columns once per distinct value in Python."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sources: list[SourceFile],
        column_file: dict[str, int],
        mapping: dict[str, str],
        options: LoadOptions,
    ) -> None:
        self.con, self.sources, self.column_file, self.mapping, self.options = (
            con,
            sources,
            column_file,
            mapping,
            options,
        )
        self.types = {row[0]: row[1] for row in con.execute("DESCRIBE source").fetchall()}
        self.rejects: list[Reject] = []
        self.rejected = 0
        self._bad_flags: list[tuple[str, str, str]] = []  # (flag expression, column, reason)
        self._joins: list[str] = []

    # -- expressions per kind of role --------------------------------------------------------------------------
    def _parsed(self, role: str, parser: Callable[[object], object], sql_type: str, reason: str) -> str:
        column = self.mapping[role]
        qcol = quote_ident(column)
        col_type = self.types.get(column, "VARCHAR").upper()
        if sql_type == "DATE" and col_type == "DATE":
            return f"s.{qcol}"
        if sql_type == "DATE" and col_type.startswith("TIMESTAMP"):
            return f"CAST(s.{qcol} AS DATE)"
        if sql_type == "DOUBLE" and (col_type in _NUMERIC_TYPES or col_type.startswith("DECIMAL")):
            return f"CAST(s.{qcol} AS DOUBLE)"
        # Text (or Excel serial numbers for dates): parse each distinct value once.
        distinct = [r[0] for r in self.con.execute(f"SELECT DISTINCT {qcol} FROM source").fetchall()]
        raws, values, oks = [], [], []
        for raw in distinct:
            if raw is None:
                continue
            try:
                value, ok = parser(raw), True
            except ValueParseError:
                value, ok = None, False
            raws.append(str(raw))
            values.append(value)
            oks.append(ok)
        table = f"map_{role}"
        self.con.execute(
            f"CREATE TABLE {table} AS SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::BOOLEAN[]) AS ok, "
            f"unnest(?::{sql_type}[]) AS value",
            [raws, oks, values],
        )
        self._joins.append(f"LEFT JOIN {table} ON CAST(s.{qcol} AS VARCHAR) = {table}.raw")
        self._bad_flags.append((f"({table}.ok IS FALSE)", column, reason))
        return f"{table}.value"

    def _date(self, role: str) -> str:
        return self._parsed(role, parse_date, "DATE", "not a date")

    def _text(self, role: str) -> str:
        """Text with ASCII and full-width spaces collapsed, so "佐藤 健　" and "佐藤 健" are one rep.

        The clean-up runs once per distinct value; a column that needs none is used as it is (fast path).
        """
        qcol = quote_ident(self.mapping[role])
        raw = f"CAST(s.{qcol} AS VARCHAR)"
        clean = "NULLIF(trim(regexp_replace(raw, '[\\s\\x{3000}]+', ' ', 'g')), '')"
        table = f"text_{role}"
        self.con.execute(
            f"CREATE TABLE {table} AS SELECT raw, {clean} AS value FROM (SELECT DISTINCT {raw} AS raw FROM source s)"
        )
        dirty = self.con.execute(f"SELECT count(*) FROM {table} WHERE raw IS DISTINCT FROM value").fetchall()[0][0]
        if not dirty:
            return raw
        self._joins.append(f"LEFT JOIN {table} ON {raw} = {table}.raw")
        return f"{table}.value"

    # -- rejects -------------------------------------------------------------------------------------------------
    def _collect_rejects(self) -> None:
        for flag, column, reason in self._bad_flags:
            file_index = self.column_file.get(column, 0)
            sql = (
                f"SELECT s.__row_{file_index}, CAST(s.{quote_ident(column)} AS VARCHAR) FROM source s "
                f"{' '.join(self._joins)} WHERE {flag} ORDER BY 1"
            )
            for row, raw in self.con.execute(sql).fetchall():
                source = self.sources[file_index]
                self.rejects.append(Reject(source.name, file_row(source, row or 0), column, f"{reason}: {raw!r}"))
        self.rejected = len({(r.file, r.row) for r in self.rejects})

    def _any_bad(self) -> str:
        return " OR ".join(flag for flag, _, _ in self._bad_flags) or "false"

    # -- records -------------------------------------------------------------------------------------------------
    def build_records(self, dataset: Dataset) -> None:
        m = self.mapping
        exprs: dict[str, str] = {"row_no": "s.__row_0"}
        exprs["id"] = f"CAST(s.{quote_ident(m['id'])} AS VARCHAR)" if "id" in m else "CAST(s.__row_0 + 1 AS VARCHAR)"
        exprs["created"] = self._date("created") if "created" in m else "CAST(NULL AS DATE)"
        exprs["closed"] = self._date("closed") if "closed" in m else "CAST(NULL AS DATE)"
        exprs["updated"] = self._date("updated") if "updated" in m else "CAST(NULL AS DATE)"
        exprs["amount"] = (
            self._parsed("amount", parse_amount, "DOUBLE", "not an amount") if "amount" in m else "CAST(NULL AS DOUBLE)"
        )
        for role in sorted(TEXT_ROLES):
            exprs[role] = self._text(role) if role in m else "CAST(NULL AS VARCHAR)"
        for role in ("calls", "visits", "proposals"):
            exprs[role] = (
                self._parsed(role, parse_count, "DOUBLE", "not a count") if role in m else "CAST(NULL AS DOUBLE)"
            )
        stage_expr = self._stage(dataset)
        exprs["stage"] = stage_expr
        if "won_flag" in m:
            exprs["__won_flag"] = f"s.{quote_ident(m['won_flag'])}"
        select = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        joins = " ".join(self._joins)
        self._collect_rejects()
        has_stage = "stage" in m
        # No stage column: a record with a won flag set, or else with a close date, is a won deal (a lead-scoring
        # export's "Converted", a closed-deals export).
        won = self._won_flag() if "won_flag" in m else "closed IS NOT NULL"
        outcome, level, position = f"CASE WHEN {won} THEN 'won' ELSE 'open' END", "1", "NULL"
        if has_stage:
            # CASE over the few stage values beats a join per query when `records` is a view over 10M rows.
            rows = self.con.execute("SELECT raw, level, outcome, position FROM stage_map").fetchall()
            outcome = _case("p.stage", {r[0]: quote_literal(r[2]) for r in rows}, "'open'")
            base = str(self._base_level(dataset))  # where an unknown stage value counts
            level = _case("p.stage", {r[0]: base if r[1] is None else str(r[1]) for r in rows}, base)
            position = _case("p.stage", {r[0]: str(r[3]) for r in rows}, "NULL")
        # Clean, typed data (the big-file case) stays a view over the loaded table: one copy of the data in memory.
        # Parsed text columns are joined once into a table instead, so figures never redo the joins.
        # No sort: row_no keeps the file order for whoever needs it.
        kind = "TABLE" if self._joins or len(self.sources) > 1 else "VIEW"
        kept = "p.* EXCLUDE (__won_flag)" if "won_flag" in m else "p.*"
        self.con.execute(
            f"""
            CREATE {kind} records AS
            SELECT {kept}, {level} AS level, {outcome} AS outcome, {position} AS stage_position,
                   regexp_matches(lower(p.deal_type), '{_EXISTING_PATTERN}') AS is_existing,
                   CASE WHEN {outcome} = 'won' THEN date_diff('day', created, closed) END AS cycle_days
            FROM (SELECT {select} FROM source s {joins} WHERE NOT ({self._any_bad()})) p
            """
        )

    def _won_flag(self) -> str:
        """SQL that is true where the won-flag column says yes (1, true, yes, はい, ○ …)."""
        column = self.mapping["won_flag"]
        if self.types.get(column, "VARCHAR").upper() in _NUMERIC_TYPES | {"BOOLEAN"}:
            return "coalesce(CAST(p.__won_flag AS DOUBLE) <> 0, false)"
        truthy = ", ".join(quote_literal(v) for v in sorted(TRUE_FLAGS))
        return f"coalesce(lower(trim(CAST(p.__won_flag AS VARCHAR))) IN ({truthy}), false)"

    def _stage(self, dataset: Dataset) -> str:
        if "stage" not in self.mapping:
            dataset.present_levels = ["lead", "won"]
            dataset.can_lose = False
            return "CAST(NULL AS VARCHAR)"
        text = self._text("stage")
        joins = " ".join(self._joins)
        counts = dict(self.con.execute(f"SELECT {text}, count(*) FROM source s {joins} GROUP BY 1").fetchall())
        counts.pop(None, None)
        stage_map = map_stages(counts, self.options.stage_map)
        order = list(self.options.stage_order or [])
        order = [v for v in order if v in stage_map] + [v for v in order_stages(stage_map, counts) if v not in order]
        canon_present = {c for c in stage_map.values() if c}
        levels = {c for c in canon_present if c in LEVELS}
        if canon_present & {"won", "lost"}:
            levels.add("opportunity")
        if "disqualified" in canon_present:
            levels.add("lead")
        dataset.present_levels = [lv for lv in LEVELS if lv in levels]
        dataset.can_lose = "lost" in canon_present
        dataset.stage_map, dataset.stage_order, dataset.stage_counts = stage_map, order, counts
        unknown = [v for v, c in stage_map.items() if c is None]
        if unknown:
            dataset.notes.append("unmapped_stages:" + "|".join(unknown))
        self.con.execute(
            "CREATE TABLE stage_map AS SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::INTEGER[]) AS level, "
            "unnest(?::VARCHAR[]) AS outcome, unnest(?::INTEGER[]) AS position",
            [
                list(stage_map),
                [LEVEL_RANK[c] if c else None for c in stage_map.values()],
                [c if c in ("won", "lost", "disqualified") else "open" for c in stage_map.values()],
                [order.index(v) for v in stage_map],
            ],
        )
        return text

    @staticmethod
    def _base_level(dataset: Dataset) -> int:
        """Where an unknown stage value counts: the first level the data has."""
        return LEVEL_RANK[dataset.present_levels[0]] if dataset.present_levels else 1

    # -- periods -------------------------------------------------------------------------------------------------
    def build_periods(self, dataset: Dataset) -> None:
        m = self.mapping
        exprs = {
            "row_no": "s.__row_0",
            "period_start": self._parsed("period", parse_period_start, "DATE", "not a month"),
        }
        for role in ("leads", "mql", "sql", "opportunities", "won", "lost"):
            exprs[role] = (
                self._parsed(role, parse_count, "DOUBLE", "not a count") if role in m else "CAST(NULL AS DOUBLE)"
            )
        exprs["revenue"] = (
            self._parsed("revenue", parse_amount, "DOUBLE", "not an amount")
            if "revenue" in m
            else "CAST(NULL AS DOUBLE)"
        )
        select = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        self.con.execute(
            f"CREATE TABLE parsed AS SELECT {select}, ({self._any_bad()}) AS __bad "
            f"FROM source s {' '.join(self._joins)}"
        )
        # A row without a period (a blank line, a note) cannot be placed: it is rejected, not dropped silently.
        period_column = quote_ident(m["period"])
        self._bad_flags.append((f"(s.{period_column} IS NULL)", m["period"], "no period"))
        self._collect_rejects()
        self.con.execute(
            "CREATE TABLE periods AS SELECT * EXCLUDE (__bad) FROM parsed WHERE NOT __bad AND period_start IS NOT NULL "
            "ORDER BY period_start"
        )
        self.con.execute("DROP TABLE parsed")
        levels = {"leads": "lead", "mql": "mql", "sql": "sql", "opportunities": "opportunity", "won": "won"}
        dataset.present_levels = [levels[r] for r in levels if r in m]
        dataset.can_lose = "lost" in m


# Deal-type values that mean an existing customer (repeat, upsell, cross-sell, renewal).
_EXISTING_PATTERN = "既存|existing|upsell|up-sell|cross|renew|repeat|リピート|アップセル|クロスセル|更新|追加"
_NUMERIC_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "UBIGINT",
    "UINTEGER",
}
