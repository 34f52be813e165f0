"""One look for every chart and page: colours from .streamlit/config.toml, an Altair theme, status palette, CSS."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import altair as alt

CONFIG_PATH = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def _theme_config() -> dict[str, Any]:
    try:
        return tomllib.loads(CONFIG_PATH.read_text(encoding="utf-8")).get("theme", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


_THEME = _theme_config()
PRIMARY = _THEME.get("primaryColor", "#1F5FA8")
TEXT = _THEME.get("textColor", "#1B2430")
BACKGROUND = _THEME.get("backgroundColor", "#FFFFFF")
SECONDARY_BACKGROUND = _THEME.get("secondaryBackgroundColor", "#F2F5F9")
CATEGORICAL: list[str] = list(
    _THEME.get("chartCategoricalColors", ["#1F5FA8", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F"])
)
NEUTRAL = PRIMARY  # the one calm hue for plain data
NEUTRAL_LIGHT = "#A8C1E0"
MUTED = "#9AA5B1"
GRID = "#E3E8EF"

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); each status also has a symbol,
# so colour is never the only cue.
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00"}
STATUS_SYMBOLS = {"on_track": "✓", "at_risk": "△", "off_track": "✕"}
HIGHLIGHT = STATUS_COLOURS["off_track"]  # the biggest drop, stalled deals: what needs attention

FONT = "'Source Sans Pro', 'Source Sans', 'Hiragino Sans', 'Noto Sans CJK JP', 'IPAPGothic', sans-serif"
THEME_NAME = "kpi_pivot"


def theme_spec(*, large: bool = False) -> dict[str, Any]:
    """The Altair/Vega-Lite config; `large` for workshop mode (projector)."""
    label, title = (17, 19) if large else (12, 13)
    return {
        "config": {
            "font": FONT,
            "background": BACKGROUND,
            "view": {"stroke": None},
            "range": {"category": CATEGORICAL},
            "mark": {"color": NEUTRAL},
            "bar": {"color": NEUTRAL},
            "line": {"color": NEUTRAL, "strokeWidth": 2.5},
            "point": {"color": NEUTRAL, "size": 60 if not large else 110, "filled": True},
            "axis": {
                "labelColor": TEXT,
                "titleColor": TEXT,
                "labelFontSize": label,
                "titleFontSize": title,
                "titleFontWeight": "normal",
                "gridColor": GRID,
                "domainColor": MUTED,
                "tickColor": MUTED,
                "labelLimit": 220,
            },
            "legend": {
                "labelFontSize": label,
                "titleFontSize": title,
                "titleFontWeight": "normal",
                "labelColor": TEXT,
                "titleColor": TEXT,
                "orient": "bottom",
                "labelLimit": 260,
            },
            "header": {"labelFontSize": title, "titleFontSize": title, "labelColor": TEXT},
            "title": {"fontSize": title + 2, "color": TEXT, "anchor": "start", "fontWeight": "normal"},
            "text": {"fontSize": label + 1, "color": TEXT},
        }
    }


@alt.theme.register(THEME_NAME, enable=True)
def _kpi_pivot_theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(theme_spec())  # type: ignore[misc]


def status_label(status: str, text: str) -> str:
    """A status word with its symbol: "✓ On track"."""
    return f"{STATUS_SYMBOLS[status]} {text}"


# The key prefix of the inner container of a headline figure with a long value (ui/show.py figure_card).
LONG_FIGURE_KEY = "long_figure_"
WIDE_FIGURE_KEY = "wide_figure_"

# Constant CSS only (never user text). Larger figures and headings for a projector.
WORKSHOP_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
[data-testid="stMetricValue"] { font-size: clamp(1.8rem, 2.9vw, 3.6rem) !important; }
[class*="st-key-long_figure_"] [data-testid="stMetricValue"] { font-size: clamp(1.4rem, 13cqi, 3.2rem) !important; }
[class*="st-key-wide_figure_"] [data-testid="stMetricValue"] { font-size: clamp(1.3rem, 10cqi, 3rem) !important; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
h1 { font-size: 2.8rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1rem !important; }
</style>
"""

BASE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMetric"] { padding: 0.4rem 0.2rem; container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: clamp(1.4rem, 2.1vw, 2.4rem); }
/* A long value ("8,824万円") scales with its card (cqi: 1 % of the card's width) instead; a range more so. */
[class*="st-key-long_figure_"] [data-testid="stMetricValue"] { font-size: clamp(1.2rem, 12.5cqi, 2.4rem); }
[class*="st-key-wide_figure_"] [data-testid="stMetricValue"] { font-size: clamp(1.1rem, 9.5cqi, 2.2rem); }
[data-testid="stMetricLabel"] p { white-space: normal; overflow-wrap: anywhere; }
/* A comparison under a figure ("按分目標比 -640.5万円") wraps in a narrow card rather than ending in "…". */
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p { white-space: normal; overflow: visible; }
</style>
"""


def _css_string(text: str) -> str:
    """Our own catalogue text as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def widget_text_css(words: dict[str, str]) -> str:
    """Streamlit's own widget texts (the uploader's button and size line, the multiselect's "Select all") replaced
    by ours in the page's language: Streamlit offers no setting for them. `words` come from our catalogue, never
    from user data; the original text stays in the page for assistive technology."""
    if not words:
        return ""
    rules = []
    for selector, word in (
        ('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p', "upload_button"),
        ('[data-testid="stFileUploaderDropzoneInstructions"] span', "upload_limit"),
        ('[data-key="__select_all__"] > div', "select_all"),
    ):
        if word in words:
            rules.append(f"{selector} {{ font-size: 0 !important; }}")
            rules.append(f"{selector}::after {{ content: {_css_string(words[word])}; font-size: 0.875rem; }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"
