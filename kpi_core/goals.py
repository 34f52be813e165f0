"""The goal model (KGI → KPIs → CSFs) from plain YAML, target gaps, the plan's consistency and the backward plan."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpi_core.business_days import (
    DEFAULT_CALENDAR,
    PERIODS_PER_YEAR,
    business_days,
    period_bounds,
    period_label,
)
from kpi_core.formula import FormulaError, evaluate, formula_names
from kpi_core.intake.load import Dataset
from kpi_core.metrics import BREAKDOWN_ROLES, Filters, compute_kpis, finish_metrics, load_catalog

KGI_PERIODS = ("year", "quarter", "month")
KPI_PERS = ("week", "month", "quarter", "year")
REVIEWS = ("weekly", "monthly", "quarterly")
CLASSES = ("leading", "lagging", "sustainability")
BETTER = ("higher", "lower")
# Status of a period against its (pro-rated) target, by attainment = actual / target (target / actual when lower
# is better): on_track at 95 % or more, at_risk from 80 % to 95 %, off_track below 80 %.
STATUS_THRESHOLDS: dict[str, float] = {"on_track": 0.95, "at_risk": 0.80}
STATUSES = ("on_track", "at_risk", "off_track", "no_data")
# The KPI targets "add up" to the KGI when the revenue they imply is within 5 % of the KGI target.
CONSISTENCY_TOLERANCE = 0.05
# Measures that are stocks or medians: their value is not spread over the days of a period.
NOT_TIME_SCALED = frozenset({"open", "open_pipeline_value", "median_cycle_days"})
TEMPLATE_DIR = Path(__file__).with_name("templates")
TEMPLATE_LANGS = ("ja", "en")


class GoalsError(ValueError):
    """A goal file that cannot be used: every problem with its line and field; str() is the first one."""

    def __init__(self, problems: list[tuple[int | None, str, str]], *, source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        first = self._sentence(problems[0]) + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        super().__init__(f"{source}: {first}" if source else first)

    @staticmethod
    def _sentence(problem: tuple[int | None, str, str]) -> str:
        line, where, message = problem
        place = ", ".join(p for p in (f"line {line}" if line else "", where) if p)
        return f"{place}: {message}" if place else message

    @property
    def messages(self) -> list[str]:
        """Every problem as one sentence."""
        return [self._sentence(p) for p in self.problems]


# --- the model ---------------------------------------------------------------------------------------------------
@dataclass
class Kgi:
    """The final goal, e.g. annual revenue 144M JPY (baseline: last period's value)."""

    name: str
    metric: str
    target: float
    period: str = "year"
    baseline: float | None = None


@dataclass
class Csf:
    """A critical success factor: a lever (the metric it moves) and the actions that pull it."""

    id: str
    name: str
    lever: str | None = None
    actions: list[str] = field(default_factory=list)


@dataclass
class Kpi:
    """A KPI: a metric of the engine (or a formula over them) with a target per period, an owner and its CSFs."""

    id: str
    name: str
    metric: str
    target: float
    department: str = ""
    per: str = "month"
    owner: str = ""
    review: str = "monthly"
    klass: str = "leading"
    definition: str = ""
    csfs: list[str] = field(default_factory=list)
    better: str = "higher"


@dataclass
class Goals:
    """One workspace's goal file."""

    kgi: Kgi
    kpis: list[Kpi] = field(default_factory=list)
    csfs: list[Csf] = field(default_factory=list)
    fiscal_year_start: int = 4
    currency: str = "JPY"

    def kpi(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        raise KeyError(kpi_id)

    def csf(self, csf_id: str) -> Csf:
        for csf in self.csfs:
            if csf.id == csf_id:
                return csf
        raise KeyError(csf_id)


# --- metrics ------------------------------------------------------------------------------------------------------
def metric_names() -> list[str]:
    """Names a goal metric may use: the engine's measures and ratios."""
    return load_catalog().names


def metric_inputs(metric: str) -> set[str]:
    """The engine figures a metric (a name or a formula) is computed from; FormulaError if it is not one."""
    catalog = load_catalog()
    if metric in catalog.names:
        return {metric}
    names = formula_names(metric)
    unknown = sorted(names - set(catalog.names))
    if unknown:
        raise FormulaError(f"unknown metric: {', '.join(unknown)}")
    return names


def metric_value(metric: str, figures: dict[str, Any]) -> float | None:
    """The value of a metric (a name, or a formula over names) from a figures dict of the engine."""
    if metric in figures and not isinstance(figures[metric], dict):
        value = figures[metric]
        return None if value is None else float(value)
    return evaluate(metric, {k: v for k, v in figures.items() if not isinstance(v, dict)})


def metric_default_better(metric: str) -> str:
    """higher / lower: the catalog's word for a plain metric, higher for a formula."""
    catalog = load_catalog()
    return catalog.get(metric).better if metric in catalog.names else "higher"


def metric_default_class(metric: str) -> str:
    catalog = load_catalog()
    return catalog.get(metric).klass if metric in catalog.names else "leading"


def metric_unit(metric: str) -> str:
    """count / currency / ratio / days for a plain metric; "number" for a formula."""
    catalog = load_catalog()
    return catalog.get(metric).unit if metric in catalog.names else "number"


def time_degree(metric: str) -> float | None:
    """How the metric grows with the length of the period: 1 for volumes (counts, sums), 0 for rates and
    averages, None for anything else. Found by evaluating it with every volume doubled."""
    catalog = load_catalog()
    metric_inputs(metric)  # raises FormulaError for unknown names
    expression = name_formula(metric)
    names = sorted(formula_names(expression))

    def at(scale: float) -> float | None:
        values: dict[str, float] = {}
        for i, name in enumerate(names):
            definition = catalog.get(name)
            is_volume = definition in catalog.measures and name not in NOT_TIME_SCALED
            values[name] = (scale if is_volume else 1.0) * (1.0 + 0.1 * i)
        return evaluate(expression, values)

    one, two = at(1.0), at(2.0)
    if one is None or two is None or one == 0 or two / one <= 0:
        return None
    degree = math.log2(two / one)
    for whole in (0.0, 1.0):
        if abs(degree - whole) < 1e-9:
            return whole
    return None


def name_formula(metric: str) -> str:
    """A ratio of the catalog as its formula over measures; anything else unchanged."""
    catalog = load_catalog()
    if metric in catalog.names:
        definition = catalog.get(metric)
        if definition in catalog.ratios and definition.formula:
            return definition.formula
    return metric


# --- YAML --------------------------------------------------------------------------------------------------------
_KGI_FIELDS = ("name", "metric", "target", "period", "baseline")
_KPI_FIELDS = ("id", "name", "department", "metric", "target", "per", "owner", "review", "class", "better",
               "definition", "csfs")  # fmt: skip
_CSF_FIELDS = ("id", "name", "lever", "actions")
_TOP_FIELDS = ("fiscal_year_start", "currency", "kgi", "kpis", "csfs")


class _Reader:
    """Walks the composed YAML nodes, building the model and collecting (line, field, message) problems."""

    def __init__(self) -> None:
        self.problems: list[tuple[int | None, str, str]] = []
        self._constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node | None, where: str, message: str) -> None:
        self.problems.append((node.start_mark.line + 1 if node is not None else None, where, message))

    def value(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, where: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, "must be a mapping (key: value lines)")
            return None
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            name = f"{where}.{key}" if where else str(key)
            if key not in allowed:
                self.fail(key_node, name, f"unknown field: use {', '.join(allowed)}")
            elif key in fields:
                self.fail(key_node, name, "given twice")
            else:
                fields[key] = value_node
        return fields

    def text(self, fields: dict[str, yaml.Node], key: str, where: str, parent: yaml.Node, *, required: bool) -> str:
        node = fields.get(key)
        value = None if node is None else self.value(node)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(node or parent, _join(where, key), "is required")
            return ""
        if isinstance(value, bool | list | dict):
            self.fail(node, _join(where, key), "must be text")
            return ""
        return str(value).strip()

    def number(
        self, fields: dict[str, yaml.Node], key: str, where: str, parent: yaml.Node, *, required: bool
    ) -> float | None:
        node = fields.get(key)
        value = None if node is None else self.value(node)
        if value is None:
            if required:
                self.fail(node or parent, _join(where, key), "is required")
            return None
        if isinstance(value, str) and value.strip().endswith("%"):
            with contextlib.suppress(ValueError):
                value = float(value.strip()[:-1].replace(",", "")) / 100
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(node, _join(where, key), f"must be a number (got {value!r})")
            return None
        return value

    def choice(self, fields: dict[str, yaml.Node], key: str, where: str, options: tuple[str, ...], default: str) -> str:
        node = fields.get(key)
        value = None if node is None else self.value(node)
        if value is None:
            return default
        if value not in options:
            self.fail(node, _join(where, key), f"must be one of {', '.join(options)} (got {value!r})")
            return default
        return str(value)

    def metric(self, node: yaml.Node | None, where: str, value: str) -> None:
        if not value:
            return
        try:
            metric_inputs(value)
        except FormulaError as exc:
            names = ", ".join(metric_names())
            self.fail(node, where, f"{exc.args[0] if exc.args else exc}: use one of {names}, or a formula over them")

    def text_list(self, fields: dict[str, yaml.Node], key: str, where: str) -> list[str]:
        node = fields.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and self.value(node) is None):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, _join(where, key), "must be a list")
            return []
        items = []
        for i, item in enumerate(node.value):
            value = self.value(item)
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                self.fail(item, f"{_join(where, key)}[{i}]", "must be text")
                continue
            items.append(str(value).strip())
        return items


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def load_goals(text: str, *, source: str | None = None) -> Goals:
    """Read a goal file; GoalsError names the line and field of every problem (and `source`, the file name)."""
    try:
        return _load_goals(text)
    except GoalsError as exc:
        if source is None:
            raise
        raise GoalsError(exc.problems, source=source) from None


def _load_goals(text: str) -> Goals:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GoalsError([(mark.line + 1 if mark else None, "", f"not valid YAML: {problem}")]) from exc
    if root is None:
        raise GoalsError([(1, "", "the goal file is empty: it needs at least a kgi")])
    reader = _Reader()
    goals = _read_goals(reader, root)
    if reader.problems or goals is None:
        problems = sorted(reader.problems, key=lambda p: p[0] or 0)  # in file order
        raise GoalsError(problems or [(1, "", "the goal file could not be read")])
    return goals


def _read_goals(r: _Reader, root: yaml.Node) -> Goals | None:
    top = r.mapping(root, "", _TOP_FIELDS)
    if top is None:
        return None
    fiscal = r.number(top, "fiscal_year_start", "", root, required=False)
    if fiscal is not None and (fiscal != int(fiscal) or not 1 <= fiscal <= 12):
        r.fail(top["fiscal_year_start"], "fiscal_year_start", "must be a month number from 1 to 12")
    currency = r.text(top, "currency", "", root, required=False) or "JPY"
    kgi = _read_kgi(r, top.get("kgi"), root)
    csfs = _read_list(r, top, "csfs", root, _read_csf)
    kpis = _read_list(r, top, "kpis", root, _read_kpi)
    _check_ids(r, top.get("kpis"), "kpis", [k for k in kpis if k is not None])
    _check_ids(r, top.get("csfs"), "csfs", [c for c in csfs if c is not None])
    known_csfs = {c.id for c in csfs if c is not None}
    kpi_nodes = top["kpis"].value if isinstance(top.get("kpis"), yaml.SequenceNode) else []
    for i, kpi in enumerate(kpis):
        if kpi is None:
            continue
        for j, ref in enumerate(kpi.csfs):
            if ref not in known_csfs:
                node = _field_node(kpi_nodes[i], "csfs")
                item = node.value[j] if isinstance(node, yaml.SequenceNode) else node
                r.fail(item, f"kpis[{i}].csfs[{j}]", f"no CSF has id {ref!r}: define it under csfs")
    if kgi is None:
        return None
    return Goals(
        kgi=kgi,
        kpis=[k for k in kpis if k is not None],
        csfs=[c for c in csfs if c is not None],
        fiscal_year_start=int(fiscal) if fiscal is not None else 4,
        currency=currency,
    )


def _field_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return value_node
    return None


def _read_list(r: _Reader, top: dict[str, yaml.Node], key: str, root: yaml.Node, read) -> list[Any]:
    node = top.get(key)
    if node is None or (isinstance(node, yaml.ScalarNode) and r.value(node) is None):
        return []
    if not isinstance(node, yaml.SequenceNode):
        r.fail(node, key, "must be a list")
        return []
    return [read(r, item, f"{key}[{i}]") for i, item in enumerate(node.value)]


def _check_ids(r: _Reader, node: yaml.Node | None, key: str, items: list[Any]) -> None:
    seen: set[str] = set()
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    for i, item in enumerate(items):
        if item.id in seen:
            r.fail(
                _field_node(nodes[i], "id") if i < len(nodes) else node,
                f"{key}[{i}].id",
                f"id {item.id!r} is used twice",
            )
        seen.add(item.id)


def _read_kgi(r: _Reader, node: yaml.Node | None, root: yaml.Node) -> Kgi | None:
    if node is None:
        r.fail(root, "kgi", "is required: the final goal (name, metric, target, period)")
        return None
    fields = r.mapping(node, "kgi", _KGI_FIELDS)
    if fields is None:
        return None
    name = r.text(fields, "name", "kgi", node, required=True)
    metric = r.text(fields, "metric", "kgi", node, required=True)
    r.metric(fields.get("metric"), "kgi.metric", metric)
    target = r.number(fields, "target", "kgi", node, required=True)
    period = r.choice(fields, "period", "kgi", KGI_PERIODS, "year")
    baseline = r.number(fields, "baseline", "kgi", node, required=False)
    return Kgi(name=name, metric=metric, target=target or 0, period=period, baseline=baseline)


def _read_kpi(r: _Reader, node: yaml.Node, where: str) -> Kpi | None:
    fields = r.mapping(node, where, _KPI_FIELDS)
    if fields is None:
        return None
    metric = r.text(fields, "metric", where, node, required=True)
    before = len(r.problems)
    r.metric(fields.get("metric"), f"{where}.metric", metric)
    valid_metric = bool(metric) and len(r.problems) == before
    return Kpi(
        id=r.text(fields, "id", where, node, required=True),
        name=r.text(fields, "name", where, node, required=True),
        metric=metric,
        target=r.number(fields, "target", where, node, required=True) or 0,
        department=r.text(fields, "department", where, node, required=False),
        per=r.choice(fields, "per", where, KPI_PERS, "month"),
        owner=r.text(fields, "owner", where, node, required=False),
        review=r.choice(fields, "review", where, REVIEWS, "monthly"),
        klass=r.choice(fields, "class", where, CLASSES, metric_default_class(metric) if valid_metric else "leading"),
        definition=r.text(fields, "definition", where, node, required=False),
        csfs=r.text_list(fields, "csfs", where),
        better=r.choice(fields, "better", where, BETTER, metric_default_better(metric) if valid_metric else "higher"),
    )


def _read_csf(r: _Reader, node: yaml.Node, where: str) -> Csf | None:
    fields = r.mapping(node, where, _CSF_FIELDS)
    if fields is None:
        return None
    lever = r.text(fields, "lever", where, node, required=False)
    r.metric(fields.get("lever"), f"{where}.lever", lever)
    return Csf(
        id=r.text(fields, "id", where, node, required=True),
        name=r.text(fields, "name", where, node, required=True),
        lever=lever or None,
        actions=r.text_list(fields, "actions", where),
    )


def goals_as_dict(goals: Goals) -> dict[str, Any]:
    """The goal file as plain data, in the file's field order (class, not klass)."""
    kpis = []
    for kpi in goals.kpis:
        item = asdict(kpi)
        item["class"] = item.pop("klass")
        kpis.append({key: item[key] for key in _KPI_FIELDS})
    kgi = {key: value for key, value in asdict(goals.kgi).items() if value is not None}
    return {
        "fiscal_year_start": goals.fiscal_year_start,
        "currency": goals.currency,
        "kgi": kgi,
        "kpis": kpis,
        "csfs": [{key: value for key, value in asdict(c).items() if value is not None} for c in goals.csfs],
    }


def dump_goals(goals: Goals) -> str:
    """The goal file as YAML; load_goals(dump_goals(g)) == g."""
    return yaml.safe_dump(goals_as_dict(goals), sort_keys=False, allow_unicode=True, width=1000)


def check_goals(goals: Goals) -> Goals:
    """Validate a model built in code (e.g. edited in the app): GoalsError with the lines of its YAML."""
    return load_goals(dump_goals(goals))


# --- templates ---------------------------------------------------------------------------------------------------
def list_templates() -> list[dict[str, Any]]:
    """The built-in templates: name, languages and each language's KGI name (for a picker)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(TEMPLATE_DIR.glob("*.yaml")):
        name, _, lang = path.stem.rpartition("_")
        if lang not in TEMPLATE_LANGS:
            continue
        entry = found.setdefault(name, {"name": name, "langs": [], "title": {}})
        entry["langs"].append(lang)
        entry["title"][lang] = load_goals(path.read_text(encoding="utf-8")).kgi.name
    return list(found.values())


def template_text(name: str, lang: str = "ja") -> str:
    """The YAML text of a built-in template (with its comments)."""
    path = TEMPLATE_DIR / f"{name}_{lang}.yaml"
    if lang not in TEMPLATE_LANGS or "/" in name or not path.is_file():
        names = ", ".join(f"{t['name']}_{lg}" for t in list_templates() for lg in t["langs"])
        raise GoalsError([(None, "", f"no template {name}_{lang}: use one of {names}")])
    return path.read_text(encoding="utf-8")


def load_template(name: str, lang: str = "ja") -> Goals:
    """A built-in template: "sales" or "marketing", in "ja" or "en" (same ids in both)."""
    return load_goals(template_text(name, lang))


# --- target gaps -------------------------------------------------------------------------------------------------
def status_of(attainment: float | None) -> str:
    """on_track / at_risk / off_track by STATUS_THRESHOLDS; no_data without an attainment."""
    if attainment is None:
        return "no_data"
    if attainment >= STATUS_THRESHOLDS["on_track"]:
        return "on_track"
    if attainment >= STATUS_THRESHOLDS["at_risk"]:
        return "at_risk"
    return "off_track"


def attainment_of(actual: float | None, target: float | None, better: str) -> float | None:
    """actual / target (target / actual when lower is better); None when it cannot be said."""
    if actual is None or target is None:
        return None
    if better == "lower":
        if actual == 0:
            return math.inf if target >= 0 else None
        return target / actual
    return actual / target if target else None


def fiscal_year_start_date(day: dt.date, fiscal_start: int) -> dt.date:
    return period_bounds(day, "year", fiscal_start)[0]


def _goal_items(goals: Goals) -> list[dict[str, Any]]:
    """The KGI and the KPIs as uniform items: kind, id, name, metric, target, per, better, ..."""
    kgi = goals.kgi
    items = [
        {
            "kind": "kgi", "id": "kgi", "name": kgi.name, "metric": kgi.metric, "target": kgi.target,
            "per": kgi.period, "better": metric_default_better(kgi.metric), "department": "", "owner": "",
            "class": "lagging", "csfs": [],
        }
    ]  # fmt: skip
    for kpi in goals.kpis:
        items.append(
            {
                "kind": "kpi", "id": kpi.id, "name": kpi.name, "metric": kpi.metric, "target": kpi.target,
                "per": kpi.per, "better": kpi.better, "department": kpi.department, "owner": kpi.owner,
                "class": kpi.klass, "csfs": list(kpi.csfs),
            }
        )  # fmt: skip
    return items


def kpi_gaps(
    goals: Goals,
    dataset: Dataset,
    *,
    as_of: dt.date | None = None,
    fiscal_start: int | None = None,
    since: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
    filters: Filters | None = None,
) -> list[dict[str, Any]]:
    """For the KGI and each KPI, one row per period (of its own period length) from `since` (default: the start
    of the fiscal year holding `as_of`) to the period holding `as_of` (default today).

    Row: kind, id, name, department, owner, metric, per, period, start, end, complete, business_days_elapsed,
    business_days_total, actual, target, expected (the target pro-rated by business days for volumes; the target
    itself for rates), gap (actual − expected), attainment, status (STATUS_THRESHOLDS), better, time_degree.
    """
    as_of = as_of or dt.date.today()
    fiscal_start = fiscal_start or goals.fiscal_year_start
    since = since or fiscal_year_start_date(as_of, fiscal_start)
    filters = filters or Filters()
    by_per: dict[str, dict[str, dict[str, Any]]] = {}
    rows = []
    for item in _goal_items(goals):
        per = item["per"]
        first = period_bounds(since, per, fiscal_start)[0]
        if per not in by_per:
            result = compute_kpis(
                dataset,
                period=per,
                filters=Filters(start=first, end=as_of, roles=filters.roles),
                fiscal_start=fiscal_start,
            )
            by_per[per] = {row["period"]: row for row in result.by_period}
        degree = time_degree(item["metric"])
        start = first
        while start <= as_of:
            end = period_bounds(start, per, fiscal_start)[1]
            label = period_label(start, per, fiscal_start)
            figures = by_per[per].get(label) or finish_metrics({}, dataset)
            actual = metric_value(item["metric"], figures)
            total = business_days(start, end, calendar)
            elapsed = business_days(start, min(end, as_of), calendar)
            fraction = elapsed / total if total else 1.0
            expected = item["target"] * fraction if degree == 1 else item["target"]
            attainment = attainment_of(actual, expected, item["better"])
            rows.append(
                {
                    **{k: item[k] for k in ("kind", "id", "name", "department", "owner", "metric", "per")},
                    "period": label,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "complete": end <= as_of,
                    "business_days_elapsed": elapsed,
                    "business_days_total": total,
                    "actual": actual,
                    "target": item["target"],
                    "expected": expected,
                    "gap": None if actual is None else actual - expected,
                    "attainment": None if attainment is None or math.isinf(attainment) else attainment,
                    "status": "on_track"
                    if attainment is not None and math.isinf(attainment)
                    else status_of(attainment),
                    "better": item["better"],
                    "time_degree": degree,
                }
            )
            start = end + dt.timedelta(days=1)
    return rows


def current_gaps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last (current) period's row of each KGI / KPI from kpi_gaps."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["id"]] = row
    return list(latest.values())


def gap_summary(rows: list[dict[str, Any]], by: str = "department") -> list[dict[str, Any]]:
    """Status counts of the current period per KPI department or KPI owner (the KGI is left out)."""
    groups: dict[str, dict[str, Any]] = {}
    for row in current_gaps(rows):
        if row["kind"] != "kpi":
            continue
        key = row[by] or ""
        group = groups.setdefault(key, {by: key, "kpis": [], **dict.fromkeys(STATUSES, 0)})
        group["kpis"].append(row["id"])
        group[row["status"]] += 1
    return list(groups.values())


def kpi_breakdown(
    goals: Goals,
    dataset: Dataset,
    kpi_id: str,
    *,
    role: str = "owner",
    as_of: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
) -> list[dict[str, Any]]:
    """The current period of one KPI per value of a data role (e.g. each sales rep).

    Rates are compared with the team target itself. Volumes get an even split of the team target over the
    values active in the period (the goal file has one team target; the split is labelled as such), pro-rated
    by business days like the team row. A monthly sheet has no roles: [] .
    """
    if dataset.shape != "records" or role not in BREAKDOWN_ROLES or role not in dataset.mapping:
        return []
    kpi = goals.kpi(kpi_id)
    as_of = as_of or dt.date.today()
    start, end = period_bounds(as_of, kpi.per, goals.fiscal_year_start)
    result = compute_kpis(
        dataset,
        period=kpi.per,
        by=(role,),
        filters=Filters(start=start, end=as_of),
        fiscal_start=goals.fiscal_year_start,
    )
    items = result.by.get(role, [])
    degree = time_degree(kpi.metric)
    total = business_days(start, end, calendar)
    fraction = business_days(start, min(end, as_of), calendar) / total if total else 1.0
    active = [r for r in items if r["key"] is not None]
    rows = []
    for figures in items:
        actual = metric_value(kpi.metric, figures)
        if degree == 1:
            share = kpi.target / len(active) if active and figures["key"] is not None else None
            expected = share * fraction if share is not None else None
        else:
            share, expected = kpi.target, kpi.target
        attainment = attainment_of(actual, expected, kpi.better)
        rows.append(
            {
                "kpi": kpi.id,
                "role": role,
                "key": figures["key"],
                "actual": actual,
                "target": share,
                "target_basis": "even_split" if degree == 1 else "team_target",
                "expected": expected,
                "gap": None if actual is None or expected is None else actual - expected,
                "attainment": None if attainment is None or math.isinf(attainment) else attainment,
                "status": "on_track" if attainment is not None and math.isinf(attainment) else status_of(attainment),
            }
        )
    return rows


# --- the plan itself -----------------------------------------------------------------------------------------------
def _to_kgi_period(value: float, per: str, kgi_period: str, degree: float | None) -> float:
    """A KPI target per `per` expressed per KGI period (volumes scale: 50 a month = 600 a year)."""
    if degree != 1:
        return value
    return value * PERIODS_PER_YEAR[per] / PERIODS_PER_YEAR[kgi_period]


def trailing_window(as_of: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The `months` complete calendar months before the month holding `as_of`."""
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    index = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), end


def historical_figures(dataset: Dataset, as_of: dt.date, months: int = 12, fiscal_start: int = 4) -> dict[str, Any]:
    """Engine figures over the trailing window (see trailing_window), plus the window and how many of its months
    the data covers (from the month of its first date: a file that starts later covers fewer)."""
    start, end = trailing_window(as_of, months)
    result = compute_kpis(dataset, period="month", filters=Filters(start=start, end=end), fiscal_start=fiscal_start)
    first = first_date(dataset)
    covered = 0
    if first is not None and first <= end:
        begin = max(start, first.replace(day=1))
        covered = (end.year - begin.year) * 12 + end.month - begin.month + 1
    return {**result.totals, "window": {"start": start.isoformat(), "end": end.isoformat(), "months_covered": covered}}


def first_date(dataset: Dataset) -> dt.date | None:
    """The earliest date in the data (created or closed; a monthly sheet's first month)."""
    expression = "min(period_start)" if dataset.shape == "periods" else "least(min(created), min(closed))"
    return dataset.cursor().execute(f"SELECT {expression} FROM {dataset.table}").fetchall()[0][0]


def _kpi_for(goals: Goals, metric: str) -> Kpi | None:
    return next((k for k in goals.kpis if k.metric.replace(" ", "") == metric.replace(" ", "")), None)


def consistency_check(goals: Goals, dataset: Dataset | None = None, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Whether the KPI targets multiply up to the KGI target, and by how much they miss.

    Driver identity: revenue = won × average unit price, won = opportunities × win rate; volumes are scaled to the
    KGI period (a monthly 50 is 600 a year). A factor no KPI sets is taken from the data's trailing 12 months
    (source "data"); without data it is missing and the status is "incomplete". status: consistent when the
    implied value is within CONSISTENCY_TOLERANCE of the KGI target, else mismatch; not_applicable when the KGI
    metric is not revenue, won, or the metric of a KPI.
    """
    kgi = goals.kgi
    history = (
        historical_figures(dataset, as_of or dt.date.today(), fiscal_start=goals.fiscal_year_start) if dataset else {}
    )
    terms: list[dict[str, Any]] = []

    def term(metric: str) -> float | None:
        kpi = _kpi_for(goals, metric)
        if kpi is not None:
            degree = time_degree(metric)
            value = _to_kgi_period(kpi.target, kpi.per, kgi.period, degree)
            scale = value / kpi.target if kpi.target and degree == 1 else 1.0
            terms.append(
                {"metric": metric, "value": value, "source": "kpi", "kpi": kpi.id, "target": kpi.target,
                 "per": kpi.per, "scale": scale}
            )  # fmt: skip
            return value
        value = history.get(metric)
        months = (history.get("window") or {}).get("months_covered") or 0
        if value is not None and time_degree(metric) == 1:
            # trailing months → a year → per KGI period
            value = value * 12 / months / PERIODS_PER_YEAR[kgi.period] if months else None
        terms.append({"metric": metric, "value": value, "source": "data" if value is not None else "missing"})
        return value

    def won() -> float | None:
        if _kpi_for(goals, "won") is not None or (_kpi_for(goals, "opportunities") is None):
            return term("won")
        opportunities, rate = term("opportunities"), term("win_rate")
        return None if opportunities is None or rate is None else opportunities * rate

    metric = kgi.metric.replace(" ", "")
    if metric == "won_revenue":
        if _kpi_for(goals, "won_revenue") is not None:
            implied = term("won_revenue")
            formula = "won_revenue"
        else:
            count, price = won(), term("avg_unit_price")
            implied = None if count is None or price is None else count * price
            formula = " × ".join(t["metric"] for t in terms)
    elif metric == "won":
        implied = won()
        formula = " × ".join(t["metric"] for t in terms)
    elif _kpi_for(goals, kgi.metric) is not None:
        implied, formula = term(kgi.metric), kgi.metric
    else:
        return {"status": "not_applicable", "kgi_target": kgi.target, "implied": None, "gap": None,
                "gap_ratio": None, "terms": [], "formula": None, "tolerance": CONSISTENCY_TOLERANCE,
                "kgi_metric": kgi.metric, "kgi_period": kgi.period}  # fmt: skip
    gap = None if implied is None else implied - kgi.target
    ratio = None if gap is None or not kgi.target else gap / kgi.target
    if implied is None:
        status = "incomplete"
    else:
        status = "consistent" if ratio is not None and abs(ratio) <= CONSISTENCY_TOLERANCE else "mismatch"
    return {
        "status": status,
        "kgi_metric": kgi.metric,
        "kgi_period": kgi.period,
        "kgi_target": kgi.target,
        "implied": implied,
        "gap": gap,
        "gap_ratio": ratio,
        "formula": formula,
        "terms": terms,
        "tolerance": CONSISTENCY_TOLERANCE,
        "history_window": history.get("window"),
    }


# Funnel steps for planning backwards: (volume measure, the measure one level up, the engine's conversion linking them).
_FUNNEL = (
    ("opportunities", "won", "opportunity_to_won"),
    ("sql", "opportunities", "sql_to_opportunity"),
    ("mql", "sql", "mql_to_sql"),
    ("leads", "mql", "lead_to_mql"),
)
# KPI metrics a team may have written for a step's rate (compared with the historical rate, and used for the
# "with your own rates" column).
_RATE_KPIS = {"won": ("avg_unit_price",), "opportunities": ("win_rate", "won / opportunities")}


def backward_plan(goals: Goals, dataset: Dataset, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Monthly volumes the KGI needs, worked back from its target with the trailing 12 months' rates.

    revenue → won (÷ average unit price) → opportunities (÷ won per opportunity) → SQL → MQL → leads (÷ each
    conversion), over the levels the data has. Rates are throughput ratios of the window (won closed in the
    window ÷ opportunities created in it, ...), the engine's conversion figures. Each step shows the KPI target the
    team wrote for that metric (per month) and, where the team set the rate itself (unit price, win rate), the
    volume needed with its own rate.
    """
    as_of = as_of or dt.date.today()
    kgi = goals.kgi
    history = historical_figures(dataset, as_of, fiscal_start=goals.fiscal_year_start)
    months_per_period = 12 / PERIODS_PER_YEAR[kgi.period]
    steps: list[dict[str, Any]] = []
    metric = kgi.metric.replace(" ", "")
    if metric not in ("won_revenue", "won"):
        return {"status": "not_applicable", "kgi_metric": kgi.metric, "steps": [], "history_window": history["window"]}
    need = own = kgi.target / months_per_period
    steps.append(_plan_step(goals, metric, need, own, None, None))
    if metric == "won_revenue":
        price = history.get("avg_unit_price")
        kpi_price = _rate_kpi(goals, "won")
        need = need / price if need is not None and price else None
        own = own / kpi_price.target if own is not None and kpi_price and kpi_price.target else None
        steps.append(_plan_step(goals, "won", need, own, ("avg_unit_price", price), kpi_price))
    present = {"leads": "lead", "mql": "mql", "sql": "sql", "opportunities": "opportunity", "won": "won"}
    previous = "won"
    for volume, upper, conversion in _FUNNEL:
        if upper != previous or present[volume] not in dataset.present_levels:
            continue
        rate = (history.get("conversion") or {}).get(conversion)
        kpi_rate = _rate_kpi(goals, volume)
        need = need / rate if need is not None and rate else None
        own = own / kpi_rate.target if own is not None and kpi_rate and kpi_rate.target else None
        steps.append(_plan_step(goals, volume, need, own, (conversion, rate), kpi_rate))
        previous = volume
    return {
        "status": "ok" if all(s["needed_per_month"] is not None for s in steps) else "incomplete",
        "kgi_metric": kgi.metric,
        "kgi_target": kgi.target,
        "kgi_period": kgi.period,
        "history_window": history["window"],
        "steps": steps,
    }


def _rate_kpi(goals: Goals, step: str) -> Kpi | None:
    for metric in _RATE_KPIS.get(step, ()):
        kpi = _kpi_for(goals, metric)
        if kpi is not None:
            return kpi
    return None


def _plan_step(
    goals: Goals,
    metric: str,
    need: float | None,
    own: float | None,
    rate: tuple[str, float | None] | None,
    kpi_rate: Kpi | None,
) -> dict[str, Any]:
    kpi = _kpi_for(goals, metric)
    kpi_monthly = None
    if kpi is not None:
        kpi_monthly = _to_kgi_period(kpi.target, kpi.per, "month", time_degree(metric))
    return {
        "metric": metric,
        "needed_per_month": need,
        "rate": None if rate is None else {"name": rate[0], "value": rate[1]},
        "kpi_rate": None
        if kpi_rate is None
        else {"kpi": kpi_rate.id, "metric": kpi_rate.metric, "target": kpi_rate.target},
        "needed_with_kpi_rates": own,
        "kpi": None if kpi is None else kpi.id,
        "kpi_target_per_month": kpi_monthly,
        "difference": None if kpi_monthly is None or need is None else kpi_monthly - need,
    }
