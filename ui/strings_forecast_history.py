"""UI texts of the forecast history view (how close last period's forecasts came, on the Weekly meeting page), ja / en.
The sentences about the figures (headline, backtest label, why nothing is scored) are the engine's: kpi_core/messages.py
"forecast_history.*"."""

from __future__ import annotations

FORECAST_HISTORY_STRINGS: dict[str, dict[str, str]] = {
    "fh.title": {"ja": "予測はどれだけ当たったか", "en": "How close did our forecasts come?"},
    "fh.goal": {"ja": "指標", "en": "Goal"},
    "fh.kgi_suffix": {"ja": "（KGI）", "en": " (KGI)"},
    "fh.computing": {"ja": "過去の予測を集めています…", "en": "Gathering the past forecasts…"},
    "fh.no_data": {
        "ja": "データを読み込むと、先月の予測がどれだけ当たったかを表示します。",
        "en": "Load data to see how close last period's forecasts came.",
    },
    "fh.error": {
        "ja": "予測精度を出せませんでした：{message}",
        "en": "The forecast accuracy could not be computed: {message}",
    },
    "fh.failed": {
        "ja": "予測精度を出せませんでした。データと目標ファイルを確かめてください。",
        "en": "The forecast accuracy could not be computed. Check the data and the goal file.",
    },
    # the chart
    "fh.axis.day": {"ja": "予測した日", "en": "Forecast made on"},
    "fh.axis.forecast": {"ja": "期末の予測と幅", "en": "Forecast and range"},
    "fh.axis.accuracy": {"ja": "予測精度", "en": "Accuracy"},
    "fh.legend": {"ja": "実績が予測の幅に", "en": "The actual fell"},
    "fh.status.held": {"ja": "✓ 入った", "en": "✓ Inside the range"},
    "fh.status.missed": {"ja": "✕ 外れた", "en": "✕ Outside the range"},
    "fh.status.none": {"ja": "幅なし", "en": "No range"},
    "fh.actual_rule": {"ja": "実績 {value}", "en": "Actual {value}"},
    "fh.caption": {
        "ja": "{goal}・{period}・実績 {actual}。線は各日に出した期末の予測、帯はその予測の幅（80%）、"
        "破線が期間の実績。",
        "en": "{goal} · {period} · actual {actual}. The line is the period-end forecast made on each day, the band "
        "its range (80%), the dashed rule the period's actual.",
    },
    "fh.accuracy_caption": {
        "ja": "各日の予測の精度 = 1 − |実績 − 予測| ÷ 実績（100% で的中）。",
        "en": "Accuracy of each day's forecast = 1 − |actual − forecast| ÷ actual (100% is a perfect forecast).",
    },
    # the table
    "fh.table": {"ja": "日ごとの予測と実績", "en": "Each forecast against the actual"},
    "fh.tab.forecast": {"ja": "予測と実績", "en": "Forecasts and the actual"},
    "fh.tab.accuracy": {"ja": "精度の推移", "en": "Accuracy over the period"},
    "fh.col.day": {"ja": "予測した日", "en": "Made on"},
    "fh.col.source": {"ja": "出どころ", "en": "Source"},
    "fh.col.forecast": {"ja": "期末の予測", "en": "Forecast"},
    "fh.col.range": {"ja": "予測の幅", "en": "Range"},
    "fh.col.actual": {"ja": "実績", "en": "Actual"},
    "fh.col.accuracy": {"ja": "予測精度", "en": "Accuracy"},
    "fh.col.inside": {"ja": "幅に入ったか", "en": "Inside the range"},
    "fh.range": {"ja": "{low} 〜 {high}", "en": "{low} – {high}"},
    "fh.source.stored": {"ja": "その日に保存した予測", "en": "Stored that day"},
    "fh.source.reconstructed": {"ja": "スナップショットから作り直し", "en": "Remade from the snapshot"},
    "fh.source.backtest": {"ja": "バックテスト", "en": "Backtest"},
}
