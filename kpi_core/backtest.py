"""Backtest of the period-end forecasts: replay Pacer.forecast inside every complete past month and score its range.

For each complete month the data covers and each as-of point (a share of the month's business days), the data is
cut back to what an export taken at the end of that day would have shown (`snapshot_at`), a Pacer is built on the
cut data and the month-end forecast is made; it is then compared with the month's final value from the whole data.
Scores: how often the final fell inside [low, high] (the nominal 80 % range), how wide the range was relative to
the final, and a Brier score of probability_on_target against a target every team could have set beforehand: the
median of the metric's six previous complete months.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import duckdb

from kpi_core.business_days import DEFAULT_CALENDAR, business_day_list, period_bounds, previous_period_start
from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_RANK, LEVELS
from kpi_core.pacing import Pacer
from kpi_core.pipeline import data_as_of, open_amounts_known
from kpi_core.sql import Part, Select, Sql, closed_after, create_table_as, execute, relation, setting, star_replace

AS_OF_FRACTIONS = (0.25, 0.5, 0.75)
DEFAULT_METRICS = ("records", "won", "won_revenue")
TARGET_MONTHS = 6  # the synthetic target: median of this many previous complete months (at least 3 in the data)


@dataclass(frozen=True)
class Check:
    """One replayed forecast and how its month ended."""

    metric: str
    period: str
    as_of: dt.date
    fraction: float
    method: str  # the method code the forecast chose (run_rate, pipeline, blend, history_rate)
    interval: str  # analogues, normal or none
    value: float
    low: float | None
    high: float | None
    final: float
    target: float | None
    probability: float | None

    @property
    def inside(self) -> bool | None:
        """Whether the final fell inside [low, high] (None without a range)."""
        if self.low is None or self.high is None:
            return None
        return self.low <= self.final <= self.high

    @property
    def width(self) -> float | None:
        """(high − low) ÷ final (None without a range or with a final of 0)."""
        if self.low is None or self.high is None or not self.final:
            return None
        return (self.high - self.low) / abs(self.final)

    @property
    def reached(self) -> bool | None:
        """Whether the final reached the synthetic target (every backtested metric is better higher)."""
        return None if self.target is None else self.final >= self.target


@dataclass(frozen=True)
class Score:
    """One row of the backtest table."""

    method: str  # the group: a method code, a metric or an as-of fraction
    interval: str
    checks: int
    inside: int
    coverage: float | None
    mean_width: float | None
    scored: int  # checks with a probability and a target
    brier: float | None
    mean_probability: float | None
    hit_rate: float | None  # share of the scored checks whose final reached the target
    reference_brier: float | None  # Brier score of always saying the hit rate: hit rate × (1 − hit rate)


COLUMNS = (
    "group",
    "range",
    "checks",
    "inside",
    "coverage",
    "width ÷ final",
    "scored",
    "Brier",
    "ref. Brier",
    "mean p",
    "hit",
)


@dataclass
class Backtest:
    """All checks of one dataset, and how many month × as-of × metric points were skipped."""

    checks: list[Check]
    skipped: int  # no forecast or no final, or nothing forecast and nothing happened

    def scores(self, by: str = "method") -> list[Score]:
        """Scores per value of the Check field `by` (method, metric or fraction) and range kind, then one row
        over every check that had a range ("all")."""
        groups: dict[tuple[str, str], list[Check]] = {}
        for check in self.checks:
            groups.setdefault((str(getattr(check, by)), check.interval), []).append(check)
        rows = [_score(group, interval, checks) for (group, interval), checks in sorted(groups.items())]
        return [*rows, _score("all", "with a range", [c for c in self.checks if c.inside is not None])]

    def markdown(self, by: str = "method") -> str:
        """The scores as a Markdown table (ref. Brier: the Brier score of always saying the hit rate)."""
        lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|" + "---:|" * (len(COLUMNS) - 2)]
        for s in self.scores(by):
            cells = [s.method, s.interval, str(s.checks), str(s.inside), _pct(s.coverage), _num(s.mean_width)]
            cells += [str(s.scored), _num(s.brier, 3), _num(s.reference_brier, 3)]
            cells += [_pct(s.mean_probability), _pct(s.hit_rate)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _score(method: str, interval: str, checks: list[Check]) -> Score:
    ranged = [c for c in checks if c.inside is not None]
    inside = sum(bool(c.inside) for c in ranged)
    widths = [w for c in ranged if (w := c.width) is not None]
    # (probability, reached) of the checks that have both
    scored = [(p, r) for c in checks if (p := c.probability) is not None and (r := c.reached) is not None]
    hit_rate = statistics.fmean(float(r) for _, r in scored) if scored else None
    return Score(
        method=method,
        interval=interval,
        checks=len(checks),
        inside=inside,
        coverage=inside / len(ranged) if ranged else None,
        mean_width=statistics.fmean(widths) if widths else None,
        scored=len(scored),
        brier=statistics.fmean((p - r) ** 2 for p, r in scored) if scored else None,
        mean_probability=statistics.fmean(p for p, _ in scored) if scored else None,
        hit_rate=hit_rate,
        reference_brier=None if hit_rate is None else hit_rate * (1 - hit_rate),
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def snapshot_at(dataset: Dataset, as_of: dt.date) -> Dataset:
    """The dataset as an export taken at the end of `as_of` would have shown it (records only).

    Records created after as_of are dropped, and so are records without a created date that were not closed by
    then (nothing says they existed). A record closed after as_of was open: no close date, outcome, cycle or
    stage (it counts at the data's first level), and an amount only when the export's open records carry amounts
    (a CRM keeps an expected amount on an open deal; in exports like Maven's only closing sets close_value, and a
    lost deal's 0 would tell the future). Update dates after as_of are blanked. Still-open records keep today's
    stage: a snapshot export keeps no stage history. The same rules as kpi_core.pipeline.open_records_at (shared:
    closed_after, open_amounts_known), which the app uses to rebuild a past day's open records.
    """
    if dataset.shape != "records":
        raise ValueError("a backtest needs one row per lead or deal (a monthly sheet has no days inside a month)")
    cursor = dataset.cursor()
    base = LEVEL_RANK[dataset.present_levels[0]] if dataset.present_levels else LEVEL_RANK[LEVELS[0]]
    later = closed_after(as_of)
    amount = "amount" if open_amounts_known(dataset) else f"CASE WHEN {later} THEN NULL ELSE amount END"
    replaced: list[Part] = [
        f"CASE WHEN {later} THEN NULL ELSE closed END AS closed",
        Sql("CASE WHEN updated > ? THEN NULL ELSE updated END AS updated", (as_of,)),
        f"{amount} AS amount",
        f"CASE WHEN {later} THEN NULL ELSE stage END AS stage",
        Sql(f"CASE WHEN {later} THEN ? ELSE level END AS level", (base,)),
        f"CASE WHEN {later} THEN 'open' ELSE outcome END AS outcome",
        f"CASE WHEN {later} THEN NULL ELSE stage_position END AS stage_position",
        f"CASE WHEN {later} THEN NULL ELSE cycle_days END AS cycle_days",
    ]
    rows = Select(
        [star_replace(replaced)],
        "records",
        [Sql("(created <= ? OR (created IS NULL AND closed <= ?))", (as_of, as_of))],
    ).build()
    table = relation(cursor, rows).to_arrow_table()
    con = duckdb.connect(":memory:")
    execute(con, setting("enable_progress_bar", "false"))
    con.register("snapshot_rows", table)
    con.execute(create_table_as("records", "snapshot_rows").text)
    con.unregister("snapshot_rows")
    return replace(dataset, con=con)


def as_of_days(start: dt.date, end: dt.date, fractions: Iterable[float], calendar: str) -> list[tuple[float, dt.date]]:
    """For each fraction, the business day of the month by which that share of its business days has passed."""
    days = business_day_list(start, end, calendar)
    out = []
    for fraction in fractions:
        k = min(max(round(fraction * len(days)), 1), len(days) - 1)
        if len(days) > 1:
            out.append((fraction, days[k - 1]))
    return out


def complete_months(dataset: Dataset) -> list[tuple[dt.date, dt.date]]:
    """The calendar months wholly inside the data: from the first date (created or closed) to data_as_of."""
    first = execute(dataset.cursor(), Select(["least(min(created), min(closed))"], "records")).fetchall()[0][0]
    last = data_as_of(dataset)
    if first is None or last is None:
        return []
    start = first if first.day == 1 else period_bounds(first, "month")[1] + dt.timedelta(days=1)
    months: list[tuple[dt.date, dt.date]] = []
    while True:
        m_start, m_end = period_bounds(start, "month")
        if m_end > last:
            return months
        months.append((m_start, m_end))
        start = m_end + dt.timedelta(days=1)


def trailing_median(
    pacer: Pacer, metric: str, start: dt.date, first: dt.date, months: int = TARGET_MONTHS
) -> float | None:
    """The median of the metric over the `months` complete months before `start` from the month starting at
    `first` on (at least 3): a target that was known before the month began."""
    values = []
    month = previous_period_start(start, "month")
    for _ in range(months):
        m_start, m_end = period_bounds(month, "month")
        month = previous_period_start(m_start, "month")
        if m_start < first:
            break
        value = pacer.value(metric, m_start, m_end)
        if value is not None:
            values.append(value)
    return statistics.median(values) if len(values) >= 3 else None


def backtest_pacing(
    dataset: Dataset,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    fractions: Sequence[float] = AS_OF_FRACTIONS,
    calendar: str = DEFAULT_CALENDAR,
    fiscal_start: int = 4,
) -> Backtest:
    """Replay month-end forecasts of `metrics` at `fractions` of the business days of every complete month in
    the data, each from the data cut at its as-of day (snapshot_at), against the month's final from all the data.

    Metrics the data cannot give are left out. A check where the forecast is 0 and nothing happened in the month
    (e.g. Olist's leads after its last lead date) is skipped: there was nothing to forecast.
    """
    full = Pacer(dataset, calendar=calendar, fiscal_start=fiscal_start)
    months = complete_months(dataset)
    if months:
        metrics = [m for m in metrics if full.value(m, months[0][0], months[-1][1]) is not None]
    checks: list[Check] = []
    skipped = 0
    for start, end in months:
        finals = {m: full.value(m, start, end) for m in metrics}
        # Targets from the months before this one only (their figures read nothing dated after as_of); a target
        # of 0 is reached by anything, so it tests no odds.
        targets = {m: trailing_median(full, m, start, months[0][0]) or None for m in metrics}
        for fraction, as_of in as_of_days(start, end, fractions, calendar):
            pacer = Pacer(snapshot_at(dataset, as_of), calendar=calendar, fiscal_start=fiscal_start)
            for metric in metrics:
                final, target = finals[metric], targets[metric]
                forecast = pacer.forecast(metric, target=target, per="month", as_of=as_of, better="higher")
                if forecast.value is None or final is None or (final == 0 and forecast.value == 0):
                    skipped += 1
                    continue
                checks.append(
                    Check(
                        metric=metric,
                        period=forecast.period,
                        as_of=as_of,
                        fraction=fraction,
                        method=forecast.method["code"],
                        interval=forecast.method["params"].get("interval", "none"),
                        value=forecast.value,
                        low=forecast.low,
                        high=forecast.high,
                        final=final,
                        target=target,
                        probability=forecast.probability_on_target,
                    )
                )
    return Backtest(checks=checks, skipped=skipped)
