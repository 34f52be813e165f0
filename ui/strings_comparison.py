"""Texts of the period comparisons (前月比 / 前年同月比 beside a headline figure: ui/comparison_view.py), in Japanese
and English (merged into ui/strings.py's one table). What a change is against, and why one is not shown, are the
engine's words (kpi_core/messages.py, keys "compare.…")."""

from __future__ import annotations

COMPARISON_STRINGS: dict[str, dict[str, str]] = {
    # A stretch of days across two years (within one year ui/comparison_view.py writes it as dates are written).
    "compare.span.any": {"ja": "{start}〜{end}", "en": "{start} – {end}"},
    # The tooltip of a compared figure: the exact windows and values.
    "compare.help.current": {"ja": "今期（{span}）：{value}", "en": "This period ({span}): {value}"},
    "compare.help.against": {"ja": "{label}：{span}の{value}と比べて", "en": "{label}: against {value} on {span}"},
    "compare.help.none": {"ja": "{label}：{span}（{reason}）", "en": "{label}: {span} ({reason})"},
    "compare.help.zero_base": {
        "ja": "比較期間が0のため、増減は差で示しています",
        "en": "the compared figure is 0, so the change is shown as a difference",
    },
    # Home and Funnel.
    "compare.home_title": {
        "ja": "前年同期・前月と比べて（{span}）",
        "en": "Against last year and last month ({span})",
    },
    "compare.figure_label": {"ja": "{name}（{period}）", "en": "{name} ({period})"},
    "compare.funnel_title": {"ja": "{period}の動き（{span}）", "en": "{period} so far ({span})"},
    "compare.funnel_title_final": {"ja": "{period}の動き（確定）", "en": "{period} (final)"},
    "compare.caption.windows": {
        "ja": "今期 {current} を、前の期間 {previous}・前年同期 {last_year} と比べています{to_date}。",
        "en": "This period, {current}, against the previous one, {previous}, and the same period last year, "
        "{last_year}{to_date}.",
    },
    "compare.caption.windows_one": {
        "ja": "今期 {current} を、前の期間 {previous} と比べています{to_date}。",
        "en": "This period, {current}, against the previous one, {previous}{to_date}.",
    },
    "compare.caption.to_date": {"ja": "（どれも期首から同じ日まで）", "en": " (each up to the same day of its period)"},
    # one goal's changes under Goals' bullet chart: "月間有効商談数：前月同日比 ↑ +3 ・ 前年同月同日比 ↓ −2"
    "compare.goal_line": {"ja": "{name}：{changes}", "en": "{name}: {changes}"},
    "compare.goal_line.separator": {"ja": " ・ ", "en": " · "},
}
