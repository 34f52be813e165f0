"""Quotas by rep and team: each owner's actual, target, attainment and period-end forecast per KPI, with the teams.

For each KPI (and the KGI when the goal file gives it quotas, id "kgi"), over the KPI's current period at the
as-of date:

- ``owners``: every rep active in the period (kpi_core.goals.kpi_breakdown) and every rep with a quota, each with
  the target (their quota; without quotas the even split of a volume's team target, or a rate's team target),
  the target pro-rated by business days (``expected``), the actual so far, attainment = actual ÷ expected (the
  inverse when lower is better, as kpi_gaps) and its status, and the engine's forecast (kpi_core.pacing) made on
  the rep's own records: value, 80 % range and the chance of reaching their target. Ranked by attainment.
- ``teams``: the same for each team (from the quotas' ``team`` or a team file: owner → team), forecast on the
  team's records; a volume's team target is the sum of its members' targets, a rate's the KPI's target.
- ``team_target``, ``quota_sum`` and ``difference`` (quota_sum − team_target) for a volume: the goal file's team
  figure may be the sum of the quotas or set on its own.

The view's filters do not apply: a quota is a rep's number for the whole period. A monthly sheet has no owners.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpi_core.asof import check_as_of
from kpi_core.business_days import DEFAULT_CALENDAR, business_days, period_bounds, period_label
from kpi_core.goals import (
    QUOTA_KGI,
    Goals,
    attainment_of,
    goal_kpi,
    kpi_breakdown,
    owner_key,
    status_of,
    time_degree,
)
from kpi_core.intake.load import Dataset
from kpi_core.intake.roles import header_key, roles_from_header
from kpi_core.messages import Sentence, render
from kpi_core.metrics import Filters
from kpi_core.pacing import Forecast, Pacer
from kpi_core.sql import distinct_present_values, execute

BASES = ("quota", "even_split", "team_target")
# Team-file headers for the team column (compared after header_key), best first: a column named as a team, else the
# reps' manager (a CRM roster's "manager": the manager's reps are a team), else their office or region. The owner
# column is found as the intake finds an owner (担当者, 営業担当, Owner, Sales Rep, sales_agent, ...).
TEAM_HEADER_TIERS: tuple[frozenset[str], ...] = tuple(
    frozenset(header_key(h) for h in names)
    for names in (
        ("team", "team name", "sales team", "group", "squad", "チーム", "チーム名", "営業チーム", "グループ", "課",
         "部署", "所属", "所属チーム"),
        ("manager", "sales manager", "team lead", "team leader", "マネージャー", "上長", "リーダー", "課長"),
        ("regional office", "office", "region", "branch", "支店", "営業所", "拠点", "地域", "エリア"),
    )
)  # fmt: skip
MAX_TEAM_FILE_BYTES = 1024 * 1024
MAX_TEAM_ROWS = 5_000


class TeamsError(ValueError):
    """A team file that cannot be used: one sentence (``code`` in kpi_core.messages)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = Sentence(lambda lang: render(code, lang, **params))
        super().__init__(str(self.message))


def read_teams(data: bytes | Path, name: str = "teams.csv") -> dict[str, str]:
    """owner → team from a two-column file (CSV in UTF-8 / UTF-8 with BOM / Shift_JIS, or .xlsx): the owner column
    named as the intake names an owner (担当者, Owner, ...), the team column チーム / Team / 課 / 部署 ..., else the
    reps' manager, else their office or region (a CRM roster such as Maven's sales_teams.csv); extra
    columns are ignored, blank rows skipped. TeamsError for an unreadable file, missing columns, an owner in two
    teams or no row."""
    raw = data.read_bytes() if isinstance(data, Path) else bytes(data)
    if len(raw) > MAX_TEAM_FILE_BYTES:
        raise TeamsError("teams.unreadable", file=name)
    rows = _xlsx_rows(raw, name) if raw[:2] == b"PK" else _csv_rows(raw, name)
    if not rows:
        raise TeamsError("teams.empty", file=name)
    header = [str(c or "").strip() for c in rows[0]]
    owner_col = next((i for i, h in enumerate(header) if "owner" in roles_from_header(h)), None)
    team_col = next(
        (i for tier in TEAM_HEADER_TIERS for i, h in enumerate(header) if header_key(h) in tier and i != owner_col),
        None,
    )
    if owner_col is None or team_col is None:
        raise TeamsError("teams.no_columns", file=name, headers=", ".join(h for h in header if h)[:200] or "-")
    teams: dict[str, str] = {}
    shown: dict[str, str] = {}
    for row in rows[1 : MAX_TEAM_ROWS + 1]:
        owner, team = (" ".join(str(row[i]).split()) if i < len(row) else "" for i in (owner_col, team_col))
        if not owner or not team:
            continue
        key = owner_key(owner)
        if key in teams and teams[key] != team:
            raise TeamsError("teams.conflict", file=name, owner=owner, team=teams[key], other=team)
        teams[key], shown[key] = team, owner
    if not teams:
        raise TeamsError("teams.empty", file=name)
    return {shown[key]: team for key, team in teams.items()}


def _csv_rows(raw: bytes, name: str) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        except csv.Error:
            break
    raise TeamsError("teams.unreadable", file=name)


def _xlsx_rows(raw: bytes, name: str) -> list[list[str]]:
    import openpyxl  # only for an Excel team file

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in sheet.iter_rows(max_row=MAX_TEAM_ROWS + 1, max_col=20, values_only=True)
        ]
        book.close()
    except Exception as exc:  # a damaged or disguised file: one sentence, never a traceback
        raise TeamsError("teams.unreadable", file=name) from exc
    return [row for row in rows if any(cell.strip() for cell in row)]


# --- the figures ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuotaForecast:
    """A period-end forecast as the quota view shows it."""

    value: float | None
    low: float | None
    high: float | None
    probability_on_target: float | None

    @classmethod
    def of(cls, forecast: Forecast | None) -> QuotaForecast:
        if forecast is None:
            return cls(None, None, None, None)
        return cls(_finite(forecast.value), _finite(forecast.low), _finite(forecast.high),
                   _finite(forecast.probability_on_target))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "low": self.low, "high": self.high,
                "probability_on_target": self.probability_on_target}  # fmt: skip


@dataclass(frozen=True)
class OwnerFigures:
    """One rep (or one team) on one KPI."""

    owner: str
    team: str | None
    target: float | None
    expected: float | None
    actual: float | None
    attainment: float | None
    status: str
    forecast: QuotaForecast
    basis: str  # quota / no_quota / even_split / team_target
    in_data: bool = True  # False: a quota for a name the data never shows (a typo, or a rep with no records)
    members: tuple[str, ...] = ()  # a team's reps

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner, "team": self.team, "target": self.target, "expected": self.expected,
            "actual": self.actual, "attainment": self.attainment, "status": self.status,
            "forecast": self.forecast.as_dict(), "basis": self.basis, "in_data": self.in_data,
        }  # fmt: skip


@dataclass(frozen=True)
class KpiQuotas:
    """One KPI's reps and teams for its current period."""

    kpi: str
    name: str
    metric: str
    per: str
    period: str
    better: str
    volume: bool  # a volume (quotas add up), else a rate
    basis: str  # quota / even_split / team_target
    team_target: float
    quota_sum: float | None  # volumes with quotas: the sum of the quotas
    difference: float | None  # quota_sum − team_target
    owners: tuple[OwnerFigures, ...]  # ranked
    teams: tuple[OwnerFigures, ...] = field(default_factory=tuple)  # ranked; empty without teams

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi, "name": self.name, "metric": self.metric, "per": self.per, "period": self.period,
            "better": self.better, "volume": self.volume, "basis": self.basis, "team_target": self.team_target,
            "quota_sum": self.quota_sum, "difference": self.difference,
            "owners": [o.as_dict() for o in self.owners],
            "teams": [{**t.as_dict(), "members": list(t.members)} for t in self.teams],
        }  # fmt: skip


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def quota_kpis(goals: Goals) -> list[str]:
    """The KPI ids the quota view covers, in goal-file order: every KPI, then the KGI when it has quotas."""
    ids = [k.id for k in goals.kpis]
    if goals.quotas_for(QUOTA_KGI) and QUOTA_KGI not in ids:
        ids.append(QUOTA_KGI)
    return ids


def owner_teams(goals: Goals, teams: Mapping[str, str] | None = None) -> dict[str, str]:
    """owner key → team: the goal file's `team` of a quota first, then the team file's."""
    found = {owner_key(o): t for o, t in (teams or {}).items() if t}
    found.update({owner_key(o): t for o, t in goals.teams().items()})
    return found


class _Forecasts:
    """Pacers per set of owners, reused across KPIs (each reads its daily sums once)."""

    def __init__(self, dataset: Dataset, calendar: str, fiscal_start: int) -> None:
        self.dataset, self.calendar, self.fiscal_start = dataset, calendar, fiscal_start
        self._pacers: dict[tuple[str, ...], Pacer] = {}

    def pacer(self, owners: tuple[str, ...]) -> Pacer:
        if owners not in self._pacers:
            self._pacers[owners] = Pacer(
                self.dataset, calendar=self.calendar, fiscal_start=self.fiscal_start,
                filters=Filters(roles={"owner": list(owners)}),
            )  # fmt: skip
        return self._pacers[owners]


def quota_report(
    goals: Goals,
    dataset: Dataset,
    *,
    as_of: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
    teams: Mapping[str, str] | None = None,
    kpi_ids: list[str] | None = None,
) -> list[KpiQuotas]:
    """Each KPI's reps and teams (see the module docstring); [] when the data has no owner column or is a sheet.
    `teams`: owner → team from a team file (kpi_core.quotas.read_teams); `kpi_ids`: only these KPIs."""
    if dataset.shape != "records" or "owner" not in dataset.mapping:
        return []
    as_of = check_as_of(as_of or dt.date.today())
    team_of = owner_teams(goals, teams)
    in_data = _data_owners(dataset)
    forecasts = _Forecasts(dataset, calendar, goals.fiscal_year_start)
    return [
        _kpi_quotas(goals, dataset, kpi_id, as_of, calendar, team_of, in_data, forecasts)
        for kpi_id in (kpi_ids if kpi_ids is not None else quota_kpis(goals))
    ]


def by_owner(
    goals: Goals,
    dataset: Dataset,
    *,
    as_of: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
    teams: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """What `plan --json` adds to each KPI (and to the KGI when it has quotas), by id: ``by_owner`` [{owner, team,
    target, expected, actual, attainment, status, basis, in_data, forecast {value, low, high,
    probability_on_target}}], ranked. Empty lists when the data has no owners."""
    found = {item.kpi: [o.as_dict() for o in item.owners] for item in
             quota_report(goals, dataset, as_of=as_of, calendar=calendar, teams=teams)}  # fmt: skip
    return {kpi_id: found.get(kpi_id, []) for kpi_id in [QUOTA_KGI, *(k.id for k in goals.kpis)]}


def _data_owners(dataset: Dataset) -> dict[str, str]:
    """owner key → the name as the data writes it (every owner of the data, any date)."""
    rows = execute(dataset.cursor(), distinct_present_values(dataset.table, "owner")).fetchall()
    names = sorted(str(row[0]) for row in rows)
    return {owner_key(name): name for name in names}


def _kpi_quotas(
    goals: Goals,
    dataset: Dataset,
    kpi_id: str,
    as_of: dt.date,
    calendar: str,
    team_of: dict[str, str],
    in_data: dict[str, str],
    forecasts: _Forecasts,
) -> KpiQuotas:
    kpi = goal_kpi(goals, kpi_id)
    volume = time_degree(kpi.metric) == 1
    quotas = goals.quotas_for(kpi_id)
    rows = [r for r in kpi_breakdown(goals, dataset, kpi_id, role="owner", as_of=as_of, calendar=calendar)
            if r["key"] is not None]  # fmt: skip
    start, end = period_bounds(as_of, kpi.per, goals.fiscal_year_start)
    total = business_days(start, end, calendar)
    fraction = business_days(start, min(end, as_of), calendar) / total if total else 1.0
    listed = {owner_key(r["key"]) for r in rows}
    for quota in quotas:  # a rep with a quota and no record in the period still has a number to reach
        key = owner_key(quota.owner)
        if key in listed:
            continue
        listed.add(key)
        expected = quota.target * fraction if volume else quota.target
        rows.append({"key": in_data.get(key, quota.owner), "actual": 0.0 if volume and key in in_data else None,
                     "target": quota.target, "expected": expected, "target_basis": "quota"})  # fmt: skip
    owners = []
    for row in rows:
        name = str(row["key"])
        key = owner_key(name)
        present = key in in_data
        forecast = forecasts.pacer((in_data[key],)).forecast(
            kpi.metric, target=row["target"], per=kpi.per, as_of=as_of, better=kpi.better
        ) if present else None  # fmt: skip
        owners.append(_figures(name, team_of.get(key), row["target"], row["expected"], row["actual"], kpi.better,
                               forecast, row["target_basis"], present))  # fmt: skip
    teams = _teams(owners, kpi, volume, as_of, forecasts, in_data)
    quota_sum = math.fsum(q.target for q in quotas) if quotas and volume else None
    return KpiQuotas(
        kpi=kpi.id, name=kpi.name, metric=kpi.metric, per=kpi.per,
        period=period_label(start, kpi.per, goals.fiscal_year_start), better=kpi.better, volume=volume,
        basis="quota" if quotas else ("even_split" if volume else "team_target"), team_target=kpi.target,
        quota_sum=quota_sum, difference=None if quota_sum is None else quota_sum - kpi.target,
        owners=tuple(_ranked(owners)), teams=tuple(_ranked(teams)),
    )  # fmt: skip


def _figures(
    owner: str,
    team: str | None,
    target: float | None,
    expected: float | None,
    actual: float | None,
    better: str,
    forecast: Forecast | None,
    basis: str,
    in_data: bool,
    members: tuple[str, ...] = (),
) -> OwnerFigures:
    attainment = attainment_of(actual, expected, better)
    status = "on_track" if attainment is not None and math.isinf(attainment) else status_of(attainment)
    return OwnerFigures(
        owner=owner, team=team, target=target, expected=expected, actual=actual,
        attainment=None if attainment is None or math.isinf(attainment) else attainment, status=status,
        forecast=QuotaForecast.of(forecast), basis=basis, in_data=in_data, members=members,
    )  # fmt: skip


def _teams(
    owners: list[OwnerFigures],
    kpi: Any,
    volume: bool,
    as_of: dt.date,
    forecasts: _Forecasts,
    in_data: dict[str, str],
) -> list[OwnerFigures]:
    """One row per team of the listed reps (none when no rep has a team): a volume's target is the sum of its
    members' targets, a rate's the KPI's; the actual and the forecast are the team's own records."""
    members: dict[str, list[OwnerFigures]] = {}
    for owner in owners:
        if owner.team:
            members.setdefault(owner.team, []).append(owner)
    out = []
    for team, reps in members.items():
        names = tuple(sorted(in_data[owner_key(r.owner)] for r in reps if r.in_data))
        targets = [r.target for r in reps if r.target is not None]
        target = (math.fsum(targets) if targets else None) if volume else kpi.target
        pacer = forecasts.pacer(names) if names else None
        forecast = (
            pacer.forecast(kpi.metric, target=target, per=kpi.per, as_of=as_of, better=kpi.better) if pacer else None
        )
        actual = forecast.actual if forecast is not None else None
        if volume:
            fraction = forecast.business_days_elapsed / forecast.business_days_total if forecast and \
                forecast.business_days_total else 1.0  # fmt: skip
            expected = None if target is None else target * fraction
        else:
            expected = target
        out.append(_figures(team, team, target, expected, actual, kpi.better, forecast,
                            "quota" if any(r.basis == "quota" for r in reps) else reps[0].basis, bool(names),
                            tuple(r.owner for r in reps)))  # fmt: skip
    return out


def _ranked(items: list[OwnerFigures]) -> list[OwnerFigures]:
    """Best attainment first; reps without one (no target, no data) last, by name."""
    return sorted(items, key=lambda o: (o.attainment is None, -(o.attainment or 0.0), -(o.actual or 0.0), o.owner))
