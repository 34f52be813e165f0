"""The KGI → KPIs → CSFs tree as Graphviz DOT, its user text wrapped by display width and escaped."""

from __future__ import annotations

import unicodedata
from typing import Any

from kpi_core.goals import Goals
from ui.format import MISSING
from ui.goals.format import STATUS_FILLS, fmt_gap, fmt_goal, status_colour, status_text, unit_of
from ui.goals.gaps import current_rows
from ui.i18n import metric_label, t
from ui.theme import NEUTRAL


def _columns(text: str) -> int:
    """Display columns of a text: a CJK or full-width character takes two, the rest one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns: broken at spaces where there are some, else anywhere (CJK text
    has no spaces), so Japanese and English names make boxes of the same width."""
    lines: list[str] = []
    line = ""
    for word in " ".join(str(text).split()).split(" "):
        candidate = f"{line} {word}" if line else word
        if _columns(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if _columns(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]


def dot_text(text: object, width: int = 22, max_lines: int = 3, sep: str = "\\n") -> str:
    """User text made safe inside a quoted DOT label: backslashes and quotes escaped, line breaks as \\n, long
    text wrapped every `width` display columns (CJK text has no spaces to wrap at), at most `max_lines` lines,
    joined by `sep` (a DOT line break: centred \\n, or left-aligned \\l with an indent)."""
    lines = wrap_columns(str(text), width)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _columns(last) > width - 2:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return sep.join(escaped)


INDENT = "\\l   "  # a left-aligned DOT line break, the next line indented under the text of a list item


def kpi_tree_dot(
    goals: Goals, rows: list[dict[str, Any]], lang: str, *, actions: bool = True, large: bool = False
) -> str:
    """The KGI → KPIs → CSFs tree as DOT, left to right: goal nodes show actual, target, gap and their status
    (colour, symbol and word); each CSF lists its lever and its actions inside its own box, so the tree has three
    columns and its text stays readable in a narrow page (wrapped by display width, never scaled below ~11 px)."""
    current = current_rows(rows)
    size = 17 if large else 13
    lines = [
        "digraph kpi_tree {",
        '  graph [rankdir=LR, nodesep=0.16, ranksep=0.35, bgcolor="transparent", pad=0.05];',
        '  node [shape=box, style="rounded,filled", fontname="Noto Sans CJK JP, Hiragino Sans, sans-serif", '
        f'fontsize={size}, penwidth=2, margin="0.10,0.05"];',
        '  edge [color="#9AA5B1", arrowsize=0.6];',
    ]

    def goal_node(node_id: str, row: dict[str, Any] | None, name: str, metric: str) -> str:
        unit = unit_of(metric)
        status = row["status"] if row else "no_data"
        target = fmt_goal(row["expected"], unit, lang, compact=True, required=True) if row else MISSING
        if row is None:
            figures = t("goals.status.no_data", lang)
        elif row["actual"] is None:
            figures = t("goals.tree.no_actual", lang, target=target)
        else:
            figures = t(
                "goals.tree.figures",
                lang,
                actual=fmt_goal(row["actual"], unit, lang, compact=True),
                target=target,
                gap=fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
            )
        label = f"{dot_text(status_text(status, lang) + ' ' + name, 28)}\\n{dot_text(figures, 36)}"
        return (
            f'  "{node_id}" [label="{label}", fillcolor="{STATUS_FILLS.get(status, STATUS_FILLS["no_data"])}", '
            f'color="{status_colour(status)}"];'
        )

    lines.append(goal_node("kgi", current.get("kgi"), goals.kgi.name, goals.kgi.metric))
    csf_ids = {c.id for c in goals.csfs}
    for index, kpi in enumerate(goals.kpis):
        node = f"kpi_{index}"
        lines.append(goal_node(node, current.get(kpi.id), kpi.name, kpi.metric))
        lines.append(f'  "kgi" -> "{node}";')
        for ref in kpi.csfs:
            if ref in csf_ids:
                lines.append(f'  "{node}" -> "csf_{dot_text(ref, 200)}";')
    for csf in goals.csfs:
        parts = [f"CSF: {dot_text(csf.name, 28, 2, INDENT)}"]
        if csf.lever:
            parts.append(dot_text(t("goals.tree.lever", lang, metric=metric_label(csf.lever, lang)), 30, 1))
        if actions:
            parts.extend(f"・{dot_text(action, 28, 2, INDENT)}" for action in csf.actions)
        label = "\\l".join(parts) + "\\l"  # left-aligned lines: a list reads down its left edge
        lines.append(
            f'  "csf_{dot_text(csf.id, 200)}" [label="{label}", fillcolor="#E6EEF8", color="{NEUTRAL}", penwidth=1];'
        )
    lines.append("}")
    return "\n".join(lines)
