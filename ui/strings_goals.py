"""Texts of the goals and pacing pages, in Japanese and English (merged into ui/strings.py's one table)."""

from __future__ import annotations

GOAL_PAGE_STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- navigation and titles
    "nav.goals": {"ja": "目標", "en": "Goals"},
    "nav.pacing": {"ja": "着地予測", "en": "Pacing"},
    "page.goals.title": {"ja": "目標に届いているか？", "en": "Are we on target?"},
    "page.pacing.title": {"ja": "期末に目標へ届くか？", "en": "Will we make the targets by period end?"},
    # ---------------------------------------------------------------- the status rule (its words, goals.status.*, are
    # kpi_core/messages.py's: the `plan` command says them too; ✓ △ ✕ from ui/theme.py)
    "goals.thresholds": {
        "ja": "状態の基準：実績が目標（期間の途中は経過営業日で按分した目標）の{on}以上なら{on_word}、"
        "{risk}以上なら{risk_word}、{risk}未満なら{off_word}。",
        "en": "Status: at least {on} of the target (mid-period: the target pro-rated by business days elapsed) is "
        "{on_word}, at least {risk} is {risk_word}, below {risk} is {off_word}.",
    },
    # ---------------------------------------------------------------- goal model notices
    "goals.model_template": {
        "ja": "目標モデル：組み込みテンプレート「{name}」。自社の数値は下の「目標モデルの編集」で変更できます。",
        "en": "Goal model: the built-in {name} template. Change it to your own figures under “Edit the goal model” "
        "below.",
    },
    "goals.model_own": {
        "ja": "目標モデル：このデータ用に読み込み・編集した目標（KGI：{kgi}）。",
        "en": "Goal model: your own, imported or edited for this data (KGI: {kgi}).",
    },
    "goals.template.sales": {"ja": "営業部門", "en": "sales department"},
    "goals.template.marketing": {"ja": "マーケティング部門", "en": "marketing department"},
    "goals.no_kpis": {
        "ja": "目標モデルにKPIがありません。下の「目標モデルの編集」でKPIを3〜5個書き加えてください。",
        "en": "The goal model has no KPIs: add 3–5 under “Edit the goal model” below.",
    },
    "goals.compute_error": {
        "ja": "この目標モデルはこのデータでは計算できませんでした。指標名や式を確認し、目標モデルを直してください。",
        "en": "These goals could not be computed on this data: check the metric names and formulas in the goal model.",
    },
    # ---------------------------------------------------------------- headline
    "goals.fig.kgi_actual": {
        "ja": "KGI実績（{period}、目標 {target}）",
        "en": "KGI actual ({period}, target {target})",
    },
    "home.as_of_caption_chosen": {
        "ja": "基準日 {date}（目標のページやURLで選んだ日）。"
        "目標は{goals}の値で、経過した営業日に按分して比べています。",
        "en": "As of {date} (the date chosen on the goal pages or in the address). Targets are those of {goals}, "
        "pro-rated by the business days elapsed.",
    },
    "home.window_note": {
        "ja": "KPIのカードは{month}の基準日までの実績です"
        "（着地予測ページは期末予測、打ち手ページの受注率と単価は直近3か月）。",
        "en": "The KPI cards are {month} up to the as-of date (the Pacing page forecasts the period end; the Pivots "
        "page shows win rate and unit price over the last 3 months).",
    },
    "goals.fig.vs_expected": {"ja": "{gap}（按分目標比）", "en": "{gap} vs pro-rated target"},
    "goals.forecast_caption": {
        "ja": "期末予測（{period}）：**{forecast}**（目標 {target}、差 {gap}、達成確率 {probability}）。"
        "予測の幅と方法は「着地予測」ページに。",
        "en": "Forecast for {period}: **{forecast}** (target {target}, gap {gap}, chance {probability}). The range "
        "and the method are on the Pacing page.",
    },
    "goals.backward_table": {"ja": "逆算の表", "en": "Backward plan (table)"},
    "goals.fig.kgi_attainment": {"ja": "KGI達成率（按分目標比）", "en": "KGI attainment (vs pro-rated target)"},
    "goals.fig.kgi_help": {
        "ja": "差は按分目標に対して。"
        "実績 {actual} ÷ 按分目標 {expected}（年間目標 {target} × 経過営業日 {elapsed}/{total}日）",
        "en": "The gap is against the pro-rated target. Actual {actual} ÷ pro-rated target {expected} "
        "(target {target} × {elapsed}/{total} business days)",
    },
    "goals.fig.kgi_help_no_actual": {
        "ja": "この期間の実績はまだありません。"
        "按分目標 {expected}（年間目標 {target} × 経過営業日 {elapsed}/{total}日）",
        "en": "No actual yet in this period. Pro-rated target {expected} (target {target} × {elapsed}/{total} business "
        "days)",
    },
    "goals.fig.kpi_count": {"ja": "{word}のKPI（全{total}件）", "en": "KPIs {word} (of {total})"},
    # ---------------------------------------------------------------- sections
    "goals.as_of_caption": {
        "ja": "{as_of}時点。{fiscal}（{start}月始まり）の各期間を、目標ファイルの期間（月・四半期・年）で集計。",
        "en": "As of {as_of}. Periods of {fiscal} (starting in month {start}), each goal on its own period "
        "(month, quarter, year).",
    },
    "goals.bullet_title": {"ja": "KPIごとの目標との差", "en": "Each KPI against its target"},
    "goals.bullet_period": {"ja": "期間", "en": "Period"},
    "goals.bullet_caption": {
        "ja": "棒＝実績 ÷ 目標（期間途中は経過営業日で按分）、縦線＝目標（100%）、背景の帯＝状態の基準。"
        "150%を超える棒は端で切っています（正確な値はラベルとツールチップ）。",
        "en": "Bar = actual ÷ target (mid-period: pro-rated by business days), tick = the target (100%), shaded bands "
        "= the status thresholds. Bars past 150% are cut at the edge (exact values in the labels and tooltips).",
    },
    "goals.tree_caption": {
        "ja": "枠の色と記号が状態（✓ 順調・△ 要注意・✕ 遅れ）。数値は今期の実績 / 按分目標と差。"
        "CSFは動かす指標（レバー）と打ち手。",
        "en": "Frame colour and symbol give the status (✓ on track, △ at risk, ✕ off track); figures are this "
        "period's actual / pro-rated target and the gap. CSFs show the metric they move and their actions.",
    },
    "goals.tree.figures": {"ja": "実績 {actual} / 目標 {target}（差 {gap}）", "en": "{actual} / {target} (gap {gap})"},
    "goals.tree.no_actual": {"ja": "実績なし / 目標 {target}", "en": "no actual yet / {target}"},
    "goals.tree.lever": {"ja": "レバー：{metric}", "en": "lever: {metric}"},
    "goals.tree_download": {"ja": "保存（DOT）", "en": "DOT file"},
    "goals.trend_caption": {
        "ja": "実線＝実績、破線＝目標（今期は経過営業日で按分）。点の色と形が状態で、△ ✕ が目標に届かなかった期間。",
        "en": "Solid = actual, dashed = target (this period pro-rated by business days). Point colour and shape give "
        "the status: △ and ✕ mark the periods that missed.",
    },
    "goals.trend_chart_caption": {
        "ja": "{metric}、{per}ごと。",
        "en": "{metric}, per {per}.",
    },
    "goals.per.week": {"ja": "週", "en": "week"},
    "goals.per.month": {"ja": "月", "en": "month"},
    "goals.per.quarter": {"ja": "四半期", "en": "quarter"},
    "goals.per.year": {"ja": "年度", "en": "fiscal year"},
    "goals.tab.trend": {"ja": "推移", "en": "Trends"},
    "goals.tab.tree": {"ja": "KPIツリー", "en": "KPI tree"},
    "goals.tab.by": {"ja": "部門・担当別", "en": "By department and owner"},
    "goals.tab.plan": {"ja": "計画の整合性・逆算", "en": "Plan check and backward plan"},
    "goals.bullet.no_actual": {"ja": "実績なし（目標 {target}）", "en": "no actual yet (target {target})"},
    "goals.so_far": {"ja": "（途中）", "en": "(so far)"},
    "goals.no_trend": {"ja": "{name}：この期間の実績がありません。", "en": "{name}: no figures in these periods."},
    "goals.by_department": {"ja": "部門別のKPIの状況", "en": "KPI status by department"},
    "goals.by_owner": {"ja": "KPI担当（目標ファイルのowner）別の状況", "en": "KPI status by KPI owner (the goal file)"},
    "goals.breakdown_title": {"ja": "KPIの内訳（チャネル・商品など）", "en": "KPIs broken down (channel, product, …)"},
    "goals.breakdown_kpi": {"ja": "内訳を見るKPI", "en": "KPI to break down"},
    "goals.breakdown_role": {"ja": "内訳の区分", "en": "Break down by"},
    "goals.breakdown_caption": {
        "ja": "{kpi}の今期を{role}別に。件数・金額の目標はチームの目標を今期に実績のある{role}の数で均等割りし、"
        "率の目標はチームの目標そのものと比べています。",
        "en": "{kpi} this period per {role}. Volume targets are the team target split evenly over the {role} values "
        "active this period; rate targets are the team target itself.",
    },
    "goals.no_breakdown": {
        "ja": "月次集計表には担当者・チャネルなどの列がないため、担当者別の内訳は出せません。"
        "上の表（目標ファイルのKPI担当別）で状況を確認できます。",
        "en": "A monthly sheet has no owner or channel columns, so there is no per-owner breakdown; the tables above "
        "show the status per KPI owner from the goal file.",
    },
    "goals.no_breakdown_rows": {
        "ja": "この期間の{role}別の実績はありません。",
        "en": "No figures per {role} in this period.",
    },
    "goals.basis.even_split": {"ja": "チーム目標の均等割り", "en": "even split of the team target"},
    "goals.basis.team_target": {"ja": "チーム目標", "en": "the team target"},
    "goals.table_title": {"ja": "今期の数値（表）", "en": "This period's figures (table)"},
    # ---------------------------------------------------------------- consistency and backward plan
    "goals.consistency_title": {
        "ja": "計画の整合性：KPIの目標を掛け合わせるとKGIになるか",
        "en": "Do the KPI targets add up to the KGI?",
    },
    "goals.consistency.mismatch": {
        "ja": "KPIの目標を掛け合わせると **{product} = {implied}** となり、KGIの目標 **{kgi}** と "
        "**{gap}（{ratio}）** ずれています（許容 ±{tolerance}）。KGIかKPIの目標を見直してください。",
        "en": "The KPI targets multiply up to **{product} = {implied}** against the KGI target **{kgi}**: a mismatch "
        "of **{gap} ({ratio})** (tolerance ±{tolerance}). Revise the KGI or the KPI targets.",
    },
    "goals.consistency.consistent": {
        "ja": "KPIの目標を掛け合わせると **{product} = {implied}** で、KGIの目標 **{kgi}** との差は "
        "{gap}（{ratio}）：許容 ±{tolerance} の範囲で整合しています。",
        "en": "The KPI targets multiply up to **{product} = {implied}** against the KGI target **{kgi}**: "
        "{gap} ({ratio}), consistent within ±{tolerance}.",
    },
    "goals.consistency.incomplete": {
        "ja": "KPIの目標とデータからは {product} のすべての要素が揃わないため、KGIの目標 {kgi} と比べられません。",
        "en": "Not every factor of {product} is set by a KPI or found in the data, so it cannot be compared with the "
        "KGI target {kgi}.",
    },
    "goals.consistency.not_applicable": {
        "ja": "KGIの指標（{metric}）はKPIの掛け算で表せないため、整合性は確認していません。",
        "en": "The KGI metric ({metric}) is not a product of the KPIs, so the plan's consistency is not checked.",
    },
    "goals.consistency_caption": {
        "ja": "売上 = 受注件数 × 平均単価、受注件数 = 商談数 × 受注率。月の目標は×12で年に換算。"
        "KPIで決めていない要素は過去12か月の実績（{window}）を使っています。",
        "en": "Revenue = won × average unit price, won = opportunities × win rate; monthly targets × 12 for a year. "
        "Factors no KPI sets come from the trailing 12 months ({window}).",
    },
    "goals.consistency_caption_no_window": {
        "ja": "売上 = 受注件数 × 平均単価、受注件数 = 商談数 × 受注率。月の目標は×12で年に換算。"
        "基準日までの12か月に実績がないため、KPIで決めていない要素は比べられません。",
        "en": "Revenue = won × average unit price, won = opportunities × win rate; monthly targets × 12 for a year. "
        "The 12 months before the as-of date have no figures, so factors no KPI sets are not known.",
    },
    "goals.from_data": {"ja": "（実績）", "en": " (actual)"},
    "goals.missing_factor": {"ja": "（不明）", "en": "(unknown)"},
    "goals.backward_title": {"ja": "逆算：KGIに必要な月間の数量", "en": "Backward plan: monthly volumes the KGI needs"},
    "goals.backward_sentence": {
        "ja": "KGI {kgi} を達成するには、過去12か月の転換率のままなら毎月 **{steps}** が必要です。",
        "en": "To reach the KGI of {kgi} at the trailing 12 months' rates, each month needs **{steps}**.",
    },
    "goals.backward_caption": {
        "ja": "KGIの目標を月割りにし、過去12か月（{window}）の実績の率で上流へ割り戻した数量（棒）と、"
        "チームが書いたKPIの月間目標（縦線）。",
        "en": "The KGI target per month, worked back up the funnel with the trailing 12 months' rates ({window}) "
        "(bars), next to the monthly KPI targets the team wrote (ticks).",
    },
    "goals.backward_caption_no_window": {
        "ja": "KGIの目標を月割りにし、過去12か月の実績の率で上流へ割り戻した数量（棒）と、"
        "チームが書いたKPIの月間目標（縦線）。",
        "en": "The KGI target per month, worked back up the funnel with the trailing 12 months' rates (bars), next "
        "to the monthly KPI targets the team wrote (ticks).",
    },
    "goals.backward_na": {
        "ja": "KGIの指標が受注金額・受注件数ではないため、逆算はできません。",
        "en": "The KGI is not won revenue or won deals, so it cannot be worked back through the funnel.",
    },
    "goals.backward_no_rates": {
        "ja": "過去12か月の実績から転換率を求められないため、KGI {kgi} に必要な月間の数量は計算できません。",
        "en": "The trailing 12 months give no conversion rates, so the monthly volumes the KGI of {kgi} needs cannot "
        "be worked out.",
    },
    "goals.backward_needed": {"ja": "必要数（実績の率）", "en": "Needed (actual rates)"},
    "goals.backward_x": {"ja": "月間の件数", "en": "Per month"},
    "goals.col.goal": {"ja": "目標", "en": "Goal"},
    "goals.col.metric": {"ja": "指標", "en": "Metric"},
    "goals.col.actual": {"ja": "実績", "en": "Actual"},
    "goals.col.expected": {"ja": "按分目標", "en": "Pro-rated target"},
    "goals.col.target": {"ja": "目標", "en": "Target"},
    "goals.col.gap": {"ja": "差", "en": "Gap"},
    "goals.col.attainment": {"ja": "達成率", "en": "Attainment"},
    "goals.col.department": {"ja": "部門", "en": "Department"},
    "goals.col.owner": {"ja": "KPI担当", "en": "KPI owner"},
    "goals.col.kpis": {"ja": "KPI", "en": "KPIs"},
    "goals.col.step": {"ja": "段階", "en": "Step"},
    "goals.col.needed": {"ja": "必要な月間数量", "en": "Needed per month"},
    "goals.col.rate": {"ja": "使った率（過去12か月）", "en": "Rate used (trailing 12 months)"},
    "goals.col.kpi_target": {"ja": "KPIの月間目標", "en": "KPI target per month"},
    "goals.col.difference": {"ja": "KPI目標 − 必要数", "en": "KPI target − needed"},
    "goals.col.own_rates": {"ja": "KPIの率で計算した必要数", "en": "Needed at the KPI rates"},
    "goals.col.status_band": {"ja": "基準の帯", "en": "Threshold band"},
    "goals.col.attainment_axis": {"ja": "目標に対する達成率", "en": "Attainment of the target"},
    # ---------------------------------------------------------------- the editor
    "goals.editor_title": {
        "ja": "目標モデルの編集（読み込み・書き出し・テンプレート）",
        "en": "Edit the goal model (import, export, templates)",
    },
    "goals.editor.tab_template": {"ja": "テンプレート", "en": "Templates"},
    "goals.editor.tab_import": {"ja": "YAMLを読み込む", "en": "Import YAML"},
    "goals.editor.tab_yaml": {"ja": "YAMLを編集", "en": "Edit YAML"},
    "goals.editor.tab_table": {"ja": "KPIの目標を表で編集", "en": "Edit KPI targets in a table"},
    "goals.editor.template": {"ja": "テンプレート", "en": "Template"},
    "goals.editor.template_lang": {"ja": "テンプレートの言語", "en": "Template language"},
    "goals.editor.use_template": {"ja": "このテンプレートを使う", "en": "Use this template"},
    "goals.editor.reset": {"ja": "既定のテンプレートに戻す", "en": "Back to the default template"},
    "goals.editor.export": {"ja": "目標モデルを保存（YAML）", "en": "Download the goal model (YAML)"},
    "goals.editor.upload": {"ja": "目標ファイル（.yaml）", "en": "Goal file (.yaml)"},
    "goals.editor.upload_help": {
        "ja": "KGI・KPI・CSFを書いたYAMLファイル。問題があれば行番号と項目を表示します。",
        "en": "A YAML file with the KGI, KPIs and CSFs. Problems are shown with their line and field.",
    },
    "goals.editor.yaml": {"ja": "目標モデル（YAML）", "en": "Goal model (YAML)"},
    "goals.editor.apply": {"ja": "確認して反映", "en": "Check and apply"},
    "goals.editor.apply_table": {"ja": "表の内容を反映", "en": "Apply the table"},
    "goals.editor.kgi_target": {"ja": "KGIの目標", "en": "KGI target"},
    "goals.editor.table_help": {
        "ja": "率は 0.25 のように小数で入力します（25%）。指標や式、CSFはYAMLで編集してください。",
        "en": "Rates are decimals (0.25 for 25%). Metrics, formulas and CSFs are edited in the YAML.",
    },
    "goals.editor.applied": {"ja": "目標モデルを反映しました。", "en": "The goal model was applied."},
    "goals.editor.imported": {"ja": "{name} を読み込みました。", "en": "{name} was imported."},
    "goals.editor.errors": {
        "ja": "目標ファイルに問題があります（行番号・項目：内容）。直してからもう一度反映してください：",
        "en": "The goal file has problems (line, field: what is wrong). Fix them and apply again:",
    },
    "goals.editor.not_utf8": {
        "ja": "{name} はUTF-8のテキストではありません。UTF-8で保存し直してください。",
        "en": "{name} is not UTF-8 text: save it as UTF-8 and import it again.",
    },
    "goals.editor.col.id": {"ja": "ID", "en": "ID"},
    "goals.editor.col.name": {"ja": "KPI名", "en": "KPI"},
    "goals.editor.col.metric": {"ja": "指標", "en": "Metric"},
    "goals.editor.col.target": {"ja": "目標", "en": "Target"},
    "goals.editor.col.per": {"ja": "目標の期間", "en": "Target per"},
    "goals.editor.col.owner": {"ja": "KPI担当", "en": "KPI owner"},
    "goals.editor.col.department": {"ja": "部門", "en": "Department"},
    "goals.lang.ja": {"ja": "日本語", "en": "Japanese"},
    "goals.lang.en": {"ja": "英語", "en": "English"},
    # ---------------------------------------------------------------- pacing page
    "pacing.fig.forecast": {
        "ja": "KGI 期末予測（{period}、目標 {target}）",
        "en": "KGI forecast ({period}, target {target})",
    },
    "pacing.kgi_title": {"ja": "KGI：{period}の着地予測", "en": "KGI: forecast for {period}"},
    "pacing.periods_caption": {
        "ja": "{as_of}時点。KGIは{kgi_period}（{start}〜{end}）の期末、KPIはそれぞれの目標の期間の期末に着地する値を"
        "予測しています。",
        "en": "As of {as_of}. The KGI is forecast for the end of {kgi_period} ({start} – {end}), each KPI for the end "
        "of its own target period.",
    },
    "pacing.computing": {"ja": "予測を計算しています…", "en": "Working out the forecasts…"},
    "pacing.month_title": {"ja": "KGI：{month}の見込み", "en": "KGI: {month}"},
    "pacing.fig.month": {
        "ja": "{month}の受注金額見込み（今のペース、目標 {target}）",
        "en": "{month} revenue at the current pace (target {target})",
    },
    "pacing.fig.month_final": {
        "ja": "{month}の受注金額（確定、目標 {target}）",
        "en": "{month} revenue, final (target {target})",
    },
    "pacing.fig.month_booked": {"ja": "受注済み（基準日まで）", "en": "Booked so far"},
    "pacing.month_caption": {
        "ja": "月の目標はKGIから「{mode}」で決めた値で、打ち手ページと同じ数字です"
        "（月の見込みは今のペースで月末まで伸ばした値）。",
        "en": "The month's target is set from the KGI by “{mode}”, as on the Pivots page (the month's forecast runs "
        "the current pace to the month end).",
    },
    "pacing.window_note": {
        "ja": "打ち手ページの{lever}は{window}の {value}（ここは{period}の期末予測 {forecast}）。",
        "en": "The Pivots page shows {lever} over the {window}: {value} (here: the {period} period-end forecast, "
        "{forecast}).",
    },
    "pacing.fig.vs_target": {"ja": "{gap}（目標比）", "en": "{gap} vs target"},
    "pacing.fig.range": {"ja": "予測の幅（80%）", "en": "Forecast range (80%)"},
    "pacing.fig.probability": {"ja": "目標達成の確率", "en": "Chance of reaching the target"},
    "pacing.fig.status": {"ja": "見通し（予測 ÷ 目標）", "en": "Outlook (forecast ÷ target)"},
    "pacing.fig.no_target": {"ja": "目標なし", "en": "No target"},
    "pacing.fig.days": {"ja": "営業日 {elapsed}/{total}", "en": "{elapsed}/{total} workdays"},
    "pacing.method_label": {"ja": "予測の方法", "en": "How this is forecast"},
    "pacing.chart_title": {
        "ja": "ペース：累計実績と按分目標",
        "en": "Pace: cumulative actual against the pro-rated target",
    },
    "pacing.goal_choice": {"ja": "表示する目標", "en": "Goal shown"},
    "pacing.chart_caption": {
        "ja": "{name}（{period}）：営業日ごとの累計実績（実線）、按分した目標（点線）、予測（破線）と80%の幅（帯）。"
        "{calendar}。",
        "en": "{name} ({period}): cumulative actual by business day (solid), the pro-rated target (dotted), the "
        "forecast (dashed) and its 80% range (band); {calendar}.",
    },
    "pacing.chart_caption_rate": {
        "ja": "{name}（{period}）：率のため累計ではなく期首から各営業日までの値（実線）、"
        "目標（点線）、予測（破線）と80%の幅（帯）。"
        "{calendar}。",
        "en": "{name} ({period}): a rate, so the value from the period start to each business day (solid), the "
        "target (dotted), the forecast (dashed) and its 80% range (band); {calendar}.",
    },
    "pacing.sheet_note": {
        "ja": "月次集計表には月の中の日別の数値がないため、各月の値は月初に一度に入っています。",
        "en": "A monthly sheet has no days inside a month: each month's figures arrive on its first day.",
    },
    "pacing.kpis_title": {"ja": "KPIごとの着地予測（{periods}）", "en": "Each KPI at the period end ({periods})"},
    "pacing.kpi_forecast": {
        "ja": "{name}：期末予測（{period}、目標 {target}）",
        "en": "{name}: forecast ({period}, target {target})",
    },
    "pacing.no_range": {"ja": "幅なし", "en": "no range"},
    "pacing.table_title": {"ja": "予測の一覧（表）", "en": "All forecasts (table)"},
    "pacing.status_caption": {
        "ja": "見通しの状態は期末予測 ÷ 目標で判定（{on}以上 ✓ 順調、{risk}以上 △ 要注意、それ未満 ✕ 遅れ）。",
        "en": "The outlook is the forecast ÷ the target (at least {on} ✓ on track, at least {risk} △ at risk, "
        "below ✕ off track).",
    },
    "pacing.x": {"ja": "営業日", "en": "Business day"},
    "pacing.date": {"ja": "日付", "en": "Date"},
    "pacing.actual": {"ja": "累計実績", "en": "Cumulative actual"},
    "pacing.target": {"ja": "目標（按分）", "en": "Target (pro-rated)"},
    "pacing.forecast": {"ja": "予測", "en": "Forecast"},
    "pacing.col.actual": {"ja": "実績（基準日まで）", "en": "Actual so far"},
    "pacing.col.forecast": {"ja": "期末予測", "en": "Forecast"},
    "pacing.col.low": {"ja": "下限（10%）", "en": "Low (10th pct)"},
    "pacing.col.high": {"ja": "上限（90%）", "en": "High (90th pct)"},
    "pacing.col.probability": {"ja": "達成確率", "en": "Chance of target"},
    "pacing.col.method": {"ja": "予測の方法", "en": "Method"},
    "pacing.cal_words.jp": {"ja": "土日・祝日を除く", "en": "weekends and Japanese holidays excluded"},
    "pacing.cal_words.jp_yearend": {
        "ja": "土日・祝日・年末年始（12/29〜1/3）を除く",
        "en": "weekends, Japanese holidays and 29 Dec–3 Jan excluded",
    },
    "pacing.cal_words.weekends": {"ja": "土日のみ除く", "en": "weekends excluded"},
    "pacing.cal_words.none": {"ja": "全日を数える", "en": "every calendar day counted"},
    "pacing.method_title": {
        "ja": "予測の方法と状態の基準（すべての目標に共通）",
        "en": "How the forecasts are made and the status rule (all goals)",
    },
    "pacing.how.run_rate": {
        "ja": "ランレート：基準日までの実績を、同じ営業日ペースのまま期末まで伸ばします。"
        "率の指標は、分子と分母をそれぞれ伸ばしてから率を計算します。",
        "en": "Run rate: the actual so far, extended to the period end at the same pace per business day; for a rate, "
        "its numerator and denominator are each extended and the rate taken of those.",
    },
    "pacing.how.pipeline": {
        "ja": "パイプライン：これまでの実績に、進行中の案件 × フェーズ別の受注確率 × 残りの日数内に完了する確率"
        "（過去の商談期間から）を加えます。両者の平均を使うこともあります。",
        "en": "Pipeline: the actual so far plus the open deals × their stage's win probability × the chance of "
        "closing within the days left (from past cycle times); sometimes the average of the two methods is used.",
    },
    "pacing.how.compared": {
        "ja": "方法が複数あるときは、過去の期間で最も外れが小さかった方法を選びます。",
        "en": "Where more than one method applies, the one that missed least in past periods is chosen.",
    },
    "pacing.how.range_analogues": {
        "ja": "予測の幅（80%）：過去の各期間の同じ時点で同じ予測をしたときの着地（着地 ÷ 予測の対数にt分布を当て、"
        "比べる期間が少ないほど広くなる）から求めた予測区間。達成確率も同じ分布から求めています。",
        "en": "Forecast range (80%): a prediction interval from how the same forecast, made at the same point of each "
        "past period, ended (Student's t on the log of final ÷ forecast, wider the fewer periods there are); the "
        "chance of reaching the target comes from the same distribution.",
    },
    "pacing.how.range_normal": {
        "ja": "比べられる過去の期間が少ない目標では、幅は営業日あたりの実績の月ごとのばらつきから求めた80%区間"
        "（これまでのペースと残りの日数の両方の誤差を含め、月数が少ないほど広くなるt分布）です。",
        "en": "Where there are too few past periods to compare, the range comes from how much the daily rate varied "
        "month to month (error in both the pace so far and the days left; Student's t, wider the fewer months).",
    },
}
