"""Seeded, deterministic generator of the demo data in sample_data/ (a Japanese B2B SaaS vendor, 2024-04..2026-11)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jpholiday
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

SEED = 20260401
START = dt.date(2024, 4, 1)
END = dt.date(2026, 11, 24)  # the export date: nothing after it exists, deals still running stay open
MONTHS: tuple[dt.date, ...] = tuple(
    dt.date(START.year + (START.month - 1 + i) // 12, (START.month - 1 + i) % 12 + 1, 1) for i in range(32)
)

DEALS_FILE = "sales_deals_ja.csv"
# The same CRM's export one week earlier (the weekly meeting's "what changed since last week"): the deals as they
# stood on PREV_END, written from the deal file's own cells so that both exports read alike.
PREV_DEALS_FILE = "sales_deals_ja_prev.csv"
PREV_END = END - dt.timedelta(days=7)
PREV_SEED = (SEED, 7)  # its own generator: the three files above stay byte-identical
PREV_FORWARD = 0.22  # share of deals open on both dates whose phase moved forward during the week
PREV_BACK = 0.03  # ... and back
PREV_AMOUNT_CHANGE = 0.1  # ... whose amount was changed
PREV_WON_DISCOUNT = 0.5  # share of the week's won deals whose order came in below last week's proposal
PREV_DUPLICATES = ("OPP-99001", "OPP-99002")  # duplicates entered last week and deleted since
# ヨミ on open deals: a confidence rank (確度 A / B / C) and the rep's expected close date (受注予定日), drawn with
# their own generators after everything else, so the other columns and files stay as they were.
YOMI_SEED = (SEED, 14)
PREV_YOMI_SEED = (SEED, 7, 14)
RANK_BY_PHASE = {  # P(A), P(B), P(C) of an open deal by its phase
    "初回訪問": (0.02, 0.18, 0.8), "ヒアリング": (0.05, 0.35, 0.6), "提案": (0.15, 0.55, 0.3),
    "見積提出": (0.45, 0.45, 0.1), "交渉": (0.7, 0.27, 0.03),
}  # fmt: skip
OVERDUE_SHARE = 0.12  # open deals whose expected close date has already passed at the export date
PREV_SLIPPED = 0.12  # share of deals open on both dates whose expected date was earlier last week (pushed out)
PREV_PULLED_IN = 0.04  # ... later last week (pulled in)
TEAMS_FILE = "sales_teams_ja.csv"
TEAM_HEADER = ("担当者", "チーム")
TEAMS = {  # the sales reps' teams (the quotas of kpi_core/templates/sales_*.yaml are per rep)
    "佐藤 健": "第1営業課", "鈴木 美咲": "第1営業課", "高橋 翔": "第1営業課",
    "田中 優子": "第2営業課", "伊藤 大輔": "第2営業課", "渡辺 彩": "第2営業課",
}  # fmt: skip
LEADS_FILE = "marketing_leads_en.csv"
KPI_FILE = "monthly_kpi_ja.xlsx"

DEAL_HEADER: tuple[str, ...] = (
    "商談ID", "商談名", "取引先名", "業種", "担当者", "リードソース", "商品", "新規/既存", "フェーズ", "金額",
    "作成日", "完了日", "架電数", "訪問数", "提案数", "確度", "受注予定日",
)  # fmt: skip
LEAD_HEADER: tuple[str, ...] = (
    "Lead ID", "Create Date", "Lead Source", "Campaign", "Company", "Industry", "Lead Owner", "Lifecycle Stage",
    "Close Date", "Amount",
)  # fmt: skip
KPI_TITLE = "マーケティングKPI 月次実績（2024年4月〜2026年11月）"
KPI_HEADER = ("月", "リード数", "MQL数", "SQL数", "商談数", "受注件数", "失注件数", "受注金額")

# Japanese B2B rhythm: fiscal year ends in March (budget spend), Golden Week in May, お盆 in August,
# year-end holidays. Multipliers of the monthly volume, by calendar month.
DEAL_SEASON = {
    4: 0.95, 5: 0.9, 6: 1.05, 7: 1.05, 8: 0.75, 9: 1.05, 10: 1.1, 11: 1.05, 12: 0.9, 1: 0.85, 2: 1.05, 3: 1.2,
}  # fmt: skip
LEAD_SEASON = {4: 1.0, 5: 0.95, 6: 1.05, 7: 1.05, 8: 0.8, 9: 1.05, 10: 1.1, 11: 1.05, 12: 0.88, 1: 0.9, 2: 1.05, 3: 1.1}
YEARLY_GROWTH = 1.10

# ---------------------------------------------------------------- sales deals (Japanese CRM export)
DEALS_PER_MONTH = 44.0
REPS = ("佐藤 健", "鈴木 美咲", "高橋 翔", "田中 優子", "伊藤 大輔", "渡辺 彩")
REP_SHARE = {"佐藤 健": 0.19, "鈴木 美咲": 0.19, "高橋 翔": 0.22, "田中 優子": 0.18, "伊藤 大輔": 0.16, "渡辺 彩": 0.16}
REP_JOINED = {"渡辺 彩": dt.date(2025, 10, 1)}
REP_WIN_LOGIT = {
    "佐藤 健": 0.35, "鈴木 美咲": 0.2, "高橋 翔": -0.3, "田中 優子": 0.05, "伊藤 大輔": -0.15, "渡辺 彩": -0.5,
}  # fmt: skip
REP_AMOUNT = {"佐藤 健": 1.1, "鈴木 美咲": 1.0, "高橋 翔": 0.9, "田中 優子": 0.95, "伊藤 大輔": 1.25, "渡辺 彩": 0.85}
SOURCES = ("展示会", "セミナー", "紹介", "テレアポ", "Web問い合わせ", "既存顧客")
SOURCE_SHARE = {"展示会": 0.16, "セミナー": 0.13, "紹介": 0.08, "テレアポ": 0.2, "Web問い合わせ": 0.23, "既存顧客": 0.2}
SOURCE_WIN_LOGIT = {
    "展示会": 0.0, "セミナー": 0.1, "紹介": 0.95, "テレアポ": -0.85, "Web問い合わせ": -0.1, "既存顧客": 0.55,
}  # fmt: skip
# Growth is chased with cold calls: テレアポ's share rises each year, which pulls the win rate down
# (the "deals up, win rate down" pattern the product should flag).
TELEAPO_SHARE_GROWTH = 0.45
INDUSTRIES = ("製造業", "IT・通信", "小売・流通", "金融・保険", "医療・福祉")
INDUSTRY_SHARE = (0.32, 0.22, 0.18, 0.12, 0.16)
PRODUCTS = ("クラウドERP", "勤怠管理SaaS", "BIダッシュボード", "導入支援サービス")
PRODUCT_PRICE = {
    "クラウドERP": 2_000_000, "勤怠管理SaaS": 600_000, "BIダッシュボード": 1_200_000, "導入支援サービス": 900_000,
}  # fmt: skip
PRODUCT_SHARE = {"クラウドERP": 0.2, "勤怠管理SaaS": 0.34, "BIダッシュボード": 0.25, "導入支援サービス": 0.21}
PRODUCT_WIN_LOGIT = {"クラウドERP": -0.15, "勤怠管理SaaS": 0.0, "BIダッシュボード": 0.0, "導入支援サービス": 0.1}
PRODUCT_CYCLE_DAYS = {
    "クラウドERP": (60, 150), "勤怠管理SaaS": (20, 75), "BIダッシュボード": (30, 110), "導入支援サービス": (25, 100),
}  # fmt: skip
KINDS = ("新規", "既存(アップセル)", "既存(クロスセル)")
KIND_AMOUNT = {"新規": 1.0, "既存(アップセル)": 0.75, "既存(クロスセル)": 0.9}
KIND_DEAL_NAME = {"新規": "新規導入", "既存(アップセル)": "ライセンス追加", "既存(クロスセル)": "追加導入"}
OPEN_PHASES = ("初回訪問", "ヒアリング", "提案", "見積提出", "交渉")
WIN_RATE_START = 0.255  # share of new deals that end up won, at START
WIN_RATE_PER_YEAR = -0.022  # drifts down as deal volume is chased (deals up, win rate down)
AMOUNT_LOG_MEAN = 0.059
AMOUNT_LOG_SIGMA = 0.25

COMPANY_STEMS = (
    "東洋", "大和", "富士", "桜", "青葉", "北斗", "中央", "東海", "関西", "九州", "朝日", "ひかり", "みらい",
    "新星", "武蔵", "越後", "信濃", "瀬戸内", "みなと", "千代田", "常磐", "日進", "三河", "相模", "北陸",
    "山陽", "扇", "若葉", "白鷺", "銀河", "協和", "昭栄", "明和", "丸和", "大成", "東邦", "西武", "南海",
    "光洋", "共栄", "双葉", "旭", "日南", "北央", "三栄", "泉", "紀州", "房総", "伊勢", "出雲",
)  # fmt: skip
COMPANY_SUFFIX = {
    "製造業": ("精機", "工業", "製作所", "化学", "電機", "金属"),
    "IT・通信": ("システムズ", "テクノロジー", "ネットワークス", "ソフト", "データ", "通信"),
    "小売・流通": ("商事", "物産", "ストア", "流通", "ロジスティクス", "フーズ"),
    "金融・保険": ("ファイナンス", "リース", "損害保険", "証券", "キャピタル", "信用金庫"),
    "医療・福祉": ("メディカル", "ケアサービス", "ヘルスケア", "福祉会", "クリニック", "ファーマ"),
}

# ---------------------------------------------------------------- marketing leads (MA export)
LEADS_PER_MONTH = 365.0
LEAD_SOURCES = ("Organic Search", "Paid Search", "Paid Social", "Webinar", "Trade Show", "Email", "Referral")
LEAD_SOURCE_SHARE = {
    "Organic Search": 0.22, "Paid Search": 0.2, "Paid Social": 0.22, "Webinar": 0.08, "Trade Show": 0.1,
    "Email": 0.11, "Referral": 0.07,
}  # fmt: skip
# (MQL rate of leads, SQL rate of MQL, Closed Won rate of opportunities) per source.
LEAD_SOURCE_QUALITY = {
    "Organic Search": (0.44, 0.5, 0.36), "Paid Search": (0.42, 0.48, 0.34), "Paid Social": (0.22, 0.4, 0.28),
    "Webinar": (0.62, 0.55, 0.38), "Trade Show": (0.38, 0.5, 0.34), "Email": (0.45, 0.45, 0.34),
    "Referral": (0.72, 0.62, 0.45),
}  # fmt: skip
PAID_SOCIAL_SHARE_GROWTH = 0.5  # cheap volume: Paid Social's share grows, lead quality slips
MQL_RATE_PER_YEAR = -0.04  # relative drift of every source's MQL rate per year (broader targeting)
WON_AMOUNT_BETA = (1.8, 2.8)  # Closed Won amount = 300k + 200k * Beta(a, b), rounded to 10k
TRADE_SHOW_MONTH = {4: 2.0, 5: 0.6, 10: 2.5, 11: 0.6, 1: 1.4, 2: 1.0}  # exhibition months; else 0.2
SQL_TO_OPPORTUNITY = 0.72
NOT_MQL_DISQUALIFIED = 0.25
LEAD_CAMPAIGNS = {
    "Organic Search": ("SEO - Blog", "SEO - Whitepaper", "SEO - Pricing Page"),
    "Paid Search": ("Google Ads - Brand", "Google Ads - Generic", "Yahoo Ads - Generic"),
    "Paid Social": ("LinkedIn - Lead Gen", "Facebook - Retargeting", "X - Awareness"),
    "Webinar": ("Webinar - DX Basics", "Webinar - Attendance Mgmt", "Webinar - BI Case Study"),
    "Email": ("Monthly Newsletter", "Nurture - Stage 2", "Product Update"),
    "Referral": ("Partner Referral", "Customer Referral"),
}
LEAD_INDUSTRIES = ("Manufacturing", "IT", "Retail", "Finance", "Healthcare")
LEAD_OWNERS = ("Emily Carter", "James Wilson", "Olivia Brown", "Daniel Kim")
LEAD_OWNER_SHARE = (0.3, 0.28, 0.24, 0.18)
EN_STEMS = (
    "Toyo", "Yamato", "Fuji", "Sakura", "Aoba", "Hokuto", "Chuo", "Tokai", "Kansai", "Kyushu", "Asahi",
    "Hikari", "Mirai", "Shinsei", "Musashi", "Echigo", "Shinano", "Setouchi", "Minato", "Chiyoda", "Kyowa",
    "Daisei", "Toho", "Kouyo", "Futaba", "Izumi", "Kishu", "Ise", "Izumo", "Sagami",
)  # fmt: skip
EN_SUFFIX = {
    "Manufacturing": ("Precision", "Industries", "Electric", "Chemical", "Metal Works"),
    "IT": ("Systems", "Technologies", "Networks", "Software", "Data"),
    "Retail": ("Trading", "Stores", "Logistics", "Foods", "Retail"),
    "Finance": ("Finance", "Capital", "Leasing", "Insurance", "Securities"),
    "Healthcare": ("Medical", "Healthcare", "Care Services", "Clinic", "Pharma"),
}
EN_LEGAL = (" Co., Ltd.", " Corporation", " Inc.", " K.K.")


# ---------------------------------------------------------------- calendar
# Looked up once: jpholiday.is_holiday per day is slow.
HOLIDAYS = frozenset(day for day, _ in jpholiday.between(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))


def _is_year_end_closure(day: dt.date) -> bool:
    """Japanese companies close from 29 Dec to 3 Jan."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@cache
def is_business_day(day: dt.date) -> bool:
    """Weekday that is neither a public holiday nor in the year-end closure."""
    return day.weekday() < 5 and day not in HOLIDAYS and not _is_year_end_closure(day)


def _month_days(month_start: dt.date) -> list[dt.date]:
    """All calendar days of the month."""
    nxt = dt.date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
    return [month_start + dt.timedelta(days=i) for i in range((nxt - month_start).days)]


def _previous_business_day(day: dt.date) -> dt.date:
    """The day itself if it is a business day, else the previous one."""
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def fiscal_year(day: dt.date) -> int:
    """Japanese fiscal year (April to March) a date belongs to, named by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def _pick(rng: np.random.Generator, options: Sequence[str], weights: Sequence[float]) -> str:
    """One option drawn with the given (unnormalised) weights."""
    # Same arithmetic and draw as rng.choice(len(options), p=...), without its per-call overhead.
    p = np.asarray(weights, dtype=float)
    cdf = np.cumsum(p / p.sum())
    cdf /= cdf[-1]
    return options[int(cdf.searchsorted(rng.random(), side="right"))]


def _years_since_start(day: dt.date) -> float:
    """Years elapsed since START, for trends."""
    return (day - START).days / 365.25


# ---------------------------------------------------------------- deals
def _japanese_company(stem: str, suffix: str, rng: np.random.Generator) -> str:
    """A plausible Japanese company name with its legal form."""
    if suffix == "信用金庫":
        return f"{stem}{suffix}"
    if suffix in ("福祉会", "クリニック"):
        return f"医療法人{stem}会" if suffix == "クリニック" else f"社会福祉法人{stem}{suffix}"
    return f"株式会社{stem}{suffix}" if rng.random() < 0.6 else f"{stem}{suffix}株式会社"


def _company_pool(rng: np.random.Generator) -> dict[str, list[str]]:
    """Shuffled company names per industry."""
    pool: dict[str, list[str]] = {}
    for industry, suffixes in COMPANY_SUFFIX.items():
        names = sorted({_japanese_company(stem, suf, rng) for stem in COMPANY_STEMS for suf in suffixes})
        pool[industry] = [names[i] for i in rng.permutation(len(names))]
    return pool


def _deal_amount(rng: np.random.Generator, product: str, rep: str, kind: str) -> int:
    """Proposal amount in JPY, log-normal around the product's list price, rounded to 10,000."""
    spread = min(2.5, rng.lognormal(AMOUNT_LOG_MEAN, AMOUNT_LOG_SIGMA))  # no 10x outliers: list prices cap deals
    raw = PRODUCT_PRICE[product] * REP_AMOUNT[rep] * KIND_AMOUNT[kind] * spread
    return int(max(100_000, round(raw / 10_000) * 10_000))


def _activity_counts(rng: np.random.Generator, reached: int, source: str) -> tuple[int, int, int]:
    """Calls, visits and proposals for a deal that reached phase index `reached` (5 = won)."""
    calls = 1 + int(rng.poisson(1.0 + 1.3 * reached)) + (2 if source == "テレアポ" else 0)
    visits = 1 + int(rng.poisson(0.55 * reached))
    proposals = 0 if reached < 2 else 1 + int(rng.poisson(0.3 * (reached - 2)))
    return calls, visits, proposals


def _is_obon(day: dt.date) -> bool:
    """お盆: most customers are away from 13 to 16 August."""
    return day.month == 8 and 13 <= day.day <= 16


def _deal_close_date(rng: np.random.Generator, created: dt.date, cycle: int, won: bool) -> dt.date:
    """Close date on a business day, 20-150 days after creation; won deals bunch before (half-)year ends."""
    close = created + dt.timedelta(days=cycle)
    if won:
        # Customers sign before their fiscal year (March) or half year (September) ends.
        if (close.month == 4 or (close.month == 5 and close.day <= 15)) and rng.random() < 0.55:
            pulled = dt.date(close.year, 3, int(rng.integers(10, 32)))
        elif close.month == 10 and close.day <= 15 and rng.random() < 0.35:
            pulled = dt.date(close.year, 9, int(rng.integers(15, 31)))
        else:
            pulled = close
        if (pulled - created).days >= 20:
            close = pulled
    while not is_business_day(close) or _is_obon(close):
        close += dt.timedelta(days=1)
    if (close - created).days > 150:
        close = _previous_business_day(created + dt.timedelta(days=150))
    return close


def _win_rate_target(day: dt.date) -> float:
    """Company-wide share of deals created on `day` that end up won (drifts down as volume is chased)."""
    return WIN_RATE_START + WIN_RATE_PER_YEAR * _years_since_start(day)


def _deal_attributes(
    rng: np.random.Generator,
    created: dt.date,
    pool: dict[str, list[str]],
    cursor: dict[str, int],
    industry_of: dict[str, str],
    customers: list[tuple[dt.date, str, str]],
) -> dict[str, object]:
    """Everything about a new deal except its outcome; `logit` is its relative odds of winning."""
    years = _years_since_start(created)
    source_w = [SOURCE_SHARE[s] * (1 + TELEAPO_SHARE_GROWTH * years if s == "テレアポ" else 1) for s in SOURCES]
    source = _pick(rng, SOURCES, source_w)
    rep_w = [
        0.0
        if created < REP_JOINED.get(r, START)
        else REP_SHARE[r] * (2.0 if r == "高橋 翔" and source == "テレアポ" else 1)
        for r in REPS
    ]
    rep = _pick(rng, REPS, rep_w)
    if source == "既存顧客":
        kind = _pick(rng, KINDS, (0.05, 0.55, 0.4))
    elif source in ("紹介", "セミナー"):
        kind = _pick(rng, KINDS, (0.84, 0.08, 0.08))
    else:
        kind = "新規"
    if kind == "新規":
        industry = _pick(rng, INDUSTRIES, INDUSTRY_SHARE)
        names = pool[industry]
        company = names[cursor[industry] % len(names)]
        cursor[industry] += 1
        industry_of[company] = industry
        product = _pick(rng, PRODUCTS, list(PRODUCT_SHARE.values()))
    else:
        owned = [(name, prod) for closed, name, prod in customers if closed < created]
        company, owned_product = owned[int(rng.integers(len(owned)))]
        industry = industry_of[company]
        if kind == "既存(アップセル)":
            product = owned_product
        else:
            others = [p for p in PRODUCTS if p != owned_product]
            product = _pick(rng, others, [1.5 if p == "導入支援サービス" else 1.0 for p in others])
    logit = (
        SOURCE_WIN_LOGIT[source] + REP_WIN_LOGIT[rep] + PRODUCT_WIN_LOGIT[product] + (0.3 if kind != "新規" else 0.0)
    )
    return {
        "商談名": f"{company} {product}{KIND_DEAL_NAME[kind]}",
        "取引先名": company,
        "業種": industry,
        "担当者": rep,
        "リードソース": source,
        "商品": product,
        "新規/既存": kind,
        "作成日": created,
        "金額": _deal_amount(rng, product, rep, kind),
        "logit": logit,
    }


def _deal_outcome(
    rng: np.random.Generator, deal: dict[str, object], won: bool, customers: list[tuple[dt.date, str, str]]
) -> dict[str, object]:
    """The CSV row of a deal: phase, close date, shown amount and activity counts as of END."""
    created, product, amount = deal["作成日"], deal["商品"], deal["金額"]
    low, high = PRODUCT_CYCLE_DAYS[product]
    full_cycle = round(low + (high - low) * rng.beta(2.0, 2.6))
    lost_at = int(rng.choice(5, p=[0.15, 0.25, 0.25, 0.2, 0.15]))
    cycle = full_cycle if won else max(20, round(full_cycle * (0.35 + 0.65 * (lost_at + 1) / 5)))
    close = _deal_close_date(rng, created, cycle, won)
    if close <= END:
        phase = "受注" if won else "失注"
        reached = 5 if won else lost_at
        completed: dt.date | None = close
        if won:
            customers.append((close, deal["取引先名"], product))
            shown_amount: int | None = amount
        else:
            shown_amount = amount if lost_at >= 2 and rng.random() < 0.75 else None
    else:
        # Still running at END: its phase follows how far through its cycle it is.
        progress = (END - created).days / max(1, (close - created).days)
        top = 4 if won else lost_at
        reached = min(top, int(progress * (top + 1)))
        phase, completed, shown_amount = OPEN_PHASES[reached], None, amount
    row_close = close if completed is None else None  # when a still-open deal will really close (for 受注予定日)
    calls, visits, proposals = _activity_counts(rng, reached, deal["リードソース"])
    row = {k: v for k, v in deal.items() if k not in ("logit", "金額", "作成日")}
    return {
        **row,
        "フェーズ": phase,
        "金額": shown_amount,
        "作成日": created,
        "完了日": completed,
        "架電数": calls,
        "訪問数": visits,
        "提案数": proposals,
        "_close": row_close,
    }


def build_deals(rng: np.random.Generator) -> pd.DataFrame:
    """Clean deal table: one row per deal created between START and END, typed values, sorted by creation."""
    pool = _company_pool(rng)
    cursor = dict.fromkeys(INDUSTRIES, 0)
    industry_of: dict[str, str] = {}
    # Customers from before the data starts, with the product they own.
    customers: list[tuple[dt.date, str, str]] = []
    for _ in range(90):
        industry = _pick(rng, INDUSTRIES, INDUSTRY_SHARE)
        name = pool[industry][cursor[industry]]
        cursor[industry] += 1
        industry_of[name] = industry
        customers.append((START - dt.timedelta(days=1), name, _pick(rng, PRODUCTS, list(PRODUCT_SHARE.values()))))

    rows: list[dict[str, object]] = []
    quota_carry = 0.0  # rounding remainder of the monthly win quota, carried so the yearly rate stays on target
    for m_index, month_start in enumerate(MONTHS):
        days = [d for d in _month_days(month_start) if is_business_day(d)]
        open_days = [d for d in days if d <= END]
        day_weight = np.array([0.3 if _is_obon(d) else 1.0 for d in open_days])
        lam = DEALS_PER_MONTH * YEARLY_GROWTH ** (m_index / 12) * DEAL_SEASON[month_start.month]
        count = max(1, round(lam * len(open_days) / len(days) + rng.normal(0.0, 2.5)))
        created_days = sorted(open_days[i] for i in rng.choice(len(open_days), count, p=day_weight / day_weight.sum()))
        month_deals = [_deal_attributes(rng, created, pool, cursor, industry_of, customers) for created in created_days]
        # Who wins: a monthly quota (the company-level trend), filled by the deals with the best odds plus
        # logistic noise, so reps, sources and products keep their differences.
        target = _win_rate_target(month_start + dt.timedelta(days=14)) * count + quota_carry
        wins = round(target)
        quota_carry = target - wins
        score = np.array([d["logit"] for d in month_deals]) + rng.logistic(size=count)
        winners = set(np.argsort(-score, kind="stable")[:wins].tolist())
        for i, deal in enumerate(month_deals):
            rows.append(_deal_outcome(rng, deal, i in winners, customers))
    deals = pd.DataFrame(rows)
    deals.insert(0, "商談ID", [f"OPP-{i + 1:05d}" for i in range(len(deals))])
    deals["金額"] = deals["金額"].astype("Int64")
    return deals


def add_yomi(deals: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """確度 (A / B / C, likelier A the further the phase) and 受注予定日 for the open deals; blank on closed ones.
    The expected date is the rep's guess of the real close date (a won deal: close to it; a deal that will be
    lost: hopeful, earlier), on a business day; OVERDUE_SHARE of them have already passed at END."""
    ranks: list[str] = []
    expected: list[dt.date | None] = []
    for phase, close, kind in zip(deals["フェーズ"], deals["_close"], deals["新規/既存"], strict=True):
        if phase not in OPEN_PHASES or close is None or pd.isna(close):
            ranks.append("")
            expected.append(None)
            continue
        ranks.append(_pick(rng, ("A", "B", "C"), RANK_BY_PHASE[phase]))
        if rng.random() < OVERDUE_SHARE:
            day = END - dt.timedelta(days=int(rng.integers(3, 30)))
        else:
            shift = int(rng.normal(0, 12)) - (10 if kind == "新規" and rng.random() < 0.4 else 0)
            day = max(END + dt.timedelta(days=1), close + dt.timedelta(days=shift))
        expected.append(_previous_business_day(day))
    deals = deals.copy()
    deals["確度"] = ranks
    deals["受注予定日"] = expected
    return deals


def _ymd_slash(day: dt.date) -> str:
    """Excel's Japanese date text, 2025/04/01."""
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


def _reiwa(day: dt.date) -> str:
    """Japanese era date text, 令和7年4月1日."""
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def _full_width_digits(number: int) -> str:
    """Digits written in full-width forms, as some IMEs produce."""
    return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def deal_text_rows(deals: pd.DataFrame, rng: np.random.Generator) -> tuple[list[list[str]], list[dict[str, str]]]:
    """Deal rows as CSV text with a few deterministic messy cells, and the 3 rows no parser can read."""
    text = [
        ["" if pd.isna(v) else (_ymd_slash(v) if isinstance(v, dt.date) else str(v)) for v in row]
        for row in deals[list(DEAL_HEADER)].itertuples(index=False)
    ]
    col = {name: i for i, name in enumerate(DEAL_HEADER)}
    phase = deals["フェーズ"]
    amount_won = deals.index[(phase == "受注") & (deals["金額"] % 10_000 == 0)].to_numpy()
    with_close = deals.index[deals["完了日"].notna()].to_numpy()
    lost = deals.index[phase == "失注"].to_numpy()
    used: set[int] = set()

    def take(candidates: np.ndarray, n: int, where: pd.Series | None = None) -> list[int]:
        """n distinct, not yet used row indices from candidates (optionally those where `where` holds)."""
        pool = [int(i) for i in candidates if int(i) not in used and (where is None or bool(where.iloc[int(i)]))]
        picked = sorted(int(i) for i in rng.choice(pool, n, replace=False))
        used.update(picked)
        return picked

    fy = deals["作成日"].map(fiscal_year)
    bad: list[dict[str, str]] = []
    i = take(amount_won, 1, fy == 2025)[0]
    text[i][col["金額"]] = "未定"
    bad.append({"column": "金額", "value": "未定", "index": str(i), "note": "受注 row whose amount is not a number"})
    i = take(lost, 1, deals["作成日"].map(lambda d: d.year == 2025 and d.month == 1))[0]
    text[i][col["作成日"]] = "2025/13/01"
    bad.append({"column": "作成日", "value": "2025/13/01", "index": str(i), "note": "there is no month 13"})
    i = take(amount_won, 1, fy == 2024)[0]
    text[i][col["完了日"]] = "不明"
    bad.append({"column": "完了日", "value": "不明", "index": str(i), "note": "受注 row without a usable close date"})

    for fmt in (lambda a: f"¥{a:,}", lambda a: f"{a:,}円", lambda a: f"{a // 10_000}万円"):
        for i in take(amount_won, 3):
            text[i][col["金額"]] = fmt(int(deals.at[i, "金額"]))
    for i in take(amount_won, 2):
        text[i][col["金額"]] = _full_width_digits(int(deals.at[i, "金額"]))
    for i in take(np.arange(len(deals)), 2):
        d = deals.at[i, "作成日"]
        text[i][col["作成日"]] = f"{d.isoformat()} {int(rng.integers(9, 18)):02d}:{int(rng.integers(0, 4)) * 15:02d}"
    for i in take(with_close, 2):
        text[i][col["完了日"]] = _reiwa(deals.at[i, "完了日"])
    for i in take(np.arange(len(deals)), 2):
        d = deals.at[i, "作成日"]
        text[i][col["作成日"]] = f"{d.year}年{d.month}月{d.day}日"
    for i in take(deals.index[phase == "受注"].to_numpy(), 10):
        text[i][col["フェーズ"]] = "成約"
    for i in take(lost, 3):
        text[i][col["フェーズ"]] = "Closed Lost"
    for i, spoiled in zip(
        take(deals.index[deals["担当者"] == "佐藤 健"].to_numpy(), 3),
        ("佐藤 健　", "佐藤 健 ", "佐藤 健　"),
        strict=True,
    ):
        text[i][col["担当者"]] = spoiled
    for i in take(deals.index[deals["担当者"] == "鈴木 美咲"].to_numpy(), 1):
        text[i][col["担当者"]] = "鈴木　美咲"
    for entry in bad:
        idx = int(entry.pop("index"))
        entry["商談ID"] = str(deals.at[idx, "商談ID"])
        entry["row"] = str(idx + 2)  # header is row 1
        amount = deals.at[idx, "金額"]
        entry["clean"] = (
            f"{deals.at[idx, 'フェーズ']}, 金額 {'(blank)' if pd.isna(amount) else amount}, "
            f"作成日 {_ymd_slash(deals.at[idx, '作成日'])}, 完了日 {_ymd_slash(deals.at[idx, '完了日'])}"
        )
    return text, bad


def _round_10k(value: float) -> int:
    return int(max(100_000, round(value / 10_000) * 10_000))


def previous_deal_rows(deals: pd.DataFrame, text: list[list[str]], rng: np.random.Generator) -> list[list[str]]:
    """The deal export as it stood on PREV_END, one week before END: the deals created since are not there yet;
    those won or lost during the week were still open (at 交渉 or an earlier phase, with last week's proposal
    amount); some deals open on both dates were a phase behind (or ahead) or had another amount; and two
    duplicates that were deleted during the week are still there. Every other cell is the deal file's own text."""
    col = {name: i for i, name in enumerate(DEAL_HEADER)}
    rows: list[list[str]] = []
    open_then: list[int] = []
    for i, deal in deals.iterrows():
        if deal["作成日"] > PREV_END:
            continue  # new this week
        row = list(text[int(i)])
        completed, amount = deal["完了日"], deal["金額"]
        if completed is not None and not pd.isna(completed) and completed > PREV_END:
            won = deal["フェーズ"] == "受注"
            row[col["フェーズ"]] = (
                ("交渉" if rng.random() < 0.8 else "見積提出") if won else OPEN_PHASES[int(rng.integers(1, 5))]
            )
            row[col["完了日"]] = ""
            if pd.isna(amount):  # lost without an amount now: last week's proposal amount
                proposal = _round_10k(PRODUCT_PRICE[deal["商品"]] * rng.lognormal(AMOUNT_LOG_MEAN, AMOUNT_LOG_SIGMA))
            elif won and rng.random() < PREV_WON_DISCOUNT:
                proposal = _round_10k(int(amount) * rng.uniform(1.03, 1.15))
            else:
                proposal = int(amount)
            row[col["金額"]] = str(proposal)
            row[col["架電数"]] = str(max(1, int(deal["架電数"]) - 1))
            open_then.append(len(rows))
        elif completed is None or pd.isna(completed):
            phase = OPEN_PHASES.index(deal["フェーズ"])
            draw = rng.random()
            if draw < PREV_FORWARD and phase > 0:
                row[col["フェーズ"]] = OPEN_PHASES[phase - 1]
                row[col["架電数"]] = str(max(1, int(deal["架電数"]) - 1))
            elif PREV_FORWARD <= draw < PREV_FORWARD + PREV_BACK and phase < len(OPEN_PHASES) - 1:
                row[col["フェーズ"]] = OPEN_PHASES[phase + 1]
            if not pd.isna(amount) and rng.random() < PREV_AMOUNT_CHANGE:
                changed = _round_10k(int(amount) * rng.uniform(0.8, 1.25))
                row[col["金額"]] = str(changed if changed != int(amount) else changed + 10_000)
            open_then.append(len(rows))
        rows.append(row)
    picked = sorted(rng.choice(open_then, len(PREV_DUPLICATES), replace=False))
    for deal_id, index in zip(PREV_DUPLICATES, picked, strict=True):
        rows.append([deal_id, *rows[int(index)][1:]])
    return rows


def previous_yomi(deals: pd.DataFrame, rows: list[list[str]], rng: np.random.Generator) -> list[list[str]]:
    """確度 and 受注予定日 in last week's export: a deal won or lost during the week was open then, with a rank and
    an expected date (a won deal: A or B, expected within days of when it closed; a lost one: B or C, expected
    later); of the deals open on both dates, PREV_SLIPPED had an earlier expected date last week (it has slipped
    since) and PREV_PULLED_IN a later one. Every other cell stays the deal file's own."""
    col = {name: i for i, name in enumerate(DEAL_HEADER)}
    index = {deal_id: i for i, deal_id in enumerate(deals["商談ID"])}
    for row in rows:
        i = index.get(row[col["商談ID"]])
        if i is None:
            continue  # a duplicate deleted since: it keeps the cells it was copied with
        completed, expected = deals.at[i, "完了日"], deals.at[i, "受注予定日"]
        if completed is not None and not pd.isna(completed) and completed > PREV_END:
            won = deals.at[i, "フェーズ"] == "受注"
            row[col["確度"]] = _pick(rng, ("A", "B", "C"), (0.75, 0.25, 0.0) if won else (0.1, 0.5, 0.4))
            shift = int(rng.integers(-2, 6)) if won else int(rng.integers(7, 45))
            row[col["受注予定日"]] = _ymd_slash(_previous_business_day(max(PREV_END, completed) + dt.timedelta(shift)))
        elif expected is not None and not pd.isna(expected) and row[col["フェーズ"]] in OPEN_PHASES:
            draw = rng.random()
            if draw < PREV_SLIPPED:
                before = expected - dt.timedelta(days=int(rng.integers(7, 35)))
            elif draw < PREV_SLIPPED + PREV_PULLED_IN:
                before = expected + dt.timedelta(days=int(rng.integers(7, 30)))
            else:
                continue
            row[col["受注予定日"]] = _ymd_slash(_previous_business_day(before))
    return rows


# ---------------------------------------------------------------- leads
@cache
def _lead_day_weight(day: dt.date) -> float:
    """Relative lead volume of a calendar day: web forms fill on weekends too, less so."""
    if _is_year_end_closure(day):
        return 0.3
    if _is_obon(day):
        return 0.5
    if day.weekday() >= 5 or day in HOLIDAYS:
        return 0.35
    return 1.0


def _campaign(rng: np.random.Generator, source: str, day: dt.date) -> str:
    """Campaign name for a lead; trade shows are named by event and year."""
    if source == "Trade Show":
        if day.month in (4, 5):
            return f"Japan IT Week Spring {day.year}"
        if day.month in (10, 11):
            return f"Japan IT Week Autumn {day.year}"
        if day.month in (1, 2):
            return f"DX Expo {day.year}"
        return "Regional Business Expo"
    options = LEAD_CAMPAIGNS[source]
    return options[int(rng.integers(len(options)))]


def _quota_pass(
    rng: np.random.Generator, rates: np.ndarray, eligible: np.ndarray, carry: dict[str, float], stage: str
) -> np.ndarray:
    """Which eligible leads pass a stage: as many as their rates add up to (the rounding remainder is carried
    to the next month), the ones with the best odds plus logistic noise. Keeps monthly funnel rates on target
    while sources keep their different quality."""
    target = float(rates[eligible].sum()) + carry[stage]
    count = min(int(eligible.sum()), max(0, round(target)))
    carry[stage] = target - count
    score = np.log(rates / (1 - rates)) + rng.logistic(size=len(rates))
    score[~eligible] = -np.inf
    passed = np.zeros(len(rates), dtype=bool)
    passed[np.argsort(-score, kind="stable")[:count]] = True
    return passed


def build_leads(rng: np.random.Generator) -> pd.DataFrame:
    """Clean lead table: one row per lead, stage as observed at END, typed values, sorted by creation."""
    rows: list[dict[str, object]] = []
    carry = dict.fromkeys(("mql", "sql", "opportunity", "won", "disqualified"), 0.0)
    for m_index, month_start in enumerate(MONTHS):
        days = _month_days(month_start)
        weights = np.array([_lead_day_weight(d) if d <= END else 0.0 for d in days])
        full = sum(_lead_day_weight(d) for d in days)
        lam = LEADS_PER_MONTH * YEARLY_GROWTH ** (m_index / 12) * LEAD_SEASON[month_start.month]
        count = max(1, round(lam * weights.sum() / full + rng.normal(0.0, 8.0)))
        picks = np.sort(rng.choice(len(days), count, p=weights / weights.sum()))
        seconds = np.sort(rng.integers(8 * 3600, 20 * 3600, count))
        years = _years_since_start(month_start)
        source_w = [
            LEAD_SOURCE_SHARE[s]
            * (1 + PAID_SOCIAL_SHARE_GROWTH * years if s == "Paid Social" else 1)
            * (TRADE_SHOW_MONTH.get(month_start.month, 0.2) if s == "Trade Show" else 1)
            for s in LEAD_SOURCES
        ]
        sources = [_pick(rng, LEAD_SOURCES, source_w) for _ in range(count)]
        quality = np.array([LEAD_SOURCE_QUALITY[s] for s in sources]).reshape(count, 3)
        everyone = np.ones(count, dtype=bool)
        # Furthest stage each lead will ever reach; what of it has happened by END is decided below.
        mql = _quota_pass(rng, quality[:, 0] * (1 + MQL_RATE_PER_YEAR * years), everyone, carry, "mql")
        sql = _quota_pass(rng, quality[:, 1], mql, carry, "sql")
        opportunity = _quota_pass(rng, np.full(count, SQL_TO_OPPORTUNITY), sql, carry, "opportunity")
        won = _quota_pass(rng, quality[:, 2], opportunity, carry, "won")
        disqualified = _quota_pass(rng, np.full(count, NOT_MQL_DISQUALIFIED), ~mql, carry, "disqualified")
        horizons = np.round(15 + 105 * rng.beta(1.6, 2.4, count)).astype(int)
        timing = rng.random(count)
        for i in range(count):
            day = days[int(picks[i])]
            source, horizon, elapsed = sources[i], int(horizons[i]), (END - day).days
            stage, close, amount = "Lead", None, None
            if mql[i]:
                steps = (("MQL", 0.0, 0.25), ("SQL", 0.25, 0.5), ("Opportunity", 0.5, 0.8))
                for name, lo, hi in steps[: 1 + int(sql[i]) + int(opportunity[i])]:
                    if horizon * (lo + (hi - lo) * timing[i]) <= elapsed:
                        stage = name
                if opportunity[i] and horizon <= elapsed:
                    stage = "Closed Won" if won[i] else "Closed Lost"
                    close = day + dt.timedelta(days=horizon)
                    if won[i]:
                        amount = int(round((300_000 + 200_000 * rng.beta(*WON_AMOUNT_BETA)) / 10_000) * 10_000)
            elif disqualified[i] and 1 + 29 * timing[i] <= elapsed:
                stage = "Disqualified"
            industry = _pick(rng, LEAD_INDUSTRIES, INDUSTRY_SHARE)
            company = (
                EN_STEMS[int(rng.integers(len(EN_STEMS)))]
                + " "
                + EN_SUFFIX[industry][int(rng.integers(5))]
                + EN_LEGAL[int(rng.integers(len(EN_LEGAL)))]
            )
            rows.append(
                {
                    "Create Date": dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(seconds[i])),
                    "Lead Source": source,
                    "Campaign": _campaign(rng, source, day),
                    "Company": company,
                    "Industry": industry,
                    "Lead Owner": _pick(rng, LEAD_OWNERS, LEAD_OWNER_SHARE),
                    "Lifecycle Stage": stage,
                    "Close Date": close,
                    "Amount": amount,
                }
            )
    leads = pd.DataFrame(rows)
    leads.insert(0, "Lead ID", range(100_001, 100_001 + len(leads)))
    leads["Amount"] = leads["Amount"].astype("Int64")
    return leads


def lead_text_rows(leads: pd.DataFrame, rng: np.random.Generator) -> list[list[str]]:
    """Lead rows as CSV text: time part in ~30% of Create Dates, blank sources and formatted amounts here and there."""
    with_time = rng.random(len(leads)) < 0.3
    text = []
    for i, row in enumerate(leads[list(LEAD_HEADER)].itertuples(index=False)):
        created = row[1]
        cells = [
            str(row[0]),
            created.strftime("%Y-%m-%d %H:%M:%S") if with_time[i] else created.date().isoformat(),
            *[str(v) for v in row[2:8]],
            "" if row[8] is None or pd.isna(row[8]) else row[8].isoformat(),
            "" if pd.isna(row[9]) else str(row[9]),
        ]
        text.append(cells)
    won = leads.index[leads["Lifecycle Stage"] == "Closed Won"].to_numpy()
    others = leads.index[leads["Lifecycle Stage"] != "Closed Won"].to_numpy()
    for i in rng.choice(others, 15, replace=False):
        text[int(i)][2] = ""
    formatted = rng.choice(won, 8, replace=False)
    for n, i in enumerate(formatted):
        value = int(leads.at[int(i), "Amount"])
        text[int(i)][9] = f"¥{value:,}" if n % 2 == 0 else f"{value:,}"
    return text


def monthly_kpi(leads: pd.DataFrame) -> pd.DataFrame:
    """Monthly marketing KPIs from the clean leads: funnel counts by create month, outcomes by close month."""
    rank = {"Lead": 1, "Disqualified": 1, "MQL": 2, "SQL": 3, "Opportunity": 4, "Closed Won": 4, "Closed Lost": 4}
    reached = leads["Lifecycle Stage"].map(rank)
    created = leads["Create Date"].dt.to_period("M")
    funnel = (
        pd.DataFrame({"リード数": reached >= 1, "MQL数": reached >= 2, "SQL数": reached >= 3, "商談数": reached >= 4})
        .groupby(created)
        .sum()
    )
    closed = leads[leads["Close Date"].notna()]
    close_month = pd.to_datetime(closed["Close Date"]).dt.to_period("M")
    outcomes = (
        pd.DataFrame(
            {
                "受注件数": closed["Lifecycle Stage"] == "Closed Won",
                "失注件数": closed["Lifecycle Stage"] == "Closed Lost",
                "受注金額": closed["Amount"].fillna(0).astype("int64"),
            }
        )
        .groupby(close_month)
        .sum()
    )
    months = pd.PeriodIndex([pd.Period(m, "M") for m in MONTHS])
    table = funnel.join(outcomes, how="outer").reindex(months).fillna(0).astype("int64")
    table.index.name = "月"
    return table


# ---------------------------------------------------------------- summaries
def deal_summary(deals: pd.DataFrame) -> pd.DataFrame:
    """Yearly sales figures from the clean deals: deals created, won/lost by close date, revenue, unit price."""
    created_fy = deals["作成日"].map(fiscal_year)
    closed = deals[deals["完了日"].notna()]
    closed_fy = closed["完了日"].map(fiscal_year)
    won = closed["フェーズ"] == "受注"
    table = pd.DataFrame(
        {
            "deals": created_fy.value_counts(),
            "won": won.groupby(closed_fy).sum(),
            "lost": (~won).groupby(closed_fy).sum(),
            "revenue": closed["金額"].where(won, 0).fillna(0).groupby(closed_fy).sum(),
        }
    ).sort_index()
    table["win_rate"] = table["won"] / (table["won"] + table["lost"])
    table["avg_unit_price"] = table["revenue"] / table["won"]
    table["open_at_end"] = [int((deals["完了日"].isna() & (created_fy == fy)).sum()) for fy in table.index]
    return table


def lead_summary(kpi: pd.DataFrame) -> pd.DataFrame:
    """Yearly marketing figures (create-month funnel, close-month outcomes) from the monthly KPI table."""
    table = kpi.groupby([fiscal_year(p.start_time.date()) for p in kpi.index]).sum()
    table["mql_rate"] = table["MQL数"] / table["リード数"]
    table["sql_rate"] = table["SQL数"] / table["リード数"]
    return table


def summary_markdown(deals: pd.DataFrame, kpi: pd.DataFrame) -> str:
    """The yearly figures as Markdown tables (printed by the generator, pasted into README.md)."""
    label = {2024: "FY2024 (2024/04–2025/03)", 2025: "FY2025 (2025/04–2026/03)", 2026: "FY2026 to 2026/11/24"}
    s = deal_summary(deals)
    lines = [
        "| 年度 | 商談数 (作成) | 受注 | 失注 | 受注率 | 受注金額 (円) | 平均受注単価 (円) | 進行中 (2026/11/24) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fy, r in s.iterrows():
        lines.append(
            f"| {label[fy]} | {r['deals']:,} | {r['won']:,} | {r['lost']:,} | {r['win_rate']:.1%} "
            f"| {int(r['revenue']):,} | {round(r['avg_unit_price']):,} | {r['open_at_end']:,} |"
        )
    m = lead_summary(kpi)
    lines += [
        "",
        "| Fiscal year | Leads | MQL (% of leads) | SQL (% of leads) | Opportunity | Closed Won | Closed Lost "
        "| Won revenue (JPY) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fy, r in m.iterrows():
        lines.append(
            f"| {label[fy]} | {int(r['リード数']):,} | {int(r['MQL数']):,} ({r['mql_rate']:.1%}) "
            f"| {int(r['SQL数']):,} ({r['sql_rate']:.1%}) | {int(r['商談数']):,} | {int(r['受注件数']):,} "
            f"| {int(r['失注件数']):,} | {int(r['受注金額']):,} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- writers
def write_csv(path: Path, header: Sequence[str], rows: list[list[str]], *, bom: bool, newline: str) -> None:
    """Write a CSV the way the source tool would (Excel: BOM + CRLF; MA export: plain UTF-8 + LF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))


FIXED_STAMP = dt.datetime(2026, 11, 24, 9, 0, 0)


def write_kpi_workbook(path: Path, kpi: pd.DataFrame) -> None:
    """The marketing manager's monthly KPI sheet plus a notes sheet, saved reproducibly."""
    wb = Workbook()
    ws = wb.active
    ws.title = "月次KPI"
    ws["A1"] = KPI_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "単位: 件 / 円"
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(KPI_HEADER, start=1):
        cell = ws.cell(row=4, column=c, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for r, (period, values) in enumerate(kpi.iterrows(), start=5):
        month_cell = ws.cell(row=r, column=1, value=dt.datetime(period.year, period.month, 1))
        month_cell.number_format = 'yyyy"年"m"月"'
        for c, name in enumerate(KPI_HEADER[1:], start=2):
            cell = ws.cell(row=r, column=c, value=int(values[name]))
            cell.number_format = "#,##0" if name == "受注金額" else "0"
    ws.column_dimensions["A"].width = 12
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 10
    ws.column_dimensions["H"].width = 14
    ws.freeze_panes = "B5"
    notes = wb.create_sheet("メモ")
    for r, line in enumerate(
        (
            "このシートは MA ツールのリード一覧（marketing_leads_en.csv）を月ごとに集計したものです。",
            "リード数・MQL数・SQL数・商談数: リード作成日の月で集計。到達した一番先のステージまで数える"
            "（SQLのリードはリード・MQL・SQLに1件ずつ）。",
            "Disqualified はリード数のみ、Closed Won / Closed Lost は商談まで到達として数える。",
            "受注件数・失注件数・受注金額: クローズ日の月で集計。",
            "KPI目標（月）: リード 400件、MQL 160件（40%）、SQL 80件（20%）、受注 20件（SQLの25%）。",
            "2026年11月は11月24日時点の途中経過。",
        ),
        start=1,
    ):
        notes.cell(row=r, column=1, value=line)
    wb.properties.creator = "KPI Pivot sample data generator"
    wb.properties.created = FIXED_STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """Re-pack an .xlsx with fixed entry timestamps and a fixed modified date, so reruns are byte-identical."""
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps dcterms:modified with the current time on save.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def generate(out_dir: Path) -> dict[str, object]:
    """Write the data files (the deal file also as exported a week earlier) into out_dir; return the bad rows and
    the summary Markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    deals_rng, deal_mess_rng, leads_rng, lead_mess_rng = np.random.default_rng(SEED).spawn(4)
    deals = add_yomi(build_deals(deals_rng), np.random.default_rng(YOMI_SEED))
    leads = build_leads(leads_rng)
    kpi = monthly_kpi(leads)
    summary = summary_markdown(deals, kpi)  # from clean values, before the messy cells
    deal_rows, bad_rows = deal_text_rows(deals, deal_mess_rng)
    write_csv(out_dir / DEALS_FILE, DEAL_HEADER, deal_rows, bom=True, newline="\r\n")
    prev_rows = previous_deal_rows(deals, deal_rows, np.random.default_rng(PREV_SEED))
    prev_rows = previous_yomi(deals, prev_rows, np.random.default_rng(PREV_YOMI_SEED))
    write_csv(out_dir / PREV_DEALS_FILE, DEAL_HEADER, prev_rows, bom=True, newline="\r\n")
    write_csv(out_dir / LEADS_FILE, LEAD_HEADER, lead_text_rows(leads, lead_mess_rng), bom=False, newline="\n")
    write_kpi_workbook(out_dir / KPI_FILE, kpi)
    write_csv(out_dir / TEAMS_FILE, TEAM_HEADER, [[rep, TEAMS[rep]] for rep in REPS], bom=True, newline="\r\n")
    return {"bad_rows": bad_rows, "summary": summary, "deals": len(deals), "leads": len(leads)}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: python sample_data/generate.py [--out DIR]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder")
    args = parser.parse_args(argv)
    result = generate(args.out)
    print(f"wrote {result['deals']} deals, {result['leads']} leads to {args.out}")
    print("rows no parser can read (header = row 1):")
    for bad in result["bad_rows"]:
        print(
            f"  row {bad['row']} {bad['商談ID']}: {bad['column']} = {bad['value']!r} "
            f"({bad['note']}; clean: {bad['clean']})"
        )
    print()
    print(result["summary"])


if __name__ == "__main__":
    main()
