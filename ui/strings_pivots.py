"""Texts of the pivots page, in Japanese and English (merged into ui/strings.py's one table)."""

from __future__ import annotations

PIVOT_PAGE_STRINGS: dict[str, dict[str, str]] = {
    "nav.pivots": {"ja": "打ち手の切り替え", "en": "Pivots"},
    "page.pivots.title": {"ja": "代わりに何をするか？", "en": "What do we do instead?"},
    "pivots.computing": {"ja": "打ち手を計算しています…", "en": "Working out the pivots…"},
    "pivots.error": {
        "ja": "打ち手を計算できませんでした：{message}",
        "en": "The pivots could not be computed: {message}",
    },
    # ---------------------------------------------------------------- headline
    "pivots.target_mode": {"ja": "今月の目標（KGIの割り当て）", "en": "This month's target (share of the KGI)"},
    "pivots.target_mode.catch_up": {"ja": "遅れを残り月で取り戻す", "en": "Catch up over the months left"},
    "pivots.target_mode.even": {"ja": "KGI目標の均等割り", "en": "Even share of the KGI"},
    "pivots.target_mode_help": {
        "ja": "「遅れを取り戻す」：KGIまでの残り（目標 − ここまでの実績）を残りの月数で割ります。"
        "毎月これを達成すればKGIに届きます。「均等割り」：KGI目標を期間の月数で割ります（ここまでの遅れ・貯金は数えません）。",
        "en": "Catch up: what is still missing for the KGI (target − booked so far) divided by the months left; "
        "reaching it every month reaches the KGI. Even share: the KGI target divided by its months (how far behind "
        "or ahead the period is does not count).",
    },
    "pivots.head.kgi": {"ja": "KGI見込み {period}（目標 {target}）", "en": "KGI forecast {period} (target {target})"},
    "pivots.head.month": {
        "ja": "{month}の受注金額見込み（今のペース、目標 {target}）",
        "en": "{month} revenue at the current pace (target {target})",
    },
    "pivots.head.month_final": {
        "ja": "{month}の受注金額（確定、目標 {target}）",
        "en": "{month} revenue, final (target {target})",
    },
    "pivots.head.on_track": {"ja": "打ち手", "en": "Pivot"},
    "pivots.head.on_track_value": {"ja": "不要（順調）", "en": "None needed"},
    "pivots.head.closest": {"ja": "最も近づく組み合わせ：{lever}", "en": "Closest: {lever}"},
    "pivots.head.final_value": {"ja": "締め済み", "en": "Closed"},
    "pivots.advice_title": {"ja": "まず伝えること", "en": "What to say first"},
    "pivots.shortfall_title_final": {
        "ja": "{symbol} {name}：結果 {forecast}（目標 {target}、{period}、確定）",
        "en": "{symbol} {name}: result {forecast} (target {target}, {period}, final)",
    },
    "pivots.final_note": {
        "ja": "この月は基準日に締まっているため、結果を目標と比べます。打ち手は来月の計画で検討してください。",
        "en": "This month is over on the as-of date: its result is compared with the target. Plan pivots for next "
        "month.",
    },
    "pivots.chart.pace_suffix": {"ja": "/月", "en": "/mo"},
    "pivots.checks_title": {"ja": "チェック", "en": "Checks"},
    "pivots.chart.pace_label": {"ja": "月ペース {value}", "en": "pace {value}/mo"},
    "pivots.evidence_expander": {
        "ja": "根拠のグラフ（各レバーの月ごとの実績）",
        "en": "Evidence charts (each lever by month)",
    },
    "pivots.head.missing": {"ja": "未達見込みのKPI", "en": "KPIs forecast to miss"},
    "pivots.head.best": {"ja": "最有力の打ち手：{lever}", "en": "Best pivot: {lever}"},
    "pivots.head.best_label": {"ja": "最有力の打ち手（過去に実績のあるもの）", "en": "Best pivot (one seen before)"},
    "pivots.head.best_none": {"ja": "なし", "en": "None"},
    "pivots.filters_scope": {
        "ja": "チャネル・担当者などの絞り込みは反映し、目標はチーム全体のまま比べます。"
        "期間の絞り込みは使いません（期間は基準日で決まります）。",
        "en": "Channel, owner and other filters apply, against the team's targets; the date range does not "
        "(the as-of date sets the period).",
    },
    "pivots.sheet_note": {
        "ja": "月次集計表：月ごとの合計から打ち手を計算します。当月は月末まで実績に入らないため見込みだけで判断し、"
        "担当者・セグメント別の達成例は出せません。1行1案件のデータならそれも分かります。",
        "en": "Monthly sheet: pivots come from the monthly totals. The current month counts only once it has "
        "ended, so it is judged on its forecast, and there is no owner or segment evidence; a deal list gives both.",
    },
    # ---------------------------------------------------------------- shortfalls and pivots
    "pivots.missing_title": {
        "ja": "未達見込みのKPIと代わりの打ち手",
        "en": "KPIs forecast to miss, and the other levers",
    },
    "pivots.none_missing": {
        "ja": "基準日時点の予測では、目標を下回るKPIはありません。下のシミュレーションで余裕を確かめられます。",
        "en": "No KPI is forecast to miss its target at this date. Use the what-if below to see the margin.",
    },
    "pivots.kgi_month": {"ja": "当期の受注金額（KGIの按分）", "en": "Revenue this period (share of the KGI)"},
    "pivots.shortfall_title": {
        "ja": "{symbol} {name}：見込み {forecast}（目標 {target}、{period}）",
        "en": "{symbol} {name}: forecast {forecast} (target {target}, {period})",
    },
    "pivots.more_pivots": {"ja": "ほかの打ち手（{count}件）", "en": "Other pivots ({count})"},
    "pivots.card.move": {
        "ja": "現在 {current} → 必要 {required}（{change}）",
        "en": "now {current} → needed {required} ({change})",
    },
    "pivots.card.window": {"ja": "現在は{window}", "en": "now = {window}"},
    "pivots.seen_short": {
        "ja": "過去{months}か月中{achieved}か月で達成",
        "en": "seen in {achieved} of {months} months",
    },
    "pivots.seen_together_short": {
        "ja": "過去{months}か月中{achieved}か月で同時に達成",
        "en": "both seen in {achieved} of {months} months",
    },
    "pivots.card.reached": {"ja": "達成済み：{groups}", "en": "already reached by {groups}"},
    "pivots.card.csf": {"ja": "CSF：**{csf}**", "en": "CSF: **{csf}**"},
    "pivots.evidence_title": {
        "ja": "根拠：各レバーの月ごとの実績と必要な水準",
        "en": "Evidence: each lever month by month against the level needed",
    },
    "pivots.chart.caption": {
        "ja": "基準日より前の完了した月（直近{months}か月）。点線は必要な水準 {required}、緑はそれ以上の月。",
        "en": "Complete months before the as-of date (last {months}). Dashed line: the level needed, {required}; "
        "green: months at or above it.",
    },
    "pivots.chart.caption_volume": {
        "ja": "基準日より前の完了した月（直近{months}か月）。点線は残りの期間に必要な月あたりのペース {required}、"
        "緑はそれ以上の月。",
        "en": "Complete months before the as-of date (last {months}). Dashed line: the monthly pace the rest of "
        "the period needs, {required}; green: months at or above it.",
    },
    "pivots.chart.caption_pair": {
        "ja": "基準日より前の完了した月（直近{months}か月）。横軸は{x}、縦軸は{y}。点線はそれぞれ過去の月と比べる水準"
        "（{x_required}、{y_required}）、緑は両方とも達した月。",
        "en": "Complete months before the as-of date (last {months}): {x} across, {y} up. Dashed lines: the levels "
        "compared with past months ({x_required}, {y_required}); green: months that reached both.",
    },
    "pivots.chart.reached_both": {"ja": "✓ 両方とも必要な水準以上", "en": "✓ Both at or above their levels"},
    "pivots.chart.required": {"ja": "必要な水準", "en": "Level needed"},
    "pivots.chart.required_label": {"ja": "必要 {value}", "en": "needed {value}"},
    "pivots.chart.reached": {"ja": "✓ 必要な水準以上", "en": "✓ At or above the level"},
    "pivots.chart.below": {"ja": "下回った月", "en": "Below"},
    "pivots.table_title": {"ja": "打ち手の一覧（表）", "en": "All pivots (table)"},
    "pivots.col.reached_by": {"ja": "達成している区分", "en": "Already reached by"},
    # The sentences built from the engine's codes and parameters (pivots.sentence.*, .identity.*, .goodhart.moves,
    # .what_if.sentence, ...) are in kpi_core/messages.py: the `pivots` command says them too.
    # ---------------------------------------------------------------- Goodhart guard
    "pivots.goodhart_title": {
        "ja": "KPIだけが良くなっていないか（落とし穴1：グッドハートの法則）",
        "en": "Is a KPI improving at the goal's expense? (pitfall 1: Goodhart's law)",
    },
    "pivots.goodhart.none": {
        "ja": "✓ {count}件のチェックで、KPIが良くなる一方でKGIや質の指標が悪化している例はありません。",
        "en": "✓ {count} checks: no KPI is improving while the KGI or its quality partner worsens.",
    },
    "pivots.goodhart.no_checks": {
        "ja": "このデータには量と質を比べられる指標の組がありません。",
        "en": "The data has no volume / quality pair to compare.",
    },
    "pivots.goodhart.table_title": {"ja": "チェックの一覧（表）", "en": "All checks (table)"},
    "pivots.goodhart.flagged": {"ja": "✕ 要注意", "en": "✕ Flagged"},
    "pivots.goodhart.ok": {"ja": "✓ 問題なし", "en": "✓ OK"},
    "pivots.col.kpi": {"ja": "KPI", "en": "KPI"},
    "pivots.col.kpi_move": {"ja": "KPIの変化", "en": "KPI move"},
    "pivots.col.partner": {"ja": "比べる指標", "en": "Compared with"},
    "pivots.col.partner_move": {"ja": "比べる指標の変化", "en": "Its move"},
    "pivots.col.correlation": {"ja": "KGIとの相関", "en": "Correlation with KGI"},
    "pivots.col.flag": {"ja": "判定", "en": "Result"},
    # ---------------------------------------------------------------- what-if
    "pivots.what_if_title": {"ja": "もし〜なら（シミュレーション）", "en": "What if"},
    "pivots.what_if.intro": {
        "ja": "レバーを％で変えるか値を決めると、{month}の受注金額と、ほかのレバーに必要な値が変わります。"
        "設定はURLに残るので、そのまま共有できます。",
        "en": "Change a lever by a percentage or set its value: {month}'s revenue and what each other lever "
        "would need follow. The settings stay in the URL, so the link shares them.",
    },
    "pivots.what_if.unavailable": {
        "ja": "このデータではシミュレーションできません（受注金額のドライバーモデルがありません）。",
        "en": "No what-if for this data (it has no driver model of revenue).",
    },
    "pivots.what_if.current": {"ja": "現在 {value}（{window}）", "en": "now {value} ({window})"},
    "pivots.what_if.mode_label": {"ja": "変え方", "en": "How to change"},
    "pivots.what_if.mode.pct": {"ja": "±%", "en": "±%"},
    "pivots.what_if.mode.value": {"ja": "値", "en": "Value"},
    "pivots.what_if.pct_label": {"ja": "変化率（%）", "en": "Change (%)"},
    "pivots.what_if.value_label": {"ja": "新しい値（{unit}）", "en": "New value ({unit})"},
    "pivots.what_if.unit.ratio": {"ja": "%", "en": "%"},
    "pivots.what_if.unit.currency": {"ja": "円", "en": "JPY"},
    "pivots.what_if.unit.count": {"ja": "件、期末までの合計", "en": "count, period total"},
    "pivots.what_if.reset": {"ja": "設定を元に戻す", "en": "Clear the what-if"},
    "pivots.what_if.kgi": {"ja": "{month}の受注金額（目標 {target}）", "en": "{month} revenue (target {target})"},
    "pivots.what_if.error": {
        "ja": "この設定は使えません：{message}",
        "en": "This setting cannot be used: {message}",
    },
    "pivots.what_if.dropped": {
        "ja": "このモデルにないレバーの設定は無視しました：{levers}",
        "en": "Settings of levers this model does not have were left out: {levers}",
    },
    # ---------------------------------------------------------------- meeting summary
    "pivots.summary_title": {"ja": "週次会議用の1枚サマリー", "en": "One-page summary for the weekly meeting"},
    "pivots.summary.title": {
        "ja": "KPIレビュー：なぜ未達か・次に何をするか",
        "en": "KPI review: why it missed, what we do next",
    },
    "pivots.summary.subtitle": {
        "ja": "{source} · 基準日 {as_of} · KGI：{kgi}",
        "en": "{source} · as of {as_of} · KGI: {kgi}",
    },
    "pivots.summary.kgi": {"ja": "KGI", "en": "KGI"},
    "pivots.summary.kgi_forecast": {"ja": "KGI見込み", "en": "KGI forecast"},
    "pivots.summary.forecast_of": {"ja": "{forecast}（目標 {target}）", "en": "{forecast} (target {target})"},
    "pivots.summary.why": {"ja": "なぜ未達か", "en": "Why it missed"},
    "pivots.summary.next": {"ja": "次に何をするか", "en": "What we do next"},
    "pivots.summary.no_feasible": {
        "ja": "{name}：どの打ち手も過去に達成したことがありません。目標と計画を見直しましょう（落とし穴4）。",
        "en": "{name}: no pivot was ever reached: revise the target and the plan (pitfall 4).",
    },
    "pivots.summary.keep_going": {
        "ja": "今の打ち手を続け、来週また見込みを確認します。",
        "en": "Keep the current plan and check the forecast again next week.",
    },
    "pivots.summary.footer": {"ja": "KPI Pivot で作成（{date}）", "en": "Made with KPI Pivot ({date})"},
    "pivots.summary.download_html": {"ja": "印刷用（HTML）", "en": "Printable page (HTML)"},
    "pivots.summary.download_xlsx": {"ja": "Excel（.xlsx）", "en": "Excel (.xlsx)"},
    "pivots.summary.print_hint": {
        "ja": "HTMLをブラウザで開いて印刷すると、A4 1枚に収まります。",
        "en": "Open the HTML in a browser and print it: it fits one A4 page.",
    },
    # ---------------------------------------------------------------- identity check
    "pivots.identity_title": {
        "ja": "ドライバーモデルは実際の売上を再現しているか",
        "en": "Does the driver model reproduce actual revenue?",
    },
    "pivots.identity.table_title": {
        "ja": "月別の実績とモデルの値（{model}）",
        "en": "Actual and modelled by month ({model})",
    },
    "pivots.col.actual": {"ja": "実績", "en": "Actual"},
    "pivots.col.modelled": {"ja": "モデル", "en": "Modelled"},
    "pivots.col.residual": {"ja": "差", "en": "Residual"},
    "pivots.col.residual_pct": {"ja": "差（%）", "en": "Residual (%)"},
    "pivots.total": {"ja": "合計", "en": "Total"},
    "pivots.footer": {
        "ja": "基準日 {as_of} · {calendar}。予測はペース配分ページと同じ方法、目標は年間KGIの月割りです。",
        "en": "As of {as_of} · {calendar}. Forecasts as on the Pacing page; targets are the annual KGI split evenly "
        "by month.",
    },
}
