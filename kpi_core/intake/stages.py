"""Stage vocabulary: raw stage values from CRM / MA exports mapped onto the canonical funnel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from kpi_core.catalog import load_funnel, load_stages

# The canonical funnel (kpi_core/catalog/funnel.yaml): levels in order, then the outcomes that are no level. `lost`
# and `disqualified` are outcomes, not levels: a lost deal reached `opportunity`, a disqualified lead reached `lead`.
_FUNNEL = load_funnel()
LEVELS: tuple[str, ...] = _FUNNEL.levels
CANONICAL: tuple[str, ...] = _FUNNEL.canonical
# The funnel measure of metrics.yaml that counts each level, and back: the one map between levels and measures
# (kpi_core/catalog_check.py checks metrics.yaml's `level:` fields against it).
LEVEL_MEASURE: dict[str, str] = dict(_FUNNEL.measures)
MEASURE_LEVEL: dict[str, str] = {measure: level for level, measure in LEVEL_MEASURE.items()}
# The rank of the level a record at each canonical stage reached: the `level` column of the loaded records.
LEVEL_RANK: dict[str, int] = dict(_FUNNEL.ranks)
OUTCOME: dict[str, str] = {outcome: outcome for outcome in _FUNNEL.outcomes}
_OPEN_LEVELS: frozenset[str] = frozenset(level for level in LEVELS if level not in OUTCOME)
_NON_LEVEL_OUTCOMES: frozenset[str] = frozenset(OUTCOME) - frozenset(LEVELS)  # lost, disqualified

LEAD_LIST_RULE = """A lost lead is a disqualified lead, not a lost deal.

A lead list (lead status of Salesforce, Zoho or HubSpot, a sheet of inquiries) often has a "Lost" / "Lost Lead" /
"失注" / "Verloren" value. Mapped as `lost` it would count as a deal that reached the opportunity level, although the
list has no opportunity level at all. So when the values of a column map onto lead-level stages only — at least one
`lead` or `mql` value, otherwise only `disqualified` and `lost`, and no `sql`, `opportunity` or `won` value — the
`lost` values become `disqualified`. `map_stages(..., lead_list=True)` forces the rule, `lead_list=False` turns it off,
`lead_list=None` (the default) decides from the values as just said. The user's overrides always win: an override to
`lost` stays `lost`, and overrides count when deciding whether the values are a lead list.
"""

_KEY_STRIP = re.compile(r"[\s\-_/・.,:;'’‘`()\[\]（）「」【】]+")
# Accents of Latin letters only: kana voicing marks (U+3099, U+309A) are combining marks too and must stay.
_LATIN_MARKS = re.compile(r"[\u0300-\u036f]")


def stage_key(value: str) -> str:
    """Normalise a stage name for lookup: NFKC, no accents of Latin letters, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(value))
    text = unicodedata.normalize("NFKC", _LATIN_MARKS.sub("", text)).strip().lower()
    return _KEY_STRIP.sub("", text)


def _keys(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(stage_key(name) for name in names))


# Stage names per canonical stage, the open opportunity-level sub-stages by their place in the sales process, and
# the holds (opportunity-level stages that are no step of it): kpi_core/catalog/stages.yaml, checked as it loads (a
# name in two places, or under a stage funnel.yaml does not know, stops the import with the entry named).
_STAGES = load_stages(canonical=CANONICAL, key=stage_key)
_SUBSTAGES: tuple[tuple[int, tuple[str, ...]], ...] = _STAGES.substages
_SUBSTAGE_RANK: dict[str, int] = {stage_key(name): rank for rank, names in _SUBSTAGES for name in names}
_HOLD_KEYS: frozenset[str] = frozenset(_keys(_STAGES.holds))
# Lookup keys per canonical stage in process order: the opportunity level's generic names, then its sub-stages,
# then the holds (`order_stages` uses the positions).
_VOCABULARY_KEYS: dict[str, tuple[str, ...]] = {
    canon: _keys(
        [*names, *(n for _, group in _SUBSTAGES for n in group), *_STAGES.holds] if canon == "opportunity" else names
    )
    for canon, names in _STAGES.vocabulary.items()
}
_LOOKUP: dict[str, str] = {key: canon for canon, keys in _VOCABULARY_KEYS.items() for key in keys}


def _match(value: str) -> tuple[str, str] | None:
    """The vocabulary key and canonical stage a raw value matches, or None."""
    key = stage_key(value)
    if key in _LOOKUP:
        return key, _LOOKUP[key]
    stripped = re.sub(r"^\d+", "", key)
    if stripped in _LOOKUP:
        return stripped, _LOOKUP[stripped]
    # Salesforce-style "Closed Won" variants: "Closed Won - Renewal", "Closed / Lost". "Closed - Not Won" is lost.
    for canon in ("won", "lost"):
        if key.startswith("closed" + canon) or (
            key.startswith("closed") and key.endswith(canon) and "not" not in key[len("closed") : -len(canon)]
        ):
            return key, canon
    # A note in brackets after a known stage: "受注（確定）", "失注(競合)", "Lost (price)",
    # "Closed Won (Sales Pipeline)".
    bare = re.sub(r"[(（\[【].*$", "", unicodedata.normalize("NFKC", str(value)))
    if bare != str(value) and bare.strip():
        return _match(bare)
    return None


def canonical_stage(value: str) -> str | None:
    """The canonical stage for a raw value, or None when the vocabulary does not know it.

    A leading number such as "3. Proposal" or "05_受注" is ignored, as many CRMs prefix stages that way.
    """
    found = _match(value)
    return found[1] if found else None


def substage_rank(value: str) -> int | None:
    """The place of an open opportunity-level stage in the sales process, comparable across vendors.

    10 first meeting / appointment, 20 qualification / hearing / needs, 30 demo / presentation / value proposition,
    40 decision makers / perception, 50 proposal / quote, 60 negotiation / contract sent / approval (稟議),
    70 verbal commit (内示, 口頭受注). None for other levels, outcomes, unknown values and opportunity stages with no
    place in the process ("Opportunity", "Open", "On Hold", "保留").
    """
    found = _match(value)
    if found is None or found[1] != "opportunity":
        return None
    return _SUBSTAGE_RANK.get(found[0])


def _is_lead_list(canonicals: Iterable[str | None]) -> bool:
    present = {c for c in canonicals if c is not None}
    return bool(present & {"lead", "mql"}) and present <= {"lead", "mql", "disqualified", "lost"}


def map_stages(
    values: Iterable[str], overrides: dict[str, str] | None = None, *, lead_list: bool | None = None
) -> dict[str, str | None]:
    """Map each distinct raw stage value to a canonical stage; `overrides` (raw → canonical) win.

    In a lead list `lost` values become `disqualified` (see `LEAD_LIST_RULE`); `lead_list` None decides from the values.
    """
    overrides = overrides or {}
    mapping = {value: overrides.get(value, canonical_stage(value)) for value in values}
    if lead_list is None:
        lead_list = _is_lead_list(mapping.values())
    if lead_list:
        for value, canon in mapping.items():
            if canon == "lost" and value not in overrides:
                mapping[value] = "disqualified"
    return mapping


def order_stages(mapping: dict[str, str | None], counts: dict[str, int] | None = None) -> list[str]:
    """Raw stage values in funnel order: by level, outcomes after the open stages of their level, then by the
    vocabulary's order (which follows the usual sales process), then by frequency. Unknown values come last.

    Open opportunity-level stages go by `substage_rank`: generic names ("Opportunity", "商談") first, then the
    sub-stages by their place in the process, then holds ("On Hold", "保留")."""
    counts = counts or {}

    def sort_key(value: str) -> tuple[int, int, int, int, int, str]:
        canon = mapping.get(value)
        if canon is None:
            return (9, 0, 0, 0, -counts.get(value, 0), value)
        vocab = _VOCABULARY_KEYS[canon]
        key = stage_key(value)
        position = vocab.index(key) if key in vocab else len(vocab)
        is_outcome = 1 if canon in _NON_LEVEL_OUTCOMES else 0
        step = 0
        if canon == "opportunity":
            rank = substage_rank(value)
            step = rank if rank is not None else 100 if key in _HOLD_KEYS else 0
        return (LEVEL_RANK[canon], is_outcome, step, position, -counts.get(value, 0), value)

    return sorted(mapping, key=sort_key)


def furthest_stage(*canonicals: str | None) -> str | None:
    """One canonical stage from the canonical stages of the same record in several columns (lifecycle, lead status,
    deal stage): a won anywhere wins; then a lost (it beats any open stage, the opportunity level included); then the
    furthest open level (opportunity > sql > mql > lead); disqualified only when nothing reached beyond lead.
    None values are ignored; None when all are None."""
    present = [c for c in canonicals if c is not None]
    unknown = [c for c in present if c not in CANONICAL]
    if unknown:
        raise ValueError(f"not a canonical stage: {unknown[0]!r}")
    if "won" in present:
        return "won"
    if "lost" in present:
        return "lost"
    levels = [c for c in present if c in _OPEN_LEVELS]
    furthest = max(levels, key=LEVEL_RANK.__getitem__, default=None)
    if "disqualified" in present and (furthest is None or furthest == "lead"):
        return "disqualified"
    return furthest


def contradiction(stage: str | None, won_flag: bool | None, closed_flag: bool | None) -> str | None:
    """The contradiction between a record's won / closed flag and its canonical stage, or None.

    "won_flag_not_won_stage": the won flag is true but the stage is not won (lost, disqualified or open);
    "won_stage_flag_false": the stage is won but the won flag is false;
    "closed_flag_open_stage": the closed flag is true but the stage is open (lead, mql, sql, opportunity).
    A missing stage or flag (None) contradicts nothing.
    """
    if stage is None:
        return None
    if won_flag is True and stage != "won":
        return "won_flag_not_won_stage"
    if won_flag is False and stage == "won":
        return "won_stage_flag_false"
    if closed_flag is True and stage in _OPEN_LEVELS:
        return "closed_flag_open_stage"
    return None
