"""KPI Pivot's entry point: `streamlit run app.py`.

Serves the app whose home page is home.py (the other pages are pages/*.py) and warms it up at server start (see
ui/warm_up.py), so the first visitor does not wait for imports and the sample to load.
"""

import streamlit as st

from ui.warm_up import lifespan

app = st.App("home.py", lifespan=lifespan)
