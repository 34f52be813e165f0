"""Work shared across sessions: two AppTest sessions in one process (as two browser tabs on one server) compute the
engine once for the same data and goals, and two different uploads never see each other's figures or file names."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT

import kpi_core.pacing
import kpi_core.pivots
import kpi_core.report
import ui.data
import ui.goals.cache
from kpi_core.intake.load import Dataset
from ui.data import Upload
from ui.held_data import held_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
PIVOTS = "pages/6_Pivots.py"
FUNNEL = "pages/2_Funnel.py"
AS_OF = "2024-06-14"  # inside the generated files' dates


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Empty caches, and a count of the engine's entry points (wherever the app calls them from)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    held_data().clear()
    counter: Counter[str] = Counter()

    def counting(name: str, function):
        def wrapper(*args, **kwargs):
            counter[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(ui.data, "load_dataset", counting("load_dataset", ui.data.load_dataset))
    monkeypatch.setattr(ui.data, "compute_kpis", counting("compute_kpis", ui.data.compute_kpis))
    forecast = counting("forecast_goals", kpi_core.pacing.forecast_goals)
    monkeypatch.setattr(kpi_core.pacing, "forecast_goals", forecast)  # what pivots_for_goals would call itself
    monkeypatch.setattr(ui.goals.cache, "forecast_goals", forecast)
    monkeypatch.setattr(
        kpi_core.report, "pivots_for_goals", counting("pivots_for_goals", kpi_core.pivots.pivots_for_goals)
    )
    monkeypatch.setattr(kpi_core.report, "lever_history", counting("lever_history", kpi_core.pivots.lever_history))
    yield counter
    st.cache_data.clear()
    st.cache_resource.clear()


def session(page: str | None = None, upload: tuple[str, bytes] | None = None, **params: str) -> AppTest:
    """A new session (its own session state) opening `page`, optionally with one uploaded file."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if upload is None and "asof" not in params:
        at.query_params["asof"] = "2026-11-15"  # the sample's "today" (an upload's own last date is its default)
    for name, value in params.items():
        at.query_params[name] = value
    if upload is not None:
        at.session_state["uploads"] = [Upload.from_bytes(*upload)]
        at.query_params["src"] = "upload"
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_text(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption).replace("\\", "")  # markdown escapes undone


def test_two_sessions_on_the_sample_load_and_compute_once(calls: Counter[str]) -> None:
    first = session()
    after_first = Counter(calls)
    assert after_first["load_dataset"] == 1 and after_first["compute_kpis"] >= 1
    second = session()
    assert calls == after_first  # the second session only read the caches
    assert [m.value for m in second.metric] == [m.value for m in first.metric]


def test_two_sessions_on_pivots_forecast_and_report_once(calls: Counter[str]) -> None:
    first = session(PIVOTS)
    assert calls["forecast_goals"] == 1  # the report reused the page's forecasts: the engine did not forecast again
    assert calls["pivots_for_goals"] >= 1 and calls["lever_history"] == 1
    after_first = Counter(calls)
    second = session(PIVOTS)
    assert calls == after_first
    assert [m.value for m in second.metric] == [m.value for m in first.metric]
    # A what-if setting or the other target mode asks for a new report, on the same forecasts.
    session(PIVOTS, set="opportunities=+10%")
    session(PIVOTS, share="even")
    assert calls["forecast_goals"] == 1
    assert calls["pivots_for_goals"] > after_first["pivots_for_goals"]


def test_pacing_and_pivots_share_the_forecasts(calls: Counter[str]) -> None:
    session("pages/5_Pacing.py")
    assert calls["forecast_goals"] == 1
    session(PIVOTS)
    assert calls["forecast_goals"] == 1


@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    from bench_kpis import generate_deals_csv

    folder = tmp_path_factory.mktemp("uploads")
    files = []
    for name, rows in (("team_a.csv", 1_200), ("team_b.csv", 1_700)):
        generate_deals_csv(folder / name, rows)
        files.append((name, (folder / name).read_bytes()))
    return files


def test_different_uploads_never_see_each_others_figures(calls: Counter[str], two_files) -> None:
    (name_a, data_a), (name_b, data_b) = two_files
    a, b = session(FUNNEL, (name_a, data_a)), session(FUNNEL, (name_b, data_b))
    assert calls["load_dataset"] == 2
    text_a, text_b = sidebar_text(a), sidebar_text(b)
    assert name_a in text_a and "1,200" in text_a and name_b not in text_a
    assert name_b in text_b and "1,700" in text_b and name_a not in text_b
    assert [m.value for m in a.metric] != [m.value for m in b.metric]
    # Pivots of each upload: their own figures, and again from the cache when a session comes back.
    pa, pb = session(PIVOTS, (name_a, data_a), asof=AS_OF), session(PIVOTS, (name_b, data_b), asof=AS_OF)
    assert calls["forecast_goals"] == 2
    assert name_a in sidebar_text(pa) and name_b not in sidebar_text(pa)
    assert name_b in sidebar_text(pb) and name_a not in sidebar_text(pb)
    assert [m.value for m in pa.metric] != [m.value for m in pb.metric]
    again = session(PIVOTS, (name_a, data_a), asof=AS_OF)
    assert [m.value for m in again.metric] == [m.value for m in pa.metric]
    assert calls["forecast_goals"] == 2


def test_same_bytes_under_another_name_never_show_the_first_name(calls: Counter[str], two_files) -> None:
    name, data = two_files[0]
    first, second = session(FUNNEL, (name, data)), session(FUNNEL, ("renamed.csv", data))
    assert name in sidebar_text(first) and "renamed.csv" not in sidebar_text(first)
    assert "renamed.csv" in sidebar_text(second) and name not in sidebar_text(second)
    assert [m.value for m in first.metric] == [m.value for m in second.metric]


def test_no_dataset_is_held_in_a_module_global(calls: Counter[str]) -> None:
    session(PIVOTS)
    import ui.frame
    import ui.pivots.state
    import ui.warm_up

    for module in (ui.data, ui.frame, ui.goals.cache, ui.pivots.state, ui.warm_up):
        held = [name for name, value in vars(module).items() if isinstance(value, Dataset)]
        assert not held, f"{module.__name__} holds a Dataset in {held}"


@pytest.mark.parametrize("path", ["ui/data.py", "ui/pivots/state.py", "ui/goals/cache.py"])
def test_every_cache_is_bounded(path: str) -> None:
    """Every st.cache_data / st.cache_resource of these modules has max_entries and a ttl."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    found = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") in (
                    "cache_data",
                    "cache_resource",
                ):
                    found += 1
                    given = {k.arg for k in decorator.keywords}
                    assert {"max_entries", "ttl"} <= given, f"{path}: {node.name} is not bounded"
    assert found
