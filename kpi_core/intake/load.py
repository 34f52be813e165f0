"""Load one or more files into a DuckDB connection as a normalised `records` (or `periods`) table, listing rejects."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import duckdb

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.files import DEFAULT_MAX_BYTES, SourceFile, open_source
from kpi_core.intake.findings import IntakeWarning, Link, Skipped
from kpi_core.intake.inference import (
    DateOrderChoice,
    choose_date_orders,
    currency_column_counts,
    is_currency_header,
    read_amount_column,
)
from kpi_core.intake.link import LinkedSources, file_rejects, link_sources
from kpi_core.intake.roles import (
    HEADLINE_ROLES,
    PERIOD_ROLES,
    RECORD_ROLES,
    TEXT_ROLES,
    TRUE_FLAGS,
    detect_roles,
    detect_shape,
    header_key,
    missing_headline_roles,
    parse_forecast_category,
    parse_period_start,
    parse_probability,
    probability_is_percent,
    probability_rank,
    stage_date_columns,
)
from kpi_core.intake.stages import (
    LEVEL_RANK,
    LEVELS,
    MEASURE_LEVEL,
    canonical_stage,
    map_stages,
    order_stages,
    substage_rank,
)
from kpi_core.intake.tables import (
    SourceTable,
    count_rows,
    file_row,
    load_source,
    quote_ident,
    quote_literal,
    rows_as_file_lines,
)
from kpi_core.intake.values import (
    MAX_YEAR,
    MIN_YEAR,
    ValueParseError,
    is_month_only,
    parse_amount,
    parse_count,
    parse_date,
)
from kpi_core.messages import render
from kpi_core.sql import (
    RecordsTable,
    changed_text_count,
    create_parsed_periods,
    create_periods_table,
    create_repeated_ids,
    create_stage_map,
    create_text_map,
    create_value_map,
    delete_skipped_rows,
    drop_table,
    execute,
    flag_conflict_count,
    in_repeated_ids,
    rejected_cells,
    setting,
    single_source_view,
    skipped_rows,
    source_any,
    source_distinct_values,
    source_key_stats,
    source_present_cells,
    source_rows,
    stage_map_rows,
    table_columns,
    unreadable_cell_count,
    value_counts_in_source,
)

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_ROWS = 2000
MAX_LISTED_REJECTS = 10_000  # all are counted; the list is capped so a broken 10M-row file stays usable
MAX_NUMBER = 1e15  # 1,000兆: no deal, revenue or count reaches it; above it a cell is a typo or an attack
UNCERTAIN_FIT = 0.8  # a headline role's column with fewer fitting values is used, and said to be doubtful
_AMOUNT_SAMPLE = 20_000  # distinct amount cells looked at for currency and decimal comma


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
    lang: str | None = None  # the reader's language: the day/month order of a column nothing else decides


@dataclass
class Reject:
    """A row kept out of the figures, and why.

    ``row`` is where a person finds the row in the file: for .xlsx the sheet row Excel shows; for CSV the line
    where the record starts, as a text editor numbers lines (title lines, blank lines and the extra lines of
    multi-line quoted cells all count, so in a CSV with multi-line cells it can be larger than Excel's row).
    ``code`` names the reason's sentence in kpi_core.messages ("reject.<code>"), filled from ``params``.
    """

    file: str
    row: int
    column: str
    code: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in English (the command line's default language)."""
        return self.message("en")

    def message(self, lang: str = "en") -> str:
        return render(f"reject.{self.code}", lang, **{k: str(v) for k, v in self.params.items()})

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.message(lang)}


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
        return execute(self.cursor(), source_rows(limit)).df()


def load_dataset(inputs: Sequence[FileInput], options: LoadOptions | None = None) -> Dataset:
    """Read, link, map and normalise `inputs`. Raises IntakeError with one sentence for unusable input.

    Converted copies of uploads live in a temporary folder only while loading: the data is in DuckDB after that.
    """
    if not inputs:
        raise IntakeError("intake.no_file", code="no_file")
    with tempfile.TemporaryDirectory(prefix="kpi_pivot_") as workdir:
        return _load(inputs, options or LoadOptions(), Path(workdir))


def _load(inputs: Sequence[FileInput], options: LoadOptions, workdir: Path) -> Dataset:
    con = duckdb.connect(":memory:")
    execute(con, setting("enable_progress_bar", "false"))  # never print to the user's terminal
    # One dataset must not take the whole server's memory: DuckDB spills or stops at this limit instead.
    execute(con, setting("memory_limit", quote_literal(os.environ.get("KPI_PIVOT_DUCKDB_MEMORY", "4GB"))))
    sources = [open_source(f.name, f.data, workdir=workdir, sheet=f.sheet, max_bytes=options.max_bytes) for f in inputs]
    tables = [load_source(con, index, source) for index, source in enumerate(sources)]
    skipped = _take_skipped(con, sources, tables)
    counts = [table.rows - table.skipped for table in tables]  # rows in src{i} once blank and total rows are out
    rejects: list[Reject] = []
    link_key, links, booked, base, linked = None, [], {}, 0, None
    if len(sources) == 1:
        execute(con, single_source_view())
        columns = list(sources[0].columns)
        column_file = dict.fromkeys(columns, 0)
    else:
        linked = link_sources(con, sources, counts, options.link_key)
        link_key, columns, column_file, booked = linked.key, linked.columns, linked.column_file, linked.booked
        base = linked.base
        rejects += [Reject(*r) for r in file_rejects(linked, sources)]
        links = linked.links
    sample = _sample(con)
    shape = options.shape or detect_shape(columns, sample)
    _check_overrides(options.roles, columns, shape)
    refused: list[tuple[str, str]] = []
    evidence: dict[str, dict[str, object]] = {}
    mapping = detect_roles(columns, sample, shape=shape, overrides=options.roles, refused=refused, evidence=evidence)
    stage_dates = stage_date_columns(columns, sample) if shape == "records" else {}
    if "stage" in mapping:  # the stage column says how far; a won / lost date still dates the outcome
        stage_dates = {c: label for c, label in stage_dates.items() if canonical_stage(label) in ("won", "lost")}
    elif len({canonical_stage(label) for label in stage_dates.values()}) < 2:
        stage_dates = {}  # one dated stage (a won date alone) is a close date, as it always was
    _expected_close_as_closed(mapping, evidence, options.roles, stage_dates)
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
        rows_read=sum(table.rows + len(table.bad_lines) for table in tables),
        rows_used=0,
        rejected=0,
        rejects=[],
        link_key=link_key,
        links=links,
        notes=[f"refused_role:{role}:{column}" for role, column in refused if role not in mapping],
        evidence={**evidence, **({"stage_dates": stage_dates} if stage_dates else {})},
    )
    builder = _RecordBuilder(con, sources, column_file, mapping, options, booked, base, stage_dates, linked)
    if shape == "records":
        if "created" not in mapping and "closed" not in mapping:
            # Totals are still right (a lead-scoring export has no dates); periods need a date column.
            dataset.notes.append("no_dates")
        builder.build_records(dataset)
    else:
        month_columns = [column for role, column in refused if role == "period"]
        if "period" not in mapping and month_columns:
            raise IntakeError(
                "intake.period_without_year",
                code="period_without_year",
                file=sources[0].name,
                column=month_columns[0],
            )
        if "period" not in mapping:
            raise IntakeError("intake.no_period", code="no_period", file=sources[0].name)
        builder.build_periods(dataset)
    dataset.warnings += [IntakeWarning(s.name, None, "unwrapped") for s in sources if s.unwrapped]
    dataset.warnings += [_mixed_encoding_warning(s) for s in sources if s.mixed_lines]
    dataset.warnings += builder.warnings
    if shape == "records":
        dataset.warnings += _headline_role_warnings(dataset, sources[base].name, stage_dates, bool(booked))
    all_rejects = rejects + builder.rejects
    rows_as_file_lines([*all_rejects, *skipped], sources, [table.rows for table in tables])
    # Lines with too many fields were never rows: they are numbered by their line in the file already.
    for source, table in zip(sources, tables, strict=True):
        all_rejects += [
            Reject(source.name, bad.line, "", "too_many_fields", {"fields": bad.fields, "expected": bad.expected})
            for bad in table.bad_lines
        ]
    file_order = {source.name: index for index, source in enumerate(sources)}
    all_rejects.sort(key=lambda r: (file_order.get(r.file, 0), r.row, r.column))
    dataset.rejected = len({(r.file, r.row) for r in all_rejects})
    dataset.rejects = all_rejects[:MAX_LISTED_REJECTS]
    dataset.rows_used = count_rows(con, dataset.table)
    dataset.skipped = sorted(skipped, key=lambda s: (file_order.get(s.file, 0), s.row))
    # Rows of the other files that were attached to a base record: read = used + rejected + skipped + linked.
    dataset.rows_linked = dataset.rows_read - dataset.rows_used - dataset.rejected - len(skipped)
    if dataset.rows_used == 0:
        raise IntakeError(
            "intake.no_usable_rows",
            code="no_usable_rows",
            file=sources[0].name,
            read=dataset.rows_read,
            rejected=dataset.rejected,
        )
    return dataset


def _mixed_encoding_warning(source: SourceFile) -> IntakeWarning:
    """Lines written in another encoding than the rest of the file, each read in the one it is valid in."""
    lines = [str(m.line) for m in source.mixed_lines]
    encoding = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "Shift_JIS", "utf-16": "UTF-16"}
    params: dict[str, object] = {"encoding": encoding.get(source.encoding, source.encoding)}
    return IntakeWarning(source.name, None, "mixed_encoding", len(lines), lines, params)


def _in_range(number: float, cell: object) -> float:
    """A number a figure can use: finite and below MAX_NUMBER (1e400, inf and a pasted serial number are not)."""
    if not abs(number) < MAX_NUMBER:
        raise ValueParseError(f"not a usable number: {cell!r}")
    return number


def _count(cell: object) -> float | None:
    count = parse_count(cell)
    return None if count is None else _in_range(count, cell)


def _headline_role_warnings(
    dataset: Dataset, file: str, stage_dates: dict[str, str], booked: bool
) -> list[IntakeWarning]:
    """A warning for each role a headline figure needs (outcome, amount, created, closed) that no column holds,
    or whose column's values only partly fit it.

    A file with neither dates nor amounts (a lead-scoring export) still gets its totals: the warnings say which
    figures stay blank, at the top of every page they affect.
    """
    doubtful = []
    told = {w.column for w in dataset.warnings}  # an unreadable-amounts warning already counts the misfits
    for role in HEADLINE_ROLES:
        role_evidence = dataset.evidence.get(role)  # the role's dict from find_roles, when it has a column
        fit = role_evidence.get("fit") if isinstance(role_evidence, dict) else None
        if (
            role in dataset.mapping
            and dataset.mapping[role] not in told
            and isinstance(fit, float)
            and fit < UNCERTAIN_FIT
        ):
            column = dataset.mapping[role]
            doubtful.append(IntakeWarning(file, column, "role_uncertain", params={"role": role, "fit": fit}))
    mapping = {**dataset.mapping, **({"stage": "bookings"} if booked else {})}
    if "closed_flag" in mapping:
        mapping.setdefault("won_flag", mapping["closed_flag"])
    missing = missing_headline_roles(mapping, stage_dates=stage_dates)
    if booked or stage_dates:
        missing = [role for role in missing if role != "closed"]  # the booking / outcome date is the close date
    code = {"stage": "missing_outcome", "amount": "missing_amount", "created": "missing_created"}
    return [IntakeWarning(file, None, code.get(role, f"missing_{role}")) for role in missing] + doubtful


def _expected_close_as_closed(
    mapping: dict[str, str], evidence: dict[str, dict[str, object]], overrides: dict, stage_dates: dict[str, str]
) -> None:
    """Without a close-date column, an expected close date (完了予定日, Salesforce's CloseDate) is the close date
    of the deals that are won or lost, as in Salesforce. Not when nothing says a deal is won: every dated
    record would then count as won."""
    outcome_known = bool({"stage", "won_flag", "closed_flag"} & set(mapping)) or bool(stage_dates)
    if "closed" in mapping or "expected_close" not in mapping or "closed" in overrides or not outcome_known:
        return
    mapping["closed"] = mapping.pop("expected_close")
    if "expected_close" in evidence:
        evidence["closed"] = {**evidence.pop("expected_close"), "by": "expected_close"}


def _take_skipped(
    con: duckdb.DuckDBPyConnection, sources: list[SourceFile], tables: list[SourceTable]
) -> list[Skipped]:
    """Blank and summary rows (合計, Total…) out of every source table, listed with where they are in the file.

    Row ids stay as they were after the delete, so every later row number still points at the right line.
    """
    skipped: list[Skipped] = []
    for index, (source, table) in enumerate(zip(sources, tables, strict=True)):
        if not table.skipped:
            continue
        rows = execute(con, skipped_rows(index)).fetchall()
        skipped += [Skipped(source.name, file_row(source, row), reason, text) for row, reason, text in rows]
        execute(con, delete_skipped_rows(index))
    return skipped


def _sample(con: duckdb.DuckDBPyConnection) -> dict[str, list[object]]:
    """The first rows of `source` as column → values (plain Python: the command line never imports pandas)."""
    result = execute(con, source_rows(SAMPLE_ROWS))
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _check_overrides(roles: dict[str, str | None], columns: list[str], shape: str) -> None:
    allowed = RECORD_ROLES if shape == "records" else PERIOD_ROLES
    for role, column in roles.items():
        if role not in allowed:
            raise IntakeError("intake.bad_role", code="bad_role", role=role, roles=", ".join(allowed))
        if column is not None and column not in columns:
            raise IntakeError(
                "intake.bad_column", code="bad_column", role=role, column=column, columns=", ".join(columns)
            )


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
        booked: dict[int, str] | None = None,
        base: int = 0,
        stage_dates: dict[str, str] | None = None,
        link: LinkedSources | None = None,
    ) -> None:
        self.lead_unit = bool(link and link.lead_unit)
        self.link_key = link.key if link else None
        self.stage_dates = stage_dates or {}  # column → stage label, for exports with a date per stage
        self.base = base  # the file whose rows are the records
        self.con, self.sources, self.column_file, self.mapping, self.options = (
            con,
            sources,
            column_file,
            mapping,
            options,
        )
        self.types = {row[0]: row[1] for row in execute(con, table_columns("source")).fetchall()}
        self.date_orders: dict[str, DateOrderChoice] = {}
        self.month_only: dict[str, str] = {}  # date role → SQL: the cell gave a month, not a day
        self.decimal_comma, self.amount_scale = False, 1.0
        self._distinct_values: dict[str, list[object]] = {}
        self._texts: dict[str, str] = {}  # role → SQL of its cleaned text
        self._dates: dict[str, str] = {}  # column → SQL of its parsed dates
        self.booked = booked or {}  # file index → SQL flag: the record is in a bookings file (won)
        self.rejects: list[Reject] = []
        self.warnings: list[IntakeWarning] = []
        self._warned: list[tuple[str, str, str, str]] = []  # (SQL: cell unreadable, SQL: its text, column, code)
        self.rejected = 0
        self._bad_flags: list[tuple[str, str, str]] = []  # (flag expression, column, reason)
        self._joins: list[str] = []

    # -- expressions per kind of role --------------------------------------------------------------------------
    def _parsed(
        self,
        role: str,
        parser: Callable[[object], object],
        sql_type: str,
        reason: str,
        *,
        warn: str | None = None,
        column: str | None = None,
    ) -> str:
        """SQL for the parsed value of a role's column (or of `column`, named `role` inside). A cell that cannot be
        parsed rejects its row, or, with `warn` (a warning code), leaves the value null and is counted in a
        warning: the record still counts."""
        column = column or self.mapping[role]
        qcol = quote_ident(column)
        col_type = self.types.get(column, "VARCHAR").upper()
        if sql_type == "DATE" and (col_type == "DATE" or col_type.startswith("TIMESTAMP")):
            # Typed by DuckDB, yet a year of 1800 or 2999 is a typo, as it is in text (never a −82,235-day cycle).
            day = f"CAST(s.{qcol} AS DATE)"
            outside = f"coalesce({day} < DATE '{MIN_YEAR}-01-01' OR {day} > DATE '{MAX_YEAR}-12-31', false)"
            self._bad_flags.append((outside, column, "date_out_of_range"))
            return day
        if sql_type == "DOUBLE" and (col_type in _NUMERIC_TYPES or col_type.startswith("DECIMAL")):
            scale = self.amount_scale if role in ("amount", "revenue") else 1.0
            number = f"CAST(s.{qcol} AS DOUBLE)" + (f" * {scale!r}" if scale != 1.0 else "")
            if col_type in _INTEGER_TYPES:
                return number
            # inf, nan and 1e400 (read by DuckDB as inf) are cells nobody can use: unknown, and said so.
            readable = f"abs({number}) < {MAX_NUMBER!r}"
            unreadable = f"(s.{qcol} IS NOT NULL AND NOT ({readable}))"
            if warn is None:  # as for text below (every caller reading numbers passes a warning code)
                self._bad_flags.append((unreadable, column, reason))
            else:
                self._warned.append((unreadable, f"CAST(s.{qcol} AS VARCHAR)", column, warn))
            return f"CASE WHEN {readable} THEN {number} END"
        # Text (or Excel serial numbers for dates): parse each distinct value once.
        raws, values, oks, months = [], [], [], []
        for raw in self._distinct(column):
            if raw is None:
                continue
            try:
                value, ok = parser(raw), True
            except ValueParseError:
                value, ok = None, False
            raws.append(str(raw))
            values.append(value)
            oks.append(ok)
            months.append(ok and sql_type == "DATE" and is_month_only(raw))
        table = f"map_{role}"
        execute(self.con, create_value_map(table, sql_type, raws, oks, values, months))
        if any(months):
            self.month_only[role] = f"coalesce({table}.month_only, false)"
            examples = sorted(raw for raw, month in zip(raws, months, strict=True) if month)[:3]
            name = self.sources[self.column_file.get(column, 0)].name
            self.warnings.append(IntakeWarning(name, column, "month_precision", sum(months), examples))
        self._joins.append(f"LEFT JOIN {table} ON CAST(s.{qcol} AS VARCHAR) = {table}.raw")
        if warn is None:
            self._bad_flags.append((f"({table}.ok IS FALSE)", column, reason))
        else:  # counted once every reject is known
            self._warned.append((f"({table}.ok IS FALSE)", f"{table}.raw", column, warn))
        return f"{table}.value"

    def _collect_warnings(self) -> None:
        """Count, over the rows that are used, the cells that could not be read into each noted warning."""
        for unreadable, raw, column, code in self._warned:
            file_index = self.column_file.get(column, 0)
            query = unreadable_cell_count(raw, self._joins, unreadable, self._any_bad())
            count, examples = execute(self.con, query).fetchall()[0]
            if count:
                name = self.sources[file_index].name
                self.warnings.append(IntakeWarning(name, column, code, int(count), [str(e) for e in examples or []]))

    def _distinct(self, column: str) -> list[object]:
        """The distinct values of a source column (fetched once: date-order detection and parsing share them)."""
        if column not in self._distinct_values:
            rows = execute(self.con, source_distinct_values(column)).fetchall()
            self._distinct_values[column] = [r[0] for r in rows]
        return self._distinct_values[column]

    def choose_date_orders(self, dataset: Dataset, roles: Sequence[str]) -> None:
        """Decide the day/month order of every mapped date column (and stage-date column) that holds text, from
        all its values."""
        columns = [self.mapping[role] for role in roles if role in self.mapping] + list(self.stage_dates)
        text_columns = {
            column: self._distinct(column)
            for column in dict.fromkeys(columns)
            if self.types.get(column, "VARCHAR").upper() == "VARCHAR"
        }
        self.date_orders = choose_date_orders(text_columns, self.options.date_orders, self.options.lang)
        dataset.evidence["date_order"] = {column: c.as_evidence() for column, c in self.date_orders.items()}
        for column, choice in self.date_orders.items():
            name = self.sources[self.column_file.get(column, 0)].name
            params: dict[str, object] = {"order": choice.order, "by": choice.by}
            if choice.mixed:
                minority = min(choice.day_first, choice.month_first)
                self.warnings.append(IntakeWarning(name, column, "date_order_mixed", minority, [], params))
            elif choice.assumed:
                examples = list(choice.examples[:3])
                self.warnings.append(
                    IntakeWarning(name, column, "date_order_assumed", choice.ambiguous, examples, params)
                )

    def read_amounts(self, dataset: Dataset, role: str) -> None:
        """Currency, decimal comma and unit (千円) of the amount column, as evidence and warnings."""
        if role not in self.mapping:
            return
        column = self.mapping[role]
        values = self._distinct(column)[:_AMOUNT_SAMPLE]
        currency_columns = {header_key(c): self._cells(c) for c in self.types if is_currency_header(header_key(c))}
        reading = read_amount_column(column, values, self.options.currency, currency_column_counts(currency_columns))
        self.decimal_comma, self.amount_scale = reading.decimal_comma, reading.scale
        dataset.currency = reading.currency
        dataset.evidence["currency"] = reading.as_evidence()
        name = self.sources[self.column_file.get(column, 0)].name
        if reading.mixed:
            counts = dict(sorted(reading.currency_counts.items(), key=lambda item: -item[1]))
            params: dict[str, object] = {"currencies": counts}
            self.warnings.append(IntakeWarning(name, column, "currency_mixed", sum(counts.values()), [], params))
        if reading.decimal_comma:
            examples = sorted(str(v) for v in values if isinstance(v, str) and "," in v)[:3]
            self.warnings.append(IntakeWarning(name, column, "decimal_comma", 0, examples))

    def _cells(self, column: str) -> list[object]:
        """A column's cells, one per record (few distinct values: a currency column), for counting."""
        return [r[0] for r in execute(self.con, source_present_cells(column, 100_000)).fetchall()]

    def _amount_parser(self) -> Callable[[object], object]:
        def parse(value: object) -> float | None:
            amount = parse_amount(value, decimal_comma=self.decimal_comma)
            return None if amount is None else _in_range(amount * self.amount_scale, value)

        return parse

    def _date(self, role: str, column: str | None = None) -> str:
        """SQL for a date column's parsed dates (parsed once: 受注日 may be the close date and a stage date)."""
        column = column or self.mapping[role]
        if column not in self._dates:
            choice = self.date_orders.get(column)
            parser = functools.partial(parse_date, order=choice.order if choice else "mdy")
            self._dates[column] = self._parsed(role, parser, "DATE", "not_a_date", column=column)
        return self._dates[column]

    def _text(self, role: str) -> str:
        """Text with ASCII and full-width spaces collapsed, so "佐藤 健　" and "佐藤 健" are one rep.

        The clean-up runs once per distinct value; a column that needs none is used as it is (fast path).
        """
        if role in self._texts:
            return self._texts[role]
        qcol = quote_ident(self.mapping[role])
        raw = f"CAST(s.{qcol} AS VARCHAR)"
        clean = "NULLIF(trim(regexp_replace(raw, '[\\s\\x{3000}]+', ' ', 'g')), '')"
        table = f"text_{role}"
        execute(self.con, create_text_map(table, raw, clean))
        dirty = execute(self.con, changed_text_count(table)).fetchall()[0][0]
        self._texts[role] = f"{table}.value" if dirty else raw
        if dirty:
            self._joins.append(f"LEFT JOIN {table} ON {raw} = {table}.raw")
        return self._texts[role]

    # -- rejects -------------------------------------------------------------------------------------------------
    def _collect_rejects(self) -> None:
        for flag, column, reason in self._bad_flags:
            file_index = self.column_file.get(column, 0)
            for row, raw in execute(self.con, rejected_cells(file_index, column, self._joins, flag)).fetchall():
                source = self.sources[file_index]
                params = {"value": raw, "column": column}
                self.rejects.append(Reject(source.name, file_row(source, row or 0), column, reason, params))
        self.rejected = len({(r.file, r.row) for r in self.rejects})

    def _any_bad(self) -> str:
        return " OR ".join(flag for flag, _, _ in self._bad_flags) or "false"

    # -- records -------------------------------------------------------------------------------------------------
    def build_records(self, dataset: Dataset) -> None:
        m = self.mapping
        row = f"s.__row_{self.base}"
        exprs: dict[str, str] = {"row_no": row}
        exprs["id"] = f"CAST(s.{quote_ident(m['id'])} AS VARCHAR)" if "id" in m else f"CAST({row} + 1 AS VARCHAR)"
        if self.lead_unit:  # a lead with several deals counts once as a lead; its contact-only row has no deal id
            link_key = cast(str, self.link_key)  # lead_unit is only ever set from a LinkedSources, with its key
            key = f"CAST(s.{quote_ident(link_key)} AS VARCHAR)"
            exprs["id"] = f"coalesce({exprs['id']}, {key})"
        exprs["lead_unit"] = "s.__lead_unit" if self.lead_unit else "1"
        if "id" in m:
            self._flag_repeated_ids(m["id"], row)
        self.choose_date_orders(dataset, ("created", "closed", "updated", "expected_close"))
        self.read_amounts(dataset, "amount")
        exprs["created"] = self._date("created") if "created" in m else "CAST(NULL AS DATE)"
        exprs["closed"] = self._date("closed") if "closed" in m else "CAST(NULL AS DATE)"
        stage_date_exprs = {column: self._date(f"stagedate{i}", column) for i, column in enumerate(self.stage_dates)}
        outcome_dates = [
            expr
            for column, expr in stage_date_exprs.items()
            if canonical_stage(self.stage_dates[column]) in ("won", "lost") and column != m.get("closed")
        ]
        if outcome_dates:  # 受注日 / 失注日: the close date is the date of the outcome
            exprs["closed"] = f"coalesce({', '.join([exprs['closed'], *outcome_dates])})"
        exprs["updated"] = self._date("updated") if "updated" in m else "CAST(NULL AS DATE)"
        exprs["amount"] = (
            self._parsed("amount", self._amount_parser(), "DOUBLE", "not_an_amount", warn="amount_unreadable")
            if "amount" in m
            else "CAST(NULL AS DOUBLE)"
        )
        for role in sorted(TEXT_ROLES):
            exprs[role] = self._text(role) if role in m else "CAST(NULL AS VARCHAR)"
        for role in ("calls", "visits", "proposals"):
            exprs[role] = (
                self._parsed(role, _count, "DOUBLE", "not_a_count", warn="count_unreadable")
                if role in m
                else "CAST(NULL AS DOUBLE)"
            )
        exprs["stage"] = self._stage(dataset, stage_date_exprs)
        if "lifecycle" in m and "stage" in m:
            exprs["__deal_stage"] = self._text("stage")
            exprs["__lifecycle"] = self._text("lifecycle")
        for role in ("won_flag", "closed_flag"):
            if role in m:
                exprs[f"__{role}"] = f"s.{quote_ident(m[role])}"
        self._forecast_exprs(exprs)
        # A month-only date ("2024-10") places a record in its month; day counts from it would be made up.
        exprs["__day_precise"] = (
            " AND ".join(f"NOT {self.month_only[r]}" for r in ("created", "closed") if r in self.month_only) or "true"
        )
        # In a bookings / orders file means won, whatever the base file says (a booking is revenue).
        exprs["__booked"] = " OR ".join(self.booked.values()) or "false"
        select = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        joins = " ".join(self._joins)
        self._collect_rejects()
        self._collect_warnings()
        has_stage = "stage" in m or bool(self.stage_dates)
        outcome, level, position = self._outcome_level_position(dataset, has_stage, "__lifecycle" in exprs)
        # Clean, typed data (the big-file case) stays a view over the loaded table: one copy of the data in memory.
        # Parsed text columns are joined once into a table instead, so figures never redo the joins.
        # No sort: row_no keeps the file order for whoever needs it.
        kind = "TABLE" if self._joins or len(self.sources) > 1 else "VIEW"
        internal = [name for name in exprs if name.startswith("__")]
        kept = f"p.* EXCLUDE ({', '.join(internal)})"
        if has_stage and {"won_flag", "closed_flag"} & set(m):
            self._flag_conflicts(select, joins, outcome)
        records = RecordsTable(kind, kept, level, outcome, position, _EXISTING_PATTERN, select, joins, self._any_bad())
        execute(self.con, records.build())

    def _forecast_exprs(self, exprs: dict[str, str]) -> None:
        """The ヨミ columns of `records`: probability (0–1) and probability_rank (A / B / C, high / medium / low) when
        the data has a probability column, forecast_category (commit, best_case, …) when it has one, and the expected
        close date (as `__expected_close`: the close date of an open deal stands in for it in the outer select). A
        cell that cannot be read is warned about and left unknown: its record still counts.

        The probability and category columns exist only when mapped, until the catalogue's dry-run table
        (kpi_core.catalog_check.records_columns) lists them: readers check DESCRIBE records."""
        m = self.mapping
        exprs["__expected_close"] = self._soft_date("expected_close") if "expected_close" in m else "CAST(NULL AS DATE)"
        if "probability" in m:
            exprs["probability"], exprs["probability_rank"] = self._probability()
        if "forecast_category" in m:
            exprs["forecast_category"] = self._parsed(
                "forecast_category",
                parse_forecast_category,
                "VARCHAR",
                "not_a_category",
                warn="forecast_category_unreadable",
            )

    def _soft_date(self, role: str) -> str:
        """SQL for a date column that never rejects its row: an unreadable or out-of-range date is warned about
        ("<role>_unreadable") and left unknown."""
        column = self.mapping[role]
        qcol = quote_ident(column)
        col_type = self.types.get(column, "VARCHAR").upper()
        if col_type == "DATE" or col_type.startswith("TIMESTAMP"):
            day = f"CAST(s.{qcol} AS DATE)"
            outside = f"coalesce({day} < DATE '{MIN_YEAR}-01-01' OR {day} > DATE '{MAX_YEAR}-12-31', false)"
            self._warned.append((outside, f"CAST(s.{qcol} AS VARCHAR)", column, f"{role}_unreadable"))
            return f"CASE WHEN NOT {outside} THEN {day} END"
        choice = self.date_orders.get(column)
        parser = functools.partial(parse_date, order=choice.order if choice else "mdy")
        return self._parsed(role, parser, "DATE", "not_a_date", warn=f"{role}_unreadable")

    def _probability(self) -> tuple[str, str]:
        """SQL for the probability (a share 0–1) and the rank of the probability column. Plain numbers are
        percentages when the header says % or some number is above 1 (80 = 80 %), else shares (0.8)."""
        column = self.mapping["probability"]
        qcol = quote_ident(column)
        if self.types.get(column, "VARCHAR").upper() in _NUMERIC_TYPES or self.types.get(column, "").startswith(
            "DECIMAL"
        ):
            number = f"CAST(s.{qcol} AS DOUBLE)"
            above_one = execute(self.con, source_any(f"{number} > 1 AND {number} <= 100")).fetchall()
            percent = bool(above_one[0][0]) or probability_is_percent([], column)
            share = f"({number} / 100.0)" if percent else number
            readable = f"coalesce({share} BETWEEN 0 AND 1, false)"
            self._warned.append(
                (
                    f"(s.{qcol} IS NOT NULL AND NOT {readable})",
                    f"CAST(s.{qcol} AS VARCHAR)",
                    column,
                    "probability_unreadable",
                )
            )
            return f"CASE WHEN {readable} THEN {share} END", "CAST(NULL AS VARCHAR)"
        percent = probability_is_percent(self._distinct(column), column)
        parser = functools.partial(parse_probability, percent=percent)
        share = self._parsed("probability", parser, "DOUBLE", "not_a_probability", warn="probability_unreadable")
        # A rank never fails to parse (None when there is none): the warning above counts the unreadable cells.
        rank = self._parsed(
            "probability_rank",
            probability_rank,
            "VARCHAR",
            "not_a_probability",
            warn="probability_unreadable",
            column=column,
        )
        return share, rank

    def _outcome_level_position(self, dataset: Dataset, has_stage: bool, two_stages: bool) -> tuple[str, str, str]:
        """SQL for each record's outcome, funnel level and stage position from every signal the data has: a stage
        (and a lifecycle / lead status beside it), won / closed flags, a close date, a bookings file."""
        m = self.mapping
        # No stage: a record with a won flag set (or, without one, a close date) is won; a closed flag set on a
        # record that is not won is lost (Salesforce's IsClosed / IsWon); the rest is open.
        won = self._flag("won_flag") if "won_flag" in m else "closed IS NOT NULL"
        lost = f"WHEN {self._flag('closed_flag')} THEN 'lost' " if "closed_flag" in m else ""
        outcome, level, position = f"CASE WHEN {won} THEN 'won' {lost}ELSE 'open' END", "1", "NULL"
        if has_stage:
            # CASE over the few stage values beats a join per query when `records` is a view over 10M rows.
            rows = execute(self.con, stage_map_rows()).fetchall()
            outcomes = {r[0]: quote_literal(r[2]) for r in rows}
            base = str(self._base_level(dataset))  # where an unknown stage value counts
            levels = {r[0]: base if r[1] is None else str(r[1]) for r in rows}
            position = _case("p.stage", {r[0]: str(r[3]) for r in rows}, "NULL")
            deal, life = (_case(f"p.{c}", outcomes, "'open'") for c in ("__deal_stage", "__lifecycle"))
            deal_level, life_level = (_case(f"p.{c}", levels, base) for c in ("__deal_stage", "__lifecycle"))
            if two_stages and self.column_file.get(m["lifecycle"], 0) != self.base:
                # The status of a parent contact speaks for its contact row only: each deal has its own outcome.
                level = f"CASE WHEN p.__deal_stage IS NULL THEN {life_level} ELSE {deal_level} END"
                outcome = f"CASE WHEN p.__deal_stage IS NULL THEN {life} ELSE {deal} END"
            elif two_stages:
                # A deal stage and a lifecycle / lead status: one furthest level; a won anywhere wins, then a lost.
                level = f"greatest({deal_level}, {life_level})"
                outcome = (
                    f"CASE WHEN 'won' IN ({deal}, {life}) THEN 'won' WHEN 'lost' IN ({deal}, {life}) THEN 'lost' "
                    f"WHEN {level} <= {LEVEL_RANK['lead']} AND 'disqualified' IN ({deal}, {life}) "
                    "THEN 'disqualified' ELSE 'open' END"
                )
            else:
                outcome = _case("p.stage", outcomes, "'open'")
                level = _case("p.stage", levels, base)
        if self.lead_unit:  # a contact without any deal or status is a lead
            dataset.present_levels = [lv for lv in LEVELS if lv in {*dataset.present_levels, "lead"}]
            level = f"CASE WHEN p.stage IS NULL THEN {LEVEL_RANK['lead']} ELSE {level} END"
        if self.booked:
            dataset.present_levels = [lv for lv in LEVELS if lv in {*dataset.present_levels, "won"}]
            outcome = f"CASE WHEN p.__booked THEN 'won' ELSE {outcome} END"
            level = f"CASE WHEN p.__booked THEN {LEVEL_RANK['won']} ELSE {level} END"
        return outcome, level, position

    def _flag_repeated_ids(self, column: str, row: str) -> None:
        """A record id seen again in the same file is the same record exported twice: the first row counts, the
        others are rejected and listed (never counted twice)."""
        distinct, present = execute(self.con, source_key_stats(column)).fetchall()[0]
        if distinct == present:
            return
        execute(self.con, create_repeated_ids(row, column))
        self._bad_flags.append((in_repeated_ids(row), column, "repeated_id"))

    def _flag(self, role: str) -> str:
        """SQL that is true where a flag column (won_flag, closed_flag) says yes (1, true, yes, はい, ○ …)."""
        column = self.mapping[role]
        if self.types.get(column, "VARCHAR").upper() in _NUMERIC_TYPES | {"BOOLEAN"}:
            return f"coalesce(CAST(p.__{role} AS DOUBLE) <> 0, false)"
        truthy = ", ".join(quote_literal(v) for v in sorted(TRUE_FLAGS))
        return f"coalesce(lower(trim(CAST(p.__{role} AS VARCHAR))) IN ({truthy}), false)"

    def _flag_conflicts(self, select: str, joins: str, outcome: str) -> None:
        """Records whose won / closed flag contradicts the stage, as a warning per flag (the stage is used)."""
        for role in ("won_flag", "closed_flag"):
            if role not in self.mapping:
                continue
            flag = self._flag(role)
            contradicts = f"({flag}) <> (o = 'won')" if role == "won_flag" else f"({flag}) AND o = 'open'"
            query = flag_conflict_count(select, joins, self._any_bad(), outcome, contradicts)
            count, examples = execute(self.con, query).fetchall()[0]
            if count:
                column = self.mapping[role]
                name = self.sources[self.column_file.get(column, 0)].name
                self.warnings.append(IntakeWarning(name, column, "flag_conflict", int(count), list(examples or [])))

    def _stage(self, dataset: Dataset, stage_date_exprs: dict[str, str]) -> str:
        """The stage text of each record (a stage column, a lifecycle column beside it, or the furthest stage with
        a date), and the stage map over its values: level, outcome and position in the funnel."""
        m = self.mapping
        if "stage" in m:
            texts = [self._text("stage")] + ([self._text("lifecycle")] if "lifecycle" in m else [])
            text = texts[0] if len(texts) == 1 else f"coalesce({texts[0]}, {texts[1]})"
        elif stage_date_exprs:
            texts = [text := self._furthest_stage_with_a_date(stage_date_exprs)]
        else:
            dataset.present_levels = ["lead", "won"]
            dataset.can_lose = "closed_flag" in m
            return "CAST(NULL AS VARCHAR)"
        counts: dict[str, int] = {}
        for expr in texts:
            for value, n in execute(self.con, value_counts_in_source(expr, self._joins)).fetchall():
                if value is not None:
                    counts[value] = counts.get(value, 0) + int(n)
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
        query = create_stage_map(
            list(stage_map),
            [LEVEL_RANK[c] if c else None for c in stage_map.values()],
            [c if c in ("won", "lost", "disqualified") else "open" for c in stage_map.values()],
            [order.index(v) for v in stage_map],
        )
        execute(self.con, query)
        return text

    def _furthest_stage_with_a_date(self, stage_date_exprs: dict[str, str]) -> str:
        """SQL for the label of the furthest stage a record has a date for: won, then lost, then the open stages
        from the last to the first (a lost date means lost, whatever else is dated)."""

        def furthest_first(column: str) -> tuple[int, int, int]:
            label = self.stage_dates[column]
            canon = canonical_stage(label) or "lead"
            return (canon == "won", canon == "lost", LEVEL_RANK[canon] * 100 + (substage_rank(label) or 0))

        whens = " ".join(
            f"WHEN {stage_date_exprs[column]} IS NOT NULL THEN {quote_literal(self.stage_dates[column])}"
            for column in sorted(self.stage_dates, key=furthest_first, reverse=True)
        )
        return f"CASE {whens} END"

    @staticmethod
    def _base_level(dataset: Dataset) -> int:
        """Where an unknown stage value counts: the first level the data has."""
        return LEVEL_RANK[dataset.present_levels[0]] if dataset.present_levels else 1

    # -- periods -------------------------------------------------------------------------------------------------
    def build_periods(self, dataset: Dataset) -> None:
        m = self.mapping
        self.read_amounts(dataset, "revenue")
        exprs = {
            "row_no": "s.__row_0",
            "period_start": self._parsed("period", parse_period_start, "DATE", "not_a_month"),
        }
        for role in ("leads", "mql", "sql", "opportunities", "won", "lost"):
            exprs[role] = (
                self._parsed(role, _count, "DOUBLE", "not_a_count", warn="count_unreadable")
                if role in m
                else "CAST(NULL AS DOUBLE)"
            )
        exprs["revenue"] = (
            self._parsed("revenue", self._amount_parser(), "DOUBLE", "not_an_amount", warn="amount_unreadable")
            if "revenue" in m
            else "CAST(NULL AS DOUBLE)"
        )
        # A daily or monthly funnel per channel / campaign: its text columns break the figures down.
        for role in sorted(TEXT_ROLES & set(m)):
            exprs[role] = self._text(role)
        select = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        execute(self.con, create_parsed_periods(select, self._any_bad(), self._joins))
        # A row without a period (a blank line, a note) cannot be placed: it is rejected, not dropped silently.
        period_column = quote_ident(m["period"])
        self._bad_flags.append((f"(s.{period_column} IS NULL)", m["period"], "no_period"))
        self._collect_rejects()
        execute(self.con, create_periods_table())
        execute(self.con, drop_table("parsed", if_exists=False))
        dataset.present_levels = [MEASURE_LEVEL[r] for r in MEASURE_LEVEL if r in m]
        dataset.can_lose = "lost" in m


# Deal-type values that mean an existing customer (repeat, upsell, cross-sell, renewal).
_EXISTING_PATTERN = "既存|existing|upsell|up-sell|cross|renew|repeat|リピート|アップセル|クロスセル|更新|追加"
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER"}
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
