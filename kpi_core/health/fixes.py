"""A fix applied to the goal file's text: the one line (or KPI block) edited in place so comments stay; when the
file's layout does not allow that (flow style, block scalars), the model is edited and the file written anew."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import yaml

from kpi_core.goals import REVIEWS, Goals, GoalsError, dump_goals, load_goals
from kpi_core.health.model import FIX_OPS, Fix

FIELD_OF = {"set_target": "target", "set_owner": "owner", "set_cadence": "review", "set_definition": "definition"}
_PLAIN_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


class FixError(ValueError):
    """A fix that cannot be applied: unknown operation or KPI, or a value the goal file would refuse."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def apply_fix(goals_text: str, fix: Fix | Mapping[str, Any]) -> str:
    """The goal file with `fix` made ({op, kpi, value}: drop_kpi, set_target, set_owner, set_cadence,
    set_definition, link_csf); load_goals accepts the result. Comments are kept when the edit is one field or one
    block-style KPI; otherwise the file is regenerated from the model (dump_goals)."""
    fix = fix if isinstance(fix, Fix) else Fix(fix["op"], fix["kpi"], fix.get("value"))
    if fix.op not in FIX_OPS:
        raise FixError("health.fix.unknown_op", op=fix.op)
    goals = load_goals(goals_text)
    if fix.kpi not in {k.id for k in goals.kpis}:
        raise FixError("health.fix.unknown_kpi", kpi=fix.kpi)
    _check_value(goals, fix)
    expected = edit_model(goals, fix)
    try:
        text = _edit_text(goals_text, fix)
    except _Regenerate:
        text = None
    if text is not None:
        try:
            if load_goals(text) == expected:
                return text
        except GoalsError:
            pass
    return dump_goals(expected)


def edit_model(goals: Goals, fix: Fix) -> Goals:
    """The goal model with the fix made (a new Goals; `goals` is left as it was)."""
    kpis = []
    for kpi in goals.kpis:
        if kpi.id != fix.kpi:
            kpis.append(kpi)
        elif fix.op == "drop_kpi":
            continue
        elif fix.op == "link_csf":
            kpis.append(replace(kpi, csfs=[*kpi.csfs, fix.value] if fix.value not in kpi.csfs else list(kpi.csfs)))
        else:
            name = FIELD_OF[fix.op]
            if name == "target":
                kpis.append(replace(kpi, target=float(fix.value)))
            elif name == "owner":
                kpis.append(replace(kpi, owner=str(fix.value)))
            elif name == "review":
                kpis.append(replace(kpi, review=str(fix.value)))
            else:  # "definition", the last field FIELD_OF names
                kpis.append(replace(kpi, definition=str(fix.value)))
    return replace(goals, kpis=kpis, csfs=list(goals.csfs), kgi=replace(goals.kgi))


def _check_value(goals: Goals, fix: Fix) -> None:
    if fix.op == "set_target" and (isinstance(fix.value, bool) or not isinstance(fix.value, int | float)):
        raise FixError("health.fix.bad_value", op=fix.op, value=fix.value)
    if fix.op == "set_cadence" and fix.value not in REVIEWS:
        raise FixError("health.fix.bad_value", op=fix.op, value=fix.value)
    if fix.op == "link_csf" and fix.value not in {c.id for c in goals.csfs}:
        raise FixError("health.fix.bad_value", op=fix.op, value=fix.value)
    if fix.op in ("set_owner", "set_definition") and (not isinstance(fix.value, str) or not fix.value.strip()):
        raise FixError("health.fix.bad_value", op=fix.op, value=fix.value)


class _Regenerate(Exception):
    """The text cannot be edited in place."""


def _scalar(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _flow_item(value: str) -> str:
    return value if _PLAIN_ID.fullmatch(value) else _scalar(value)


def _edit_text(text: str, fix: Fix) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    kpis = _get(root, "kpis")
    if not isinstance(kpis, yaml.SequenceNode) or kpis.flow_style:
        raise _Regenerate
    items = [n for n in kpis.value if isinstance(n, yaml.MappingNode)]
    index = next(i for i, n in enumerate(items) if getattr(_get(n, "id"), "value", None) == fix.kpi)
    item = items[index]
    if item.flow_style:
        raise _Regenerate
    lines = text.splitlines(keepends=True)
    if fix.op == "drop_kpi":
        first, last = item.start_mark.line, _last_line(item)
        return "".join(lines[:first] + lines[last + 1 :])
    if fix.op == "link_csf":
        node = _get(item, "csfs")
        if node is None:
            return _insert(lines, item, "csfs", f"[{_flow_item(fix.value)}]")
        if isinstance(node, yaml.SequenceNode) and node.flow_style:
            ids = [n.value for n in node.value if isinstance(n, yaml.ScalarNode)] + [fix.value]
            new = "[" + ", ".join(_flow_item(i) for i in ids) + "]"
            return text[: node.start_mark.index] + new + text[node.end_mark.index :]
        raise _Regenerate
    key = FIELD_OF[fix.op]
    node = _get(item, key)
    if node is None:
        return _insert(lines, item, key, _scalar(fix.value))
    if not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">"):
        raise _Regenerate
    return text[: node.start_mark.index] + _scalar(fix.value) + text[node.end_mark.index :]


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return value_node
    return None


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based) holding text of the node (a block collection's end mark is the next token's)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            children += [key_node, value_node]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    return max([node.start_mark.line, *(_last_line(c) for c in children)])


def _insert(lines: list[str], item: yaml.MappingNode, key: str, value: str) -> str:
    """A new `key: value` line after the KPI's last line, at the indentation of its keys."""
    at = _last_line(item) + 1
    indent = " " * item.value[0][0].start_mark.column if item.value else "    "
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    return "".join([*lines[:at], f"{indent}{key}: {value}\n", *lines[at:]])
