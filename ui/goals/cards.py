"""Headline figure cards: a label, a value and a delta that may be a status word."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.show import figure_card


@dataclass(frozen=True)
class StatusFigure:
    """A headline figure whose delta is a status word (no arrow: the symbol says it)."""

    name: str
    label: str
    value: str
    delta: str | None = None
    delta_color: str = "off"
    arrow: str = "off"
    help: str | None = None


def draw_figures(figures: list[StatusFigure], widths: list[float] | None = None) -> None:
    """Large figures across the top, each in a container keyed `kpi_<name>` (a range needs a wider column)."""
    for column, figure in zip(st.columns(widths or len(figures)), figures, strict=True):
        with column, figure_card(figure.name, figure.value):
            st.metric(
                figure.label,
                figure.value,
                delta=figure.delta,
                delta_color=figure.delta_color,  # type: ignore[arg-type]
                delta_arrow=figure.arrow,  # type: ignore[arg-type]
                help=figure.help,
                border=True,
            )
