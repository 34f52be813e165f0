"""What-if: the KGI when some levers change, and what each other lever would then need alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from kpi_core.pivots.candidates import LeverChange, _change
from kpi_core.pivots.constants import PivotInputError
from kpi_core.pivots.explain import Explanation, format_value
from kpi_core.pivots.models import DriverModel, _label
from kpi_core.pivots.solver import PeriodPosition, _rest_from_shown, kgi_forecast, required_rest_value, shown_value


@dataclass(frozen=True)
class LeverSetting:
    """A what-if change: `value` is a new value, or a relative change (0.1 = +10 %) when `relative`."""

    lever: str
    value: float
    relative: bool = False


def parse_setting(text: str) -> LeverSetting:
    """'win_rate=0.3', 'win_rate=30%', 'avg_unit_price=+10%', 'opportunities=-5%' as a LeverSetting.

    A signed percentage is a relative change; anything else is a value (a bare percentage is a ratio: 30% = 0.3).
    """
    name, sep, raw = text.partition("=")
    raw = raw.strip().replace(",", "")
    if not sep or not name.strip() or not raw:
        raise PivotInputError("pivot_input.setting_form", setting=text)
    try:
        if raw.endswith("%"):
            number = float(raw[:-1]) / 100
            return LeverSetting(name.strip(), number, relative=raw[0] in "+-")
        return LeverSetting(name.strip(), float(raw))
    except ValueError:
        raise PivotInputError("pivot_input.setting_number", setting=text, value=raw) from None


@dataclass(frozen=True)
class WhatIf:
    """The KGI when some levers change, and what each other lever would then need alone."""

    model: str
    settings: tuple[LeverSetting, ...]
    changed: tuple[LeverChange, ...]  # current → new value of each lever set
    kgi_target: float
    kgi_before: float | None
    kgi_after: float | None
    gap_after: float | None  # forecast − target
    attainment_after: float | None
    required: tuple[LeverChange, ...]  # unchanged levers: the value each alone must reach after the changes
    explanation: Explanation

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "settings": [asdict(s) for s in self.settings],
            "changed": [asdict(c) for c in self.changed],
            "kgi_target": self.kgi_target,
            "kgi_before": self.kgi_before,
            "kgi_after": self.kgi_after,
            "gap_after": self.gap_after,
            "attainment_after": self.attainment_after,
            "required": [asdict(c) for c in self.required],
            "explanation": asdict(self.explanation),
        }


def what_if(model: DriverModel, position: PeriodPosition, settings: Sequence[LeverSetting]) -> WhatIf:
    """Apply `settings` (shown values: a volume's period-end total, a rate for the rest) and recompute the KGI."""
    rest = dict(position.rest)
    changed = []
    for setting in settings:
        lever = model.lever(setting.lever)
        now = shown_value(lever, position, rest.get(lever.name))
        if now is None:
            raise PivotInputError("pivot_input.no_current", lever=setting.lever)
        shown = now * (1 + setting.value) if setting.relative else setting.value
        if shown < 0 or (lever.maximum is not None and shown > lever.maximum):
            if lever.maximum is not None:
                raise PivotInputError(
                    "pivot_input.out_of_range",
                    lever=setting.lever,
                    value=format_value(shown, lever.unit),
                    maximum=format_value(lever.maximum, lever.unit),
                )
            raise PivotInputError("pivot_input.negative", lever=setting.lever, value=format_value(shown, lever.unit))
        new_rest = _rest_from_shown(lever, position, shown)
        if new_rest < 0:
            raise PivotInputError(
                "pivot_input.below_booked",
                lever=setting.lever,
                value=format_value(shown, lever.unit),
                booked=format_value(position.booked.get(lever.name, 0.0), lever.unit),
            )
        changed.append(_change(lever, position, rest.get(lever.name), new_rest))
        rest[lever.name] = new_rest
    after = replace(position, rest=rest)
    before_kgi, after_kgi = kgi_forecast(model, position), kgi_forecast(model, after)
    set_names = {s.lever for s in settings}
    required = []
    for lever in model.levers:
        if lever.name not in set_names:
            needed = required_rest_value(model, after, lever.name)
            required.append(_change(lever, after, rest.get(lever.name), None if needed is None else max(needed, 0.0)))
    gap = after_kgi - position.kgi_target if after_kgi is not None else None
    attainment = after_kgi / position.kgi_target if after_kgi is not None and position.kgi_target else None
    text = (
        f"With {', '.join(f'{c.lever} at {format_value(c.required, c.unit)}' for c in changed)}, "
        f"{_label(model.kgi)['en'].lower()} for {position.period} would end at {format_value(after_kgi, 'currency')} "
        f"({format_value(attainment, 'ratio')} of {format_value(position.kgi_target, 'currency')}, "
        f"forecast before: {format_value(before_kgi, 'currency')})."
    )
    params = {
        "settings": [asdict(s) for s in settings],
        "kgi_after": after_kgi,
        "kgi_before": before_kgi,
        "kgi_target": position.kgi_target,
        "attainment": attainment,
        "period": position.period,
    }
    return WhatIf(
        model.name,
        tuple(settings),
        tuple(changed),
        position.kgi_target,
        before_kgi,
        after_kgi,
        gap,
        attainment,
        tuple(required),
        Explanation("what_if", params, text),
    )
