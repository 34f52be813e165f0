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
from typing import SupportsFloat, cast

from kpi_core.intake.stages import canonical_stage
from kpi_core.intake.values import ValueParseError, parse_amount, parse_count, parse_date

# Roles of a record-shaped file (one row per lead / deal).
RECORD_ROLES: tuple[str, ...] = (
    "id", "created", "closed", "expected_close", "updated", "stage", "amount", "owner", "channel", "product",
    "segment", "account", "deal_type", "calls", "visits", "proposals", "won_flag", "lifecycle", "closed_flag",
    "probability", "forecast_category",
)  # fmt: skip
# The record roles that feed the forecast (ヨミ): a probability / confidence (確度 80 %, A/B/C) and a forecast category
# (Commit, Best case, …).
FORECAST_ROLES: tuple[str, ...] = ("probability", "forecast_category")
# Roles of a period-shaped file (one row per period with count columns, possibly one row per channel too).
PERIOD_ROLES: tuple[str, ...] = (
    "period", "leads", "mql", "sql", "opportunities", "won", "lost", "revenue", "channel", "product", "segment",
    "owner",
)  # fmt: skip
DATE_ROLES = frozenset({"created", "closed", "expected_close", "updated", "period"})
NUMBER_ROLES = frozenset({"amount", "revenue"})
COUNT_ROLES = frozenset({"calls", "visits", "proposals", "leads", "mql", "sql", "opportunities", "won", "lost"})
TEXT_ROLES = frozenset({"owner", "channel", "product", "segment", "account", "deal_type"})
FLAG_ROLES = frozenset({"won_flag", "closed_flag"})
STAGE_ROLES = frozenset({"stage", "lifecycle"})
# What headline figures need: an outcome (a stage, a won flag or stage dates), the amount, created and closed dates.
HEADLINE_ROLES: tuple[str, ...] = ("stage", "amount", "created", "closed")

# Header synonyms, compared after `header_key` (so "Close Date", "close_date" and "CloseDate" are one synonym).
# Exact matches only: "declared_monthly_revenue" must not become the deal amount just because it contains "revenue".
# Within a role the more specific synonym comes first: it wins between columns whose values fit equally well.
# fmt: off
_HEADERS: dict[str, tuple[str, ...]] = {
    "id": (
        "id", "opportunity id", "deal id", "record id", "record id - deal", "hs object id", "lead id", "contact id",
        "mql id", "prospect id", "customer id", "datensatz-id", "id de registro",
        "商談id", "案件id", "リードid", "顧客id", "商談番号", "案件番号", "管理番号", "レコードid", "取引id",
        "opportunity no", "deal no", "案件no", "商談no",
    ),
    # The earliest-stage date first: in an export with both, the inquiry date is when the record began.
    "created": (
        "first contact date", "lead created date", "初回接触日", "問い合わせ日", "問合せ日", "リード獲得日", "獲得日",
        "inquiry date", "enquiry date", "lead date",
        "created", "created date", "create date", "created at", "created on", "created time", "create time",
        "date created", "creation date", "creation time", "作成日", "作成日時", "登録日", "登録日時",
        "sign-up date", "registration date", "registered at",
        "erstellt am", "erstelldatum", "erstellungsdatum", "anlagedatum", "fecha de creación", "date de création",
        "opportunity created date", "deal create date", "engage date", "商談開始日", "商談作成日", "商談化日",
        "start date", "開始日", "発生日", "起票日",
    ),
    # Dates a deal was decided. An expected close date of an open deal is not one: see "expected_close".
    "closed": (
        "close date", "closed", "close", "closing date", "date closed", "closed date", "closed at", "closed on",
        "close time", "won date", "date won", "won time", "closed won date", "became a customer date",
        "became a customer", "deal close date", "booking date", "order date", "contract date",
        "完了日", "受注日", "成約日", "失注日", "クローズ日", "契約日", "完了",
        "abschlussdatum", "schlussdatum", "fecha de cierre", "date de clôture",
    ),
    "expected_close": (
        "expected close date", "estimated close date", "projected close date", "forecast close date",
        "target close date", "expected close", "受注予定日", "完了予定日", "クローズ予定日", "成約予定日", "契約予定日",
        "予定日", "voraussichtliches abschlussdatum", "fecha de cierre prevista", "fecha prevista de cierre",
        "date de clôture prévue",
        "expected closing date", "estimated closing date", "anticipated close date", "close date expected",
        "受注見込日", "受注見込み日", "成約見込日", "受注予定月", "成約予定月", "契約見込日",
    ),
    "updated": (
        "last modified date", "last activity date", "last modified", "updated at", "updated", "last updated",
        "modified date", "date modified", "stage change date", "last stage change date",
        "最終更新日", "最終更新日時", "最終活動日", "最終接触日", "更新日", "更新日時", "フェーズ更新日",
    ),
    # A deal stage first; a lifecycle stage or lead status comes last (see _FALLBACK_HEADERS and "lifecycle").
    "stage": (
        "stage", "deal stage", "opportunity stage", "status", "phase", "sales stage", "pipeline stage",
        "deal-phase", "etapa", "etapa del negocio", "étape", "étape de la transaction",
        "フェーズ", "ステージ", "商談フェーズ", "商談ステージ", "営業フェーズ", "ステータス", "進捗", "進捗状況",
        "商談ステータス", "状態",
    ),
    "amount": (
        "amount", "close value", "deal value", "value", "opportunity amount", "amount converted",
        "amount in company currency", "amount company currency", "deal amount", "total value", "total amount",
        "deal size", "opportunity value", "booking amount", "expected amount", "estimated value", "expected value",
        "final value", "contract value", "order amount", "annual contract value", "acv", "total price", "price",
        "booking", "bookings",
        "金額", "受注金額", "商談金額", "見込金額", "見込み金額", "受注予定金額", "売上見込", "売上", "売上金額",
        "売上高", "契約金額", "金額税抜", "受注額", "成約金額", "提案金額", "見積金額",
        "betrag", "wert", "deal-wert", "auftragswert", "importe", "monto", "valor", "montant", "valeur",
    ),
    "owner": (
        "owner", "opportunity owner", "deal owner", "lead owner", "contact owner", "sales agent", "sales rep", "rep",
        "assigned to", "assignee", "sr id", "account owner", "salesperson", "owner name", "deal owner name",
        "account executive", "sales executive", "executive",
        "担当者", "営業担当", "営業担当者", "担当", "所有者", "商談所有者", "担当営業", "営業", "リード所有者",
        "担当者名", "営業担当者名",
        "deal-inhaber", "inhaber", "besitzer", "zuständig", "verantwortlich", "vertriebsmitarbeiter",
        "propietario", "propietario del negocio", "responsable", "vendedor",
        "propriétaire", "propriétaire de la transaction", "commercial",
    ),
    "channel": (
        "lead source", "source", "original source", "original traffic source", "channel", "origin", "lead origin",
        "acquisition channel", "source channel", "utm source", "campaign", "utm campaign", "medium", "utm medium",
        "流入経路", "リードソース", "チャネル", "チャネル名", "流入チャネル", "獲得経路", "流入元", "媒体",
        "獲得チャネル", "リード獲得経路", "経路", "キャンペーン",
        "quelle", "originalquelle", "kanal", "fuente", "fuente original", "origen", "canal", "source d'origine",
        "origine",
    ),
    "product": (
        "product", "product name", "products", "plan", "service", "item", "item name", "sku",
        "商品", "製品", "商品名", "製品名", "サービス", "プロダクト", "サービス名", "商材",
        "produkt", "producto", "produit",
    ),
    "segment": (
        "segment", "industry", "sector", "business segment", "customer segment", "vertical", "region", "country",
        "company size", "業種", "業界", "セグメント", "顧客区分", "顧客セグメント", "地域", "エリア",
        "branche", "industria", "secteur", "pays", "país", "unternehmensgröße", "tamaño de la empresa",
        "taille de l'entreprise",
    ),
    "account": (
        "account", "account name", "company", "company name", "customer", "customer name", "client", "client name",
        "organization", "organisation",
        "取引先", "取引先名", "会社名", "顧客名", "企業名", "法人名", "顧客",
        "firma", "firmenname", "unternehmen", "empresa", "cuenta", "nombre de la empresa", "entreprise", "société",
        "nom de l'entreprise",
    ),
    "deal_type": (
        "type", "deal type", "opportunity type", "新規既存", "商談種別", "案件種別", "取引種別", "区分",
        "dealtyp", "tipo de negocio", "type de transaction",
    ),
    # A yes/no column saying the lead converted or the deal was won (lead-scoring exports have no stage column).
    "won_flag": (
        "converted", "is won", "won?", "won flag", "is closed won", "closed won", "won", "受注フラグ", "成約フラグ",
        "受注有無", "成約有無", "converted flag", "gewonnen?", "gewonnen", "¿ganado?", "ganado", "gagné?", "gagné",
    ),
    # A yes/no column saying the deal is decided (won or lost).
    "closed_flag": (
        "is closed", "closed?", "closed", "closed flag", "クローズ済", "クローズ済み", "完了フラグ", "abgeschlossen?",
        "abgeschlossen", "¿cerrado?", "cerrado", "fermé?",
    ),
    # A second status column: the contact's lifecycle stage or lead status next to a deal stage.
    "lifecycle": (
        "lifecycle stage", "lead status", "ライフサイクルステージ", "リードステータス", "lebenszyklusphase",
        "lead-status", "etapa del ciclo de vida", "estado del lead", "phase du cycle de vie", "statut du lead",
    ),
    "calls": ("calls", "number of calls", "call count", "架電数", "電話数", "架電件数", "コール数", "架電回数"),
    "visits": ("visits", "meetings", "number of meetings", "visit count", "訪問数", "訪問回数", "訪問件数", "面談数"),
    "proposals": ("proposals", "proposal count", "quotes", "提案数", "提案回数", "提案件数", "見積数", "見積件数"),
    # Period-shaped sheets. A daily funnel's "date" / "day" column holds full dates.
    "period": (
        "month", "period", "date", "day", "year month", "week", "月", "年月", "期間", "対象月", "月度", "日付", "日",
        "週", "monat", "datum", "woche", "mes", "fecha", "semana", "mois", "jour", "semaine",
    ),
    "leads": (
        "leads", "lead count", "new leads", "sign-ups", "registrations", "inquiries", "enquiries",
        "contacts created", "new contacts", "リード数", "リード", "リード件数", "新規リード数", "リード獲得数",
        "問い合わせ数", "問合せ数", "資料請求数", "neue leads", "nuevos leads", "nouveaux leads",
    ),
    "mql": ("mql", "mqls", "mql数", "mql件数", "marketing qualified leads"),
    "sql": ("sql", "sqls", "sql数", "sql件数", "sales qualified leads"),
    "opportunities": (
        "opportunities", "deals", "new deals", "deals created", "opportunities created", "valid deals",
        "opportunity count", "商談数", "有効商談数", "商談件数", "新規商談数", "商談化数", "商談",
    ),
    # Not "conversions": a conversion can be a sign-up as well as a sale.
    "won": (
        "won", "won deals", "deals won", "closed won", "wins", "customers", "new customers", "orders",
        "受注件数", "受注数", "成約数", "成約件数", "受注", "新規顧客数", "新規獲得数", "契約数", "契約件数",
        "neue kunden", "nuevos clientes", "nouveaux clients",
    ),
    "lost": ("lost", "lost deals", "deals lost", "closed lost", "失注件数", "失注数", "失注"),
    # ヨミ: how likely an open deal is to close (80 %, 0.8, A / B / C) and the forecast category it is in.
    "probability": (
        "probability", "probability %", "win probability", "deal probability", "close probability",
        "probability of close", "closing probability", "forecast probability", "deal stage probability",
        "likelihood", "win likelihood", "confidence", "win confidence",
        "確度", "受注確度", "成約確度", "商談確度", "確度ランク", "ヨミ", "ヨミランク", "ヨミ確度", "受注確率",
        "成約確率", "確率", "見込み度", "見込度", "受注見込み度", "商談ランク", "案件ランク",
        "wahrscheinlichkeit", "abschlusswahrscheinlichkeit", "probabilidad", "probabilité",
    ),
    "forecast_category": (
        "forecast category", "forecast category name", "deal forecast category", "forecast type",
        "売上予測分類", "売上予測カテゴリ", "予測分類", "予測カテゴリ", "予測区分", "フォーキャストカテゴリ",
        "フォーキャスト区分", "ヨミ区分", "ヨミ分類", "ヨミ", "見込み区分", "見込区分", "見込み分類",
        "prognosekategorie", "categoría de previsión", "catégorie de prévision",
    ),
    "revenue": (
        "revenue", "sales", "won revenue", "bookings", "closed won amount", "受注金額", "売上", "売上金額", "売上高",
        "受注額", "umsatz", "ingresos", "ventas", "chiffre d'affaires",
    ),
}
# Synonyms that name a role only when no regular synonym of it fits: "Revenue" in a deal list may be the account's
# revenue, Salesforce's "Expected Revenue" is the probability-weighted amount, and a lifecycle stage is the stage
# only when there is no deal stage.
_FALLBACK_HEADERS: dict[str, tuple[str, ...]] = {
    "amount": ("revenue", "expected revenue"),
    "stage": _HEADERS["lifecycle"],
    "probability": ("ランク", "rank"),  # a rank may be the customer's: the probability only without a 確度
}
# fmt: on

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
                entries = lookup.setdefault(header_key(name), [])
                if all(entry.role != role for entry in entries):
                    entries.append(_Synonym(role, tier, rank))
    return lookup


_HEADER_LOOKUP: dict[str, list[_Synonym]] = _build_lookup()


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


# Values of a yes/no flag, true and false (Excel, CRM, Japanese sheets, German, Spanish and French exports).
TRUE_FLAGS = frozenset(
    {
        "1", "true", "yes", "y", "won", "はい", "○", "〇", "済", "有", "あり",
        "ja", "wahr", "sí", "si", "verdadero", "oui", "vrai",
    }
)  # fmt: skip
FLAG_VALUES = TRUE_FLAGS | frozenset(
    {"0", "false", "no", "n", "いいえ", "×", "-", "無", "なし", "未", "nein", "falsch", "falso", "non", "faux"}
)


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
# Forecast categories (Salesforce, HubSpot, Japanese SFA tools; ja as Salesforce / HubSpot translate them).
FORECAST_CATEGORIES: tuple[str, ...] = ("closed", "commit", "best_case", "pipeline", "omitted")
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "commit": ("commit", "committed", "commitment", "コミット", "達成予測", "確定", "確約", "当確", "受注確実", "確実"),
    "best_case": (
        "best case", "best", "upside", "最善達成予測", "最良のケース", "ベストケース", "見込み", "見込", "アップサイド",
        "有望",
    ),
    "pipeline": ("pipeline", "open pipeline", "パイプライン"),
    "omitted": (
        "omitted", "omit", "not forecasted", "not forecast", "excluded", "exclude", "売上予測から除外", "予測対象外",
        "対象外", "除外",
    ),
    "closed": ("closed", "closed won", "won", "完了", "受注", "受注済", "受注済み", "成約"),
}  # fmt: skip


def _category_key(text: str) -> str:
    return "".join(_words(unicodedata.normalize("NFKC", text)))


_CATEGORY_LOOKUP = {_category_key(word): cat for cat, words in _CATEGORY_WORDS.items() for word in words}


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
