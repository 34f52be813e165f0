"""Column roles: which column holds the id, dates, stage, amount, owner, channel... found from headers and values."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import SupportsFloat, cast

from kpi_core.catalog import load_roles
from kpi_core.intake.stages import canonical_stage
from kpi_core.intake.values import ValueParseError, parse_amount, parse_count, parse_date

# Words of a unit, currency or tax note that may end a header: "amount_usd", "Betrag in €", "Montant HT".
_UNIT_WORDS = frozenset(
    {
        "usd", "us$", "eur", "jpy", "gbp", "aud", "cad", "chf", "cny", "rmb", "krw", "inr", "sgd", "hkd", "nzd",
        "sek", "nok", "dkk", "brl", "mxn", "yen", "$", "€", "£", "¥", "円", "千円", "万円", "百万円",
        "税抜", "税込", "税別", "税抜き", "税込み", "vat", "mwst", "iva", "tva", "ht", "ttc",
    }
)  # fmt: skip
# Words a note in brackets may also hold: "(in thousands)", "(単位：円)", "(excl. VAT)", "(件)".
_NOTE_WORDS = _UNIT_WORDS | frozenset(
    {
        "in", "en", "unit", "units", "currency", "k", "thousand", "thousands", "m", "mn", "million", "millions",
        "千", "万", "百万", "億", "単位", "件", "人", "excl", "incl", "ex", "exkl", "inkl", "sin", "con", "hors",
        "tax", "taxes", "net", "netto", "brutto", "gross", "消費税抜", "消費税込",
    }
)  # fmt: skip
_SEPARATORS = re.compile(r"[\s\-_./・:;,、()\[\]「」【】#'\"‘’“”¿¡–]+")
_BRACKET = re.compile(r"[(\[【]([^)\]】]*)[)\]】]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LATIN_MARKS = re.compile(r"[\u0300-\u036f]")  # accents; kana voicing marks (U+3099) must stay
# CRM report prefixes naming the object: "Opportunity: Amount", "Deal - Amount", "商談: 金額".
_OBJECT_PREFIX = re.compile(
    r"^(?:opportunity|deal|lead|account|contact|company|商談|リード|取引先|取引先責任者)(?:\s*:\s*|\s+[-–]\s+)(?=\S)",
    re.IGNORECASE,
)
_LABEL_PREFIX = re.compile(r"^(.+?)\s*:\s*(.+)$")


def _fold(text: str) -> str:
    """Lower case without Latin accents ("Étape" → "etape", "Größe" → "grösse" → "grosse")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFKC", _LATIN_MARKS.sub("", text))


def _words(text: str) -> list[str]:
    return [word for word in _SEPARATORS.split(_fold(text)) if word]


def _category_key(text: str) -> str:
    return "".join(_words(unicodedata.normalize("NFKC", text)))


def _flag_key(text: str) -> str:
    return text.strip().casefold()


def _is_note(content: str) -> bool:
    """Whether a bracketed part of a header is noise: a unit or tax note, or HubSpot's pipeline name."""
    folded = _fold(content)
    return all(word in _NOTE_WORDS for word in _words(content)) or "pipeline" in folded or "パイプライン" in folded


def header_key(header: str) -> str:
    """Normalise a header for lookup: one key for "CloseDate", "close_date", "Close Date" and "close-date", without
    unit, currency or tax notes ("(円)", "in USD", "_jpy", "(税抜)"), pipeline notes or a CRM object prefix."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    text = _OBJECT_PREFIX.sub("", text)
    repeated = _LABEL_PREFIX.match(text)
    if repeated and _fold(repeated.group(1)) == _fold(repeated.group(2)):
        text = repeated.group(2)  # "Account Name: Account Name" in grouped Salesforce reports
    text = _BRACKET.sub(lambda m: " " if _is_note(m.group(1)) else f" {m.group(1)} ", text)
    words = _words(_CAMEL.sub(" ", text))
    while len(words) > 1 and words[-1] in _UNIT_WORDS:
        words.pop()
        if len(words) > 1 and words[-1] in ("in", "en"):
            words.pop()
    return "".join(words)


# Roles, their kinds, header synonyms, flag words and forecast categories: kpi_core/catalog/roles.yaml, checked as it
# loads (an unknown kind or role, or a synonym written twice for one role, stops the import with the entry named).
# The synonyms' keys are computed once, for the check and for the lookup below.
_synonym_key = cache(header_key)
_ROLES = load_roles(header_key=_synonym_key, category_key=_category_key, flag_key=_flag_key)
# Roles of a record-shaped file (one row per lead / deal), in the order they are chosen.
RECORD_ROLES: tuple[str, ...] = _ROLES.record_roles
# The record roles that feed the forecast (ヨミ): a probability / confidence and a forecast category.
FORECAST_ROLES: tuple[str, ...] = _ROLES.forecast_roles
# Roles of a period-shaped file (one row per period with count columns, possibly one row per channel too).
PERIOD_ROLES: tuple[str, ...] = _ROLES.period_roles
# Roles by the kind of value they hold (what fits them, and their column type).
ROLE_KIND: dict[str, str] = dict(_ROLES.kinds)  # role → id | date | number | count | text | flag | stage | ...
DATE_ROLES = _ROLES.of_kind("date")
NUMBER_ROLES = _ROLES.of_kind("number")
COUNT_ROLES = _ROLES.of_kind("count")
TEXT_ROLES = _ROLES.of_kind("text")
FLAG_ROLES = _ROLES.of_kind("flag")
STAGE_ROLES = _ROLES.of_kind("stage")
# What headline figures need: an outcome (a stage, a won flag or stage dates), the amount, created and closed dates.
HEADLINE_ROLES: tuple[str, ...] = _ROLES.headline_roles
# Header synonyms (compared after `header_key`, the more specific first within a role), and the fallbacks that name
# a role only when no regular synonym of it fits.
_HEADERS: dict[str, tuple[str, ...]] = dict(_ROLES.headers)
_FALLBACK_HEADERS: dict[str, tuple[str, ...]] = dict(_ROLES.fallback_headers)


@dataclass(frozen=True)
class _Synonym:
    role: str
    tier: int  # 0: a synonym of the role, 1: a fallback (see _FALLBACK_HEADERS)
    rank: int  # position in the role's synonyms: lower is more specific


# An owner / account / product / channel id ranks after every named synonym: a rep's name beats their id.
_ID_SUFFIX_RANK = 1000


def _build_lookup() -> dict[str, list[_Synonym]]:
    lookup: dict[str, list[_Synonym]] = {}
    for tier, table in enumerate((_HEADERS, _FALLBACK_HEADERS)):
        for role, names in table.items():
            for rank, name in enumerate(names):
                entries = lookup.setdefault(_synonym_key(name), [])
                if all(entry.role != role for entry in entries):
                    entries.append(_Synonym(role, tier, rank))
    return lookup


_HEADER_LOOKUP: dict[str, list[_Synonym]] = _build_lookup()
_synonym_key.cache_clear()  # only the import needed it


def _synonyms(header: str) -> list[_Synonym]:
    key = header_key(header)
    if key in _HEADER_LOOKUP:
        return list(_HEADER_LOOKUP[key])
    # "OwnerId", "Owner ID", "担当者ID", "Sales Rep ID": the id of an owner / account / product still names that role.
    if key.endswith("id") and len(key) > 2:
        return [
            _Synonym(s.role, s.tier, s.rank + _ID_SUFFIX_RANK)
            for s in _HEADER_LOOKUP.get(key[:-2], [])
            if s.role in TEXT_ROLES
        ]
    return []


def roles_from_header(header: str) -> list[str]:
    """Roles a header names (possibly several: "受注金額" is a deal amount or a monthly revenue column)."""
    return [synonym.role for synonym in _synonyms(header)]


_MONTH_ONLY = re.compile(r"^\s*(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月)?\s*$")


def parse_period_start(value: object) -> dt.date | None:
    """A period cell as the first day of its month: '2024年4月', '2024-04', a date cell, or a full date."""
    if isinstance(value, str):
        match = _MONTH_ONLY.match(value)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
            raise ValueParseError(f"not a month: {value!r}")
    parsed = parse_date(value)
    return None if parsed is None else parsed.replace(day=1)


Sample = Mapping[str, Sequence[object]]  # column → sampled values (a dict of lists, or a DataFrame)


def _parse_date_any_order(value: object) -> object:
    """A date in either day/month order: whether a column holds dates does not depend on its order, which the
    loader decides for the whole column (18-05-2025 is a date)."""
    try:
        return parse_date(value)
    except ValueParseError:
        return parse_date(value, order="dmy")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType") or (isinstance(value, str) and not value.strip())


def _present(values: Sequence[object], limit: int = 200) -> list[object]:
    out = []
    for value in values:
        if not _is_blank(value):
            out.append(value)
            if len(out) >= limit:
                break
    return out


def _share_parsed(values: Sequence[object], parser: Callable[[object], object]) -> float:
    present = _present(values)
    if not present:
        return 0.0
    ok = 0
    for value in present:
        with contextlib.suppress(ValueParseError):
            ok += parser(value) is not None
    return ok / len(present)


def _kind(values: Sequence[object]) -> str:
    """ "date", "number" or "text": what the sampled values already are (as typed by DuckDB or Excel)."""
    present = _present(values)
    if present and all(isinstance(v, dt.date) for v in present):
        return "date"
    if present and all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in present):
        return "number"
    return "text"


def _looks_like_dates(values: Sequence[object], threshold: float = 0.8) -> bool:
    kind = _kind(values)
    if kind != "text":
        return kind == "date"
    return _share_parsed([str(v) for v in _present(values)], _parse_date_any_order) >= threshold


def _stage_fit(values: Sequence[object]) -> float:
    """Share of the distinct values that are known stages; more than 40 distinct values are free text, not stages."""
    distinct = list(dict.fromkeys(str(v) for v in _present(values, limit=2000)))
    if not distinct or len(distinct) > 40:
        return 0.0
    return sum(canonical_stage(v) is not None for v in distinct) / len(distinct)


def _looks_like_stages(values: Sequence[object], threshold: float = 0.6) -> bool:
    return _stage_fit(values) >= threshold


# Values of a yes/no flag, true and false, compared as `_flag_key` makes them (roles.yaml).
TRUE_FLAGS = frozenset(_flag_key(word) for word in _ROLES.true_flags)
FLAG_VALUES = TRUE_FLAGS | frozenset(_flag_key(word) for word in _ROLES.false_flags)


def _fit(role: str, values: Sequence[object] | None) -> float | None:
    """Share of the sampled values that can hold `role`: dates for date roles, numbers for amounts and counts, known
    stages for a stage, yes/no for a flag. None when there are no values or the role's values are not checked."""
    present = _present(values) if values is not None else []
    if not present:
        return None
    kind = _kind(present)
    # Read only where _kind said "number": every value is then an int, float or Decimal (DuckDB / Excel).
    as_numbers = cast("list[SupportsFloat]", present)
    if role in DATE_ROLES:
        if kind == "number":  # Excel serial day numbers
            return sum(20000 <= float(v) <= 80000 for v in as_numbers) / len(present)
        if kind == "date":
            return 1.0
        return _share_parsed(
            [str(v) for v in present], parse_period_start if role == "period" else _parse_date_any_order
        )
    if kind == "date":
        return 0.0  # a date is never an amount, a name or a stage
    if role == "probability":
        if kind == "number":
            return sum(0.0 <= float(v) <= 100.0 for v in as_numbers) / len(present)
        return _share_parsed([str(v) for v in present], _probability_or_rank)
    if role == "forecast_category":
        return sum(forecast_category(v) is not None for v in present) / len(present)
    if role in NUMBER_ROLES or role in COUNT_ROLES:
        parser = parse_amount if role in NUMBER_ROLES else parse_count
        return 1.0 if kind == "number" else _share_parsed([str(v) for v in present], parser)
    if role in FLAG_ROLES:
        if kind == "number":
            return sum(float(v) in (0.0, 1.0) for v in as_numbers) / len(present)
        return sum(str(v).strip().casefold() in FLAG_VALUES for v in present) / len(present)
    if role in STAGE_ROLES:
        return _stage_fit(present)
    return None


def _fits(role: str, fit: float | None) -> bool:
    """Whether a measured fit is enough: every value of a flag, a third of a stage's distinct values ("確度" A/B/C or
    a free-text status is not the stage), half of the values otherwise."""
    if fit is None:
        return True
    if role in FLAG_ROLES:
        return fit >= 1.0
    if role in STAGE_ROLES:
        return fit >= 0.3
    return fit >= 0.5


@dataclass(frozen=True)
class _Candidate:
    """A column whose header names a role and whose values fit it."""

    role: str
    column: str
    fit: float | None
    synonym: _Synonym
    position: int  # column order

    def order(self) -> tuple[int, float, int, int]:
        """Best first: a regular synonym, the values that fit best, the more specific synonym, the first column.
        Fits are compared to one decimal: one odd value must not outweigh a more specific header."""
        return (self.synonym.tier, -round(self.fit or 0.0, 1), self.synonym.rank, self.position)


def detect_shape(columns: Sequence[str], sample: Sample | None = None) -> str:
    """ "periods" for a sheet with one row per period and count columns, else "records".

    An owner or channel column is no record marker: a period sheet may be broken down by channel or rep.
    """
    roles = {role for col in columns for role in roles_from_header(col)}
    count_roles = roles & {"leads", "mql", "sql", "opportunities", "won", "lost"}
    has_record_markers = bool(roles & {"id", "stage", "created"})
    if "period" in roles and len(count_roles) >= 2 and not has_record_markers:
        return "periods"
    return "records"


def detect_roles(
    columns: Sequence[str],
    sample: Sample,
    *,
    shape: str = "records",
    overrides: dict[str, str | None] | None = None,
    refused: list[tuple[str, str]] | None = None,
    evidence: dict[str, dict[str, object]] | None = None,
) -> dict[str, str]:
    """Map roles to columns. Headers decide first, between them the values; values fill the gaps for the created
    date, stage and id.

    `overrides` maps role → column (or None to drop a role the detector found); the caller checks that the
    columns exist. A column whose header names roles but whose values fit none of them is appended to `refused`
    as (role, column), so the user can be told. `evidence`, when given, is filled with why each role got its
    column: role → {"column", "by": "user" | "header" | "values", "header_key", "fit", "alternatives"}, and
    "refused" → {"items": [{"role", "column", "fit"}, ...]} when some named columns were refused.
    """
    wanted = RECORD_ROLES if shape == "records" else PERIOD_ROLES
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    why: dict[str, dict[str, object]] = {}

    def values(column: str) -> list[object] | None:
        return list(sample[column]) if column in sample else None

    def note(role: str, column: str, by: str, fit: float | None, alternatives: list[str]) -> None:
        why[role] = {"column": column, "by": by, "header_key": header_key(column), "fit": fit}
        why[role]["alternatives"] = [c for c in alternatives if c != column]

    # Pass 1: headers, as long as the values fit the role (X Education's "Last Activity" holds activity names,
    # not dates). Between several columns naming a role, the best fitting values win, then the more specific
    # synonym ("Lead Source" over "Lead Origin", "Deal Stage" over "Status"), then the column order.
    candidates: dict[str, list[_Candidate]] = {}
    refusals: list[_Candidate] = []
    for position, column in enumerate(columns):
        column_values = values(column)
        found = [
            _Candidate(s.role, column, _fit(s.role, column_values), s, position)
            for s in _synonyms(column)
            if s.role in wanted
        ]
        fitting = [c for c in found if _fits(c.role, c.fit)]
        if not fitting:
            refusals += found  # "Closed" holding dates is no refused closed flag: only columns fitting no role
        for candidate in fitting:
            candidates.setdefault(candidate.role, []).append(candidate)
    for role_candidates in candidates.values():
        role_candidates.sort(key=_Candidate.order)
    for role, chosen in overrides.items():
        if chosen is not None:
            mapping[role] = chosen
            taken.add(chosen)
            note(role, chosen, "user", _fit(role, values(chosen)), [c.column for c in candidates.get(role, [])])
    # Role by role in their order, so the deal stage is chosen before the lifecycle stage.
    for role in wanted:
        if role in overrides:
            continue
        role_candidates = candidates.get(role, [])
        best = next((c for c in role_candidates if c.column not in taken), None)
        if best is not None:
            mapping[role] = best.column
            taken.add(best.column)
            note(role, best.column, "header", best.fit, [c.column for c in role_candidates])
    # A second column named like a stage (Pipedrive's "Status" won / lost / open beside its "Stage") is a status
    # of its own: it becomes the lifecycle signal, combined with the stage into one outcome.
    if "lifecycle" in wanted and "stage" in mapping and "lifecycle" not in mapping and "lifecycle" not in overrides:
        second = next((c for c in candidates.get("stage", []) if c.column not in taken), None)
        if second is not None:
            mapping["lifecycle"] = second.column
            taken.add(second.column)
            note("lifecycle", second.column, "header", second.fit, [c.column for c in candidates["stage"]])
    if refused is not None:
        refused += [(c.role, c.column) for c in refusals]
    if evidence is not None and refusals:
        items = [{"role": c.role, "column": c.column, "fit": c.fit} for c in refusals]
        evidence["refused"] = {"items": items}

    if shape == "records":
        _fill_from_values(columns, values, wanted, overrides, mapping, taken, note)
    if evidence is not None:
        evidence.update({role: why[role] for role in wanted if role in mapping})
    return {role: mapping[role] for role in wanted if role in mapping}


def _fill_from_values(
    columns: Sequence[str],
    values: Callable[[str], list[object] | None],
    wanted: Sequence[str],
    overrides: Mapping[str, str | None],
    mapping: dict[str, str],
    taken: set[str],
    note: Callable[[str, str, str, float | None, list[str]], None],
) -> None:
    """Pass 2 of `detect_roles`: values find the created date, the stage and the id that no header named."""

    def assign(role: str, column: str) -> None:
        if role not in mapping and role not in overrides and column not in taken:
            mapping[role] = column
            taken.add(column)
            note(role, column, "values", _fit(role, values(column)), [])

    # An unnamed date column can be the created date; never the close date, which decides what counts as won
    # (a "商談化日" must not turn every converted lead into a won deal).
    for column in columns:
        column_values = values(column)
        if column in taken or column_values is None:
            continue
        if "created" not in mapping and _looks_like_dates(column_values):
            assign("created", column)
        elif "stage" not in mapping and _looks_like_stages(column_values):
            assign("stage", column)
    if "id" in mapping:
        return
    for column in columns:
        key = header_key(column)
        column_values = values(column)
        if column in taken or column_values is None or not (key.endswith("id") or key.endswith("番号")):
            continue
        if set(roles_from_header(column)) - {"id"}:
            continue  # an "OwnerId" is the owner's id, not the record's
        present = [v for v in column_values if not _is_blank(v)]
        if present and len(set(map(str, present))) == len(present):
            assign("id", column)
            break


def missing_headline_roles(mapping: Mapping[str, str], *, stage_dates: Mapping[str, str] | None = None) -> list[str]:
    """The headline roles (HEADLINE_ROLES) not mapped. A won flag or stage-date columns (`stage_date_columns`)
    give the outcome, so they stand in for the stage."""
    present = set(mapping)
    if "won_flag" in present or stage_dates:
        present.add("stage")
    return [role for role in HEADLINE_ROLES if role not in present]


# Headers of one date column per stage; the `label` group is the stage. HubSpot ("Date entered 'Closed Won (Sales
# Pipeline)'", "Became a Customer Date"), other CRMs ("Entered Negotiation Date", "Proposal Date"), German, Spanish
# and French HubSpot, and Japanese sheets ("受注日", "提案日", "商談化日"). "Date exited ..." is not entering.
_STAGE_DATE_HEADERS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:hs\s+)?(?:v2\s+)?date\s+entered\s*:?\s*(?P<label>.+)$",
        r"^entered\s+(?P<label>.+?)\s+date$",
        r"^became\s+an?\s+(?P<label>.+?)\s+date$",
        r"^datum\s+des\s+eintritts\s+in\s+(?:die\s+)?phase\s*:?\s*(?P<label>.+)$",
        r"^eingetreten\s+in\s+(?:die\s+)?phase\s*:?\s*(?P<label>.+)$",
        r"^fecha\s+de\s+entrada\s+(?:en|a)\s+(?:la\s+etapa\s+)?(?P<label>.+)$",
        r"^date\s+d['’]entr[ée]e\s+(?:dans|en)\s+(?:l['’][ée]tape\s+|la\s+phase\s+)?(?P<label>.+)$",
        r"^(?P<label>.+?)\s+(?:date|time)$",
        r"^(?P<label>.+?)(?:到達日|移行日|日)$",
    )
)
# Stage words that, before "Date", describe the record rather than a stage it entered ("Open Date" = created).
_NOT_STAGE_LABELS = frozenset({"open", "opened", "new", "create", "created", "close", "closed", "closing", "other"})
_PIPELINE_NOTE = re.compile(r"\s*[(（][^)）]*(?:pipeline|パイプライン)[^)）]*[)）]\s*$", re.IGNORECASE)


def _stage_label(header: str) -> str | None:
    """The stage named inside a stage-date header, without quotes or pipeline note, or None."""
    text = _OBJECT_PREFIX.sub("", unicodedata.normalize("NFKC", str(header)).replace("_", " ").strip())
    for pattern in _STAGE_DATE_HEADERS:
        match = pattern.match(text)
        if match:
            label = match.group("label").strip(" :'\"“”‘’「」")
            return _PIPELINE_NOTE.sub("", label).strip(" '\"“”‘’「」") or None
    return None


def stage_date_columns(columns: Sequence[str], sample: Sample) -> dict[str, str]:
    """Columns holding the date a record entered a stage (exports with one date column per stage): column → the
    stage label in its header. Only stages `canonical_stage` knows, in columns whose sampled values are mostly
    dates. Created, close, expected close and activity dates are not stage dates. Does not change `detect_roles`."""
    found: dict[str, str] = {}
    for column in columns:
        label = _stage_label(column)
        if label is None or _fold(label) in _NOT_STAGE_LABELS or canonical_stage(label) is None:
            continue
        if {"expected_close", "updated"} & set(roles_from_header(column)):
            continue
        fit = _fit("closed", list(sample[column])) if column in sample else None
        if fit is not None and fit >= 0.5:
            found[column] = label
    return found


# -- ヨミ: probability / confidence and forecast category values ------------------------------------------------------
# A rank instead of a number (確度 A / B / C, Aヨミ, ランクB, 高 / 中 / 低): its label, and the probability assumed for
# it when nothing else is given (the common Japanese SFA reading: A 80 %, B 50 %, C 20 %). Callers may override it.
DEFAULT_RANK_PROBABILITY: dict[str, float] = {
    "S": 0.9, "A": 0.8, "B": 0.5, "C": 0.2, "D": 0.1, "E": 0.05, "high": 0.8, "medium": 0.5, "low": 0.2,
}  # fmt: skip
_RANK_WORDS = {
    "高": "high", "high": "high", "中": "medium", "medium": "medium", "mid": "medium", "低": "low", "low": "low",
}  # fmt: skip
_RANK = re.compile(
    r"^(?:確度|ランク|ヨミ|rank|yomi)?\s*[:：]?\s*([sabcde])\s*(?:ヨミ|ランク|確度|rank|yomi)?$", re.IGNORECASE
)
_PERCENT = re.compile(r"([+]?\d+(?:\.\d+)?)\s*%")
_PLAIN_NUMBER = re.compile(r"^[+]?\d+(?:\.\d+)?$")
_PROBABILITY_BLANKS = frozenset({"-", "--", "—", "―", "ー", "n/a", "na", "未定", "未設定", "なし", "tbd"})
# Forecast categories in their order, and the words naming each (roles.yaml).
FORECAST_CATEGORIES: tuple[str, ...] = tuple(_ROLES.forecast_categories)


_CATEGORY_LOOKUP = {_category_key(word): cat for cat, words in _ROLES.forecast_categories.items() for word in words}


def forecast_category(value: object) -> str | None:
    """The forecast category a cell names ("Commit", "Best Case", "コミット", "見込み", "Omitted", …), one of
    FORECAST_CATEGORIES, or None for a blank or a value that names none."""
    if _is_blank(value) or isinstance(value, bool):
        return None
    return _CATEGORY_LOOKUP.get(_category_key(str(value)))


def parse_forecast_category(value: object) -> str | None:
    """As `forecast_category`, but a cell that is not blank and names no category raises ValueParseError (so the
    loader can warn about it and keep the record)."""
    category = forecast_category(value)
    if category is None and not _is_blank(value) and _fold(str(value)).strip() not in _PROBABILITY_BLANKS:
        raise ValueParseError(f"not a forecast category: {value!r}")
    return category


def probability_rank(value: object) -> str | None:
    """The rank a probability cell gives instead of a number: "A" for "A", "Aヨミ", "ランクA", "確度A (80%)"; "high" /
    "medium" / "low" for 高 / 中 / 低. None when the cell is a number, blank or no rank."""
    if _is_blank(value) or not isinstance(value, str):
        return None
    text = _PERCENT.sub("", unicodedata.normalize("NFKC", value)).strip(" ()[]（）:：-").strip()
    folded = text.casefold()
    if folded in _RANK_WORDS:
        return _RANK_WORDS[folded]
    match = _RANK.match(text)
    return match.group(1).upper() if match else None


def parse_probability(value: object, *, percent: bool | None = None) -> float | None:
    """A probability cell as a share from 0 to 1: "80%", "80 %", "８０％", 0.8, 80 (with `percent`, or when above
    1), "A (80%)". None for a blank or a rank without a number (see `probability_rank`); ValueParseError for a cell
    that is neither, or a share outside 0–100 %.

    `percent` says how the column writes plain numbers: True for 0–100, False for 0–1, None to decide per cell
    (above 1 is a percentage). The loader decides it once per column (`probability_is_percent`)."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueParseError(f"not a probability: {value!r}")
    if isinstance(value, numbers.Number):
        share = _share(float(cast("SupportsFloat", value)), percent)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if text.casefold() in _PROBABILITY_BLANKS:
            return None
        found = _PERCENT.search(text)
        if found and (text == found.group(0) or probability_rank(text) is not None):
            share = float(found.group(1)) / 100.0
        elif _PLAIN_NUMBER.match(text):
            share = _share(float(text), percent)
        elif probability_rank(text) is not None:
            return None
        else:
            raise ValueParseError(f"not a probability: {value!r}")
    if not 0.0 <= share <= 1.0:  # also NaN
        raise ValueParseError(f"not a probability between 0 and 100 %: {value!r}")
    return share


def _share(number: float, percent: bool | None) -> float:
    return number / 100.0 if percent or (percent is None and number > 1.0) else number


def _probability_or_rank(value: object) -> object:
    """The probability or the rank of a cell (for the value check: either fits); ValueParseError otherwise."""
    share = parse_probability(value)
    return share if share is not None else probability_rank(value)


def probability_is_percent(values: Sequence[object], header: str = "") -> bool:
    """Whether a probability column writes plain numbers as percentages (80) rather than shares (0.8): its header
    says % / percent, or some plain number is above 1."""
    key = header_key(header)
    if "%" in key or "percent" in key or "パーセント" in key:
        return True
    for value in values:
        if isinstance(value, bool) or _is_blank(value):
            continue
        if isinstance(value, numbers.Number):
            number = float(cast("SupportsFloat", value))
        else:
            text = unicodedata.normalize("NFKC", str(value)).strip()
            if not _PLAIN_NUMBER.match(text):
                continue
            number = float(text)
        if 1.0 < number <= 100.0:
            return True
    return False
