"""A tiny app that draws only the forecast history view (ui/forecast_history_view.py), for the AppTest in
tests/test_forecast_history.py and for screenshots: the Weekly page owns the real call.

Query parameters: lang (ja / en), asof (YYYY-MM-DD; default the pages' rule), ws and key (a workspace under
$KPI_PIVOT_DATA_DIR; default the sales sample as a plain upload)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from kpi_core.asof import data_bounds  # noqa: E402
from kpi_core.forecast_history import product_as_of  # noqa: E402
from kpi_core.intake.load import FileInput, load_dataset  # noqa: E402
from kpi_core.metrics import Filters  # noqa: E402
from kpi_core.workspace import Settings, open_workspace  # noqa: E402
from ui.data import SourceOptions  # noqa: E402
from ui.forecast_history_view import draw_forecast_history  # noqa: E402
from ui.frame import View  # noqa: E402
from ui.goals_state import current_goals  # noqa: E402
from ui.i18n import LANG_STATE_KEY  # noqa: E402
from ui.workspace_view import OpenedWorkspace  # noqa: E402

SALES = ROOT / "sample_data" / "sales_deals_ja.csv"

st.set_page_config(page_title="forecast history", layout="wide")
lang = st.query_params.get("lang", "ja")
st.session_state[LANG_STATE_KEY] = lang
extra: dict[str, object] = {}
ws_id, key = st.query_params.get("ws"), st.query_params.get("key")
if ws_id and key:
    workspace = open_workspace(ws_id, key)
    snapshots = workspace.snapshots()
    inputs, options = workspace.load_inputs()
    dataset, dataset_key, source = load_dataset(inputs, options), f"ws-{ws_id}-{snapshots[-1].id}", "ws"
    extra["workspace"] = OpenedWorkspace(
        workspace=workspace, name=workspace.name, settings=Settings.from_json(workspace.info().get("settings")),
        allowed=(), options=SourceOptions.from_load_options(options), goals_text=workspace.goals_text,
        snapshot=snapshots[-1], snapshot_count=len(snapshots), inputs=inputs,
    )  # fmt: skip
else:
    dataset, dataset_key, source = load_dataset([FileInput(SALES.name, SALES)]), "sample-sales", "sales"
view = View(
    page="weekly", lang=lang, source=source, dataset=dataset, dataset_key=dataset_key, filters=Filters(),
    period="month", fiscal_start=4, workshop=False, bounds=data_bounds(dataset), extra=extra,
)  # fmt: skip
chosen = st.query_params.get("asof")
as_of = dt.date.fromisoformat(chosen) if chosen else product_as_of(dataset, dt.date.today())
if st.query_params.get("goal") and "w_fh_goal" not in st.session_state:
    st.session_state["w_fh_goal"] = st.query_params["goal"]  # a goal chosen by the link (screenshots)
draw_forecast_history(view, current_goals(view), as_of, "jp")
