"""The metrics catalogue checked when it loads: fields, allowed values, names a formula uses, and a dry run of every
SQL expression against empty tables shaped like the loaded data, so that a typo is an error, never a silent 0."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from kpi_core.catalog import RANK_PLACEHOLDER, SQL_FIELDS, resolve_ranks
from kpi_core.formula import FormulaError, formula_names
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES, ROLE_KIND
from kpi_core.intake.stages import LEVEL_RANK, LEVELS, MEASURE_LEVEL
from kpi_core.sql import create_empty_table, execute, expression_value, matching_row_count

SECTIONS = ("measures", "ratios", "conversions")
UNITS = ("count", "currency", "ratio", "days")
BETTER = ("higher", "lower")
CLASSES = ("leading", "lagging", "sustainability")
BASES = ("created", "closed")
# Columns the loader adds to `records` besides the roles (kpi_core/intake/load.py; tests/test_catalog_check.py
# checks this list against a loaded dataset so it cannot drift).
DERIVED_RECORD_COLUMNS: Mapping[str, str] = {
    "level": "INTEGER",
    "outcome": "VARCHAR",
    "stage_position": "INTEGER",
    "is_existing": "BOOLEAN",
    "cycle_days": "BIGINT",
    "lead_unit": "DOUBLE",
    "row_no": "BIGINT",
}
# The DuckDB type of a role's column in the loaded tables, by the role's kind (kpi_core/catalog/roles.yaml).
KIND_TYPES: Mapping[str, str] = {
    "id": "VARCHAR",
    "date": "DATE",
    "number": "DOUBLE",
    "count": "DOUBLE",
    "text": "VARCHAR",
    "flag": "BOOLEAN",
    "stage": "VARCHAR",
    "probability": "DOUBLE",
    "forecast_category": "VARCHAR",
}
# A level rank written as a number beside the `level` column: the rank comes from funnel.yaml as {rank.<level>}.
_RANK_LITERAL = re.compile(r"\blevel\s*(?:>=|<=|<>|!=|=|>|<)\s*\d|\d\s*(?:>=|<=|<>|!=|=|>|<)\s*level\b", re.IGNORECASE)
CONTEXT_NAMES = frozenset({"first_stage"})  # names a conversion formula may use besides measures and ratios
FIELDS: Mapping[str, frozenset[str]] = {
    "measures": frozenset(
        {"name", "label", "unit", "better", "class", "basis", "level", "needs", "records_sql", "periods_sql"}
        | {"empty", "median_of", "median_where"}
    ),
    "ratios": frozenset({"name", "label", "unit", "better", "class", "formula", "periods_formula"}),
    "conversions": frozenset({"name", "label", "formula"}),
}


class CatalogError(ValueError):
    """A metrics catalogue that cannot be used: `code` and `params` name the metric and field."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(self.message())

    def message(self, lang: str = "en") -> str:
        from kpi_core.messages import render

        return render(f"catalog.{self.code}", lang, **self.params)


def check_catalog(raw: object) -> None:
    """Raise CatalogError for the first problem of a parsed metrics.yaml; return when it is usable."""
    if not isinstance(raw, dict) or set(raw) != set(SECTIONS):
        raise CatalogError("sections", sections=", ".join(SECTIONS))
    names: list[str] = []
    for section in SECTIONS:
        items = raw[section]
        if not isinstance(items, list):
            raise CatalogError("not_a_list", section=section)
        for item in items:
            _check_item(section, item)
            names.append(item["name"])
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CatalogError("repeated", metric=repeated[0])
    for item in raw["measures"]:  # a funnel measure counts the level the one level ↔ measure map says
        level = MEASURE_LEVEL.get(item["name"])
        if level is not None and item.get("level") != level:
            raise CatalogError("value", metric=item["name"], field="level", value=item.get("level"), allowed=level)
    measures = {m["name"] for m in raw["measures"]}
    known = measures | {m["name"] for m in raw["ratios"]} | CONTEXT_NAMES
    for section in ("ratios", "conversions"):
        for item in raw[section]:
            for field in ("formula", "periods_formula"):
                if item.get(field) is not None:
                    _check_formula(item["name"], field, item[field], known - {item["name"]})
    _dry_run(raw["measures"])


def _check_item(section: str, item: object) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise CatalogError("no_name", section=section)
    name = item["name"]
    unknown = sorted(set(item) - FIELDS[section])
    if unknown:
        raise CatalogError("unknown_field", metric=name, field=unknown[0], allowed=", ".join(sorted(FIELDS[section])))
    label = item.get("label")
    if not isinstance(label, dict) or not all(
        isinstance(label.get(lang), str) and label[lang] for lang in ("ja", "en")
    ):
        raise CatalogError("label", metric=name)
    allowed: dict[str, Sequence[str]] = {"unit": UNITS, "better": BETTER, "class": CLASSES}
    if section == "measures":
        allowed |= {"basis": BASES, "level": LEVELS, "needs": (*RECORD_ROLES, "can_lose")}
    for field, values in allowed.items():
        if field in item and item[field] not in values:
            raise CatalogError("value", metric=name, field=field, value=item[field], allowed=", ".join(values))
    if section == "measures":
        if (item.get("records_sql") is None) == (item.get("median_of") is None):
            raise CatalogError("one_expression", metric=name)
        if item.get("median_of") is not None and item["median_of"] not in DERIVED_RECORD_COLUMNS:
            raise CatalogError(
                "value",
                metric=name,
                field="median_of",
                value=item["median_of"],
                allowed=", ".join(DERIVED_RECORD_COLUMNS),
            )
        for field in SQL_FIELDS:
            _check_ranks(name, field, item.get(field), literals=False)  # ranks already filled in are numbers
        if "empty" in item and not isinstance(item["empty"], (int, float)):
            raise CatalogError("value", metric=name, field="empty", value=item["empty"], allowed="0")
    elif not isinstance(item.get("formula"), str):
        raise CatalogError("no_formula", metric=name)


def _check_ranks(metric: str, field: str, expression: object, *, literals: bool = True) -> None:
    """Level ranks in SQL only as {rank.<level>} of a level funnel.yaml knows (with `literals`: never as a number)."""
    if not isinstance(expression, str):
        return
    for level in RANK_PLACEHOLDER.findall(expression):
        if level not in LEVEL_RANK:
            raise CatalogError(
                "value", metric=metric, field=field, value=f"{{rank.{level}}}", allowed=", ".join(LEVEL_RANK)
            )
    if literals and _RANK_LITERAL.search(expression):
        raise CatalogError("rank_literal", metric=metric, field=field)


def fill_ranks(raw: object) -> object:
    """metrics.yaml as parsed, with each {rank.<level>} of its SQL replaced by the level's rank (funnel.yaml), in
    place. A level compared with a number, or a rank of an unknown level, is a CatalogError naming the metric: the
    ranks live in funnel.yaml only."""
    if not isinstance(raw, dict):
        return raw  # check_catalog says what is wrong with it
    for items in raw.values():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            for field in SQL_FIELDS:
                expression = item.get(field)
                if isinstance(expression, str):
                    _check_ranks(str(item.get("name")), field, expression)
                    item[field] = resolve_ranks(expression, LEVEL_RANK)
    return raw


def _check_formula(metric: str, field: str, formula: str, known: set[str] | frozenset[str]) -> None:
    try:
        used = formula_names(formula)
    except FormulaError as error:
        raise CatalogError("formula", metric=metric, field=field, problem=error.message()) from error
    missing = sorted(used - known)
    if missing:
        raise CatalogError("formula_name", metric=metric, field=field, name=missing[0])


def records_columns() -> dict[str, str]:
    """Every column a loaded `records` table can have, with a DuckDB type: the roles and the derived columns."""
    columns = {role: KIND_TYPES[ROLE_KIND[role]] for role in RECORD_ROLES}
    # probability_rank (A / B / C) comes with a mapped probability column only.
    return columns | dict(DERIVED_RECORD_COLUMNS) | {"probability_rank": "VARCHAR"}


def _dry_run(measures: list[dict[str, Any]]) -> None:
    """Each measure's SQL bound against empty `records` / `periods` tables: an unknown column or a syntax error is
    an error naming the measure, at load, on every machine."""
    con = duckdb.connect(":memory:")
    try:
        execute(con, create_empty_table("records", records_columns()))
        periods = {r: KIND_TYPES[ROLE_KIND[r]] for r in PERIOD_ROLES} | {"period_start": "DATE"}
        execute(con, create_empty_table("periods", periods))
        for item in measures:
            for field, table in (("records_sql", "records"), ("periods_sql", "periods"), ("median_where", "records")):
                expression = item.get(field)
                if expression is None:
                    continue
                expression = resolve_ranks(expression, LEVEL_RANK)  # as kpi_core/catalog.read_metrics does
                sql = (
                    matching_row_count(table, expression)
                    if field == "median_where"
                    else expression_value(table, expression)
                )
                try:
                    execute(con, sql).fetchall()
                except duckdb.Error as error:
                    problem = str(error).splitlines()[0][:200]
                    raise CatalogError("sql", metric=item["name"], field=field, problem=problem) from error
    finally:
        con.close()
