"""Safe arithmetic over named figures: "won / (won + lost)", "opportunities * win_rate * avg_unit_price".

A formula is refused before Python's parser sees it when it is longer than MAX_FORMULA_CHARS or nests deeper than
MAX_FORMULA_DEPTH (parentheses and signs), so evaluating it never recurses deeply.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from typing import cast

from kpi_core.messages import MESSAGES, render

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Name, ast.Load, ast.Constant)
MAX_FORMULA_CHARS = 500  # characters of a formula
MAX_FORMULA_DEPTH = 50  # nesting: parentheses, signs and chained operators
MAX_CONSTANT = 1e15  # a number written inside a formula
SHOWN_CHARS = 40  # a formula echoed in a sentence is cut to this many characters


class FormulaError(ValueError):
    """A formula that is not plain arithmetic over known names.

    ``code`` names its sentence in kpi_core.messages ("formula.<code>"), ``params`` fill it; str() is the English
    sentence and message(lang) the sentence in ja / en.
    """

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        key = f"formula.{self.code}"
        return render(key, lang, **self.params) if key in MESSAGES else self.code  # FormulaError("free text")


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """User text as echoed in a sentence: quoted, and cut to `limit` characters with …."""
    quoted = repr(text[: 2 * limit])
    return quoted if len(quoted) <= limit and len(text) <= 2 * limit else quoted[: limit - 1] + "…"


def formula_names(formula: str) -> set[str]:
    """The figure names a formula uses."""
    return {node.id for node in ast.walk(_parse(formula)) if isinstance(node, ast.Name)}


def evaluate(formula: str, values: Mapping[str, float | int | None]) -> float | None:
    """Evaluate `formula` with `values`; None when a figure it needs is missing or a division is by zero."""
    return _eval(_parse(formula).body, values)


def _nesting(formula: str) -> int:
    """How deep the formula nests, from its characters alone: open parentheses plus a run of signs (- - - x)."""
    deepest = depth = signs = 0
    expect_operand = True  # a + or - here is a sign, not an operator
    for char in formula:
        if char.isspace():
            continue
        if char == "(":
            depth += 1
            expect_operand = True
        elif char == ")":
            depth -= 1
            signs = 0
            expect_operand = False
        elif char in "+-" and expect_operand:
            signs += 1
        elif char in "+-*/":
            expect_operand = True
            signs = 0
        else:
            expect_operand = False
        deepest = max(deepest, depth + signs)
    return deepest


def _depth(tree: ast.AST) -> int:
    """The depth of a parsed tree, counted without recursion."""
    deepest = 0
    queue: deque[tuple[ast.AST, int]] = deque([(tree, 0)])
    while queue:
        node, depth = queue.popleft()
        deepest = max(deepest, depth)
        queue.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _parse(formula: str) -> ast.Expression:
    if not isinstance(formula, str):
        raise FormulaError("not_a_formula", formula=shown(str(formula)))
    return _parse_text(formula)


@lru_cache(maxsize=1024)
def _parse_text(formula: str) -> ast.Expression:
    """The checked tree of a formula (cached: the engine evaluates the same few formulas for every period)."""
    if len(formula) > MAX_FORMULA_CHARS:
        raise FormulaError("too_long", length=f"{len(formula):,}", limit=f"{MAX_FORMULA_CHARS:,}")
    if _nesting(formula) > MAX_FORMULA_DEPTH:
        raise FormulaError("too_deep", limit=MAX_FORMULA_DEPTH)
    try:
        with warnings.catch_warnings():  # "1won" warns before it fails: the sentence below says it once
            warnings.simplefilter("ignore")
            tree = ast.parse(formula, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise FormulaError("not_a_formula", formula=shown(formula)) from exc
    # Expression → operator nodes → Name / Constant → Load: a tree two levels deeper than its nesting of operators
    if _depth(tree) > MAX_FORMULA_DEPTH + 2:
        raise FormulaError("too_deep", limit=MAX_FORMULA_DEPTH)
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) and type(node) not in _BINARY:
            raise FormulaError("not_allowed", formula=shown(formula))
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FormulaError("constant", formula=shown(formula))
            if not (abs(value) <= MAX_CONSTANT and math.isfinite(value)):  # a huge int compares exactly
                raise FormulaError("constant_range", formula=shown(formula))
    return tree


def _eval(node: ast.AST, values: Mapping[str, float | int | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(cast(int | float, node.value))  # _parse_text refuses any other constant
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise FormulaError("unknown_metric", names=node.id)
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
