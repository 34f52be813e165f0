"""Column roles: which column holds the id, dates, stage, amount, owner, channel... found from headers and values."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from kpi_core.intake.stages import canonical_stage
from kpi_core.intake.values import ValueParseError, parse_amount, parse_count, parse_date

# Roles of a record-shaped file (one row per lead / deal).
RECORD_ROLES: tuple[str, ...] = (
    "id", "created", "closed", "updated", "stage", "amount", "owner", "channel", "product", "segment", "account",
    "deal_type", "calls", "visits", "proposals", "won_flag",
)  # fmt: skip
# Roles of a period-shaped file (one row per month with count columns).
PERIOD_ROLES: tuple[str, ...] = ("period", "leads", "mql", "sql", "opportunities", "won", "lost", "revenue")
DATE_ROLES = frozenset({"created", "closed", "updated", "period"})
NUMBER_ROLES = frozenset({"amount", "revenue"})
COUNT_ROLES = frozenset({"calls", "visits", "proposals", "leads", "mql", "sql", "opportunities", "won", "lost"})
TEXT_ROLES = frozenset({"owner", "channel", "product", "segment", "account", "deal_type"})

# Header synonyms, normalised with `header_key`. Exact matches only: "declared_monthly_revenue" must not become
# the deal amount just because it contains "revenue".
_HEADERS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "opportunityid",
        "dealid",
        "recordid",
        "leadid",
        "contactid",
        "mqlid",
        "prospectid",
        "customerid",
        "商談id",
        "案件id",
        "リードid",
        "顧客id",
        "商談番号",
        "案件番号",
        "管理番号",
        "レコードid",
        "取引id",
        "opportunityno",
        "dealno",
        "案件no",
        "商談no",
    ),
    # The earliest-stage date first: in an export with both, the inquiry date is when the record began.
    "created": (
        "firstcontactdate",
        "leadcreateddate",
        "初回接触日",
        "問い合わせ日",
        "問合せ日",
        "リード獲得日",
        "獲得日",
        "created",
        "createddate",
        "createdate",
        "createdat",
        "createdon",
        "creationdate",
        "作成日",
        "作成日時",
        "登録日",
        "登録日時",
        "opportunitycreateddate",
        "dealcreatedate",
        "engagedate",
        "商談開始日",
        "商談作成日",
        "商談化日",
        "startdate",
        "開始日",
        "発生日",
        "起票日",
    ),
    "closed": (
        "closedate",
        "closed",
        "close",
        "closingdate",
        "dateclosed",
        "closeddate",
        "closedat",
        "closedon",
        "wondate",
        "closedwondate",
        "becameacustomerdate",
        "becameacustomer",
        "dealclosedate",
        "完了日",
        "完了予定日",
        "受注日",
        "成約日",
        "失注日",
        "クローズ日",
        "契約日",
        "受注予定日",
        "完了",
        "クローズ予定日",
    ),
    "updated": (
        "lastmodifieddate",
        "lastactivitydate",
        "lastmodified",
        "updatedat",
        "updated",
        "lastupdated",
        "stagechangedate",
        "laststagechangedate",
        "最終更新日",
        "最終更新日時",
        "最終活動日",
        "最終接触日",
        "更新日",
        "更新日時",
        "フェーズ更新日",
    ),
    "stage": (
        "stage",
        "dealstage",
        "opportunitystage",
        "lifecyclestage",
        "leadstatus",
        "status",
        "phase",
        "salesstage",
        "pipelinestage",
        "フェーズ",
        "ステージ",
        "商談フェーズ",
        "ステータス",
        "進捗",
        "進捗状況",
        "商談ステータス",
        "状態",
        "ライフサイクルステージ",
        "リードステータス",
    ),
    "amount": (
        "amount",
        "closevalue",
        "dealvalue",
        "value",
        "opportunityamount",
        "amountconverted",
        "dealamount",
        "totalvalue",
        "totalamount",
        "expectedrevenue",
        "contractvalue",
        "orderamount",
        "annualcontractvalue",
        "acv",
        "金額",
        "受注金額",
        "商談金額",
        "見込金額",
        "見込み金額",
        "売上",
        "売上金額",
        "売上高",
        "契約金額",
        "金額税抜",
        "受注額",
        "成約金額",
        "提案金額",
        "見積金額",
    ),
    "owner": (
        "owner",
        "opportunityowner",
        "dealowner",
        "leadowner",
        "contactowner",
        "salesagent",
        "salesrep",
        "rep",
        "assignedto",
        "srid",
        "accountowner",
        "salesperson",
        "担当者",
        "営業担当",
        "営業担当者",
        "担当",
        "所有者",
        "商談所有者",
        "担当営業",
        "営業",
        "リード所有者",
        "担当者名",
    ),
    "channel": (
        "leadsource",
        "source",
        "originalsource",
        "channel",
        "origin",
        "leadorigin",
        "acquisitionchannel",
        "sourcechannel",
        "utmsource",
        "流入経路",
        "リードソース",
        "チャネル",
        "チャネル名",
        "獲得経路",
        "流入元",
        "媒体",
        "獲得チャネル",
        "リード獲得経路",
        "経路",
    ),
    "product": (
        "product",
        "productname",
        "products",
        "plan",
        "service",
        "商品",
        "製品",
        "商品名",
        "製品名",
        "サービス",
        "プロダクト",
        "サービス名",
        "商材",
    ),
    "segment": (
        "segment",
        "industry",
        "sector",
        "businesssegment",
        "customersegment",
        "vertical",
        "region",
        "業種",
        "業界",
        "セグメント",
        "顧客区分",
        "顧客セグメント",
        "地域",
        "エリア",
    ),
    "account": (
        "account",
        "accountname",
        "company",
        "companyname",
        "organization",
        "organisation",
        "取引先",
        "取引先名",
        "会社名",
        "顧客名",
        "企業名",
        "法人名",
        "顧客",
    ),
    "deal_type": (
        "type",
        "dealtype",
        "opportunitytype",
        "新規既存",
        "商談種別",
        "案件種別",
        "取引種別",
        "新規/既存",
        "区分",
    ),
    # A 0/1 or yes/no column saying the lead converted (lead-scoring exports have no stage column).
    "won_flag": (
        "converted",
        "iswon",
        "won?",
        "wonflag",
        "受注フラグ",
        "成約フラグ",
        "受注有無",
        "成約有無",
        "convertedflag",
    ),
    "calls": ("calls", "numberofcalls", "callcount", "架電数", "電話数", "架電件数", "コール数", "架電回数"),
    "visits": (
        "visits",
        "meetings",
        "numberofmeetings",
        "visitcount",
        "訪問数",
        "訪問回数",
        "訪問件数",
        "面談数",
    ),
    "proposals": (
        "proposals",
        "proposalcount",
        "quotes",
        "提案数",
        "提案回数",
        "提案件数",
        "見積数",
        "見積件数",
    ),
    # Period-shaped sheets.
    "period": (
        "month",
        "period",
        "date",
        "yearmonth",
        "week",
        "月",
        "年月",
        "期間",
        "対象月",
        "月度",
        "日付",
        "週",
    ),
    "leads": (
        "leads",
        "leadcount",
        "newleads",
        "リード数",
        "リード",
        "リード件数",
        "新規リード数",
        "リード獲得数",
    ),
    "mql": ("mql", "mqls", "mql数", "mql件数", "marketingqualifiedleads"),
    "sql": ("sql", "sqls", "sql数", "sql件数", "salesqualifiedleads"),
    "opportunities": (
        "opportunities",
        "deals",
        "newdeals",
        "validdeals",
        "opportunitycount",
        "商談数",
        "有効商談数",
        "商談件数",
        "新規商談数",
        "商談",
    ),
    "won": ("won", "wondeals", "closedwon", "wins", "受注件数", "受注数", "成約数", "成約件数", "受注"),
    "lost": ("lost", "lostdeals", "closedlost", "失注件数", "失注数", "失注"),
    "revenue": (
        "revenue",
        "sales",
        "wonrevenue",
        "bookings",
        "受注金額",
        "売上",
        "売上金額",
        "売上高",
        "受注額",
    ),
}
_HEADER_LOOKUP: dict[str, list[str]] = {}
for _role, _keys in _HEADERS.items():
    for _key in _keys:
        _HEADER_LOOKUP.setdefault(_key, []).append(_role)

_KEY_STRIP = re.compile(r"[\s\-_./・:;()\[\]（）「」【】#＃]+")
_UNIT_SUFFIX = re.compile(r"(円|件|数)?(jpy|yen|usd)?$")


def header_key(header: str) -> str:
    """Normalise a header for lookup: NFKC, lower case, no spaces, punctuation or unit notes like "(円)"."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = re.sub(r"[(（\[【][^)）\]】]*(円|税|jpy|yen|件|usd|\$)[^)）\]】]*[)）\]】]", "", text)
    return _KEY_STRIP.sub("", text)


def roles_from_header(header: str) -> list[str]:
    """Roles a header names (possibly several: "受注金額" is a deal amount or a monthly revenue column)."""
    key = header_key(header)
    return list(_HEADER_LOOKUP.get(key, []))


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
    return _share_parsed([str(v) for v in _present(values)], parse_date) >= threshold


def _looks_like_stages(values: Sequence[object], threshold: float = 0.6) -> bool:
    distinct = list(dict.fromkeys(str(v) for v in _present(values, limit=2000)))
    if not distinct or len(distinct) > 40:
        return False
    known = sum(canonical_stage(v) is not None for v in distinct)
    return known / len(distinct) >= threshold


# Values of a won flag, true and false (Excel, CRM and Japanese sheet conventions).
TRUE_FLAGS = frozenset({"1", "true", "yes", "y", "won", "はい", "○", "〇", "済", "有", "あり"})
FLAG_VALUES = TRUE_FLAGS | frozenset({"0", "false", "no", "n", "いいえ", "×", "-", "無", "なし", "未"})


def _values_fit(role: str, values: Sequence[object] | None) -> bool:
    """Whether sampled values can hold a role: dates for date roles, numbers for amounts and counts."""
    if values is None or not _present(values):
        return True
    kind = _kind(values)
    if kind == "date":
        return role in DATE_ROLES
    if kind == "number":
        if role in DATE_ROLES:
            return all(20000 <= float(v) <= 80000 for v in _present(values))  # Excel serial day numbers
        return True
    texts = [str(v) for v in _present(values)]
    if role == "period":
        return _share_parsed(texts, parse_period_start) >= 0.5
    if role in DATE_ROLES:
        return _looks_like_dates(texts, threshold=0.5)
    if role == "won_flag":
        return all(str(v).strip().lower() in FLAG_VALUES for v in texts)
    if role == "stage":
        # "確度" (A/B/C) or a free-text status is not the stage: a third of its values must be known stages.
        return _looks_like_stages(texts, threshold=0.3)
    if role in NUMBER_ROLES:
        return _share_parsed(texts, parse_amount) >= 0.5
    if role in COUNT_ROLES:
        return _share_parsed(texts, parse_count) >= 0.5
    return True


def detect_shape(columns: Sequence[str], sample: Sample | None = None) -> str:
    """ "periods" for a sheet with one row per period and count columns, else "records"."""
    roles = {role for col in columns for role in roles_from_header(col)}
    count_roles = roles & {"leads", "mql", "sql", "opportunities", "won", "lost"}
    has_record_markers = bool(roles & {"id", "stage", "owner", "created"})
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
) -> dict[str, str]:
    """Map roles to columns. Headers decide first; values fill the gaps for the created date, stage and id.

    `overrides` maps role → column (or None to drop a role the detector found); the caller checks that the
    columns exist. A column whose header names a role but whose values do not fit it is appended to `refused`
    as (role, column), so the user can be told.
    """
    wanted = RECORD_ROLES if shape == "records" else PERIOD_ROLES
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for role, column in overrides.items():
        if column is not None:
            mapping[role] = column
            taken.add(column)

    def assign(role: str, column: str) -> None:
        if role not in mapping and role not in overrides and column not in taken:
            mapping[role] = column
            taken.add(column)

    def values(column: str) -> list[object] | None:
        return list(sample[column]) if column in sample else None

    # Pass 1: headers, as long as the values fit the role (X Education's "Last Activity" holds activity names,
    # not dates). When several columns name a role, the more specific synonym wins ("Lead Source" over
    # "Lead Origin", "Deal Stage" over "Status"), then the column order.
    candidates = []
    for position, column in enumerate(columns):
        key = header_key(column)
        for role in roles_from_header(column):
            if role not in wanted:
                continue
            if _values_fit(role, values(column)):
                candidates.append((_HEADERS[role].index(key), position, role, column))
            elif refused is not None:
                refused.append((role, column))
    for _, _, role, column in sorted(candidates):
        assign(role, column)
    if shape == "periods":
        return {role: mapping[role] for role in wanted if role in mapping}

    # Pass 2: values. An unnamed date column can be the created date; never the close date, which decides what
    # counts as won (a "商談化日" must not turn every converted lead into a won deal).
    for column in columns:
        column_values = values(column)
        if column in taken or column_values is None:
            continue
        if "created" not in mapping and _looks_like_dates(column_values):
            assign("created", column)
        elif "stage" not in mapping and _looks_like_stages(column_values):
            assign("stage", column)
    if "id" not in mapping:
        for column in columns:
            key = header_key(column)
            column_values = values(column)
            if column in taken or column_values is None or not (key.endswith("id") or key.endswith("番号")):
                continue
            present = [v for v in column_values if not _is_blank(v)]
            if present and len(set(map(str, present))) == len(present):
                assign("id", column)
                break
    return {role: mapping[role] for role in wanted if role in mapping}
