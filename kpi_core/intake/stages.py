"""Stage vocabulary: raw stage values from CRM / MA exports mapped onto the canonical funnel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Canonical funnel levels, in order. `lost` and `disqualified` are outcomes, not levels:
# a lost deal reached `opportunity`, a disqualified lead reached `lead`.
LEVELS: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "won")
CANONICAL: tuple[str, ...] = (*LEVELS, "lost", "disqualified")
# The funnel measure of metrics.yaml that counts each level, and back: the one map between levels and measures
# (kpi_core/catalog_check.py checks metrics.yaml's `level:` fields against it).
LEVEL_MEASURE: dict[str, str] = {
    "lead": "leads",
    "mql": "mql",
    "sql": "sql",
    "opportunity": "opportunities",
    "won": "won",
}
MEASURE_LEVEL: dict[str, str] = {measure: level for level, measure in LEVEL_MEASURE.items()}
LEVEL_RANK: dict[str, int] = {
    "lead": 1,
    "mql": 2,
    "sql": 3,
    "opportunity": 4,
    "won": 5,
    "lost": 4,
    "disqualified": 1,
}
OUTCOME: dict[str, str] = {"won": "won", "lost": "lost", "disqualified": "disqualified"}
_OPEN_LEVELS: frozenset[str] = frozenset({"lead", "mql", "sql", "opportunity"})

LEAD_LIST_RULE = """A lost lead is a disqualified lead, not a lost deal.

A lead list (lead status of Salesforce, Zoho or HubSpot, a sheet of inquiries) often has a "Lost" / "Lost Lead" /
"失注" / "Verloren" value. Mapped as `lost` it would count as a deal that reached the opportunity level, although the
list has no opportunity level at all. So when the values of a column map onto lead-level stages only — at least one
`lead` or `mql` value, otherwise only `disqualified` and `lost`, and no `sql`, `opportunity` or `won` value — the
`lost` values become `disqualified`. `map_stages(..., lead_list=True)` forces the rule, `lead_list=False` turns it off,
`lead_list=None` (the default) decides from the values as just said. The user's overrides always win: an override to
`lost` stays `lost`, and overrides count when deciding whether the values are a lead list.
"""

# Stage names seen in Salesforce, HubSpot, Pipedrive, Zoho CRM, Dynamics 365, Japanese SFA/MA tools (Sansan,
# Mazrica / Senses, eSales, kintone templates) and hand-kept sheets, in English, Japanese, German, Spanish and French.
# Written as shown in the tools; keys for lookup are made with `stage_key` (so case, spaces, punctuation and accents
# do not matter). Within a level the order follows the usual sales process; `order_stages` uses it.
# Generic words ("open", "new", "neu", "other") are kept; nothing that means won or lost is ambiguous: "Closed",
# "Abgeschlossen", "Cerrado", "Fermé" alone are not stages.
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "lead": (
        "lead",
        "leads",
        "new",
        "newlead",
        "subscriber",
        "raw",
        "inquiry",
        "enquiry",
        "Lead In",  # Pipedrive
        "opennotcontacted",
        "Not Contacted",  # Zoho
        "Attempted to contact",  # HubSpot, Zoho
        "workingcontacted",
        "contacted",
        "Connected",  # HubSpot lead status
        "attemptingtocontact",
        "Contact in Future",  # Zoho
        "Bad timing",  # HubSpot lead status: interested, not now
        "nurturing",
        "nurture",
        "cold",
        "warm",
        # German, Spanish, French
        "Neu",
        "Abonnent",
        "Nuevo",
        "Suscriptor",
        "Nouveau",
        "Abonné",
        "リード",
        "見込み客",
        "見込客",
        "新規リード",
        "未対応",
        "問い合わせ",
        "問合せ",
        "資料請求",
        "名刺交換",
        "ナーチャリング",
        "コールド",
        "新規",
        "未接触",
        "接触済",
    ),
    "mql": (
        "mql",
        "marketingqualifiedlead",
        "marketingqualified",
        "Pre-Qualified",  # Zoho lead status
        "hot",
        "hotlead",
        "Marketingqualifizierter Lead",
        "Lead calificado para marketing",
        "Lead qualifié marketing",
        "ホットリード",
        "マーケティング適格リード",
    ),
    "sql": (
        "sql",
        "salesqualifiedlead",
        "salesqualified",
        "sal",
        "salesacceptedlead",
        "closedconverted",
        "converted",
        "Vertriebsqualifizierter Lead",
        "Lead calificado para ventas",
        "Lead qualifié commercial",
        "アポ獲得",
        "アポイント獲得",
        "アポ",
        "営業適格リード",
        "商談化",
    ),
    # Open opportunity-level stages: the generic names first, then the sub-stages (`_SUBSTAGES`), then holds.
    "opportunity": (
        "opportunity",
        "opportunities",
        "deal",
        "Open deal",  # HubSpot lead status
        "engaging",
        "inprogress",
        "open",
        "In Bearbeitung",
        "Verkaufschance",
        "Oportunidad",
        "Opportunité",
        "商談",
        "商談中",
        "案件化",
        # `_SUBSTAGES` are inserted here.
        "On Hold",  # Dynamics 365
        "保留",
    ),
    "won": (
        "won",
        "closedwon",
        "win",
        "evangelist",
        "customer",
        "contracted",
        "signed",
        "booked",
        "Gewonnen",
        "Abgeschlossen und gewonnen",
        "Kunde",
        "Cerrado ganado",
        "Ganado",
        "Cliente",
        "Conclue gagnée",
        "Conclu gagné",
        "Fermé gagné",
        "Gagné",
        "Client",
        "受注",
        "受注済",
        "受注済み",
        "成約",
        "成約済",
        "契約",
        "契約済",
        "契約済み",
        "契約締結",
        "顧客",
        "導入決定",
    ),
    "lost": (
        "lost",
        "closedlost",
        "Closed - Not Won",
        "Closed-Lost to Competition",  # Zoho
        "Lost Lead",  # Zoho lead status
        "loss",
        "lose",
        "Out-Sold",  # Dynamics 365
        "Verloren",
        "Abgeschlossen und verloren",
        "Cerrado perdido",
        "Perdido",
        "Conclue perdue",
        "Conclu perdu",
        "Fermé perdu",
        "Perdu",
        "失注",
        "見送り",
        "中止",
        "不成立",
        "破談",
        "競合負け",
        "案件消滅",
        "辞退",
        "キャンセル",
        "cancelled",
        "canceled",
    ),
    "disqualified": (
        "disqualified",
        "unqualified",
        "Not Qualified",  # Zoho
        "closednotconverted",
        "junk",
        "Junk Lead",  # Zoho
        "spam",
        "invalid",
        "other",
        "Nicht qualifiziert",
        "No calificado",
        "Non qualifié",
        "不採用",
        "対象外",
        "無効",
        "重複",
        "失効",
    ),
}

# Open opportunity-level sub-stages by their place in the sales process, comparable across vendors. Within one
# place the names are in the order they follow each other (Qualification before Needs Analysis, 提案 before 見積提出).
_SUBSTAGES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        10,  # first meeting / appointment
        (
            "Prospecting",  # Salesforce
            "Appointment scheduled",  # HubSpot (internal id appointmentscheduled)
            "Contact Made",  # Pipedrive
            "Termin vereinbart",
            "Cita programada",
            "Rendez-vous programmé",
            "初回訪問",
            "初回面談",
            "初回商談",
        ),
    ),
    (
        20,  # qualification / hearing / needs
        (
            "Qualification",  # Salesforce, Zoho
            "Qualify",  # Dynamics 365
            "Qualified to buy",  # HubSpot
            "Kaufbereit",
            "Qualifiziert zum Kauf",
            "Calificado para comprar",
            "Qualifié pour l'achat",
            "Qualifizierung",
            "Calificación",
            "Needs Analysis",  # Salesforce, Zoho
            "Discovery",
            "Bedarfsanalyse",
            "ヒアリング",
            "課題ヒアリング",
            "ニーズ確認",
        ),
    ),
    (
        30,  # demo / presentation / value proposition
        (
            "Value Proposition",  # Salesforce, Zoho
            "Develop",  # Dynamics 365
            "Presentation scheduled",  # HubSpot
            "Demo Scheduled",  # Pipedrive
            "Demo",
            "Präsentation geplant",
            "Praesentation geplant",
            "Presentación programada",
            "Présentation programmée",
            "デモ",
        ),
    ),
    (
        40,  # decision makers / perception
        (
            "Id. Decision Makers",  # Salesforce
            "Identify Decision Makers",  # Zoho
            "Decision maker bought-in",  # HubSpot
            "Entscheidungsträger eingebunden",
            "Entscheidungstraeger eingebunden",
            "Responsable de la toma de decisiones comprometido",
            "Décideur impliqué",
            "Perception Analysis",  # Salesforce
            "決裁者商談",
        ),
    ),
    (
        50,  # proposal / quote
        (
            "Proposal/Price Quote",  # Salesforce, Zoho
            "Propose",  # Dynamics 365
            "Proposal Made",  # Pipedrive
            "Proposal",
            "Quote",
            "Angebot",
            "Propuesta",
            "Proposition",
            "提案",
            "提案中",
            "提案済",
            "提案書提出",
            "見積",
            "見積提出",
            "見積提示",
        ),
    ),
    (
        60,  # negotiation / contract sent / internal approval
        (
            "Negotiation/Review",  # Salesforce, Zoho
            "Negotiations Started",  # Pipedrive
            "Negotiation",
            "Contract sent",  # HubSpot
            "Close",  # Dynamics 365: the last open stage of its sales process
            "Verhandlung",
            "Vertrag gesendet",
            "Vertrag versandt",
            "Negociación",
            "Contrato enviado",
            "Négociation",
            "Contrat envoyé",
            "検討中",
            "交渉",
            "交渉中",
            "条件交渉",
            "クロージング",
            "稟議",
            "稟議中",
        ),
    ),
    (
        70,  # verbal commit
        (
            "Verbal commit",
            "内示",
            "内諾",
            "口頭受注",
            "契約手続き中",
        ),
    ),
)

# Open opportunity-level stages that are no step of the process: ordered after the sub-stages.
_HOLDS: tuple[str, ...] = ("On Hold", "保留")

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


_SUBSTAGE_RANK: dict[str, int] = {stage_key(name): rank for rank, names in _SUBSTAGES for name in names}
_HOLD_KEYS: frozenset[str] = frozenset(_keys(_HOLDS))
_VOCABULARY_KEYS: dict[str, tuple[str, ...]] = {
    canon: _keys(
        [n for n in names if stage_key(n) not in _HOLD_KEYS]
        + ([n for _, group in _SUBSTAGES for n in group] + list(_HOLDS) if canon == "opportunity" else [])
    )
    for canon, names in _VOCABULARY.items()
}


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canon, keys in _VOCABULARY_KEYS.items():
        for key in keys:
            if lookup.setdefault(key, canon) != canon:
                raise ValueError(f"stage {key!r} is both {lookup[key]} and {canon}")
    return lookup


_LOOKUP: dict[str, str] = _build_lookup()


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
        is_outcome = 1 if canon in ("lost", "disqualified") else 0
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
