"""The funnel as data: levels, roles, stage vocabulary, driver models and the metrics catalogue, each in one YAML table
beside this module, read once per process and checked when it loads.

A table that cannot be used raises TableError naming the file, the entry and the field, in ja and en
(kpi_core/messages.py, keys "table.*"), so a typo is an error at start-up, never a silently missed stage or header.
The metrics catalogue has its own, deeper check (kpi_core/catalog_check.py); this module only reads it and fills in
the level ranks its SQL names as {rank.<level>}.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import yaml

CATALOG_DIR = Path(__file__).resolve().parent
METRICS_PATH = CATALOG_DIR / "metrics.yaml"
FUNNEL_PATH = CATALOG_DIR / "funnel.yaml"
ROLES_PATH = CATALOG_DIR / "roles.yaml"
STAGES_PATH = CATALOG_DIR / "stages.yaml"
MODELS_PATH = CATALOG_DIR / "models.yaml"

ROLE_KINDS = ("id", "date", "number", "count", "text", "flag", "stage", "probability", "forecast_category")
LEVER_KINDS = ("volume", "rate")
LEVER_UNITS = ("count", "currency", "ratio")
LANGS = ("ja", "en")
# {rank.<level>} in an SQL expression of metrics.yaml: the rank the `level` column of `records` holds for it.
RANK_PLACEHOLDER = re.compile(r"\{rank\.([^{}]*)\}")
SQL_FIELDS = ("records_sql", "periods_sql", "median_where")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the tables load in ms


class TableError(ValueError):
    """A catalogue table that cannot be used: `code` and `params` name the file, the entry and the field."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(self.message())

    def message(self, lang: str = "en") -> str:
        from kpi_core.messages import render

        return render(f"table.{self.code}", lang, **self.params)


# -- reading and small checks -------------------------------------------------------------------------------------


def read_yaml(path: Path) -> Any:
    """A table file parsed (a YAML error is a TableError naming the file)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as error:
        raise TableError("syntax", table=path.name, problem=str(error).splitlines()[0][:200]) from error


class _Table:
    """Checks of one parsed table file, each raising TableError with the file's name."""

    def __init__(self, path: Path, raw: object, sections: Sequence[str]) -> None:
        self.name = path.name
        if not isinstance(raw, dict) or set(raw) != set(sections):
            self.fail("sections", sections=", ".join(sections))
        self.raw: dict[str, Any] = raw

    def fail(self, code: str, /, **params: object) -> NoReturn:
        raise TableError(code, table=self.name, **params)

    def mapping(self, value: object, entry: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            self.fail("not_a_mapping", entry=entry)
        return value

    def names(self, value: object, entry: str) -> tuple[str, ...]:
        """A list of non-empty texts."""
        if not isinstance(value, list):
            self.fail("not_a_list", entry=entry)
        texts: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail("not_a_text", entry=entry, value=item)
            texts.append(item)
        return tuple(texts)

    def record(self, value: object, entry: str, fields: Iterable[str], required: Iterable[str]) -> dict[str, Any]:
        """An entry with known fields only, the required ones present."""
        item = self.mapping(value, entry)
        allowed = sorted(fields)
        unknown = sorted(set(item) - set(allowed))
        if unknown:
            self.fail("unknown_field", entry=entry, field=unknown[0], allowed=", ".join(allowed))
        for field in required:
            if field not in item:
                self.fail("missing_field", entry=entry, field=field)
        return item

    def entry_name(self, value: object, section: str) -> str:
        if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
            self.fail("no_name", entry=section)
        name: str = value["name"]
        return name

    def one_of(self, value: object, entry: str, field: str, allowed: Sequence[object]) -> None:
        if value not in allowed:
            self.fail("value", entry=entry, field=field, value=value, allowed=", ".join(map(str, allowed)))

    def known(self, name: object, entry: str, known: Iterable[str], where: str) -> str:
        """A reference to a name defined elsewhere (a level, a role, a lever)."""
        if not isinstance(name, str) or name not in set(known):
            self.fail("unknown_name", entry=entry, name=name, where=where)
        return name

    def label(self, value: object, entry: str, field: str = "label") -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang] for lang in LANGS):
            self.fail("label", entry=entry, field=field)
        return {lang: value[lang] for lang in LANGS}

    def unique(self, named: Iterable[tuple[str, str]], key: Callable[[str], str]) -> None:
        """No two (entry, name) pairs whose names are one after `key` (a synonym written twice is a silent no-op
        at best, a stage in two levels at worst)."""
        seen: dict[str, tuple[str, str]] = {}
        for entry, name in named:
            found = key(name)
            if found in seen:
                other, first = seen[found]
                self.fail("repeated", name=name, entry=entry, first=first, other=other)
            seen[found] = (entry, name)


# -- funnel.yaml --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """The canonical funnel: levels in order (rank = place, from 1), outcomes, and each level's measure."""

    levels: tuple[str, ...]
    measures: Mapping[str, str]  # level → measure of metrics.yaml
    ranks: Mapping[str, int]  # level or outcome → the rank of the level reached
    outcomes: tuple[str, ...]  # levels and non-levels that decide a record (won, lost, disqualified)
    step_labels: Mapping[str, Mapping[str, str]]  # level → {ja, en} inside a conversion label

    @property
    def canonical(self) -> tuple[str, ...]:
        """Every canonical stage: the levels, then the outcomes that are no level."""
        return (*self.levels, *(o for o in self.outcomes if o not in self.levels))


@cache
def load_funnel(path: Path = FUNNEL_PATH) -> Funnel:
    """funnel.yaml, checked (cached: package data, the same for every user)."""
    table = _Table(path, read_yaml(path), ("levels", "outcomes"))
    levels: list[str] = []
    measures: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    outcomes: list[str] = []
    if not isinstance(table.raw["levels"], list) or not table.raw["levels"]:
        table.fail("not_a_list", entry="levels")
    for value in table.raw["levels"]:
        name = table.entry_name(value, "levels")
        item = table.record(value, name, ("name", "measure", "step_label", "outcome"), ("measure", "step_label"))
        if not isinstance(item["measure"], str) or not item["measure"]:
            table.fail("not_a_text", entry=name, value=item["measure"])
        table.one_of(item.get("outcome", False), name, "outcome", (True, False))
        levels.append(name)
        measures[name] = item["measure"]
        labels[name] = table.label(item["step_label"], name, "step_label")
        if item.get("outcome"):
            outcomes.append(name)
    ranks = {level: place for place, level in enumerate(levels, start=1)}
    if not isinstance(table.raw["outcomes"], list):
        table.fail("not_a_list", entry="outcomes")
    for value in table.raw["outcomes"]:
        name = table.entry_name(value, "outcomes")
        item = table.record(value, name, ("name", "reached"), ("reached",))
        ranks[name] = ranks[table.known(item["reached"], name, levels, "levels")]
        outcomes.append(name)
    table.unique([("levels", n) for n in levels] + [("outcomes", n) for n in outcomes if n not in levels], str)
    table.unique([(level, measure) for level, measure in measures.items()], str)
    return Funnel(tuple(levels), measures, ranks, tuple(outcomes), labels)


def resolve_ranks(sql: str, ranks: Mapping[str, int]) -> str:
    """An SQL expression with each {rank.<level>} replaced by the level's rank (an unknown level is left as it is:
    kpi_core/catalog_check.py names it)."""
    return RANK_PLACEHOLDER.sub(lambda m: str(ranks[m.group(1)]) if m.group(1) in ranks else m.group(0), sql)


def read_metrics(path: Path | None = None) -> Any:
    """metrics.yaml parsed, with the level ranks of its SQL filled in from funnel.yaml (kpi_core/catalog_check.py:
    `fill_ranks` here, `check_catalog` by the caller)."""
    from kpi_core.catalog_check import fill_ranks  # it imports this module: imported when used

    return fill_ranks(read_yaml(path or METRICS_PATH))


# -- roles.yaml ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """Column roles: kinds, header synonyms, the roles of each file shape, flag and forecast-category words."""

    kinds: Mapping[str, str]  # role → kind (ROLE_KINDS)
    headers: Mapping[str, tuple[str, ...]]  # role → synonyms, most specific first
    fallback_headers: Mapping[str, tuple[str, ...]]
    record_roles: tuple[str, ...]
    period_roles: tuple[str, ...]
    forecast_roles: tuple[str, ...]
    headline_roles: tuple[str, ...]
    true_flags: tuple[str, ...]
    false_flags: tuple[str, ...]
    forecast_categories: Mapping[str, tuple[str, ...]]  # category → the words naming it

    def of_kind(self, kind: str) -> frozenset[str]:
        return frozenset(role for role, k in self.kinds.items() if k == kind)


_ROLE_LISTS = ("record_roles", "period_roles", "forecast_roles", "headline_roles")
_ROLE_SECTIONS = ("roles", *_ROLE_LISTS, "fallback_headers", "true_flags", "false_flags", "forecast_categories")


def load_roles(
    path: Path = ROLES_PATH,
    *,
    header_key: Callable[[str], str],
    category_key: Callable[[str], str],
    flag_key: Callable[[str], str],
) -> Roles:
    """roles.yaml, checked. The keys are how the reader compares headers, category words and flag values: two
    synonyms of one role (or one word in two categories, or in both flag lists) with the same key are an error."""
    table = _Table(path, read_yaml(path), _ROLE_SECTIONS)
    kinds: dict[str, str] = {}
    headers: dict[str, tuple[str, ...]] = {}
    for role, value in table.mapping(table.raw["roles"], "roles").items():
        item = table.record(value, role, ("kind", "headers"), ("kind", "headers"))
        table.one_of(item["kind"], role, "kind", ROLE_KINDS)
        kinds[role] = item["kind"]
        headers[role] = table.names(item["headers"], role)
        table.unique([(role, h) for h in headers[role]], header_key)
    lists = {}
    for section in _ROLE_LISTS:
        lists[section] = table.names(table.raw[section], section)
        for role in lists[section]:
            table.known(role, section, kinds, "roles")
        table.unique([(section, r) for r in lists[section]], str)
    unused = [r for r in kinds if r not in lists["record_roles"] and r not in lists["period_roles"]]
    if unused:
        table.fail("unused", entry=unused[0], where="record_roles, period_roles")
    fallback: dict[str, tuple[str, ...]] = {}
    for role, value in table.mapping(table.raw["fallback_headers"], "fallback_headers").items():
        table.known(role, "fallback_headers", kinds, "roles")
        fallback[role] = table.names(value, role)
        table.unique([(role, h) for h in (*headers[role], *fallback[role])], header_key)
    true_flags = table.names(table.raw["true_flags"], "true_flags")
    false_flags = table.names(table.raw["false_flags"], "false_flags")
    table.unique([("true_flags", w) for w in true_flags] + [("false_flags", w) for w in false_flags], flag_key)
    categories = {
        category: table.names(words, category)
        for category, words in table.mapping(table.raw["forecast_categories"], "forecast_categories").items()
    }
    table.unique([(c, w) for c, words in categories.items() for w in words], category_key)
    return Roles(
        kinds,
        headers,
        fallback,
        lists["record_roles"],
        lists["period_roles"],
        lists["forecast_roles"],
        lists["headline_roles"],
        true_flags,
        false_flags,
        categories,
    )


# -- stages.yaml --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stages:
    """Stage vocabulary: names per canonical stage, the opportunity sub-stages by rank, and the holds."""

    vocabulary: Mapping[str, tuple[str, ...]]  # canonical stage → names, in process order
    substages: tuple[tuple[int, tuple[str, ...]], ...]  # (rank, names), ranks increasing
    holds: tuple[str, ...]


def load_stages(path: Path = STAGES_PATH, *, canonical: Sequence[str], key: Callable[[str], str]) -> Stages:
    """stages.yaml, checked against the canonical stages of funnel.yaml. `key` is how raw values are compared: a
    name with the same key as another (in any level, sub-stage or hold) is an error."""
    table = _Table(path, read_yaml(path), ("vocabulary", "substages", "holds"))
    vocabulary: dict[str, tuple[str, ...]] = {}
    for stage, names in table.mapping(table.raw["vocabulary"], "vocabulary").items():
        table.known(stage, "vocabulary", canonical, "funnel.yaml")
        vocabulary[stage] = table.names(names, stage)
    missing = [stage for stage in canonical if stage not in vocabulary]
    if missing:
        table.fail("missing_field", entry="vocabulary", field=missing[0])
    if not isinstance(table.raw["substages"], list):
        table.fail("not_a_list", entry="substages")
    substages: list[tuple[int, tuple[str, ...]]] = []
    for value in table.raw["substages"]:
        item = table.record(value, "substages", ("rank", "names"), ("rank", "names"))
        rank = item["rank"]
        previous = substages[-1][0] if substages else 0
        if not isinstance(rank, int) or isinstance(rank, bool) or rank <= previous:
            table.fail("rank", entry="substages", value=rank, previous=previous)
        substages.append((rank, table.names(item["names"], f"substages {rank}")))
    holds = table.names(table.raw["holds"], "holds")
    table.unique(
        [(stage, n) for stage, names in vocabulary.items() for n in names]
        + [(f"substages {rank}", n) for rank, names in substages for n in names]
        + [("holds", n) for n in holds],
        key,
    )
    return Stages(vocabulary, tuple(substages), holds)


# -- models.yaml --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeverSpec:
    """One lever as written in models.yaml (kpi_core/pivots/models.py builds its Lever from it)."""

    name: str
    formula: str
    kind: str
    unit: str
    maximum: float | None
    label: Mapping[str, str] | None  # None: the metric's label from metrics.yaml


@dataclass(frozen=True)
class ModelSpec:
    name: str
    formula: str
    levers: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    note: str


@dataclass(frozen=True)
class FunnelModelSpec:
    name: str
    last_lever: str
    note: str


@dataclass(frozen=True)
class Models:
    levers: Mapping[str, LeverSpec]
    models: tuple[ModelSpec, ...]
    funnel: FunnelModelSpec


def load_models(path: Path = MODELS_PATH, *, metrics: Iterable[str]) -> Models:
    """models.yaml, checked: lever formulas over the names of metrics.yaml (`metrics`), model formulas over
    exactly their levers."""
    table = _Table(path, read_yaml(path), ("levers", "models", "funnel"))
    known = frozenset(metrics)
    levers: dict[str, LeverSpec] = {}
    if not isinstance(table.raw["levers"], list):
        table.fail("not_a_list", entry="levers")
    for value in table.raw["levers"]:
        name = table.entry_name(value, "levers")
        item = table.record(
            value, name, ("name", "formula", "kind", "unit", "maximum", "label"), ("formula", "kind", "unit")
        )
        table.one_of(item["kind"], name, "kind", LEVER_KINDS)
        table.one_of(item["unit"], name, "unit", LEVER_UNITS)
        maximum = item.get("maximum")
        if maximum is not None and (not isinstance(maximum, int | float) or isinstance(maximum, bool)):
            table.fail("value", entry=name, field="maximum", value=maximum, allowed="1.0")
        for used in _formula_names(table, name, item["formula"]):
            table.known(used, name, known, "metrics.yaml")
        if name in levers:
            table.fail("repeated", name=name, entry="levers", first=name, other="levers")
        label = table.label(item["label"], name) if "label" in item else None
        levers[name] = LeverSpec(name, item["formula"], item["kind"], item["unit"], maximum, label)
    models: list[ModelSpec] = []
    if not isinstance(table.raw["models"], list):
        table.fail("not_a_list", entry="models")
    for value in table.raw["models"]:
        name = table.entry_name(value, "models")
        item = table.record(value, name, ("name", "formula", "levers", "pairs", "note"), ("formula", "levers"))
        names = table.names(item["levers"], name)
        for lever in names:
            table.known(lever, name, levers, "levers")
        table.unique([(name, lever) for lever in names], str)
        for used in _formula_names(table, name, item["formula"]):
            table.known(used, name, names, f"{name}: levers")
        unused = [lever for lever in names if lever not in _formula_names(table, name, item["formula"])]
        if unused:
            table.fail("unused", entry=unused[0], where=f"{name}: formula")
        pairs: list[tuple[str, str]] = []
        for pair in item.get("pairs") or []:
            if not isinstance(pair, list) or len(pair) != 2:
                table.fail("value", entry=name, field="pairs", value=pair, allowed="[lever, lever]")
            first, second = (table.known(lever, name, names, "levers") for lever in pair)
            pairs.append((first, second))
        note = item.get("note", "")
        if not isinstance(note, str):
            table.fail("not_a_text", entry=name, value=note)
        if any(m.name == name for m in models):
            table.fail("repeated", name=name, entry="models", first=name, other="models")
        models.append(ModelSpec(name, item["formula"], names, tuple(pairs), note))
    funnel = table.record(table.raw["funnel"], "funnel", ("name", "last_lever", "note"), ("name", "last_lever"))
    if not isinstance(funnel["name"], str) or not funnel["name"]:
        table.fail("no_name", entry="funnel")
    table.known(funnel["last_lever"], "funnel", levers, "levers")
    return Models(levers, tuple(models), FunnelModelSpec(funnel["name"], funnel["last_lever"], funnel.get("note", "")))


def _formula_names(table: _Table, entry: str, formula: object) -> frozenset[str]:
    from kpi_core.formula import FormulaError, formula_names  # not needed to read roles or stages: kept off import

    if not isinstance(formula, str):
        table.fail("missing_field", entry=entry, field="formula")
    try:
        return frozenset(formula_names(formula))
    except FormulaError as error:
        raise TableError("formula", table=table.name, entry=entry, problem=error.message()) from error
