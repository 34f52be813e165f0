"""The health check's results as data: Finding (one pitfall, one verdict, codes + parameters) and HealthReport."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kpi_core.health.messages import render_health

PITFALLS = (1, 2, 3, 4, 5, 6, 7)
VERDICTS = ("ok", "warn", "fail")
VERDICT_POINTS = {"ok": 1.0, "warn": 0.5, "fail": 0.0}
FIX_OPS = ("drop_kpi", "set_target", "set_owner", "set_cadence", "set_definition", "link_csf")


@dataclass(frozen=True)
class Fix:
    """A goal-file edit as data: apply_fix(goals_text, fix) makes it."""

    op: str
    kpi: str
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "kpi": self.kpi, "value": self.value}


@dataclass
class Finding:
    """One verdict of one pitfall, for one KPI (or the goal file as a whole: kpi None).

    ``code`` / ``remedy`` are keys of kpi_core.health.messages, filled from ``params`` (numbers and ids, formatted
    by ``units``: param name → count / currency / ratio / pct / change / corr / month / date / metric / number).
    ``evidence`` holds the numbers behind the verdict, and ``series`` what a page can chart.
    """

    pitfall: int
    verdict: str
    kpi: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    remedy: str = ""
    remedy_params: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None

    @property
    def id(self) -> str:
        """Stable within a report: pitfall, KPI and the code's last word ("4:valid_deals:far_above")."""
        return f"{self.pitfall}:{self.kpi or '-'}:{self.code.rsplit('.', 1)[-1]}"

    def message(self, lang: str = "en") -> str:
        return render_health(self.code, lang, self.params, self.units)

    def remedy_text(self, lang: str = "en") -> str:
        if not self.remedy:
            return ""
        return render_health(self.remedy, lang, {**self.params, **self.remedy_params}, self.units)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON form (``message`` and ``remedy`` in `lang`)."""
        return finite(
            {
                "id": self.id,
                "pitfall": self.pitfall,
                "verdict": self.verdict,
                "kpi": self.kpi,
                "code": self.code,
                "params": self.params,
                "message": self.message(lang),
                "evidence": self.evidence,
                "remedy": {"code": self.remedy or None, "params": self.remedy_params, "text": self.remedy_text(lang)},
                "fix": self.fix.as_dict() if self.fix else None,
            }
        )


@dataclass(frozen=True)
class Skipped:
    """A check that the data cannot answer (too little history, no owner column): named, never scored."""

    pitfall: int
    kpi: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return render_health(self.code, lang, self.params, {})

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return finite({"pitfall": self.pitfall, "kpi": self.kpi, "code": self.code, "message": self.message(lang)})


@dataclass
class HealthReport:
    """The score (0–100: the mean over the pitfalls that could be checked of ok 1 / warn ½ / fail 0, each pitfall
    the mean of its findings), the findings in pitfall order, and the checks the data could not answer."""

    score: int
    findings: list[Finding]
    skipped: list[Skipped] = field(default_factory=list)
    as_of: str = ""
    lang: str = "en"

    def pitfalls(self) -> list[dict[str, Any]]:
        """Per pitfall: its worst verdict, its score (0–100, None when not checked) and its findings' ids."""
        rows = []
        for pitfall in PITFALLS:
            found = [f for f in self.findings if f.pitfall == pitfall]
            points = pitfall_points(found)
            worst = max((f.verdict for f in found), key=VERDICTS.index, default=None)
            rows.append(
                {
                    "pitfall": pitfall,
                    "verdict": worst,
                    "score": None if points is None else round(100 * points),
                    "findings": [f.id for f in found],
                }
            )
        return rows

    def finding(self, finding_id: str) -> Finding:
        for finding in self.findings:
            if finding.id == finding_id:
                return finding
        raise KeyError(finding_id)

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {
            "score": self.score,
            "as_of": self.as_of,
            "pitfalls": self.pitfalls(),
            "findings": [f.as_dict(lang) for f in self.findings],
            "skipped": [s.as_dict(lang) for s in self.skipped],
        }


def pitfall_points(findings: list[Finding]) -> float | None:
    if not findings:
        return None
    return sum(VERDICT_POINTS[f.verdict] for f in findings) / len(findings)


def overall_score(findings: list[Finding]) -> int:
    """100 × the mean of the checked pitfalls' points (100 when nothing could be checked: nothing is wrong)."""
    points = [p for p in (pitfall_points([f for f in findings if f.pitfall == n]) for n in PITFALLS) if p is not None]
    return round(100 * sum(points) / len(points)) if points else 100


def finite(value: Any) -> Any:
    """JSON-safe: NaN / infinity as None, tuples as lists, numpy-free plain values."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
