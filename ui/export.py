"""Downloads: CSV that Excel opens safely (UTF-8 with BOM, formula cells neutralised) and chart images."""

from __future__ import annotations

from typing import Any

import pandas as pd

# The rule lives in the engine, shared with the Excel report (kpi_core.report_xlsx): a cell that starts with =, +, -,
# @, tab or CR (also after spaces, and the full-width ＝ ＋ －) gets a leading apostrophe ("CSV injection").
from kpi_core.export_safety import FORMULA_PREFIXES, is_formula_like, neutralise_cell

__all__ = [
    "FORMULA_PREFIXES",
    "chart_png",
    "chart_svg",
    "csv_bytes",
    "is_formula_like",
    "neutralise_cell",
    "safe_frame",
]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name neutralised."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series):
            out[column] = series.map(neutralise_cell, na_action="ignore")
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV in UTF-8 with a BOM (so Excel opens Japanese text correctly), formulas neutralised."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def chart_png(spec: dict[str, Any], scale: float = 2) -> bytes:
    """A Vega-Lite spec rendered to PNG without a browser."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=scale)


def chart_svg(spec: dict[str, Any]) -> bytes:
    """A Vega-Lite spec rendered to SVG (UTF-8 bytes)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec).encode("utf-8")
