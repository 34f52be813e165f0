"""Stage vocabulary: raw stage values from CRM / MA exports mapped onto the canonical funnel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Canonical funnel levels, in order. `lost` and `disqualified` are outcomes, not levels:
# a lost deal reached `opportunity`, a disqualified lead reached `lead`.
LEVELS: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "won")
CANONICAL: tuple[str, ...] = (*LEVELS, "lost", "disqualified")
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

# Stage names seen in Salesforce, HubSpot, Japanese SFA/MA tools and hand-kept sheets. Keys are normalised
# with `stage_key` (NFKC, lower case, no spaces or punctuation).
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
        "opennotcontacted",
        "workingcontacted",
        "contacted",
        "attemptingtocontact",
        "nurturing",
        "nurture",
        "cold",
        "warm",
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
        "hot",
        "hotlead",
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
        "アポ獲得",
        "アポイント獲得",
        "アポ",
        "営業適格リード",
        "商談化",
    ),
    "opportunity": (
        "opportunity",
        "opportunities",
        "deal",
        "prospecting",
        "qualification",
        "needsanalysis",
        "valueproposition",
        "iddecisionmakers",
        "perceptionanalysis",
        "proposalpricequote",
        "proposal",
        "negotiationreview",
        "negotiation",
        "engaging",
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "discovery",
        "demo",
        "quote",
        "inprogress",
        "open",
        "商談",
        "商談中",
        "案件化",
        "初回訪問",
        "初回商談",
        "ヒアリング",
        "提案",
        "提案中",
        "提案済",
        "見積",
        "見積提出",
        "見積提示",
        "交渉",
        "交渉中",
        "検討中",
        "稟議中",
        "デモ",
        "クロージング",
        "契約手続き中",
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
        "loss",
        "lose",
        "失注",
        "見送り",
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
        "closednotconverted",
        "junk",
        "spam",
        "invalid",
        "other",
        "不採用",
        "対象外",
        "無効",
        "重複",
        "失効",
    ),
}

_KEY_STRIP = re.compile(r"[\s\-_/・.,:;()\[\]（）「」【】]+")
_LOOKUP: dict[str, str] = {key: canon for canon, keys in _VOCABULARY.items() for key in keys}


def stage_key(value: str) -> str:
    """Normalise a stage name for lookup: NFKC, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return _KEY_STRIP.sub("", text)


def canonical_stage(value: str) -> str | None:
    """The canonical stage for a raw value, or None when the vocabulary does not know it.

    A leading number such as "3. Proposal" or "05_受注" is ignored, as many CRMs prefix stages that way.
    """
    key = stage_key(value)
    if key in _LOOKUP:
        return _LOOKUP[key]
    stripped = re.sub(r"^\d+", "", key)
    if stripped in _LOOKUP:
        return _LOOKUP[stripped]
    # Salesforce-style "Closed Won" variants.
    for canon in ("won", "lost"):
        if key.endswith(canon) and key.startswith("closed"):
            return canon
    # A note in brackets after a known stage: "受注（確定）", "失注(競合)", "Lost (price)".
    bare = re.sub(r"[(（\[【].*$", "", unicodedata.normalize("NFKC", str(value)))
    if bare != str(value):
        return canonical_stage(bare) if bare.strip() else None
    return None


def map_stages(values: Iterable[str], overrides: dict[str, str] | None = None) -> dict[str, str | None]:
    """Map each distinct raw stage value to a canonical stage; `overrides` (raw → canonical) win."""
    overrides = overrides or {}
    return {value: overrides.get(value, canonical_stage(value)) for value in values}


def order_stages(mapping: dict[str, str | None], counts: dict[str, int] | None = None) -> list[str]:
    """Raw stage values in funnel order: by level, outcomes after the open stages of their level, then by the
    vocabulary's order (which follows the usual sales process), then by frequency. Unknown values come last."""
    counts = counts or {}

    def sort_key(value: str) -> tuple[int, int, int, int, str]:
        canon = mapping.get(value)
        if canon is None:
            return (9, 0, 0, -counts.get(value, 0), value)
        vocab = _VOCABULARY[canon]
        key = stage_key(value)
        position = vocab.index(key) if key in vocab else len(vocab)
        is_outcome = 1 if canon in ("lost", "disqualified") else 0
        return (LEVEL_RANK[canon], is_outcome, position, -counts.get(value, 0), value)

    return sorted(mapping, key=sort_key)
