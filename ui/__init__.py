"""Streamlit-only helpers of KPI Pivot: page frame, translation, formatting, cached data, charts."""
