"""UI texts of the quota views (reps and teams against their own numbers, on Goals and Pacing), ja / en."""

from __future__ import annotations

QUOTA_PAGE_STRINGS: dict[str, dict[str, str]] = {
    # the basis of a rep's target in the Goals page's breakdown (ui/goals/frames.py: goals.basis.<basis>)
    "goals.basis.quota": {"ja": "担当者別ノルマ", "en": "the rep's quota"},
    "goals.basis.no_quota": {"ja": "ノルマなし", "en": "no quota"},
    "quotas.goals_title": {"ja": "担当者ごとに目標に届いているか", "en": "Is each rep on their own number?"},
    "quotas.pacing_title": {"ja": "担当者ごとの着地見込み", "en": "Where will each rep land?"},
    "quotas.kpi": {"ja": "指標", "en": "Goal"},
    "quotas.kgi_suffix": {"ja": "（KGI）", "en": " (KGI)"},
    "quotas.no_owner": {
        "ja": "このデータには担当者の列がないため、担当者別の数字は出せません。担当者の列があるデータを読み込むと"
        "表示されます。",
        "en": "This data has no owner column, so there are no figures per rep. Load data with an owner column to see "
        "them.",
    },
    "quotas.no_rows": {
        "ja": "{period} にはこの指標の担当者別の数字がまだありません。",
        "en": "No rep has a figure for this goal in {period} yet.",
    },
    "quotas.basis.quota": {
        "ja": "目標: 目標ファイルの担当者別ノルマ（{per}）",
        "en": "Targets: each rep's quota from the goal file (per {per})",
    },
    "quotas.basis.even_split": {
        "ja": "目標: ノルマが未設定のため、チーム目標 {target} を{count}人で均等割り（1人 {share}）",
        "en": "Targets: no quotas set, so the team target of {target} is split evenly over {count} reps ({share} each)",
    },
    "quotas.basis.team_target": {
        "ja": "目標: 率の指標のため、全員がチーム目標 {target} と比べています",
        "en": "Targets: a rate, so every rep is compared with the team target of {target}",
    },
    "quotas.sum_equal": {
        "ja": "ノルマの合計 {sum} はチーム目標 {target} と同じです。",
        "en": "The quotas add up to {sum}, the same as the team target of {target}.",
    },
    "quotas.sum_short": {
        "ja": "ノルマの合計 {sum} はチーム目標 {target} より {difference} 少なく、その分は誰にも"
        "割り当てられていません。",
        "en": "The quotas add up to {sum}, {difference} short of the team target of {target}: that much is not "
        "assigned to anyone.",
    },
    "quotas.sum_over": {
        "ja": "ノルマの合計 {sum} はチーム目標 {target} より {difference} 多く、余裕を持たせた割り当てです。",
        "en": "The quotas add up to {sum}, {difference} more than the team target of {target}: a cushion.",
    },
    "quotas.rate_quotas": {
        "ja": "率の指標のため、ノルマは足し合わせず、チーム目標 {target} とは別に比べます。",
        "en": "A rate: the quotas do not add up; the team target of {target} stands on its own.",
    },
    "quotas.not_in_data": {
        "ja": "データに見当たらない担当者のノルマ: {names}（名前の書き方を確認してください）",
        "en": "Quotas for names the data does not show: {names} (check how they are written)",
    },
    "quotas.unassigned": {
        "ja": "ノルマのない担当者: {names}",
        "en": "Reps without a quota: {names}",
    },
    "quotas.teams_title": {"ja": "チーム別", "en": "By team"},
    "quotas.team_line": {
        "ja": "{status}　**{team}**（{count}人）: 実績 {actual} / 目標 {target} · 達成率 {attainment}",
        "en": "{status} **{team}** ({count} reps): {actual} of {target} · attainment {attainment}",
    },
    "quotas.team_line_forecast": {
        "ja": "{status}　**{team}**（{count}人）: 着地見込み {forecast} / 目標 {target} · 達成確率 {chance}",
        "en": "{status} **{team}** ({count} reps): forecast {forecast} of {target} · chance {chance}",
    },
    "quotas.no_teams": {
        "ja": "チームは未設定です（目標ファイルのノルマにチームを書くか、下の詳細からチーム表を読み込みます）。",
        "en": "No teams set (write team in the goal file's quotas, or load a team file in the details below).",
    },
    "quotas.chart_caption": {
        "ja": "{period}、基準日までの実績 ÷ 営業日で按分した目標。線は100%。{basis}",
        "en": "{period}, actual to the as-of date ÷ the target pro-rated by business days. The line is 100%. {basis}",
    },
    "quotas.pacing_caption": {
        "ja": "{period}の着地見込み（各担当者の自分の商談から、ほかの指標と同じ方法で予測）と80%の範囲。"
        "縦の目盛りが目標。{basis}",
        "en": "{period}'s forecast per rep (made from the rep's own records, the same way as every goal's) with its "
        "80% range. The tick is the target. {basis}",
    },
    "quotas.details": {"ja": "担当者別の表とチーム表", "en": "The table per rep, and the team file"},
    "quotas.details_pacing": {"ja": "担当者別の着地見込みの表", "en": "The forecast per rep as a table"},
    "quotas.col.rank": {"ja": "順位", "en": "Rank"},
    "quotas.col.owner": {"ja": "担当者", "en": "Rep"},
    "quotas.col.team": {"ja": "チーム", "en": "Team"},
    "quotas.col.target": {"ja": "目標", "en": "Target"},
    "quotas.col.expected": {"ja": "按分目標", "en": "Pro-rated target"},
    "quotas.col.actual": {"ja": "実績", "en": "Actual"},
    "quotas.col.attainment": {"ja": "達成率", "en": "Attainment"},
    "quotas.col.status": {"ja": "状況", "en": "Status"},
    "quotas.col.forecast": {"ja": "着地見込み", "en": "Forecast"},
    "quotas.col.range": {"ja": "80%の範囲", "en": "80% range"},
    "quotas.col.chance": {"ja": "達成確率", "en": "Chance"},
    "quotas.col.basis": {"ja": "目標の決め方", "en": "Target from"},
    "quotas.col.forecast_attainment": {"ja": "見込みの達成率", "en": "Forecast ÷ target"},
    "quotas.axis.attainment": {"ja": "達成率（按分目標比）", "en": "Attainment (vs pro-rated target)"},
    "quotas.axis.forecast": {"ja": "着地見込み", "en": "Forecast"},
    "quotas.teams_upload": {"ja": "チーム表（担当者・チームの2列）", "en": "Team file (two columns: owner, team)"},
    "quotas.teams_upload_help": {
        "ja": "CSV（UTF-8 / Shift_JIS）か Excel。見出しは「担当者」「チーム」など。目標ファイルのノルマに"
        "チームが書いてあれば、そちらが優先されます。",
        "en": "CSV (UTF-8 / Shift_JIS) or Excel, headed Owner and Team (or 担当者, チーム). A team written in the goal "
        "file wins.",
    },
    "quotas.teams_from": {"ja": "チームの出典: {source}", "en": "Teams from: {source}"},
    "quotas.teams_goal_file": {"ja": "目標ファイル", "en": "the goal file"},
    "quotas.compute_error": {
        "ja": "担当者別の数字を計算できませんでした。目標ファイルの指標がこのデータで計算できるか確認してください。",
        "en": "The figures per rep could not be computed. Check that the goal file's metrics can be computed on this "
        "data.",
    },
}
