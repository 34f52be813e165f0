"""Mid-period pacing: period-end forecasts (run rate over business days, open pipeline), their range and odds."""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from kpi_core.business_days import (
    DEFAULT_CALENDAR,
    business_day_list,
    business_days,
    check_calendar,
    period_bounds,
    period_label,
    previous_period_start,
)
from kpi_core.formula import evaluate, formula_names
from kpi_core.goals import (
    NOT_TIME_SCALED,
    Goals,
    metric_default_better,
    metric_value,
    name_formula,
    time_degree,
    trailing_window,
)
from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_RANK
from kpi_core.metrics import Filters, available, compute_kpis, load_catalog
from kpi_core.pipeline import data_as_of, expected_wins_within
from kpi_core.sql import DailySums, date_basis, execute

# Past periods used as analogues: at most this many, and at least MIN_ANALOGUES for a range from them.
MAX_ANALOGUES = 24
MIN_ANALOGUES = 6
# The range runs from the 10th to the 90th percentile of the predictive distribution (an 80 % interval).
INTERVAL_QUANTILES = (0.1, 0.9)
# A past period is an analogue when the data covers at least this share of its business days.
MIN_COVERAGE = 0.9
# Measures the open pipeline can forecast, and what it adds for each: expected wins, or their amount.
PIPELINE_METRICS = {"won": "count", "won_revenue": "value"}
METHOD_CODES = ("complete", "run_rate", "history_rate", "pipeline", "blend", "current_value")


@dataclass
class Forecast:
    """A period-end forecast of one metric, with its range, the odds of reaching the target and how it was made."""

    metric: str
    per: str
    period: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    calendar: str
    business_days_elapsed: int
    business_days_total: int
    actual: float | None
    target: float | None
    better: str
    value: float | None
    low: float | None
    high: float | None
    probability_on_target: float | None
    method: dict[str, Any]
    candidates: dict[str, float | None] = field(default_factory=dict)  # every method's value
    errors: dict[str, float | None] = field(default_factory=dict)  # median |log(final/forecast)| on analogues
    analogues: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: value, low, high, probability_on_target, method, and the context."""
        out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}
        return out


class Pacer:
    """Forecasts for one dataset: daily figures are read once and reused for every metric and past period."""

    def __init__(
        self,
        dataset: Dataset,
        *,
        calendar: str = DEFAULT_CALENDAR,
        fiscal_start: int = 4,
        filters: Filters | None = None,
    ) -> None:
        self.dataset = dataset
        self.calendar = check_calendar(calendar)
        self.fiscal_start = fiscal_start
        self.filters = Filters(roles=(filters or Filters()).roles)  # dates come from the periods themselves
        self.catalog = load_catalog()
        self._daily = _DailySums(dataset, self.filters)
        self._pipeline_cache: dict[tuple[dt.date, int, float | None], Any] = {}
        self._unit_price_cache: dict[dt.date, float | None] = {}

    # -- values --------------------------------------------------------------------------------------------------
    def figures(self, start: dt.date, end: dt.date, scale: float = 1.0) -> dict[str, Any]:
        """Engine figures for the days start..end (volumes multiplied by `scale`)."""
        sums = self._daily.sums(start, end)
        return _with_ratios({k: (None if v is None else v * scale) for k, v in sums.items()}, self.dataset)

    def value(self, metric: str, start: dt.date, end: dt.date) -> float | None:
        """The metric over start..end, as the engine computes it."""
        if _uses_medians(metric):
            totals = compute_kpis(
                self.dataset,
                filters=Filters(start=start, end=end, roles=self.filters.roles),
                fiscal_start=self.fiscal_start,
            ).totals
            return metric_value(metric, totals)
        return metric_value(metric, self.figures(start, end))

    def forecastable(self, metric: str) -> bool:
        """Whether the metric is built only from flows (counts and sums over days) that a run rate can extend."""
        for name in formula_names(name_formula(metric)):
            definition = self.catalog.get(name)
            if name in NOT_TIME_SCALED:
                return False
            if definition not in self.catalog.measures and not self.forecastable(name):
                return False
        return True

    def maturing(self, metric: str) -> bool:
        """Whether the metric counts a funnel level records reach after they are created (MQL, SQL, ... in
        lead data): recent records may still move up, and a snapshot keeps no stage dates to say how far."""
        levels = self.dataset.present_levels
        if not levels:
            return False
        first = LEVEL_RANK[levels[0]]
        for name in formula_names(name_formula(metric)):
            definition = self.catalog.get(name)
            if definition.basis == "created" and definition.level and LEVEL_RANK[definition.level] > first:
                return True
        return False

    def _unit_price(self, as_of: dt.date) -> float | None:
        if as_of not in self._unit_price_cache:
            start, end = trailing_window(as_of)
            self._unit_price_cache[as_of] = self.figures(start, min(end, as_of)).get("avg_unit_price")
        return self._unit_price_cache[as_of]

    # -- the three ways to forecast ------------------------------------------------------------------------------
    def run_rate(self, metric: str, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[float | None, str]:
        """Actual so far ÷ business days elapsed × business days in the period (for each volume the metric uses);
        before the first business day, the trailing 12 months' rate per business day."""
        total = business_days(start, end, self.calendar)
        elapsed = business_days(start, min(as_of, end), self.calendar)
        if elapsed > 0:
            return metric_value(metric, self.figures(start, as_of, total / elapsed)), "run_rate"
        window_start, window_end = trailing_window(start)
        days = business_days(window_start, window_end, self.calendar)
        if not days or window_end < self._daily.first_day:
            return None, "history_rate"
        history = self.figures(window_start, window_end, total / days)
        so_far = self.figures(start, as_of)
        sums = {m.name: _add(so_far.get(m.name), history.get(m.name)) for m in self.catalog.measures}
        return metric_value(metric, _with_ratios(sums, self.dataset)), "history_rate"

    def pipeline(self, metric: str, start: dt.date, end: dt.date, as_of: dt.date) -> float | None:
        """Actual so far + the wins expected from the deals open at as_of within the days left (won, won_revenue)."""
        kind = PIPELINE_METRICS.get(metric.replace(" ", ""))
        if kind is None or not self._has_pipeline():
            return None
        actual = self.value(metric, start, as_of)
        if actual is None:
            return None
        days = (end - as_of).days
        key = (as_of, days, self._unit_price(as_of))
        if key not in self._pipeline_cache:
            self._pipeline_cache[key] = expected_wins_within(
                self.dataset, as_of=as_of, days=days, filters=self.filters, unit_price=key[2]
            )
        expectation = self._pipeline_cache[key]
        return actual + (expectation.expected_count if kind == "count" else expectation.expected_value)

    def _has_pipeline(self) -> bool:
        dataset = self.dataset
        return dataset.shape == "records" and "stage" in dataset.mapping and "created" in dataset.mapping

    # -- the forecast --------------------------------------------------------------------------------------------
    def forecast(
        self,
        metric: str,
        *,
        target: float | None = None,
        per: str = "month",
        as_of: dt.date | None = None,
        better: str | None = None,
    ) -> Forecast:
        """Forecast the value of `metric` at the end of the `per` period holding `as_of` (default today)."""
        as_of = as_of or dt.date.today()
        better = better or metric_default_better(metric)
        start, end = period_bounds(as_of, per, self.fiscal_start)
        total = business_days(start, end, self.calendar)
        elapsed = business_days(start, min(as_of, end), self.calendar)
        actual = self.value(metric, start, min(as_of, end))
        # The fields every method shares; each return below adds the forecast itself.
        made = functools.partial(
            Forecast, metric=metric, per=per, period=period_label(start, per, self.fiscal_start), period_start=start,
            period_end=end, as_of=as_of, calendar=self.calendar, business_days_elapsed=elapsed,
            business_days_total=total, actual=actual, target=target, better=better,
        )  # fmt: skip
        if as_of >= end:
            reached = _meets(actual, target, better)
            return made(
                value=actual, low=actual, high=actual,
                probability_on_target=None if reached is None else float(reached),
                method=_method("complete", actual=actual),
            )  # fmt: skip
        if not self.forecastable(metric):
            return made(
                value=actual, low=None, high=None, probability_on_target=None,
                method=_method("current_value", actual=actual),
            )  # fmt: skip
        candidates: dict[str, float | None] = {}
        candidates["run_rate"], rate_code = self.run_rate(metric, start, end, as_of)
        candidates["pipeline"] = self.pipeline(metric, start, end, as_of)
        if candidates["run_rate"] is not None and candidates["pipeline"] is not None:
            candidates["blend"] = (candidates["run_rate"] + candidates["pipeline"]) / 2
        ratios = self._analogue_ratios(metric, per, start, elapsed / total if total else 1.0, candidates)
        errors = {code: _median_abs_log(r) for code, r in ratios.items()}
        code, compared = (rate_code, False) if rate_code == "history_rate" else choose_method(ratios)
        value = candidates.get(code if code != "history_rate" else "run_rate")
        low = high = probability = None
        interval = "none"
        chosen = ratios.get(code if code != "history_rate" else "run_rate", [])
        if value is not None and len(chosen) >= MIN_ANALOGUES:
            spread = RatioSpread.of(chosen)
            low, high = (value * spread.ratio_at(q) for q in INTERVAL_QUANTILES)
            if target is not None:
                probability = spread.probability(value, target, better)
            interval = "analogues"
        elif value is not None and time_degree(metric) == 1:
            monthly = self._monthly_spread(metric, start, as_of)
            if monthly is not None:
                rate_sd, months = monthly
                remaining = business_days(as_of + dt.timedelta(days=1), end, self.calendar)
                # The run rate misses by remaining × (rate of the days left − rate measured so far): both rates
                # vary, each less the more months (~20 business days) it averages over (no day elapsed yet counts
                # as one month: cautious for the history rate); the months' spread is itself measured on few
                # months, hence Student's t with months − 1 degrees of freedom.
                sd = remaining * rate_sd * math.sqrt(1 / max(1.0, remaining / 20) + 1 / max(1.0, elapsed / 20))
                t = t_quantile(INTERVAL_QUANTILES[1], months - 1)
                low, high = value - t * sd, value + t * sd
                if target is not None:
                    probability = _t_chance(value, sd, months - 1, target, better)
                interval = "normal"
        if low is not None and high is not None and actual is not None and metric.replace(" ", "") in _volume_names():
            low, high = max(low, actual), max(high, actual)  # a count or a sum cannot end below what is in
            if probability is not None and target is not None and better != "lower" and actual >= target:
                probability = 1.0  # already reached
            elif probability is not None and target is not None and better == "lower" and actual > target:
                probability = 0.0  # already over, and it cannot go down
        return made(
            value=value, low=low, high=high, probability_on_target=probability,
            method=_method(
                code, interval=interval, actual=actual, value=value, elapsed=elapsed, total=total,
                calendar=self.calendar, n=len(chosen) if interval == "analogues" else 0, per=per, errors=errors,
                end=end, as_of=as_of,
                compared=compared, maturing=self.maturing(metric), volume=time_degree(metric) == 1,
                expectation=self._pipeline_cache.get((as_of, (end - as_of).days, self._unit_price(as_of)))
                if code in ("pipeline", "blend") else None,
            ),
            candidates=candidates, errors=errors, analogues=len(chosen),
        )  # fmt: skip

    def _analogue_ratios(
        self, metric: str, per: str, start: dt.date, fraction: float, candidates: dict[str, float | None]
    ) -> dict[str, list[float]]:
        """final ÷ forecast for each method, for the forecasts made at the same share of business days in the
        past periods the data covers (records only: a monthly sheet has no days inside a month)."""
        ratios: dict[str, list[float]] = {code: [] for code, value in candidates.items() if value is not None}
        if self.dataset.shape != "records" or not ratios:
            return ratios
        last = self._daily.last_day
        past = previous_period_start(start, per)
        for _ in range(MAX_ANALOGUES):
            p_start, p_end = period_bounds(past, per, self.fiscal_start)
            days = business_day_list(p_start, p_end, self.calendar)
            covered = [d for d in days if d >= self._daily.first_day]
            if not days or len(covered) < MIN_COVERAGE * len(days):
                break
            past = previous_period_start(p_start, per)
            if p_end > last:
                continue
            k = round(fraction * len(days))
            if k < 1 or k >= len(days):
                continue
            as_of_p = days[k - 1]
            final = self.value(metric, p_start, p_end)
            made = {"run_rate": self.run_rate(metric, p_start, p_end, as_of_p)[0]}
            if "pipeline" in ratios:
                made["pipeline"] = self.pipeline(metric, p_start, p_end, as_of_p)
                if made["run_rate"] is not None and made["pipeline"] is not None:
                    made["blend"] = (made["run_rate"] + made["pipeline"]) / 2
            for code, forecast in made.items():
                if code in ratios and final is not None and forecast and final > 0 and forecast > 0:
                    ratios[code].append(final / forecast)
        return ratios

    def _monthly_spread(self, metric: str, start: dt.date, as_of: dt.date) -> tuple[float, int] | None:
        """Standard deviation of the metric per business day over the complete months of the 12 before `start`
        (at least 3), and how many months it is measured on, for the normal-approximation range."""
        rates = []
        month = previous_period_start(start.replace(day=1), "month")
        for _ in range(12):
            m_start, m_end = period_bounds(month, "month")
            month = previous_period_start(m_start, "month")
            if m_start < self._daily.first_day or m_end > self._daily.last_day:
                continue
            days = business_days(m_start, m_end, self.calendar)
            value = self.value(metric, m_start, m_end)
            if days and value is not None:
                rates.append(value / days)
        return (float(np.std(rates, ddof=1)), len(rates)) if len(rates) >= 3 else None

    # -- the chart -----------------------------------------------------------------------------------------------
    def series(self, forecast: Forecast) -> pd.DataFrame:
        """Day by day through the forecast's period: date, business_day (count so far), is_business_day,
        actual (cumulative to date, up to as_of), target (the target pro-rated by business days for volumes, flat
        for rates), forecast, low, high (from the actual at as_of to the period-end figures, by business day)."""
        start, end, as_of = forecast.period_start, forecast.period_end, forecast.as_of
        bdays = set(business_day_list(start, end, self.calendar))
        total = max(len(bdays), 1)
        volume = time_degree(forecast.metric) == 1
        rows = []
        count = 0
        elapsed_at_as_of = forecast.business_days_elapsed
        for i in range((end - start).days + 1):
            day = start + dt.timedelta(days=i)
            count += day in bdays
            row: dict[str, Any] = {"date": day, "business_day": count, "is_business_day": day in bdays}
            row["actual"] = self.value(forecast.metric, start, day) if day <= as_of else None
            if forecast.target is not None:
                row["target"] = forecast.target * count / total if volume else forecast.target
            else:
                row["target"] = None
            for key in ("forecast", "low", "high"):
                end_value = forecast.value if key == "forecast" else getattr(forecast, key)
                if day < as_of or end_value is None:
                    row[key] = None
                elif not volume or forecast.actual is None:
                    row[key] = end_value
                else:
                    share = (count - elapsed_at_as_of) / (total - elapsed_at_as_of) if total > elapsed_at_as_of else 1
                    row[key] = forecast.actual + (end_value - forecast.actual) * share
            rows.append(row)
        frame = pd.DataFrame(rows)
        for column in ("actual", "target", "forecast", "low", "high"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return frame


def choose_method(ratios: dict[str, list[float]]) -> tuple[str, bool]:
    """The method whose past forecasts missed least (median |log(final / forecast)|) among those with at least
    MIN_ANALOGUES past periods; run_rate when none has. Ties go to the simpler method (METHOD_CODES order).
    Also whether a comparison was made (more than one method qualified)."""
    usable = {c: _median_abs_log(r) for c, r in ratios.items() if len(r) >= MIN_ANALOGUES}
    if not usable:
        return "run_rate", False
    return min(usable, key=lambda c: (usable[c], METHOD_CODES.index(c))), len(usable) > 1


class _DailySums:
    """Each additive measure summed per day of its basis date (created / closed), as cumulative arrays."""

    def __init__(self, dataset: Dataset, filters: Filters) -> None:
        catalog = load_catalog()
        self.names = [m.name for m in catalog.measures if not getattr(m, "median_of", None)]
        self.unavailable = {m.name for m in catalog.measures if not available(m, dataset)}
        frames = []
        for basis in ("created", "closed"):
            measures = [m for m in catalog.measures if m.basis == basis and m.name in self.names]
            measures = [m for m in measures if m.name not in self.unavailable]
            if not measures:
                continue
            date_col, condition = date_basis(dataset.shape, basis)
            exprs = {m.name: str(m.periods_sql if dataset.shape == "periods" else m.records_sql) for m in measures}
            query = DailySums(dataset.table, date_col, condition, exprs, filters.condition(date_col, dataset))
            frames.append(execute(dataset.cursor(), query.build()).df().set_index("day"))
        days = pd.concat(frames, axis=1, sort=True).fillna(0.0) if frames else pd.DataFrame()
        days.index = pd.to_datetime(days.index).date if len(days) else days.index
        self.first_day = min(days.index) if len(days) else dt.date.today()
        snapshot = data_as_of(dataset) if dataset.shape == "records" else None
        if dataset.shape == "periods" and len(days):
            snapshot = period_bounds(max(days.index), "month")[1]
        self.last_day = snapshot or (max(days.index) if len(days) else self.first_day)
        span = max((self.last_day - self.first_day).days + 1, 1)
        calendar = [self.first_day + dt.timedelta(days=i) for i in range(span)]
        full = (
            days.groupby(level=0).sum().reindex(calendar, fill_value=0.0) if len(days) else pd.DataFrame(index=calendar)
        )
        self._cum = {name: np.concatenate([[0.0], full[name].astype("float64").cumsum().to_numpy()])
                     for name in self.names if name in full.columns}  # fmt: skip
        self._span = span

    def _index(self, day: dt.date) -> int:
        """How many calendar days of the data lie on or before `day` (clamped to the data's span)."""
        return int(min(max((day - self.first_day).days + 1, 0), self._span))

    def sums(self, start: dt.date, end: dt.date) -> dict[str, float | None]:
        lo, hi = self._index(start - dt.timedelta(days=1)), self._index(end)
        out: dict[str, float | None] = {}
        for name in self.names:
            if name in self.unavailable:
                out[name] = None
            elif name in self._cum:
                out[name] = float(self._cum[name][hi] - self._cum[name][lo]) if hi > lo else 0.0
            else:
                out[name] = 0.0
        return out


def _with_ratios(sums: dict[str, float | None], dataset: Dataset) -> dict[str, float | None]:
    """Measures (kept as floats: a run rate of 69.7 deals is not 69) plus the catalog's ratios, as the engine's
    finish_metrics computes them."""
    values = dict(sums)
    for ratio in load_catalog().ratios:
        formula = ratio.formula
        if dataset.shape == "periods" and ratio.periods_formula and not dataset.can_lose:
            formula = ratio.periods_formula
        values[ratio.name] = evaluate(formula, values) if formula else None
    return values


def _volume_names() -> set[str]:
    catalog = load_catalog()
    return {m.name for m in catalog.measures if m.name not in NOT_TIME_SCALED}


def _uses_medians(metric: str) -> bool:
    catalog = load_catalog()
    medians = {m.name for m in catalog.measures if getattr(m, "median_of", None)}
    return bool(medians & formula_names(name_formula(metric)))


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def _meets(value: float | None, target: float | None, better: str) -> bool | None:
    if value is None or target is None:
        return None
    return value <= target if better == "lower" else value >= target


def _median_abs_log(ratios: list[float]) -> float | None:
    return float(np.median(np.abs(np.log(ratios)))) if ratios else None


def _t_chance(center: float, scale: float, df: int, target: float, better: str) -> float:
    """P(center + scale × T reaches target), T Student's t with `df` degrees of freedom: P(≥ target), or
    P(≤ target) when lower is better."""
    if scale <= 0:
        return float(bool(_meets(center, target, better)))
    below = t_cdf((target - center) / scale, df)
    return below if better == "lower" else 1.0 - below


def t_cdf(x: float, df: int) -> float:
    """P(T ≤ x) for Student's t with a whole number `df` ≥ 1 of degrees of freedom: the exact finite series of
    Abramowitz & Stegun 26.7.3-4 (no SciPy needed)."""
    theta = math.atan(x / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    total = 0.0
    if df % 2:  # odd: A = 2/π (θ + sin θ (cos θ + 2/3 cos³θ + 2·4/(3·5) cos⁵θ + … up to cos^(df-2) θ))
        term = math.cos(theta)
        for i in range(1, (df - 1) // 2 + 1):
            total += term
            term *= cos2 * (2 * i) / (2 * i + 1)
        a = 2 / math.pi * (theta + sin * total)
    else:  # even: A = sin θ (1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + … up to cos^(df-2) θ)
        term = 1.0
        for i in range(1, df // 2 + 1):
            total += term
            term *= cos2 * (2 * i - 1) / (2 * i)
        a = sin * total
    return (1.0 + a) / 2  # A = P(-|x| < T < |x|), signed like x


@cache
def t_quantile(p: float, df: int) -> float:
    """The x with t_cdf(x, df) = p, by bisection (t_cdf is increasing)."""
    low, high = -1.0, 1.0
    while t_cdf(low, df) > p:
        low *= 2
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


@dataclass(frozen=True)
class RatioSpread:
    """Where final ÷ forecast may land, from the n ratios of past periods (the analogues).

    Small samples are the point: with n = 6-24 ratios the 10th-90th sample percentiles cover a new ratio far less
    than 80 % of the time (with n = 6 even the whole range covers 5/7 = 71 %). So the ratios are taken as
    log-normal and a new one is predicted with Student's t: log ratio ~ mean + sd × sqrt(1 + 1/n) × T(n − 1),
    mean and sd of the n logs. Logs because the misses are multiplicative and a count cannot go below 0; the
    t and sqrt(1 + 1/n) widen the range for the uncertainty in the mean and sd measured on few periods. Chosen
    over conformal order statistics, which need n ≥ 9 for 80 % and give odds in steps of 1/(n + 1). On the
    backtest (kpi_core.backtest, month-ends at 25/50/75 % of the business days) this range held 171 of 215
    month-ends of the bundled sales sample (80 %), 40 of 48 of Maven's (83 %) and 26 of 30 of Olist's (87 %);
    the sample percentiles held 135 (63 %), 24 (50 %) and 21 (70 %) (measured before past days' open deals lost
    their closing amounts, see kpi_core.pipeline.open_records_at, when this range held 35 of Maven's 48).
    """

    center: float  # mean of the log ratios
    scale: float  # their standard deviation × sqrt(1 + 1/n)
    df: int  # n − 1

    @classmethod
    def of(cls, ratios: list[float]) -> RatioSpread:
        """The predictive distribution from at least 2 positive ratios."""
        logs = np.log(np.asarray(ratios, dtype="float64"))
        n = len(logs)
        return cls(float(np.mean(logs)), float(np.std(logs, ddof=1)) * math.sqrt(1 + 1 / n), n - 1)

    def ratio_at(self, q: float) -> float:
        """The q-quantile of final ÷ forecast."""
        return math.exp(self.center + self.scale * t_quantile(q, self.df)) if self.scale > 0 else math.exp(self.center)

    def probability(self, value: float, target: float, better: str) -> float:
        """The chance that value × the ratio reaches the target (≥, or ≤ when lower is better)."""
        if value <= 0:  # a forecast of 0 stays 0 whatever the ratio
            return float(bool(_meets(value, target, better)))
        if target <= 0:  # every outcome is a positive value × a positive ratio
            return 0.0 if better == "lower" else 1.0
        return _t_chance(math.log(value) + self.center, self.scale, self.df, math.log(target), better)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


_CALENDAR_WORDS = {
    "jp": "weekends and Japanese holidays excluded",
    "jp_yearend": "weekends, Japanese holidays and 29 Dec-3 Jan excluded",
    "weekends": "weekends excluded",
    "none": "every calendar day counted",
}


def _method(code: str, **p: Any) -> dict[str, Any]:
    """The method as a code (for translation), its parameters and an English sentence. The parameters are all a
    sentence in either language needs (kpi_core.pacing_sentences): the figures so far, the range and each method's
    typical past miss (errors)."""
    params = {k: v for k, v in p.items() if k not in ("expectation", "compared")}
    params = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}
    if code == "complete":
        text = f"The period is over: the value is the actual, {_fmt(p.get('actual'))}."
    elif code == "current_value":
        text = (
            f"Not a volume that builds up over the days (a stock, a median or a mix): the current value, "
            f"{_fmt(p.get('actual'))}, is shown without extending it."
        )
    else:
        words = _CALENDAR_WORDS.get(p.get("calendar", ""), "")
        if p.get("volume"):
            rate = (
                f"{_fmt(p.get('actual'))} so far in {p.get('elapsed')} of {p.get('total')} business days ({words}), "
                f"extended at the same pace to the period end"
            )
        else:
            rate = (
                f"a rate, so each figure it is made of is extended at the same pace from {p.get('elapsed')} of "
                f"{p.get('total')} business days ({words}) and the rate taken of those (so far {_fmt(p.get('actual'))})"
            )
        if code == "history_rate":
            text = (
                f"No business day of the period has passed yet: the trailing 12 months' rate per business day, "
                f"times the {p.get('total')} business days of the period, plus anything already in."
            )
        elif code == "run_rate":
            text = f"Run rate: {rate}: {_fmt(p.get('value'))}."
        else:
            e = p.get("expectation")
            pipe = (
                f"the {e.open_count:,} open records × their stage's win probability × the chance, from past cycle "
                f"times, of closing within the {e.days} days left"
                if e is not None
                else "the open pipeline weighted by stage win probability and cycle times"
            )
            if e is not None and e.valued_at_unit_price:
                pipe += f" ({e.valued_at_unit_price:,} without an amount valued at the average unit price)"
            text = (
                f"Pipeline: the actual so far plus {pipe}: {_fmt(p.get('value'))}."
                if code == "pipeline"
                else f"Average of the run rate ({rate}) and the pipeline forecast (actual plus {pipe}): "
                f"{_fmt(p.get('value'))}."
            )
        errors = p.get("errors") or {}
        if p.get("compared") and len([e for e in errors.values() if e is not None]) > 1:
            listed = ", ".join(f"{c.replace('_', ' ')} {math.expm1(e):.0%}" for c, e in errors.items() if e is not None)
            text += f" Chosen as the method that missed least in past periods (typical miss: {listed})."
        interval = p.get("interval")
        if interval == "analogues":
            text += (
                f" Range: an 80 % prediction interval from how the same forecast, made at the same point of each of "
                f"the past {p.get('n')} {p.get('per')}s, ended (Student's t on the logarithm of final ÷ forecast, "
                f"wider the fewer periods there are to compare); the chance of reaching the target comes from the "
                f"same distribution."
            )
        elif interval == "normal":
            text += (
                " Range: too few past periods to compare, so an 80 % interval from how much the rate per business "
                "day varied month to month (allowing for error in both the pace so far and the days left; "
                "Student's t, wider the fewer months there are); the chance of reaching the target comes from the "
                "same curve."
            )
        elif code not in ("complete", "current_value"):
            text += " No range: the data has too little history to say how far off such a forecast can be."
    if p.get("maturing"):
        text += (
            " Caution: this counts records by the date they were created and the furthest stage they have reached; "
            "records created lately may still move up, so the figure can grow after the period ends (the data keeps "
            "no stage dates to say by how much)."
        )
    return {"code": code, "text": text, "params": params}


def forecast_period_end(
    dataset: Dataset,
    metric: str,
    *,
    target: float | None = None,
    per: str = "month",
    as_of: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
    fiscal_start: int = 4,
    better: str | None = None,
    filters: Filters | None = None,
) -> Forecast:
    """Forecast `metric` at the end of its `per` period holding `as_of` (default today).

    Methods: run rate over business days (actual ÷ business days elapsed × business days in the period, for
    every volume; a rate is its forecast numerator over its forecast denominator); for won and won_revenue also
    the pipeline (actual + open records × P(won within the days left), see kpi_core.pipeline.WinTiming) and the
    average of the two. Each method is replayed at the same share of business days in up to 24 past periods;
    the one whose past forecasts missed least (median |log(final / forecast)|) is chosen, and its misses give the
    80 % range and the chance of reaching the target (Student's t on log(final / forecast), see RatioSpread). With
    fewer than 6 past periods the run rate is used, with a t interval from the month-to-month spread of the daily
    rate (volumes only). A monthly sheet has no days inside a month: its current month's row is taken as the
    figure so far at as_of, and the range always comes from that approximation. kpi_core.backtest measures how
    often the range holds the final.
    """
    pacer = Pacer(dataset, calendar=calendar, fiscal_start=fiscal_start, filters=filters)
    return pacer.forecast(metric, target=target, per=per, as_of=as_of, better=better)


def pacing_series(
    forecast: Forecast, dataset: Dataset, *, fiscal_start: int = 4, filters: Filters | None = None
) -> pd.DataFrame:
    """The cumulative-by-business-day chart data of a forecast (see Pacer.series)."""
    return Pacer(dataset, calendar=forecast.calendar, fiscal_start=fiscal_start, filters=filters).series(forecast)


def forecast_goals(
    goals: Goals,
    dataset: Dataset,
    *,
    as_of: dt.date | None = None,
    calendar: str = DEFAULT_CALENDAR,
    filters: Filters | None = None,
) -> dict[str, Forecast]:
    """Forecasts for the KGI (key "kgi") and every KPI (by id), each for the period holding `as_of`."""
    pacer = Pacer(dataset, calendar=calendar, fiscal_start=goals.fiscal_year_start, filters=filters)
    out = {
        "kgi": pacer.forecast(
            goals.kgi.metric, target=goals.kgi.target, per=goals.kgi.period, as_of=as_of,
            better=metric_default_better(goals.kgi.metric),
        )
    }  # fmt: skip
    for kpi in goals.kpis:
        out[kpi.id] = pacer.forecast(kpi.metric, target=kpi.target, per=kpi.per, as_of=as_of, better=kpi.better)
    return out
