"""Streamlit drawing helpers every page uses: headline figures, charts with caption and downloads, tables."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ui.export import chart_png, chart_svg, csv_bytes
from ui.frames import Figure
from ui.i18n import t
from ui.theme import LONG_FIGURE_KEY, WIDE_FIGURE_KEY, theme_spec

_log = logging.getLogger(__name__)
EXPORT_WIDTH = 760  # pixels of an exported chart (before the PNG scale)


# A value wider than this (in em: a CJK character 1, a digit about 0.55) is drawn in a size that scales with its card
# (see LONG_FIGURE_KEY in ui/theme.py), so "8,824万円" or "7,995–9,005万円" is never cut short.
LONG_VALUE_EM = 4.5
RANGE_VALUE_EM = 6.5  # wider still (a range): a smaller scale


def value_width_em(text: str) -> float:
    """The approximate width of a figure's text in em (CJK and full-width characters count as 1, the rest 0.55)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


@contextlib.contextmanager
def figure_card(name: str, value: str) -> Iterator[None]:
    """The container of a headline figure, keyed `kpi_<name>`; a long value gets the card-scaled size."""
    width = value_width_em(value)
    with st.container(key=f"kpi_{name}"):
        if width > LONG_VALUE_EM:
            prefix = WIDE_FIGURE_KEY if width > RANGE_VALUE_EM else LONG_FIGURE_KEY
            with st.container(key=f"{prefix}{name}"):
                yield
        else:
            yield


def headline(figures: list[Figure]) -> None:
    """3–6 large figures across the top; the exact value is in each figure's help tooltip."""
    if not figures:
        return
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        with column, figure_card(figure.name, figure.value):
            st.metric(
                figure.label,
                figure.value,
                delta=figure.delta,
                delta_color=figure.delta_color,  # type: ignore[arg-type]
                help=t("common.exact", value=figure.exact) if figure.exact and figure.exact != figure.value else None,
                border=True,
            )


def _file_stem(key: str) -> str:
    return f"kpi_pivot_{key}_{dt.date.today():%Y%m%d}"


def _large(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    config = theme_spec(large=True)["config"]
    return chart.configure(**{k: v for k, v in config.items() if k in ("axis", "legend", "header", "text", "title")})


def _render(renderer: Callable[[dict[str, Any]], bytes], chart: alt.TopLevelMixin) -> bytes:
    """An image of the chart, made only when its download is clicked (with a fixed width: the page's is unknown)."""
    spec = chart.to_dict()
    if not {"facet", "hconcat", "vconcat", "concat"} & set(spec) and "width" not in spec:
        spec["width"] = EXPORT_WIDTH
    return renderer(spec)


def _csv_of(data: pd.DataFrame | Callable[[], pd.DataFrame]) -> bytes:
    return csv_bytes(data() if callable(data) else data)


def show_chart(
    chart: alt.TopLevelMixin,
    *,
    key: str,
    caption: str,
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    large: bool = False,
    stretch: bool = True,
) -> None:
    """A chart in a container keyed `chart_<key>`, its caption (what is counted) and a download menu with PNG,
    SVG and the chart's data as CSV (UTF-8 with BOM). Images and CSV are made only when asked for; `data` may be
    a callable for a large table."""
    if large:
        with contextlib.suppress(Exception):  # a chart that already carries its own config keeps it
            chart = _large(chart)
    stem = _file_stem(key)
    with st.container(key=f"chart_{key}"):
        try:
            st.altair_chart(chart, theme=None, width="stretch" if stretch else "content")
        except Exception:  # a chart that cannot be drawn must not take the page down with a traceback
            _log.exception("chart %s could not be drawn", key)
            st.warning(t("chart.error"), icon=":material/warning:")
            return
        # The caption takes the room the download menu leaves: the menu keeps its whole label at any width.
        with st.container(horizontal=True, vertical_alignment="top", gap="small", wrap=False):
            st.caption(caption, width="stretch")
            menu = st.popover(t("chart.download"), icon=":material/download:", key=f"dl_{key}", width="content")
        with menu:
            downloads = (
                ("png", functools.partial(_render, chart_png, chart), "image/png"),
                ("svg", functools.partial(_render, chart_svg, chart), "image/svg+xml"),
                ("csv", functools.partial(_csv_of, data), "text/csv"),
            )
            for ext, content, mime in downloads:
                st.download_button(
                    t(f"chart.{ext}"),
                    data=content,
                    file_name=f"{stem}.{ext}",
                    mime=mime,
                    key=f"dl_{key}_{ext}",
                    on_click="ignore",
                    width="stretch",
                )


def show_table(frame: pd.DataFrame, *, key: str, height: int | str = "auto", download: bool = True) -> None:
    """A table in a container keyed `table_<key>`, with a CSV download (UTF-8 with BOM, formulas neutralised)."""
    with st.container(key=f"table_{key}"):
        st.dataframe(frame, hide_index=True, width="stretch", height=height)
        if download:
            st.download_button(
                t("table.csv"),
                data=functools.partial(csv_bytes, frame),
                file_name=f"{_file_stem(key)}.csv",
                mime="text/csv",
                key=f"dl_{key}_table_csv",
                on_click="ignore",
                icon=":material/download:",
            )


def empty_state(message: str, *, key: str, next_page: str | None = None, next_label: str | None = None) -> None:
    """A sentence saying why there is nothing to show, and the next step (a link keeping the view's filters)."""
    from ui.frame import current_params

    with st.container(key=f"empty_{key}", border=True):
        st.info(message, icon=":material/info:")
        if next_page and next_label:
            st.page_link(next_page, label=next_label, icon=":material/arrow_forward:", query_params=current_params())
