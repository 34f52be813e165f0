"""The week on one page: the KGI and its forecast, the off-track KPIs (and the reps furthest behind their own
target: their quota where the goal file sets quotas, else an even share of the team target), the report's next move,
what changed since last week's export, and the deals to look at.

Built from the one report (kpi_core.report) and, given last week's export, the comparison (kpi_core.changes);
rendered as JSON (as_dict), Markdown (to_markdown) and a printable one-page HTML (to_html). Every sentence comes
from kpi_core.messages ("digest.*"), every number from kpi_core.format; user text (names, ids) is escaped for the
format it is written in.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kpi_core.changes import Changes, compare_snapshots
from kpi_core.format import fmt_count, fmt_date, fmt_money_compact, fmt_pct, fmt_signed, fmt_value
from kpi_core.goals import QUOTA_KGI, Goals, kpi_breakdown, owner_key
from kpi_core.intake.load import Dataset
from kpi_core.messages import render
from kpi_core.quotas import owner_teams
from kpi_core.report import Figure, Report, advice_lines, build_report, figure_unit

OWNERS_SHOWN = 3  # reps listed under an off-track KPI
DEALS_SHOWN = 5  # deals to look at
# Changes of a deal that still stands open and needs a look, worst first.
LOOK_KINDS = ("slipped", "back", "amount_down")
SUMMARY_KINDS = ("new", "won", "lost", "forward", "back", "amount_up", "amount_down", "slipped", "pulled_in", "removed")
_MARKDOWN_SPECIAL = re.compile(r"([!-.:-@\[-`{-~])")  # every ASCII punctuation but the slash (as ui/format.py)
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def escape_markdown(text: object) -> str:
    """User text made inert in Markdown: no link, image, HTML, emphasis, heading or line break."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


@dataclass(frozen=True)
class OwnerGap:
    """One rep behind on an off-track goal: actual and expected so far against their own target (their quota, or
    an even share of the team target: the goal's `basis`), and their team when one is known."""

    owner: str
    actual: float | None
    expected: float | None
    gap: float | None
    attainment: float | None
    team: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("owner", "team", "actual", "expected", "gap", "attainment")}


@dataclass(frozen=True)
class OffTrack:
    """A KPI whose current period is off track (the report plan's status)."""

    id: str
    name: str
    unit: str
    actual: float | None
    expected: float | None
    attainment: float | None
    owners: tuple[OwnerGap, ...] = ()
    basis: str = "even_split"  # what the reps are measured against: "quota" or "even_split"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "unit": self.unit, "actual": self.actual, "expected": self.expected,
            "attainment": self.attainment, "basis": self.basis, "owners": [o.as_dict() for o in self.owners],
        }  # fmt: skip


@dataclass(frozen=True)
class DealToLook:
    """An open deal that moved the wrong way since last week (slipped, stage back, amount down)."""

    id: str
    change: str
    amount: float | None
    owner: str | None
    account: str | None
    days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "change", "amount", "owner", "account", "days")}


@dataclass
class Digest:
    """The week on one page (see the module). `status` is the KGI's to-date status in the report's plan
    (on_track / at_risk / off_track / no_data)."""

    lang: str
    as_of: dt.date
    kgi_name: str
    currency: str | None
    status: str
    report: Report
    off_track: list[OffTrack]
    changes: Changes | None = None
    since: str | None = None
    deals: list[DealToLook] = field(default_factory=list)
    # Whether the sentence for "nothing compared" names the command's --since option (the app says it plainly).
    since_hint: bool = True
    # The reps furthest behind their KGI quota, when the goal file sets KGI quotas and the KGI is not on track.
    kgi_owners: tuple[OwnerGap, ...] = ()
    kgi_unit: str = "currency"

    @property
    def kgi_off_track(self) -> bool:
        """Whether the KGI is off track: its forecast falls short of the target, or its to-date status is
        off_track (what `digest` exits with status 3 on)."""
        gap = self.kgi.get("gap")
        return self.status == "off_track" or (gap is not None and gap.value is not None and gap.value < 0)

    @property
    def kgi(self) -> dict[str, Figure]:
        f = self.report.figures
        keys = ("forecast", "target", "gap", "low", "high", "probability")
        return {key: f[f"kgi.{key}"] for key in keys if f"kgi.{key}" in f}

    def summary(self) -> dict[str, dict[str, Any]] | None:
        return None if self.changes is None else {k: dict(self.changes.summary[k]) for k in SUMMARY_KINDS}

    # --- JSON ------------------------------------------------------------------------------------------------
    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        advice = self.report.advice
        best = advice.best
        return {
            "as_of": self.as_of.isoformat(),
            "lang": lang,
            "currency": self.currency,
            "kgi": {
                "name": self.kgi_name,
                "status": self.status,
                "off_track": self.kgi_off_track,
                **{key: figure.value for key, figure in self.kgi.items()},
                "period": (self.kgi.get("forecast") or Figure("", None, "", "")).period,
                "owners": [o.as_dict() for o in self.kgi_owners],
            },
            "off_track": [item.as_dict() for item in self.off_track],
            "advice": {
                "code": advice.code,
                "lever": None if best is None else best.lever,
                "text": advice_lines(self.report, lang, currency=self.currency),
            },
            "since": self.since,
            "changes": self.summary(),
            "deals": [deal.as_dict() for deal in self.deals],
            "text": self.lines(lang),
        }

    # --- words -----------------------------------------------------------------------------------------------
    def sections(self, lang: str | None = None, value: Callable[[str], str] = str) -> list[tuple[str, list[str]]]:
        """(heading, lines) in `lang`; `value` escapes each user value (names, ids) for the output format."""
        lang = lang or self.lang
        cur = self.currency
        say = lambda key, **params: render(key, lang, **params)  # noqa: E731

        def text(key: str) -> str:
            figure = self.kgi.get(key)
            return figure.text(lang, currency=cur) if figure is not None else fmt_value(None, "count", lang)

        kgi_lines = [
            say("digest.kgi", name=value(self.kgi_name), forecast=text("forecast"), target=text("target"),
                gap=text("gap"), low=text("low"), high=text("high"), chance=text("probability")),
            say("digest.kgi_status", status=say(f"digest.status.{self.status}")),
            say("digest.kgi_off_track" if self.kgi_off_track else "digest.kgi_on_track"),
        ]  # fmt: skip
        if self.kgi_owners:
            owners = self._owner_list(self.kgi_owners, self.kgi_unit, lang, value)
            kgi_lines.append(say("digest.kgi_owners_quota", owners=owners))
        kpi_lines: list[str] = []
        for item in self.off_track:
            kpi_lines.append(
                say("digest.kpi", name=value(item.name), actual=fmt_value(item.actual, item.unit, lang, currency=cur),
                    expected=fmt_value(item.expected, item.unit, lang, currency=cur, required=True),
                    attainment=fmt_pct(item.attainment, lang))
            )  # fmt: skip
            if item.owners:
                owners = self._owner_list(item.owners, item.unit, lang, value)
                kpi_lines.append(say("digest.owners_quota" if item.basis == "quota" else "digest.owners",
                                     owners=owners))  # fmt: skip
        if not kpi_lines:
            kpi_lines.append(say("digest.no_off_track"))
        next_lines = advice_lines(self.report, lang, currency=cur)[:1]
        out = [
            (say("digest.section.kgi"), kgi_lines),
            (say("digest.section.off_track"), kpi_lines),
            (say("digest.section.next"), next_lines),
        ]
        if self.changes is None:
            no_since = "digest.no_since" if self.since_hint else "digest.no_since_plain"
            out.append((say("digest.section.changes"), [say(no_since)]))
            return out
        change_lines = [say("digest.since", old=value(self.since or "-"))]
        for kind, entry in (self.summary() or {}).items():
            if not entry["count"]:
                continue
            params = {"kind": say(f"changes.kind.{kind}"), "count": fmt_count(entry["count"], lang)}
            if entry.get("amount") is None:
                change_lines.append(say("digest.change_no_amount", **params))
            else:
                change_lines.append(
                    say("digest.change", amount=fmt_money_compact(entry["amount"], lang, cur), **params)
                )
        if len(change_lines) == 1:
            change_lines.append(say("digest.no_changes"))
        out.append((say("digest.section.changes"), change_lines))
        deal_lines = [
            say("digest.deal", id=value(deal.id), owner=value(deal.owner or "-"),
                kind=say(f"changes.kind.{deal.change}"), amount=fmt_money_compact(deal.amount, lang, cur))
            for deal in self.deals
        ] or [say("digest.no_deals")]  # fmt: skip
        out.append((say("digest.section.deals"), deal_lines))
        return out

    def _owner_list(self, owners: tuple[OwnerGap, ...], unit: str, lang: str, value: Callable[[str], str]) -> str:
        """ "佐藤 健（第1営業課） 62.0%（−3）、…": each rep (and team), attainment and gap to date."""
        items = []
        for o in owners:
            name = value(o.owner)
            if o.team:
                name = render("digest.owner_team", lang, owner=name, team=value(o.team))
            gap = fmt_signed(o.gap, unit, lang, currency=self.currency)
            items.append(render("digest.owner_item", lang, owner=name, attainment=fmt_pct(o.attainment, lang), gap=gap))
        return ("、" if lang == "ja" else ", ").join(items)

    def title(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        return render("digest.title", lang, date=fmt_date(self.as_of, lang))

    def lines(self, lang: str | None = None) -> list[str]:
        """The digest as plain lines (headings and facts), unescaped."""
        out = [self.title(lang)]
        for heading, facts in self.sections(lang):
            out += [heading, *facts]
        return out

    def to_markdown(self, lang: str | None = None) -> str:
        """Markdown (Slack, Teams, a wiki): the sentences as they are, each user value escaped."""
        parts = [f"# {self.title(lang)}", ""]
        for heading, facts in self.sections(lang, escape_markdown):
            parts += [f"## {heading}", "", *[f"- {fact}" for fact in facts], ""]
        return "\n".join(parts)

    def to_html(self, lang: str | None = None) -> str:
        """A self-contained printable page (one A4 sheet); every piece of text escaped."""
        lang = lang or self.lang
        e = html.escape
        body = "".join(
            f"<h2>{e(heading)}</h2><ul>{''.join(f'<li>{e(fact)}</li>' for fact in facts)}</ul>"
            for heading, facts in self.sections(lang)
        )
        title = e(self.title(lang))
        return (
            f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{DIGEST_CSS}</style></head><body><h1>{title}</h1>{body}</body></html>\n"
        )


DIGEST_CSS = (
    "@page{size:A4;margin:14mm}body{font-family:'Hiragino Sans','Noto Sans CJK JP',sans-serif;color:#1B2430;"
    "max-width:180mm;margin:0 auto}h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:14px 0 4px}"
    "li{margin:4px 0;line-height:1.5}"
)


def _owners(
    goals: Goals, dataset: Dataset, kpi_id: str, as_of: dt.date, calendar: str, team_of: Mapping[str, str]
) -> tuple[OwnerGap, ...]:
    """The reps furthest behind their own target of a goal (kpi_core.goals.kpi_breakdown: their quota when the
    goal file sets quotas for it, reps without one left out; else an even share of the team target), lowest
    attainment first, when the data has owners. Attainment, not the gap: with quotas the gaps of a big and a small
    quota do not compare."""
    if dataset.shape != "records" or "owner" not in dataset.mapping:
        return ()
    rows = kpi_breakdown(goals, dataset, kpi_id, role="owner", as_of=as_of, calendar=calendar)
    behind = [r for r in rows if r["key"] is not None and r["attainment"] is not None and r["attainment"] < 1]
    behind.sort(key=lambda r: (r["attainment"], str(r["key"])))
    return tuple(
        OwnerGap(str(r["key"]), r["actual"], r["expected"], r["gap"], r["attainment"],
                 team_of.get(owner_key(str(r["key"]))))
        for r in behind[:OWNERS_SHOWN]
    )  # fmt: skip


def deals_to_look_at(changes: Changes, limit: int = DEALS_SHOWN) -> list[DealToLook]:
    """The largest open deals that slipped, moved back a stage or lost amount since last week."""
    found: dict[str, DealToLook] = {}
    for change in changes.deals:
        if change.change not in LOOK_KINDS or change.after is None or not change.after.is_open:
            continue
        if change.id in found:
            continue
        found[change.id] = DealToLook(
            change.id, change.change, change.after.amount, change.after.owner, change.after.account, change.days
        )
    ranked = sorted(found.values(), key=lambda d: (-(d.amount or 0.0), LOOK_KINDS.index(d.change), d.id))
    return ranked[:limit]


def build_digest(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    *,
    calendar: str = "jp",
    since: Dataset | None = None,
    lang: str = "en",
    report: Report | None = None,
    changes: Changes | None = None,
    since_hint: bool = True,
    teams: Mapping[str, str] | None = None,
) -> Digest:
    """The digest of `dataset` against `goals` at `as_of`; `since` is last week's export of the same deals (what
    changed); `report` and `changes` (compare_snapshots(since, dataset)) reuse what was already computed for the
    same inputs; `since_hint` as Digest.since_hint; `teams` (owner → team, kpi_core.quotas.read_teams) names each
    listed rep's team, after the goal file's own."""
    report = report or build_report(goals, dataset, as_of, calendar=calendar)
    rows = {str(row["id"]): row for row in report.plan.gaps}
    kgi_row = rows.get("kgi") or {}
    team_of = owner_teams(goals, teams)
    off_track = []
    for kpi in goals.kpis:
        row = rows.get(kpi.id)
        if row is None or row.get("status") != "off_track":
            continue
        quotas = bool(goals.quotas_for(kpi.id))
        # A rate's even share is the team rate itself: every rep below it would be listed, so only a rate's quotas.
        listed = quotas or figure_unit(kpi.metric) != "ratio"
        owners = _owners(goals, dataset, kpi.id, as_of, calendar, team_of) if listed else ()
        off_track.append(
            OffTrack(kpi.id, str(row.get("name") or kpi.id), figure_unit(kpi.metric), row.get("actual"),
                     row.get("expected"), row.get("attainment"), owners, "quota" if quotas else "even_split")
        )  # fmt: skip
    if since is None:
        changes = None
    elif changes is None:
        changes = compare_snapshots(since, dataset)
    digest = Digest(
        lang=lang,
        as_of=as_of,
        kgi_name=goals.kgi.name,
        currency=goals.currency or dataset.currency,
        status=str(kgi_row.get("status") or "no_data"),
        report=report,
        off_track=off_track,
        changes=changes,
        since=None if since is None else ", ".join(str(f["name"]) for f in since.files[:1]) or None,
        deals=[] if changes is None else deals_to_look_at(changes),
        since_hint=since_hint,
        kgi_unit=figure_unit(goals.kgi.metric),
    )
    # The KGI's own quotas ("kgi", unless a KPI has that id: then they are that KPI's) once the KGI is behind.
    kgi_quotas = goals.quotas_for(QUOTA_KGI) and all(k.id != QUOTA_KGI for k in goals.kpis)
    if kgi_quotas and (digest.kgi_off_track or digest.status in ("at_risk", "off_track")):
        digest.kgi_owners = _owners(goals, dataset, QUOTA_KGI, as_of, calendar, team_of)
    return digest
