"""The goal model (KGI → KPIs → CSFs) from plain YAML, target gaps, the plan's consistency and the backward plan."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpi_core.asof import check_as_of
from kpi_core.business_days import (
    DEFAULT_CALENDAR,
    PERIODS_PER_YEAR,
    business_days,
    period_bounds,
    period_label,
)
from kpi_core.formula import FormulaError, evaluate, formula_names, shown
from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import MEASURE_LEVEL
from kpi_core.messages import Phrase, render
from kpi_core.metrics import BREAKDOWN_ROLES, Filters, compute_kpis, finish_metrics, load_catalog
from kpi_core.sql import execute, first_data_date

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


# Limits of a goal file, checked while it is read (never after building something large).
MAX_DOCUMENT_BYTES = 256 * 1024  # the whole file, UTF-8
MAX_DEPTH = 20  # nested mappings / lists
MAX_ITEMS = 200  # entries of one mapping or list: KPIs, CSFs, actions, ...
MAX_TEXT_CHARS = 1_000  # one text value (names, definitions, actions)
MAX_NUMBER_CHARS = 40  # a number as written (a 400-digit target is refused before it is converted)
MAX_NUMBER = 1e15  # targets, baselines: finite and within ±MAX_NUMBER
MAX_PROBLEMS = 50  # problems listed; the rest are counted
SHOWN_CHARS = 40  # an echoed value is cut to this many characters, with …


@dataclass(frozen=True)
class GoalProblem:
    """One problem of a goal file: its line (1-based, None when unknown), field path (kpis[0].target, or "") and
    sentence (``code`` in kpi_core.messages, filled from ``params``)."""

    line: int | None
    where: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """One line: "line 11, kpis[0].target: must be a number (got 'fifty')" (in ja: "11行目、kpis[0].target：…")."""
        problem = Phrase(self.code, self.params).render(lang)
        if self.line and self.where:
            return render("goalfile.at_line_field", lang, line=self.line, field=self.where, problem=problem)
        if self.line:
            return render("goalfile.at_line", lang, line=self.line, problem=problem)
        if self.where:
            return render("goalfile.at_field", lang, field=self.where, problem=problem)
        return problem


class GoalsError(ValueError):
    """A goal file that cannot be used: every problem with its line and field (GoalProblem: code + params).

    str() is one line in `lang` (the first problem, "(and N more)"); lines(lang) lists every problem in ja / en;
    ``code`` / ``params`` are the first problem's. GoalFileError is the same class.
    """

    def __init__(self, problems: list[GoalProblem], *, source: str | None = None, lang: str = "en") -> None:
        self.problems = list(problems) or [GoalProblem(None, "", "goalfile.unreadable_file")]
        self.source = source
        self.lang = lang
        super().__init__(self.message(lang))

    def __reduce__(self):  # picklable although its constructor does not take the message
        return (_goals_error, (self.problems, self.source, self.lang))

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def params(self) -> dict[str, Any]:
        return self.problems[0].params

    def message(self, lang: str | None = None) -> str:
        """The first problem as one line, with the file name and how many more there are."""
        lang = lang or self.lang
        first = self.problems[0].message(lang)
        if len(self.problems) > 1:
            first = render("goalfile.and_more", lang, first=first, count=len(self.problems) - 1)
        return render("goalfile.in_source", lang, source=self.source, problem=first) if self.source else first

    def lines(self, lang: str | None = None) -> list[str]:
        """Every problem as one sentence in `lang` (default: the language the error was raised in)."""
        return [p.message(lang or self.lang) for p in self.problems]

    @property
    def messages(self) -> list[str]:
        """Every problem as one sentence (in the error's language, English unless asked otherwise)."""
        return self.lines()


GoalFileError = GoalsError


def _goals_error(problems: list[GoalProblem], source: str | None, lang: str) -> GoalsError:
    return GoalsError(problems, source=source, lang=lang)


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
class Quota:
    """One rep's own target for a KPI (or for the KGI: kpi "kgi"), per the KPI's period; `team` optional."""

    owner: str
    kpi: str
    target: float
    team: str = ""


@dataclass
class Goals:
    """One workspace's goal file."""

    kgi: Kgi
    kpis: list[Kpi] = field(default_factory=list)
    csfs: list[Csf] = field(default_factory=list)
    fiscal_year_start: int = 4
    currency: str = "JPY"
    quotas: list[Quota] = field(default_factory=list)

    def quotas_for(self, kpi_id: str) -> list[Quota]:
        """The quotas set for one KPI (the KGI's with "kgi"), in file order."""
        return [q for q in self.quotas if q.kpi == kpi_id]

    def teams(self) -> dict[str, str]:
        """owner → team, as the quotas give them (owners without a team left out)."""
        return {q.owner: q.team for q in self.quotas if q.team}

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
        raise FormulaError("unknown_metric", names=_cut(", ".join(unknown)))
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
_QUOTA_FIELDS = ("owner", "team", "kpi", "target")
_TOP_FIELDS = ("fiscal_year_start", "currency", "kgi", "kpis", "csfs", "quotas")
QUOTA_KGI = "kgi"  # a quota's kpi for the KGI itself (a rep's share of the revenue goal)
_TAG = "tag:yaml.org,2002:"
_NUMBER_TAGS = (f"{_TAG}int", f"{_TAG}float")
_TEXT_LIKE_TAGS = (*_NUMBER_TAGS, f"{_TAG}timestamp")  # read as written where text is expected
_STRING_TAGS = (f"{_TAG}merge", f"{_TAG}value")  # "<<" and "=" are plain text here (no merge keys: no aliases)


def _cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """User text on one line, cut to `limit` characters with …."""
    raw = str(text)
    text = " ".join(raw[: 8 * limit].split())
    return text if len(text) <= limit and len(raw) <= 8 * limit else text[: limit - 1] + "…"


def _echo(value: Any) -> str:
    """A value as echoed in a sentence: strings quoted, everything cut to SHOWN_CHARS."""
    if isinstance(value, str):
        return shown(value, SHOWN_CHARS)
    if isinstance(value, _Collection):
        return _cut(value.source)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _cut(repr(value))


def _source(node: yaml.Node) -> str:
    """The text of a node as written (at most a few hundred characters of it)."""
    start, end = node.start_mark, node.end_mark
    buffer = getattr(start, "buffer", None)
    if not isinstance(buffer, str) or end is None:
        return str(getattr(node, "value", ""))
    return buffer[start.index : min(end.index, start.index + 4 * SHOWN_CHARS)]


@dataclass(frozen=True)
class _Collection:
    """A list or mapping where a single value was expected (never constructed: only its text is kept)."""

    source: str


_UNREADABLE = object()  # a value whose problem is already reported


class _Refused(Exception):
    """Raised while composing: the document uses what goal files may not (aliases, tags, depth, size)."""

    def __init__(self, mark: yaml.Mark | None, where: str, code: str, **params: Any) -> None:
        super().__init__(code)
        self.problem = GoalProblem(mark.line + 1 if mark is not None else None, where, code, params)


class _GoalLoader(yaml.SafeLoader):
    """A SafeLoader that composes plain YAML only: it refuses anchors, aliases and every explicit tag (so nothing is
    ever constructed from them: no billion laughs, no recursive alias, no !!python/...), nesting deeper than
    MAX_DEPTH and mappings or lists of more than MAX_ITEMS entries, each at its line and field path."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._paths: list[str] = []
        self._depth = 0

    def _here(self, parent: yaml.Node | None, index: Any) -> str:
        base = self._paths[-1] if self._paths else ""
        if isinstance(parent, yaml.SequenceNode):
            return f"{base}[{index}]"
        if isinstance(parent, yaml.MappingNode) and isinstance(index, yaml.ScalarNode):
            return _join(base, _key_text(index.value))
        return base

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        here = self._here(parent, index)
        event = self.peek_event()
        if isinstance(parent, yaml.SequenceNode) and index >= MAX_ITEMS:
            raise _Refused(event.start_mark, self._paths[-1], "goalfile.too_many_items", limit=MAX_ITEMS)
        if isinstance(parent, yaml.MappingNode) and index is None and len(parent.value) >= MAX_ITEMS:
            raise _Refused(event.start_mark, self._paths[-1], "goalfile.too_many_items", limit=MAX_ITEMS)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, here, "goalfile.alias")
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
            raise _Refused(event.start_mark, here, "goalfile.tag", tag=_cut(tag))
        collection = isinstance(event, yaml.CollectionStartEvent)
        if collection and self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, here, "goalfile.too_deep", limit=MAX_DEPTH)
        self._paths.append(here)
        self._depth += collection
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= collection
            self._paths.pop()


def _key_text(key: Any) -> str:
    text = str(key)
    return text if len(text) <= SHOWN_CHARS and text.isprintable() and " " not in text else shown(text)


def check_document_size(size: int, *, source: str | None = None, lang: str = "en") -> None:
    """GoalsError when a goal file of `size` bytes is over MAX_DOCUMENT_BYTES (a command checks before reading)."""
    if size > MAX_DOCUMENT_BYTES:
        params = {"size": f"{math.ceil(size / 1024):,}", "limit": f"{MAX_DOCUMENT_BYTES // 1024:,}"}
        raise GoalsError([GoalProblem(None, "", "goalfile.too_large", params)], source=source, lang=lang)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a goal file, or GoalsError (one problem) when it is too large, not YAML or not plain."""
    check_document_size(len(text.encode("utf-8", "surrogatepass")))
    loader = None
    try:
        loader = _GoalLoader(text)  # a character YAML does not allow (NUL, …) is refused here: ReaderError
        return loader.get_single_node()
    except _Refused as exc:
        raise GoalsError([exc.problem]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        position = getattr(exc, "position", None)  # a ReaderError: a character YAML does not allow
        if line is None and isinstance(position, int):
            line = text.count("\n", 0, position) + 1
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [""])[0]
        raise GoalsError([GoalProblem(line, "", "goalfile.invalid_yaml", {"problem": _cut(problem, 200)})]) from None
    finally:
        if loader is not None:
            loader.dispose()


class _Reader:
    """Walks the composed YAML nodes, building the model and collecting problems (line, field, code, params)."""

    def __init__(self) -> None:
        self.problems: list[GoalProblem] = []
        self.more = 0  # problems beyond MAX_PROBLEMS, counted only
        self._constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node | None, where: str, code: str, **params: Any) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.problems.append(GoalProblem(node.start_mark.line + 1 if node is not None else None, where, code, params))

    def value(self, node: yaml.Node, where: str, *, as_text: bool = False) -> Any:
        """The value of a scalar (plain YAML types only: the loader refused every tag); a _Collection for a list or
        mapping; with as_text, numbers and dates as written. _UNREADABLE (reported) when it cannot be read."""
        if not isinstance(node, yaml.ScalarNode):
            return _Collection(_source(node))
        if node.tag in _STRING_TAGS or (as_text and node.tag in _TEXT_LIKE_TAGS):
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError):  # e.g. the date 2024-13-45
            self.fail(node, where, "goalfile.unreadable", got=_cut(node.value))
            return _UNREADABLE

    def mapping(self, node: yaml.Node, where: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, "goalfile.not_mapping")
            return None
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, where, "goalfile.key_not_text")
                continue
            key = key_node.value
            name = _join(where, _key_text(key))
            if key not in allowed:
                self.fail(key_node, name, "goalfile.unknown_field", allowed=", ".join(allowed))
            elif key in fields:
                self.fail(key_node, name, "goalfile.given_twice")
            else:
                fields[key] = value_node
        return fields

    def text(
        self,
        fields: dict[str, yaml.Node],
        key: str,
        where: str,
        parent: yaml.Node,
        *,
        required: bool,
        limit: int | None = MAX_TEXT_CHARS,
    ) -> str:
        node = fields.get(key)
        name = _join(where, key)
        value = None if node is None else self.value(node, name, as_text=True)
        if value is _UNREADABLE:
            return ""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(node or parent, name, "goalfile.required")
            return ""
        if isinstance(value, bool | _Collection):
            self.fail(node, name, "goalfile.not_text")
            return ""
        text = str(value).strip()
        if limit is not None and len(text) > limit:
            self.fail(node, name, "goalfile.text_too_long", length=f"{len(text):,}", limit=f"{limit:,}")
            return ""
        return text

    def number(
        self,
        fields: dict[str, yaml.Node],
        key: str,
        where: str,
        parent: yaml.Node,
        *,
        required: bool,
        wrong: str = "goalfile.number_range",
    ) -> float | None:
        """A finite number within ±MAX_NUMBER ("25%" is 0.25); `wrong` is the sentence for one out of range."""
        node = fields.get(key)
        name = _join(where, key)
        if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            self.fail(node, name, wrong, got=_cut(node.value))  # e.g. 400 digits: never converted
            return None
        value = None if node is None else self.value(node, name)
        if value is _UNREADABLE:
            return None
        if value is None:
            if required:
                self.fail(node or parent, name, "goalfile.required")
            return None
        if isinstance(value, str) and value.strip().endswith("%") and len(value) <= MAX_NUMBER_CHARS:
            with contextlib.suppress(ValueError):
                value = float(value.strip()[:-1].replace(",", "")) / 100
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(node, name, "goalfile.not_a_number", got=_echo(value))
            return None
        if not abs(value) <= MAX_NUMBER:  # NaN, infinities and anything too large (a large int compares exactly)
            self.fail(node, name, wrong, got=_echo(value))
            return None
        return value

    def choice(self, fields: dict[str, yaml.Node], key: str, where: str, options: tuple[str, ...], default: str) -> str:
        node = fields.get(key)
        name = _join(where, key)
        value = None if node is None else self.value(node, name, as_text=True)
        if value is _UNREADABLE:
            return default
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.fail(node, name, "goalfile.not_one_of", options=", ".join(options), got=_echo(value))
            return default
        return value

    def metric(self, node: yaml.Node | None, where: str, value: str) -> bool:
        """Whether `value` is a metric name or a formula over them (else the problem is reported)."""
        if not value:
            return False
        try:
            metric_inputs(value)
        except FormulaError as exc:
            if exc.code in ("unknown_metric", "not_a_formula"):
                problem = Phrase(f"formula.{exc.code}", exc.params)
                self.fail(node, where, "goalfile.metric", problem=problem, known=", ".join(metric_names()))
            else:  # too long, too deep, not arithmetic: the formula's own sentence
                self.fail(node, where, f"formula.{exc.code}", **exc.params)
            return False
        return True

    def text_list(self, fields: dict[str, yaml.Node], key: str, where: str) -> list[str]:
        node = fields.get(key)
        name = _join(where, key)
        if node is None or (isinstance(node, yaml.ScalarNode) and self.value(node, name, as_text=True) is None):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, name, "goalfile.not_list")
            return []
        items = []
        for i, item in enumerate(node.value):
            value = self.value(item, f"{name}[{i}]", as_text=True)
            if value is _UNREADABLE:
                continue
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                self.fail(item, f"{name}[{i}]", "goalfile.not_text")
                continue
            text = str(value).strip()
            if len(text) > MAX_TEXT_CHARS:
                self.fail(
                    item, f"{name}[{i}]", "goalfile.text_too_long", length=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}"
                )
                continue
            items.append(text)
        return items


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def load_goals(text: str, *, source: str | None = None, lang: str = "en") -> Goals:
    """Read a goal file; GoalsError names the line and field of every problem (and `source`, the file name), one
    sentence each in `lang` (str() and messages; lines(lang) in the other language).

    Refused before anything large is built: files over MAX_DOCUMENT_BYTES, anchors / aliases and tags, nesting over
    MAX_DEPTH, more than MAX_ITEMS entries in a list or mapping; then per field: text over MAX_TEXT_CHARS, formulas
    over kpi_core.formula's limits, numbers that are not finite or beyond ±MAX_NUMBER, negative targets and rate
    targets outside 0–1 (0–100 %).
    """
    try:
        return _load_goals(text)
    except GoalsError as exc:
        if source is None and lang == "en":
            raise
        raise GoalsError(exc.problems, source=source, lang=lang) from None


def _load_goals(text: str) -> Goals:
    root = _compose(text)
    if root is None:
        raise GoalsError([GoalProblem(1, "", "goalfile.empty")])
    reader = _Reader()
    goals = _read_goals(reader, root)
    if reader.problems or goals is None:
        problems = sorted(reader.problems, key=lambda p: p.line or 0)  # in file order
        if reader.more:
            problems.append(GoalProblem(None, "", "goalfile.more_problems", {"count": reader.more}))
        raise GoalsError(problems or [GoalProblem(1, "", "goalfile.unreadable_file")])
    return goals


def _read_goals(r: _Reader, root: yaml.Node) -> Goals | None:
    top = r.mapping(root, "", _TOP_FIELDS)
    if top is None:
        return None
    fiscal = r.number(top, "fiscal_year_start", "", root, required=False, wrong="goalfile.fiscal_year_start")
    if fiscal is not None and (fiscal != int(fiscal) or not 1 <= fiscal <= 12):
        r.fail(top["fiscal_year_start"], "fiscal_year_start", "goalfile.fiscal_year_start", got=_echo(fiscal))
        fiscal = None
    currency = r.text(top, "currency", "", root, required=False) or "JPY"
    kgi = _read_kgi(r, top.get("kgi"), root)
    csfs = _read_list(r, top, "csfs", root, _read_csf)
    kpis = _read_list(r, top, "kpis", root, _read_kpi)
    _check_ids(r, top.get("kpis"), "kpis", kpis)
    _check_ids(r, top.get("csfs"), "csfs", csfs)
    quotas = _read_list(r, top, "quotas", root, _read_quota)
    _check_quotas(r, top.get("quotas"), quotas, kgi, [k for k in kpis if k is not None])
    known_csfs = {c.id for c in csfs if c is not None}
    kpi_nodes = top["kpis"].value if isinstance(top.get("kpis"), yaml.SequenceNode) else []
    for i, kpi in enumerate(kpis):
        if kpi is None:
            continue
        for j, ref in enumerate(kpi.csfs):
            if ref not in known_csfs:
                node = _field_node(kpi_nodes[i], "csfs")
                item = node.value[j] if isinstance(node, yaml.SequenceNode) else node
                r.fail(item, f"kpis[{i}].csfs[{j}]", "goalfile.unknown_csf", id=shown(ref, SHOWN_CHARS))
    if kgi is None:
        return None
    return Goals(
        kgi=kgi,
        kpis=[k for k in kpis if k is not None],
        csfs=[c for c in csfs if c is not None],
        fiscal_year_start=int(fiscal) if fiscal is not None else 4,
        currency=currency,
        quotas=[q for q in quotas if q is not None],
    )


def _field_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return value_node
    return None


def _read_list(r: _Reader, top: dict[str, yaml.Node], key: str, root: yaml.Node, read) -> list[Any]:
    node = top.get(key)
    if node is None or (isinstance(node, yaml.ScalarNode) and r.value(node, key, as_text=True) is None):
        return []
    if not isinstance(node, yaml.SequenceNode):
        r.fail(node, key, "goalfile.not_list")
        return []
    return [read(r, item, f"{key}[{i}]") for i, item in enumerate(node.value)]


def _check_ids(r: _Reader, node: yaml.Node | None, key: str, items: list[Any]) -> None:
    """Each id once; `items` parallel to the list's nodes (None where an item could not be read)."""
    seen: set[str] = set()
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    for i, item in enumerate(items):
        if item is None or not item.id:
            continue
        if item.id in seen:
            r.fail(
                _field_node(nodes[i], "id") if i < len(nodes) else node,
                f"{key}[{i}].id",
                "goalfile.id_twice",
                id=shown(item.id, SHOWN_CHARS),
            )
        seen.add(item.id)


def _check_target(r: _Reader, node: yaml.Node | None, where: str, target: float, kpi: str | None, metric: str) -> None:
    """A target is 0 or more; a rate's (win_rate, existing_share) is from 0 to 1 ("25%" was read as 0.25)."""
    got = _cut(_source(node)) if node is not None else _echo(target)
    if target < 0:
        if kpi is None:
            r.fail(node, where, "goalfile.negative_kgi_target", got=got)
        else:
            r.fail(node, where, "goalfile.negative_kpi_target", kpi=shown(kpi, SHOWN_CHARS), got=got)
    elif metric and metric_unit(metric) == "ratio" and target > 1:
        r.fail(node, where, "goalfile.ratio_target", metric=metric, got=got)


def _read_kgi(r: _Reader, node: yaml.Node | None, root: yaml.Node) -> Kgi | None:
    if node is None:
        r.fail(root, "kgi", "goalfile.kgi_required")
        return None
    fields = r.mapping(node, "kgi", _KGI_FIELDS)
    if fields is None:
        return None
    name = r.text(fields, "name", "kgi", node, required=True)
    metric = r.text(fields, "metric", "kgi", node, required=True, limit=None)
    valid_metric = r.metric(fields.get("metric"), "kgi.metric", metric)
    target = r.number(fields, "target", "kgi", node, required=True)
    if target is not None:
        _check_target(r, fields.get("target"), "kgi.target", target, None, metric if valid_metric else "")
    period = r.choice(fields, "period", "kgi", KGI_PERIODS, "year")
    baseline = r.number(fields, "baseline", "kgi", node, required=False)
    return Kgi(name=name, metric=metric, target=target or 0, period=period, baseline=baseline)


def _read_kpi(r: _Reader, node: yaml.Node, where: str) -> Kpi | None:
    fields = r.mapping(node, where, _KPI_FIELDS)
    if fields is None:
        return None
    kpi_id = r.text(fields, "id", where, node, required=True)
    name = r.text(fields, "name", where, node, required=True)
    metric = r.text(fields, "metric", where, node, required=True, limit=None)
    valid_metric = r.metric(fields.get("metric"), f"{where}.metric", metric)
    target = r.number(fields, "target", where, node, required=True)
    if target is not None:
        _check_target(
            r, fields.get("target"), f"{where}.target", target, kpi_id or where, metric if valid_metric else ""
        )
    return Kpi(
        id=kpi_id,
        name=name,
        metric=metric,
        target=target or 0,
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
    csf_id = r.text(fields, "id", where, node, required=True)
    name = r.text(fields, "name", where, node, required=True)
    lever = r.text(fields, "lever", where, node, required=False, limit=None)
    r.metric(fields.get("lever"), f"{where}.lever", lever)
    return Csf(id=csf_id, name=name, lever=lever or None, actions=r.text_list(fields, "actions", where))


def _read_quota(r: _Reader, node: yaml.Node, where: str) -> tuple[Quota, yaml.Node] | None:
    """One quota as read, with its node (the KPI it names and the owner are checked against the whole file later)."""
    fields = r.mapping(node, where, _QUOTA_FIELDS)
    if fields is None:
        return None
    owner = r.text(fields, "owner", where, node, required=True)
    kpi = r.text(fields, "kpi", where, node, required=True)
    target = r.number(fields, "target", where, node, required=True)
    team = r.text(fields, "team", where, node, required=False)
    if not owner or not kpi or target is None:
        return None
    if target < 0:
        got = _cut(_source(fields["target"]))
        r.fail(fields["target"], f"{where}.target", "goalfile.quota_negative", owner=shown(owner, SHOWN_CHARS), got=got)
        return None
    return Quota(owner=owner, kpi=kpi, target=target, team=team), node


def _check_quotas(
    r: _Reader, node: yaml.Node | None, read: list[tuple[Quota, yaml.Node] | None], kgi: Kgi | None, kpis: list[Kpi]
) -> None:
    """Each quota names a KPI of the file (or "kgi"), once per owner; a rate's quota is 0–1; an owner has one team.
    Quotas with a problem are dropped from `read` (set to None) so the model never holds them."""
    metrics = {k.id: k.metric for k in kpis}
    if kgi is not None and QUOTA_KGI not in metrics:
        metrics[QUOTA_KGI] = kgi.metric
    known = ", ".join([k.id for k in kpis] + ([QUOTA_KGI] if kgi is not None else []))
    seen: set[tuple[str, str]] = set()
    teams: dict[str, str] = {}
    for i, item in enumerate(read):
        if item is None:
            continue
        quota, qnode = item
        where = f"quotas[{i}]"
        owner = shown(quota.owner, SHOWN_CHARS)
        if quota.kpi not in metrics:
            r.fail(_field_node(qnode, "kpi"), f"{where}.kpi", "goalfile.quota_unknown_kpi",
                   kpi=shown(quota.kpi, SHOWN_CHARS), known=known)  # fmt: skip
            read[i] = None
            continue
        key = (owner_key(quota.owner), quota.kpi)
        if key in seen:
            r.fail(_field_node(qnode, "owner"), f"{where}.owner", "goalfile.quota_twice", owner=owner,
                   kpi=shown(quota.kpi, SHOWN_CHARS))  # fmt: skip
            read[i] = None
            continue
        seen.add(key)
        metric = metrics[quota.kpi]
        if metric and _is_metric(metric) and metric_unit(metric) == "ratio" and quota.target > 1:
            r.fail(_field_node(qnode, "target"), f"{where}.target", "goalfile.ratio_target", metric=metric,
                   got=_cut(_source(_field_node(qnode, "target") or qnode)))  # fmt: skip
            read[i] = None
            continue
        if quota.team:
            other = teams.setdefault(owner_key(quota.owner), quota.team)
            if other != quota.team:
                r.fail(_field_node(qnode, "team"), f"{where}.team", "goalfile.quota_team_conflict", owner=owner,
                       team=shown(other, SHOWN_CHARS), other=shown(quota.team, SHOWN_CHARS))  # fmt: skip
                read[i] = None
                continue
    read[:] = [None if item is None else item[0] for item in read]  # type: ignore[misc]


def _is_metric(metric: str) -> bool:
    try:
        metric_inputs(metric)
    except FormulaError:
        return False
    return True


def owner_key(name: str | None) -> str:
    """An owner's name as compared (quotas ↔ data ↔ team file): NFKC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", str(name or "")).split()).casefold()


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
        # only when set: a goal file without quotas dumps as it always did
        **({"quotas": [_quota_dict(q) for q in goals.quotas]} if goals.quotas else {}),
    }


def _quota_dict(quota: Quota) -> dict[str, Any]:
    item = asdict(quota)
    return {key: item[key] for key in _QUOTA_FIELDS if key != "team" or item["team"]}


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
        problem = GoalProblem(None, "", "goalfile.no_template", {"name": _cut(f"{name}_{lang}"), "names": names})
        raise GoalsError([problem])
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
    as_of = check_as_of(as_of or dt.date.today())  # AsOfError for 9999-12-31 and the like, not an OverflowError
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

    By owner, when the goal file sets quotas for the KPI, each rep is compared with their own quota (target_basis
    "quota"; a rep with no quota has no target, "no_quota"). Otherwise rates are compared with the team target
    itself, and volumes get an even split of the team target over the values active in the period (labelled
    "even_split"), pro-rated by business days like the team row. A monthly sheet has no roles: [] .
    """
    if dataset.shape != "records" or role not in BREAKDOWN_ROLES or role not in dataset.mapping:
        return []
    kpi = goal_kpi(goals, kpi_id)
    as_of = check_as_of(as_of or dt.date.today())
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
    quotas = {owner_key(q.owner): q.target for q in goals.quotas_for(kpi_id)} if role == "owner" else {}
    rows = []
    for figures in items:
        actual = metric_value(kpi.metric, figures)
        if quotas:
            share = quotas.get(owner_key(figures["key"])) if figures["key"] is not None else None
            expected = share * fraction if share is not None and degree == 1 else share
            basis = "quota" if share is not None else "no_quota"
        elif degree == 1:
            share = kpi.target / len(active) if active and figures["key"] is not None else None
            expected = share * fraction if share is not None else None
            basis = "even_split"
        else:
            share, expected = kpi.target, kpi.target
            basis = "team_target"
        attainment = attainment_of(actual, expected, kpi.better)
        rows.append(
            {
                "kpi": kpi.id,
                "role": role,
                "key": figures["key"],
                "actual": actual,
                "target": share,
                "target_basis": basis,
                "expected": expected,
                "gap": None if actual is None or expected is None else actual - expected,
                "attainment": None if attainment is None or math.isinf(attainment) else attainment,
                "status": "on_track" if attainment is not None and math.isinf(attainment) else status_of(attainment),
            }
        )
    return rows


def goal_kpi(goals: Goals, kpi_id: str) -> Kpi:
    """A KPI by id; "kgi" (when no KPI has that id) is the KGI as a KPI over its own period, so a quota of the
    revenue goal is measured like any other."""
    if kpi_id == QUOTA_KGI and all(k.id != QUOTA_KGI for k in goals.kpis):
        kgi = goals.kgi
        return Kpi(id=QUOTA_KGI, name=kgi.name, metric=kgi.metric, target=kgi.target, per=kgi.period,
                   klass="lagging", better=metric_default_better(kgi.metric))  # fmt: skip
    return goals.kpi(kpi_id)


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
    start, end = trailing_window(check_as_of(as_of), months)
    result = compute_kpis(dataset, period="month", filters=Filters(start=start, end=end), fiscal_start=fiscal_start)
    first = first_date(dataset)
    covered = 0
    if first is not None and first <= end:
        begin = max(start, first.replace(day=1))
        covered = (end.year - begin.year) * 12 + end.month - begin.month + 1
    return {**result.totals, "window": {"start": start.isoformat(), "end": end.isoformat(), "months_covered": covered}}


def first_date(dataset: Dataset) -> dt.date | None:
    """The earliest date in the data (created or closed; a monthly sheet's first month)."""
    return execute(dataset.cursor(), first_data_date(dataset.shape, dataset.table)).fetchall()[0][0]


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
            planned = _to_kgi_period(kpi.target, kpi.per, kgi.period, degree)
            scale = planned / kpi.target if kpi.target and degree == 1 else 1.0
            terms.append(
                {"metric": metric, "value": planned, "source": "kpi", "kpi": kpi.id, "target": kpi.target,
                 "per": kpi.per, "scale": scale}
            )  # fmt: skip
            return planned
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
    need: float | None = kgi.target / months_per_period
    own: float | None = need
    steps.append(_plan_step(goals, metric, need, own, None, None))
    if metric == "won_revenue":
        price = history.get("avg_unit_price")
        kpi_price = _rate_kpi(goals, "won")
        need = need / price if need is not None and price else None
        own = own / kpi_price.target if own is not None and kpi_price and kpi_price.target else None
        steps.append(_plan_step(goals, "won", need, own, ("avg_unit_price", price), kpi_price))
    present = MEASURE_LEVEL
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
