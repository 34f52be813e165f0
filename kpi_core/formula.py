"""Safe arithmetic over named figures: "won / (won + lost)", "opportunities * win_rate * avg_unit_price"."""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class FormulaError(ValueError):
    """A formula that is not plain arithmetic over known names."""


def formula_names(formula: str) -> set[str]:
    """The figure names a formula uses."""
    return {node.id for node in ast.walk(_parse(formula)) if isinstance(node, ast.Name)}


def evaluate(formula: str, values: Mapping[str, float | int | None]) -> float | None:
    """Evaluate `formula` with `values`; None when a figure it needs is missing or a division is by zero."""
    return _eval(_parse(formula).body, values)


def _parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a formula: {formula!r}") from exc
    for node in ast.walk(tree):
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.USub,
            ast.UAdd,
            ast.Name,
            ast.Load,
            ast.Constant,
        )
        if not isinstance(node, allowed) and type(node) not in _BINARY:
            raise FormulaError(f"only + - * / ( ) numbers and metric names are allowed: {formula!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants: {formula!r}")
    return tree


def _eval(node: ast.AST, values: Mapping[str, float | int | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise FormulaError(f"unknown metric: {node.id}")
        value = values[node.id]
        return None if value is None else float(value)
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, values)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    assert isinstance(node, ast.BinOp)
    left, right = _eval(node.left, values), _eval(node.right, values)
    if left is None or right is None:
        return None
    if isinstance(node.op, ast.Div) and right == 0:
        return None
    return _BINARY[type(node.op)](left, right)
