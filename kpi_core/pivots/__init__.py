"""CSF pivots: driver models of the KGI, what another lever must reach when a KPI misses, Goodhart guard, what-if.

The package is split by responsibility; every name stays importable from kpi_core.pivots."""

from __future__ import annotations

from kpi_core.metrics import compute_kpis  # noqa: F401  (tests count the engine's calls through it)
from kpi_core.pivots.candidates import (  # noqa: F401
    _CSF_ALIASES,
    CsfRef,
    KpiForecast,
    LeverChange,
    Pivot,
    _change,
    _existing_share_pivot,
    _explain,
    _pair,
    _single,
    _verdict,
    csfs_for_lever,
    find_pivots,
    rank_pivots,
)
from kpi_core.pivots.constants import (  # noqa: F401
    CORRELATION_MAX_LAG,
    CORRELATION_MIN_MONTHS,
    CORRELATION_MONTHS,
    GOODHART_MIN_CHANGE,
    GROUP_MIN_RECORDS,
    GROUP_MONTHS,
    GROUP_ROLES,
    HISTORY_MONTHS,
    IDENTITY_TOLERANCE,
    KGI,
    MONTHS_IN,
    NEGATIVE_CORRELATION,
    TRAILING_MONTHS,
    PivotInputError,
)
from kpi_core.pivots.evidence import (  # noqa: F401
    Evidence,
    GroupValue,
    LeverHistory,
    _groups_reaching,
    _tiny,
    history_evidence,
)
from kpi_core.pivots.explain import (  # noqa: F401
    Explanation,
    _lower,
    format_change,
    format_value,
)
from kpi_core.pivots.goal_report import (  # noqa: F401
    PivotReport,
    Shortfall,
    _forecast_dict,
    _identity_dict,
    _kgi_model,
    _period_target,
    _shortfall,
    pivots_for_goals,
)
from kpi_core.pivots.goodhart import (  # noqa: F401
    QUALITY_PAIRS,
    GoodhartCheck,
    QualityPair,
    _check,
    _figure,
    _moved,
    _relative,
    _unit,
    best_lag_correlation,
    change_correlation,
    goodhart_checks,
)
from kpi_core.pivots.identity import (  # noqa: F401
    IdentityCheck,
    IdentityRow,
    _formula_words,
    _identity_row,
    identity_check,
)
from kpi_core.pivots.models import (  # noqa: F401
    _LEVEL_LABEL,
    AVG_UNIT_PRICE,
    EXISTING_SHARE,
    NEW_WON_REVENUE,
    SALES_MODEL,
    SUSTAINABILITY_MODEL,
    WIN_RATE,
    DriverModel,
    Lever,
    _conversion,
    _label,
    _volume,
    available_models,
    flat_figures,
    funnel_model,
    lever_value,
    model_for_metric,
)
from kpi_core.pivots.solver import (  # noqa: F401
    PeriodPosition,
    _bisect,
    _monthly_pace,
    _rest_from_shown,
    kgi_forecast,
    required_common_change,
    required_rest_value,
    shown_value,
)
from kpi_core.pivots.what_if import (  # noqa: F401
    LeverSetting,
    WhatIf,
    parse_setting,
    what_if,
)
from kpi_core.pivots.windows import (  # noqa: F401
    _add_months,
    _kpis,
    _within,
    complete_months,
    goodhart_for_dataset,
    lever_history,
    period_kgi_target,
    period_position,
    window_figures,
)
