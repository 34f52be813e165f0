"""The pivot engine's findings in words, in Japanese or English: each sentence is rendered from the explanation's code
and parameters (kpi_core.pivots.explain.Explanation) with the catalogue of kpi_core.messages.

The Pivots page (ui/pivots/sentences.py) and the `pivots` command both render through here, from the JSON shapes
the engine writes (`Pivot.as_dict()`, `Shortfall.as_dict()`, ...), so a sentence is written once. Figures follow
kpi_core.format (compact money, a required count rounded up, one decimal for rates and changes). The English
`text` of an Explanation stays as the JSON's field for compatibility; people read these sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from kpi_core.format import MISSING, fmt_change, fmt_period, fmt_value
from kpi_core.messages import MESSAGES, render

VERDICTS = ("no_change_needed", "feasible", "stretch", "impossible", "no_history")  # "pivots.verdict.<verdict>"
QUALITY_PARTNERS = ("opportunities_per_call", "opportunities_per_visit", "won_per_proposal")
# Every code an Explanation of the engine carries (kpi_core.pivots: candidates, goal_report, goodhart, identity,
# what_if), with the catalogue keys its sentence is made of (tests/test_cli_lang.py checks each has ja and en).
# A pivot's code is pivot_<single|pair>_<reason, else verdict> (kpi_core.pivots.candidates._verdict).
PIVOT_REASONS = ("no_change_needed", "feasible", "stretch", "no_history", "nothing_left", "above_max", "never_reached")
_TAIL_KEYS: dict[str, tuple[str, ...]] = {
    "no_change_needed": ("no_change",),
    "nothing_left": ("nothing_left",),
    "above_max": ("above_max",),
    "no_history": ("no_history",),
    "feasible": ("reached_by", "csf"),
    "stretch": ("reached_by", "csf"),
    "never_reached": ("no_group", "impossible"),
}


def _pivot_keys(kind: str, reason: str) -> tuple[str, ...]:
    slack = reason == "no_change_needed"
    move = ("enough_" if slack else "move_") + kind
    seen = (
        ()
        if reason in ("no_change_needed", "nothing_left", "above_max", "no_history")
        else ("seen" if kind == "single" else "seen_together",)
    )
    pace = ("pace",) if kind == "single" and not slack else ()
    names = ("keep", move, *pace, *seen, *_TAIL_KEYS[reason], "end")
    return tuple(f"pivots.sentence.{name}" for name in names)


_GOODHART_KEYS = ("pivots.goodhart.moves", "pivots.goodhart.correlation", "pivots.sentence.end")
EXPLANATION_KEYS: dict[str, tuple[str, ...]] = {
    **{f"pivot_{kind}_{reason}": _pivot_keys(kind, reason) for kind in ("single", "pair") for reason in PIVOT_REASONS},
    "shortfall": tuple(
        f"pivots.sentence.{name}" for name in ("kgi_short", "kpi_if", "some_feasible", "covered", "none_feasible")
    ),
    "no_driver_model": ("pivots.sentence.no_model", "pivots.note.no_driver_model"),
    "kgi_not_modelled": ("pivots.note.kgi_not_modelled",),
    "identity_ok": ("pivots.identity.ok",),
    "identity_residual": (
        "pivots.identity.residual",
        *(f"pivots.identity.note.{family}" for family in ("sales", "marketing", "sustainability")),
    ),
    "goodhart_ok": _GOODHART_KEYS,
    **{
        code: (*_GOODHART_KEYS, f"pivots.goodhart.flag.{code}")
        for code in ("volume_up_quality_down", "kpi_up_kgi_down", "kpi_kgi_negative_correlation")
    },
    "what_if": ("pivots.what_if.setting", "pivots.what_if.sentence"),
}
EXPLANATION_CODES: tuple[str, ...] = tuple(EXPLANATION_KEYS)


class LeverLike(Protocol):
    """What a sentence needs of a lever (kpi_core.pivots.models.Lever): its label and unit."""

    @property
    def label(self) -> dict[str, str]: ...

    @property
    def unit(self) -> str: ...


Levers = Mapping[str, Any]  # lever name → LeverLike (the page passes the levers of its report's models)


# --- words --------------------------------------------------------------------------------------------------------
def known_lever(name: str) -> LeverLike | None:
    """A lever of the engine's driver models by name (sales, sustainability, funnel conversions such as
    "mql_to_sql"), for a reader that has the JSON only."""
    from kpi_core.pivots.models import (
        _LEVEL_LABEL,
        AVG_UNIT_PRICE,
        EXISTING_SHARE,
        NEW_WON_REVENUE,
        SALES_MODEL,
        WIN_RATE,
        _conversion,
    )

    for lever in (*SALES_MODEL.levers, WIN_RATE, AVG_UNIT_PRICE, EXISTING_SHARE, NEW_WON_REVENUE):
        if lever.name == name:
            return lever
    upper, sep, lower = name.partition("_to_")
    if sep and upper in _LEVEL_LABEL and lower in _LEVEL_LABEL:
        return _conversion(upper, lower)
    return None


def lever_label(name: str, lang: str, levers: Levers | None = None) -> str:
    """A lever's label: the given model levers', else metrics.yaml's, else the engine's models', else a quality
    partner's, else the name; a pair "A + B"."""
    if levers is not None and name in levers:
        return levers[name].label[lang]
    if "+" in name:
        return " + ".join(lever_label(n, lang, levers) for n in name.split("+"))
    from kpi_core.metrics import load_catalog

    try:
        return load_catalog().get(name).label[lang]
    except KeyError:
        pass
    lever = known_lever(name)
    if lever is not None:
        return lever.label[lang]
    return render(f"pivots.partner.{name}", lang) if name in QUALITY_PARTNERS else name


def inline_label(name: str, lang: str, levers: Levers | None = None) -> str:
    """A label inside an English sentence: "Win rate" → "win rate", "MQL → SQL" stays."""
    label = lever_label(name, lang, levers)
    if lang != "en" or label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def unit_of(name: str, levers: Levers | None = None) -> str:
    """count / currency / ratio of a lever, a quality partner (a rate) or a metric."""
    if levers is not None and name in levers:
        return str(levers[name].unit)
    if name in QUALITY_PARTNERS:
        return "ratio"
    from kpi_core.metrics import load_catalog

    try:
        unit = load_catalog().get(name).unit
    except KeyError:
        lever = known_lever(name)
        return lever.unit if lever is not None else "count"
    return unit if unit in ("currency", "ratio") else "count"


def verdict_word(verdict: str, lang: str) -> str:
    """実現可能 / Feasible."""
    return render(f"pivots.verdict.{verdict}", lang)


def period_text(period: str | None, per: str, lang: str) -> str:
    """A period key of the engine (2026-11, 2026, 2026-Q3) as the reader writes it."""
    if not period:
        return MISSING
    try:
        return fmt_period(period, per, lang)
    except (ValueError, IndexError):
        return period


def joined(items: Sequence[str], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


def reached_by_text(reached: Sequence[Mapping[str, Any]], lang: str, limit: int = 3) -> str:
    """Owners / segments / channels already at the level: "担当者 佐藤、鈴木 ほか2"."""
    if not reached:
        return ""
    shown = [f"{_role(str(g['role']), lang)} {g['key']}" for g in reached[:limit]]
    more = len(reached) - limit
    return joined(shown, lang) + (render("pivots.and_more", lang, count=more) if more > 0 else "")


def _role(role: str, lang: str) -> str:
    key = f"role.{role}"
    return render(key, lang) if key in MESSAGES else role


def value_text(
    value: float | None, unit: str, lang: str, *, currency: str | None = None, required: bool = False
) -> str:
    """A lever value in the one number style: 29.8%, 108.1万円 / ¥1.08M, 42 (a required count rounded up)."""
    unit = unit if unit in ("count", "currency", "ratio") else "count"
    return fmt_value(value, unit, lang, compact=True, currency=currency, required=required)


def move_texts(part: Mapping[str, Any], lang: str, *, currency: str | None = None) -> tuple[str, str, str, str | None]:
    """A lever move's (current, required, change, pace) texts, from its figures (kpi_core.report.change_figures:
    the only way a move is shown). `part` is a LeverChange as a dict."""
    from kpi_core.pivots.candidates import LeverChange
    from kpi_core.report import change_figures

    fields: dict[str, Any] = {name: part.get(name) for name in LeverChange.__dataclass_fields__}
    figures = change_figures(LeverChange(**fields))
    shown = [f.text(lang, currency=currency) for f in (figures.current, figures.required, figures.change)]
    pace = figures.pace.text(lang, currency=currency) if figures.pace is not None else None
    return shown[0], shown[1], shown[2], pace


# --- sentences ------------------------------------------------------------------------------------------------------
def shortfall_sentence(
    shortfall: Mapping[str, Any],
    lang: str,
    *,
    levers: Levers | None = None,
    currency: str | None = None,
    shown: Mapping[str, str] | None = None,
) -> str:
    """Why a KPI (or the month's KGI) misses and how many pivots were reached before (`Shortfall.as_dict()`).

    `shown` may give the texts of "forecast", "target", "kgi_forecast" and "kgi_target" as a page already shows
    them (the report's figures); the others are formatted from the parameters."""
    exp = shortfall["explanation"]
    p = exp["params"]
    if exp["code"] == "no_driver_model":
        return render("pivots.sentence.no_model", lang, name=shortfall["name"])
    given = dict(shown or {})
    period = period_text(p.get("period"), shortfall.get("per") or "month", lang)
    kgi_target = given.get("kgi_target") or value_text(p.get("kgi_target"), "currency", lang, currency=currency)
    if shortfall["id"] == "kgi":
        forecast = given.get("forecast") or value_text(p.get("kgi_forecast"), "currency", lang, currency=currency)
        lead = render("pivots.sentence.kgi_short", lang, period=period, forecast=forecast, target=kgi_target)
    else:
        # The month's revenue if this KPI ends at its forecast: another scenario than the month's forecast, and
        # said as one ("if ... stays at").
        unit = shortfall.get("unit") or "count"
        lead = render(
            "pivots.sentence.kpi_if",
            lang,
            name=shortfall["name"],
            period=period,
            forecast=given.get("forecast") or value_text(shortfall.get("forecast"), unit, lang, currency=currency),
            target=given.get("target") or value_text(shortfall.get("target"), unit, lang, currency=currency),
            kgi_forecast=given.get("kgi_forecast")
            or value_text(p.get("kgi_forecast"), "currency", lang, currency=currency),
            kgi_target=kgi_target,
        )
    if p.get("best"):
        best = inline_label(p["best"], lang, levers)
        tail = render("pivots.sentence.some_feasible", lang, feasible=p["feasible"], pivots=p["pivots"], best=best)
    elif p.get("feasible"):
        tail = render("pivots.sentence.covered", lang, pivots=p["pivots"])
    else:
        tail = render("pivots.sentence.none_feasible", lang, pivots=p["pivots"])
    return lead + tail


def pivot_sentence(
    pivot: Mapping[str, Any], lang: str, *, levers: Levers | None = None, currency: str | None = None
) -> str:
    """One pivot in one sentence (`Pivot.as_dict()`): what the lever(s) must reach, how often history reached it,
    and the CSF to switch to."""
    p = pivot["explanation"]["params"]
    names = [inline_label(n, lang, levers) for n in p["levers"]]
    verdict, reason = p["verdict"], p["reason"]
    slack = verdict == "no_change_needed"  # the required level is already within the forecast: say so
    parts = pivot["parts"]
    if pivot["kind"] == "single":
        _current, required, change, pace = move_texts(parts[0], lang, currency=currency)
        key = "pivots.sentence.enough_single" if slack else "pivots.sentence.move_single"
        move = render(key, lang, lever=names[0], required=required, change=change)
        if pace is not None and parts[0].get("required") is not None and not slack:
            move += render("pivots.sentence.pace", lang, pace=pace)
        seen = render("pivots.sentence.seen", lang, achieved=p["months_achieved"], months=p["months"])
    else:
        moved = [move_texts(part, lang, currency=currency) for part in parts]
        targets = joined(
            [
                f"{n} {m[1]}（{m[2]}）" if lang == "ja" else f"{n} {m[1]} ({m[2]})"
                for n, m in zip(names, moved, strict=True)
            ],
            lang,
        )
        key = "pivots.sentence.enough_pair" if slack else "pivots.sentence.move_pair"
        move = render(key, lang, first=names[0], second=names[1], targets=targets)
        seen = render("pivots.sentence.seen_together", lang, achieved=p["months_achieved"], months=p["months"])
    if slack:
        tail = render("pivots.sentence.no_change", lang)
    elif reason == "nothing_left":
        tail = render("pivots.sentence.nothing_left", lang)
    elif reason == "above_max":
        tail = render("pivots.sentence.above_max", lang)
    elif verdict == "no_history":
        tail = render("pivots.sentence.no_history", lang)
    else:
        tail = seen
        reached = pivot.get("reached_by") or []
        if reached:
            tail += render("pivots.sentence.reached_by", lang, groups=reached_by_text(reached, lang))
        elif verdict == "impossible" and _groups_compared(pivot):
            tail += render("pivots.sentence.no_group", lang)
        elif verdict == "impossible":
            tail += render("pivots.sentence.impossible", lang)
    goal = value_text(p["kgi_goal"], "currency", lang, currency=currency)
    text = render("pivots.sentence.keep", lang, goal=goal, move=move, tail=tail)
    csfs = pivot.get("csfs") or []
    if csfs and verdict in ("feasible", "stretch"):  # no CSF to switch to when nothing has to change
        actions = [a for csf in csfs for a in csf.get("actions", ())][:2]
        text += render("pivots.sentence.csf", lang, csf=csfs[0]["name"], actions=joined(actions, lang) or MISSING)
    return text + render("pivots.sentence.end", lang)


def _groups_compared(pivot: Mapping[str, Any]) -> int:
    """How many owner / segment / channel groups the evidence compared (a parameter the page has on the object)."""
    return int(pivot.get("groups_compared") or pivot["explanation"]["params"].get("groups_compared") or 0)


def formula_words(formula: str, lang: str, levers: Levers | None = None) -> str:
    """A driver model's formula with labels for names: "商談数 × 受注率 × 平均単価"."""
    words = re.sub(r"[A-Za-z_][A-Za-z_0-9]*", lambda m: inline_label(m.group(0), lang, levers), formula)
    return words.replace(" * ", " × ").replace(" / ", " ÷ ").replace("1 - ", "1 − ")


def identity_sentence(check: Mapping[str, Any], lang: str, *, levers: Levers | None = None) -> str:
    """Whether a driver model reproduces actual revenue, and by how much it does not (an IdentityCheck as a dict)."""
    exp = check["explanation"]
    p = exp["params"]
    formula = formula_words(check["formula"], lang, levers)
    tolerance = fmt_value(p["tolerance"], "ratio", lang)
    if exp["code"] == "identity_ok":
        text = render("pivots.identity.ok", lang, formula=formula, periods=p["periods"], tolerance=tolerance)
        return text[:1].upper() + text[1:]
    family = "marketing" if check["model"].startswith("marketing") else check["model"]
    note = render(f"pivots.identity.note.{family}", lang) if family in ("sales", "marketing", "sustainability") else ""
    text = render(
        "pivots.identity.residual",
        lang,
        formula=formula,
        residual=fmt_change(p["residual_pct"], lang),
        flagged=p["flagged_periods"],
        periods=p["periods"],
        tolerance=tolerance,
        note=note,
    )
    return text[:1].upper() + text[1:]


def goodhart_sentence(
    check: Mapping[str, Any], lang: str, *, levers: Levers | None = None, currency: str | None = None
) -> str:
    """A Goodhart check with its numbers (a GoodhartCheck as a dict)."""
    p = check["explanation"]["params"]
    kpi, partner = check["kpi"], check["partner"]
    kpi_unit, partner_unit = unit_of(kpi, levers), unit_of(partner, levers)
    text = render(
        "pivots.goodhart.moves",
        lang,
        kpi=lever_label(kpi, lang, levers),
        window=p["window_months"],
        kb=value_text(check["kpi_before"], kpi_unit, lang, currency=currency),
        ka=value_text(check["kpi_after"], kpi_unit, lang, currency=currency),
        kc=fmt_change(check["kpi_change_pct"], lang),
        partner=inline_label(partner, lang, levers),
        pb=value_text(check["partner_before"], partner_unit, lang, currency=currency),
        pa=value_text(check["partner_after"], partner_unit, lang, currency=currency),
        pc=fmt_change(check["partner_change_pct"], lang),
    )
    if check["correlation"] is not None and check["code"] != "volume_up_quality_down":
        text += render(
            "pivots.goodhart.correlation",
            lang,
            corr=f"{check['correlation']:+.2f}",
            lag=check["correlation_lag"],
            changes=check["correlation_changes"],
        )
    if check["flagged"]:
        text += render(f"pivots.goodhart.flag.{check['code']}", lang)
    return text + render("pivots.sentence.end", lang)


def note_sentence(note: Mapping[str, Any], lang: str) -> str:
    """An engine note (no driver model, KGI not modelled) as a dict {code, params}."""
    return render(f"pivots.note.{note['code']}", lang, metric=note["params"].get("metric", ""))


def what_if_sentence(
    outcome: Mapping[str, Any], lang: str, *, levers: Levers | None = None, currency: str | None = None
) -> str:
    """The what-if outcome in one sentence (`WhatIf.as_dict()`)."""
    settings = joined(
        [
            render(
                "pivots.what_if.setting",
                lang,
                lever=inline_label(part["lever"], lang, levers),
                value=move_texts(part, lang, currency=currency)[1],
            )
            for part in outcome["changed"]
        ],
        lang,
    )
    return render(
        "pivots.what_if.sentence",
        lang,
        settings=settings,
        period=period_text(outcome["explanation"]["params"].get("period"), "month", lang),
        after=value_text(outcome["kgi_after"], "currency", lang, currency=currency),
        attainment=fmt_value(outcome["attainment_after"], "ratio", lang),
        target=value_text(outcome["kgi_target"], "currency", lang, currency=currency),
        before=value_text(outcome["kgi_before"], "currency", lang, currency=currency),
    )
