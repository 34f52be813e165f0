"""The health check: every pitfall's check over one goal model and one dataset, and the overall score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kpi_core.asof import check_as_of
from kpi_core.goals import Goals
from kpi_core.health.action import as_date, check_actions
from kpi_core.health.count import check_count
from kpi_core.health.definition import check_definitions
from kpi_core.health.field import check_field
from kpi_core.health.history import Context, monthly_history
from kpi_core.health.link import check_links
from kpi_core.health.model import Finding, HealthReport, Skipped, overall_score
from kpi_core.health.rigidity import check_rigidity
from kpi_core.health.targets import check_targets
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.quotas import owner_teams


def check_health(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    filters: Filters | None = None,
    lang: str = "en",
    *,
    goals_modified: dt.date | dt.datetime | float | None = None,
    teams: Mapping[str, str] | None = None,
) -> HealthReport:
    """Diagnose the seven pitfalls of KPI management (SEED_NOTES) for `goals` against `dataset` on `as_of`.

    `goals_modified` is the goal file's last revision (a date, a datetime or Path.stat().st_mtime; None when
    unknown, e.g. a built-in template): pitfall 5 checks it against the review cadence and pitfall 7 against the
    shifts in the data. `lang` is the report's default language (every sentence renders in ja and en). `teams`
    (owner → team, kpi_core.quotas.read_teams) adds each rep's team to pitfall 6, after the goal file's own.
    """
    as_of = check_as_of(as_of, dataset)
    filters = filters or Filters()
    ctx = Context(
        goals=goals,
        dataset=dataset,
        as_of=as_of,
        filters=filters,
        history=monthly_history(goals, dataset, as_of, filters),
        goals_modified=as_date(goals_modified),
        teams=owner_teams(goals, teams),
    )
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    found, missed = check_links(ctx)  # first: pitfalls 3 and 7 read the links it finds
    findings += found
    skipped += missed
    findings += check_definitions(ctx)
    findings += check_count(ctx)
    for check in (check_targets, check_field, check_rigidity):
        found, missed = check(ctx)
        findings += found
        skipped += missed
    findings += check_actions(ctx)
    findings.sort(key=lambda f: f.pitfall)  # stable: within a pitfall, the goal file's KPI order
    return HealthReport(overall_score(findings), findings, skipped, as_of.isoformat(), lang)
