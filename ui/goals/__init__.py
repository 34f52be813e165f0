"""The Goals and Pacing pages' building blocks, one job per module: cache (cached engine calls and the report), gaps
(reading kpi_gaps rows), format (figures and status words), cards (headline figures), frames (chart data), tables,
charts, sentences, forecasts (Pacing's cards and rows), tree (the KPI tree) and editor (the goal model editor)."""
