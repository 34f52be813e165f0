"""Texts of the KPI health page and of the target realism on the Goals page, in Japanese and English (merged into
ui/strings.py's one table). The health check's own sentences (findings, remedies, pitfall names) are the engine's,
keys "health.…" of kpi_core/messages.py."""

from __future__ import annotations

HEALTH_PAGE_STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- navigation and title
    "nav.health": {"ja": "健全性チェック", "en": "KPI health"},
    "page.health.title": {"ja": "KPI管理は機能しているか？", "en": "Is our KPI management working?"},
    # ---------------------------------------------------------------- headline
    "health_page.fig.score": {"ja": "健全性スコア（100点満点）", "en": "Health score (out of 100)"},
    "health_page.fig.score_help": {
        "ja": "7つの落とし穴それぞれの判定（問題なし 1点、注意 0.5点、要対応 0点。項目が複数あればその平均）を"
        "平均して100倍した値です。判定できなかった落とし穴は数えません。",
        "en": "The mean over the seven pitfalls of their verdicts (ok 1, warning ½, action needed 0; a pitfall with "
        "several items takes their mean), × 100. A pitfall that could not be checked is not counted.",
    },
    "health_page.fig.delta": {"ja": "修正前から {delta}", "en": "{delta} since the fix"},
    "health_page.fig.of_seven": {"ja": "落とし穴7つ中", "en": "of 7 pitfalls"},
    "health_page.fig.fixes": {"ja": "ワンクリックで直せる修正", "en": "One-click fixes"},
    "health_page.caption": {
        "ja": "基準日 {as_of}。目標モデルと、基準日の前月までの完了した月（最大36か月）のデータから判定しています。"
        "担当者やチャネルの絞り込みは反映し、期間の絞り込みは使いません。",
        "en": "As of {as_of}: judged from the goal model and the data's complete months before the as-of month (up "
        "to 36). The owner, channel and other filters apply; the date range does not.",
    },
    "health_page.model_template": {
        "ja": "目標モデル：組み込みテンプレート「{name}」。"
        "自社の目標は「目標」ページの「目標モデルの編集」で設定できます。",
        "en": "Goal model: the built-in {name} template. Set your own on the Goals page, under “Edit the goal model”.",
    },
    "health_page.model_own": {
        "ja": "目標モデル：このデータ用に読み込み・編集した目標（KGI：{kgi}）。",
        "en": "Goal model: your own, imported or edited for this data (KGI: {kgi}).",
    },
    "health_page.compute_error": {
        "ja": "この目標モデルはこのデータでは診断できませんでした。「目標」ページで指標名や式を確認してください。",
        "en": "These goals could not be checked on this data: check the metric names and formulas on the Goals page.",
    },
    # ---------------------------------------------------------------- the cards
    "health_page.cards_title": {"ja": "7つの落とし穴", "en": "The seven pitfalls"},
    "health_page.card_title": {"ja": "落とし穴{number}：{name}", "en": "Pitfall {number}: {name}"},
    "health_page.verdict.ok": {"ja": "問題なし", "en": "OK"},
    "health_page.verdict.warn": {"ja": "注意", "en": "Warning"},
    "health_page.verdict.fail": {"ja": "要対応", "en": "Action needed"},
    "health_page.verdict.none": {"ja": "判定なし", "en": "Not checked"},
    "health_page.details": {"ja": "根拠と詳細", "en": "Evidence and details"},
    "health_page.ok_items": {"ja": "問題のない項目（{count}件）", "en": "Items without problems ({count})"},
    "health_page.not_checked": {
        "ja": "この落とし穴はこのデータでは判定できませんでした。",
        "en": "This pitfall could not be checked on this data.",
    },
    "health_page.chart_pick": {"ja": "グラフに示す項目", "en": "Chart of"},
    "health_page.pick.mix": {"ja": "{role}の構成", "en": "{role} mix"},
    # ---------------------------------------------------------------- evidence charts
    "health_page.chart.month": {"ja": "月", "en": "Month"},
    "health_page.chart.kpi": {"ja": "KPI：{name}", "en": "KPI: {name}"},
    "health_page.chart.kgi": {"ja": "KGI：{name}", "en": "KGI: {name}"},
    "health_page.chart.value": {"ja": "実績", "en": "Actual"},
    "health_page.chart.target": {"ja": "月あたりの目標", "en": "Target per month"},
    "health_page.chart.band": {"ja": "現実的な範囲", "en": "Realistic band"},
    "health_page.chart.lag": {"ja": "遅れ", "en": "Lag"},
    "health_page.chart.lag_value": {"ja": "{lag}か月", "en": "{lag} month(s)"},
    "health_page.chart.correlation": {"ja": "増減の相関", "en": "Correlation of changes"},
    "health_page.chart.rep": {"ja": "担当者", "en": "Rep"},
    "health_page.chart.typical": {"ja": "典型的な月（中央値）", "en": "Typical month (median)"},
    "health_page.chart.good": {"ja": "良い月（上位4分の1）", "en": "Good month (top quarter)"},
    "health_page.chart.team": {"ja": "チーム", "en": "Team"},
    "health_page.chart.basis": {"ja": "目標の根拠", "en": "Target basis"},
    "health_page.chart.basis.quota": {"ja": "各自のノルマ", "en": "Own quota"},
    "health_page.chart.basis.even_split": {"ja": "チーム目標の均等割り", "en": "Even split of the team target"},
    "health_page.chart.basis.team_target": {"ja": "チーム目標", "en": "Team target"},
    "health_page.chart.reach": {"ja": "目標に届くか", "en": "Can reach the target"},
    "health_page.chart.met": {"ja": "達成した月", "en": "Months met"},
    "health_page.chart.met_value": {"ja": "{months}か月中{met}か月", "en": "{met} of {months} months"},
    "health_page.chart.reach.yes": {"ja": "届く", "en": "Can reach"},
    "health_page.chart.reach.no": {"ja": "届かない", "en": "Cannot reach"},
    "health_page.chart.mix_value": {"ja": "構成比", "en": "Share"},
    "health_page.chart.part.first": {"ja": "最初の{months}か月", "en": "First {months} months"},
    "health_page.chart.part.last": {"ja": "最後の{months}か月", "en": "Last {months} months"},
    "health_page.caption.link": {
        "ja": "KPI（左の軸）と KGI（右の軸）の月次推移。月々の増減の相関（0〜3か月遅れ）：{lags}。",
        "en": "The KPI (left axis) and the KGI (right axis) month by month. Correlation of their monthly changes "
        "(0–3 months' lag): {lags}.",
    },
    "health_page.caption.link_shift": {
        "ja": "KPI（左の軸）と KGI（右の軸）の月次推移。縦線の{since}を境に、月々の増減の相関は {before} → {after}。",
        "en": "The KPI (left axis) and the KGI (right axis) month by month. Before and after the rule at {since}, "
        "the correlation of their monthly changes is {before} → {after}.",
    },
    "health_page.caption.target": {
        "ja": "月次の実績（過去{months}か月）。点線は月あたりの目標 {target}、"
        "帯は実績から見た現実的な範囲 {low}〜{high}。",
        "en": "The monthly actual (last {months} months). Dashed: the target per month, {target}; shaded: the "
        "realistic band from the history, {low}–{high}.",
    },
    "health_page.caption.field.even_split": {
        "ja": "担当者ごとの過去の月次実績：棒は典型的な月、点は良い月、縦の点線はノルマがないため使ったチーム目標の"
        "均等割り（1人 {share}）。4か月に1か月以上これに届いた担当者を「届く」としています。",
        "en": "Each rep's months: the bar is a typical month, the dot a good month, the dashed rule an even split of "
        "the team target ({share} each), as no quotas are set. A rep who reached it in at least one month in four "
        "can reach it.",
    },
    "health_page.caption.field.team_target": {
        "ja": "担当者ごとの過去の月次実績：棒は典型的な月、点は良い月、縦の点線はノルマがないため使ったチーム目標"
        "（{share}、率や平均の目標は全員に同じ値）。4か月に1か月以上これに届いた担当者を「届く」としています。",
        "en": "Each rep's months: the bar is a typical month, the dot a good month, the dashed rule the team target "
        "({share}; a rate or an average has the same target for every rep), as no quotas are set. A rep who "
        "reached it in at least one month in four can reach it.",
    },
    "health_page.caption.field.quota": {
        "ja": "担当者ごとの過去の月次実績と各自のノルマ：棒は典型的な月、点は良い月、各行の濃い縦線はその担当者の"
        "ノルマ（月 {quotas}）。4か月に1か月以上自分のノルマに届いた担当者を「届く」としています。",
        "en": "Each rep's months against their own quota: the bar is a typical month, the dot a good month, the dark "
        "mark on each row the rep's quota ({quotas} a month). A rep who reached their quota in at least one month "
        "in four can reach it.",
    },
    "health_page.caption.field.mixed": {
        "ja": "担当者ごとの過去の月次実績と各自の目標：棒は典型的な月、点は良い月、濃い縦線は各自のノルマ"
        "（月 {quotas}）、灰色の縦線はノルマのない{count}人に使った{fallback}（{share}）。"
        "4か月に1か月以上自分の目標に届いた担当者を「届く」としています。",
        "en": "Each rep's months against their own target: the bar is a typical month, the dot a good month, a dark "
        "mark the rep's quota ({quotas} a month), a grey mark, for the {count} without one, {fallback} ({share}). "
        "A rep who reached their target in at least one month in four can reach it.",
    },
    "health_page.caption.mix": {
        "ja": "{role}ごとの構成比：最初の{months}か月（{first}〜）と最後の{months}か月（〜{last}）。",
        "en": "Share of each {role}: the first {months} months (from {first}) and the last {months} months "
        "(to {last}).",
    },
    # ---------------------------------------------------------------- fixes
    "health_page.fixes_title": {"ja": "ワンクリックで直せる修正", "en": "Fixes you can apply with one click"},
    "health_page.fixes_caption": {
        "ja": "クリックすると目標モデルが書き換わり、「目標」「着地予測」「打ち手」の各ページもそれに従います。"
        "直前の修正は元に戻せます。",
        "en": "A click edits the goal model; the Goals, Pacing and Pivots pages follow it. The last fix can be undone.",
    },
    "health_page.no_fixes": {
        "ja": "自動で直せる修正はありません。対策は各カードを参照してください。",
        "en": "Nothing can be fixed automatically: see the remedies on the cards.",
    },
    "health_page.fix_button": {"ja": "{kpi}：{op}（落とし穴{number}）", "en": "{kpi}: {op} (pitfall {number})"},
    "health_page.applied": {
        "ja": "修正を適用しました：{what}。スコア {before} → {after}。",
        "en": "Fix applied: {what}. Score {before} → {after}.",
    },
    "health_page.undo": {"ja": "元に戻す", "en": "Undo"},
    "health_page.undone": {
        "ja": "修正を取り消し、目標モデルを元に戻しました。",
        "en": "The fix was undone: the goal model is back as it was.",
    },
    "health_page.undo_failed": {
        "ja": "修正を元に戻せませんでした：{reason}",
        "en": "The fix could not be undone: {reason}",
    },
    "health_page.fix_failed": {
        "ja": "この修正は適用できませんでした：{reason}",
        "en": "This fix could not be applied: {reason}",
    },
    # ---------------------------------------------------------------- target realism on the Goals page
    "goals.realism_title": {
        "ja": "目標の現実性（過去の実績との比較）",
        "en": "Target realism (against each KPI's history)",
    },
    "goals.realism.col.kpi": {"ja": "KPI", "en": "KPI"},
    "goals.realism.col.target": {"ja": "月あたりの目標", "en": "Target per month"},
    "goals.realism.col.percentile": {"ja": "過去の実績での位置", "en": "Percentile of history"},
    "goals.realism.col.best": {"ja": "最高の月", "en": "Best month"},
    "goals.realism.col.growth": {"ja": "必要な伸び／これまで", "en": "Growth needed / past"},
    "goals.realism.col.band": {"ja": "現実的な範囲", "en": "Realistic band"},
    "goals.realism.best": {"ja": "{value}（{month}）", "en": "{value} ({month})"},
    "goals.realism.growth": {"ja": "{needed}／{past}", "en": "{needed} / {past}"},
    "goals.realism.band": {"ja": "{low}〜{high}", "en": "{low}–{high}"},
    "goals.realism.short": {
        "ja": "過去の実績が{months}か月未満",
        "en": "under {months} months of history",
    },
    "goals.realism_caption": {
        "ja": "各 KPI の月次実績（直近最大24か月）と目標の比較。"
        "位置：目標を下回った月の割合（50なら典型的な月と同じ水準）。"
        "必要な伸び：直近12か月の平均から目標までの伸び、これまで：直近12か月のその前の12か月に対する伸び。"
        "診断の全体は「健全性チェック」ページにあります。",
        "en": "Each target against the KPI's monthly history (the last 24 months at most). Percentile: the share of "
        "months below the target (50: a typical month). Growth needed: from the last 12 months' mean to the "
        "target; past: the last 12 months against the 12 before. The full diagnosis is on the KPI health page.",
    },
}
