"""AppTest of every analysis page with the sales sample: figures, sentences, tables and chart labels follow the one
number style (no "850.0万円", no "1.0億円", no fractional deal counts, no space before %)."""

from __future__ import annotations

import io
import re

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT

PAGES = (
    "home",
    "pages/2_Funnel.py",
    "pages/3_Pipeline.py",
    "pages/4_Goals.py",
    "pages/5_Pacing.py",
    "pages/6_Pivots.py",
)
BAD = {
    "a zero decimal in 万 / 億": re.compile(r"\d\.\d*0(?:万|億)"),
    "a zero decimal in K / M / B": re.compile(r"[¥$€£]\d+\.\d*0[KMB]\b"),
    "a fractional count of 件": re.compile(r"\d\.\d+\s*件"),
    "a space before %": re.compile(r"\d %"),
    "a fractional target count": re.compile(r"(?:目標|target) \d[\d,]*\.\d+(?=[\s）)（(,、]|$)"),
}


def _arrow_texts(data: bytes) -> list[str]:
    table = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    return [str(v) for column in table.columns for v in column.to_pylist() if isinstance(v, str)]


def _texts(node, out: list[str]) -> None:
    """Every string the page shows: element texts, labels, help, dataframe cells and chart data."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _texts(child, out)
        return
    proto = getattr(node, "proto", None)
    if proto is None:
        return
    for field, value in proto.ListFields():
        if field.name in ("spec", "css", "deferred_file_id", "url", "id"):  # chart specs: axis expressions, not text
            continue
        if isinstance(value, str):
            if not value.lstrip().startswith("<style>"):  # the page's CSS (its comments say "1 % of the card")
                out.append(value)
        elif field.name == "datasets":
            for dataset in value:
                out.extend(_arrow_texts(dataset.data.data))
        elif hasattr(value, "ListFields"):
            for _, inner in value.ListFields():
                if isinstance(inner, bytes):
                    out.extend(_arrow_texts(inner))


CASES = [(page, lang) for page in PAGES for lang in ("ja", "en")]


@pytest.mark.parametrize(("page", "lang"), CASES)
def test_sales_sample_pages_follow_one_number_style(page, lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": lang, "asof": "2026-11-15"})
    at.run()
    if page != "home":
        at = at.switch_page(page).run()
    assert not at.exception
    texts: list[str] = []
    _texts(at._tree, texts)
    shown = [re.sub(r"\\(.)", r"\1", text) for text in texts]  # Markdown escapes: 1\.4億円 reads 1.4億円
    assert len(shown) > 20
    problems = [(name, text) for text in shown for name, bad in BAD.items() if bad.search(text)]
    assert not problems, sorted(set(problems))[:8]
