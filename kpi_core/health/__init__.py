"""KPI health check: the seven pitfalls of KPI management diagnosed from the goal model and the data (issue 13)."""

from kpi_core.health.fixes import FixError, apply_fix
from kpi_core.health.model import Finding, Fix, HealthReport, Skipped
from kpi_core.health.runner import check_health
from kpi_core.health.targets import target_realism

__all__ = [
    "Finding",
    "Fix",
    "FixError",
    "HealthReport",
    "Skipped",
    "apply_fix",
    "check_health",
    "target_realism",
]
