"""Texts of the weekly meeting page (what changed since last week, ヨミ and coverage, the digest), in Japanese and
English (merged into ui/strings.py's one table). The engine's own words (change kinds, forecast lines, coverage and
history sentences, notes) are kpi_core/messages.py's, keys "changes.…" and "forecast.…"."""

from __future__ import annotations

WEEKLY_PAGE_STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- navigation and title
    "nav.weekly": {"ja": "週次会議", "en": "Weekly meeting"},
    "page.weekly.title": {"ja": "先週から何が動いたか？", "en": "What moved since last week?"},
    "weekly.changes_title": {"ja": "先週からの変化", "en": "What changed since last week"},
    "weekly.yomi_title": {"ja": "ヨミとカバレッジ", "en": "Forecast by category and coverage"},
    "weekly.digest_title": {"ja": "会議のまとめ", "en": "Meeting digest"},
    # ---------------------------------------------------------------- the two snapshots
    "weekly.mode": {"ja": "比べる先週のデータ", "en": "Last week's data"},
    "weekly.mode.sample": {"ja": "先週のサンプル出力", "en": "Last week's sample export"},
    "weekly.mode.upload": {"ja": "先週の出力をアップロード", "en": "Upload last week's export"},
    "weekly.upload_label": {"ja": "先週の出力ファイル", "en": "Last week's export"},
    "weekly.upload_help": {
        "ja": "今のデータと同じ商談一覧を、先週出力したファイルです。今のデータと同じ列の設定で読み込みます。",
        "en": "The same deal list as the current data, as exported last week. It is read with the current data's "
        "column settings.",
    },
    "weekly.upload_prompt": {
        "ja": "先週出力した同じ商談一覧をアップロードすると、商談IDごとに何が動いたかを比べます。",
        "en": "Upload last week's export of the same deal list to see, deal by deal, what moved.",
    },
    "weekly.upload_lost": {
        "ja": "先週のファイル（{file}）はサーバーにもう残っていません。もう一度アップロードしてください。",
        "en": "Last week's file ({file}) is no longer held by the server: upload it again.",
    },
    "weekly.your_file": {"ja": "先週のデータ：{file}", "en": "Last week's data: {file}"},
    "weekly.forget_file": {"ja": "先週のファイルを外す", "en": "Remove last week's file"},
    "weekly.load_error": {
        "ja": "先週のデータを読み込めませんでした：{message}",
        "en": "Last week's data could not be read: {message}",
    },
    "weekly.no_id": {
        "ja": "{file}には商談IDの列がないため、先週のデータと商談ごとに比べられません。"
        "IDの列を含めて出力し直すか、データページで列に「ID」の役割を割り当ててください。",
        "en": "{file} has no deal id column, so its deals cannot be matched with last week's: export it with the id "
        "column, or give a column the ID role on the Data page.",
    },
    "weekly.ws.after": {"ja": "今週（新しい時点）", "en": "This week (the later snapshot)"},
    "weekly.ws.before": {"ja": "先週（比べる前の時点）", "en": "Last week (the earlier snapshot)"},
    "weekly.ws.snapshot": {"ja": "{date}のアップロード（{rows}行）", "en": "Uploaded {date} ({rows} rows)"},
    "weekly.ws.one_snapshot": {
        "ja": "このワークスペースにはまだ以前のアップロードがありません。データページで新しい出力を追加すると、"
        "前回のアップロードと比べられます。ここで先週のファイルをアップロードして比べることもできます。",
        "en": "This workspace has no earlier upload yet: add a newer export on the Data page and it is compared with "
        "the one before, or upload last week's file here.",
    },
    "weekly.ws.same": {
        "ja": "同じ時点どうしは比べられません。先週には、今週より前の時点を選んでください。",
        "en": "A snapshot cannot be compared with itself: choose an earlier one for last week.",
    },
    "weekly.pair_caption": {
        "ja": "先週：{before}（{before_date}まで）→ 今週：{after}（{after_date}まで）。"
        "サイドバーの絞り込みは使わず、全商談を比べています。",
        "en": "Last week: {before} (to {before_date}) → this week: {after} (to {after_date}). All deals are "
        "compared: the sidebar filters do not apply.",
    },
    # ---------------------------------------------------------------- summary and waterfall
    "weekly.count": {"ja": "{count}件", "en": "{count}"},
    "weekly.fig_caption": {
        "ja": "各項目の件数と、その金額（金額増・減は金額の差）です。1件の商談が複数の項目に入ることがあります。",
        "en": "Deals per kind of change, with their amount (for amount up / down: the difference). A deal may be in "
        "several.",
    },
    "weekly.waterfall.start": {"ja": "先週の進行中", "en": "Open last week"},
    "weekly.waterfall.end": {"ja": "今週の進行中", "en": "Open this week"},
    "weekly.waterfall.step": {"ja": "{kind}（{count}件）", "en": "{kind} ({count})"},
    "weekly.waterfall.axis": {"ja": "進行中パイプラインの金額", "en": "Open pipeline amount"},
    "weekly.waterfall.tip.step": {"ja": "項目", "en": "Step"},
    "weekly.waterfall.tip.amount": {"ja": "金額", "en": "Amount"},
    "weekly.waterfall.tip.total": {"ja": "累計", "en": "Running total"},
    "weekly.waterfall.caption": {
        "ja": "先週の進行中パイプライン（金額）から今週の分までを、変化の種類ごとの増減でつないでいます。"
        "1件の商談はどれか1本の棒にだけ入るため、棒を足すと今週の金額になります。",
        "en": "Last week's open pipeline (amount) to this week's, one bar per kind of change. Each deal is on one "
        "bar only, so the bars add up to this week's amount.",
    },
    "weekly.waterfall.axis_note": {
        "ja": "縦軸は0から始まっていません。",
        "en": " The amount axis does not start at zero.",
    },
    "weekly.waterfall.empty": {
        "ja": "先週も今週も、進行中の商談に金額がありません。",
        "en": "Neither week has an amount on its open deals.",
    },
    "weekly.bar_pick": {"ja": "棒の内訳", "en": "Deals behind a bar"},
    "weekly.no_changes": {
        "ja": "2つのデータの間で動いた商談はありません。",
        "en": "No deal moved between the two exports.",
    },
    "weekly.deals_expander": {
        "ja": "商談ごとの変化（{count}件）：先週 → 今週",
        "en": "Deal by deal ({count} changes): last week → this week",
    },
    "weekly.col.id": {"ja": "商談ID", "en": "Deal ID"},
    "weekly.col.change": {"ja": "変化", "en": "Change"},
    "weekly.col.stage_before": {"ja": "先週のフェーズ", "en": "Stage last week"},
    "weekly.col.stage_after": {"ja": "今週のフェーズ", "en": "Stage this week"},
    "weekly.col.amount_before": {"ja": "先週の金額（{symbol}）", "en": "Amount last week ({symbol})"},
    "weekly.col.amount_after": {"ja": "今週の金額（{symbol}）", "en": "Amount this week ({symbol})"},
    "weekly.col.move": {"ja": "増減（{symbol}）", "en": "Change ({symbol})"},
    "weekly.col.close_before": {"ja": "先週の受注予定日", "en": "Expected close last week"},
    "weekly.col.close_after": {"ja": "今週の受注予定日", "en": "Expected close this week"},
    "weekly.col.days": {"ja": "予定日の移動（日）", "en": "Date moved (days)"},
    "weekly.state.won": {"ja": "受注", "en": "Won"},
    "weekly.state.lost": {"ja": "失注", "en": "Lost"},
    # ---------------------------------------------------------------- ヨミ
    "weekly.yomi.missing": {
        "ja": "{columns}のいずれかの列がある商談一覧なら、ここにコミット・見込みごとの予測とカバレッジを出します。",
        "en": "A deal list with any of these columns gets the forecast by category and the coverage here: {columns}.",
    },
    "weekly.yomi.missing_sample": {
        "ja": "{columns}のいずれかの列がある商談一覧なら、ここにコミット・見込みごとの予測とカバレッジを出します"
        "（サンプルデータにはこれらの列がありません）。",
        "en": "A deal list with any of these columns gets the forecast by category and the coverage here (the "
        "samples have none of them): {columns}.",
    },
    "weekly.yomi.period": {
        "ja": "{period}の見通し（基準日 {as_of}）。",
        "en": "{period}, as of {as_of}.",
    },
    "weekly.yomi.stat": {"ja": "統計的な予測（今日時点）", "en": "Statistical forecast (today)"},
    "weekly.yomi.stat_help": {
        "ja": "これまでの実績のペースから出した今月の予測です（目標ページ・ピボットページと同じ値）。",
        "en": "This month's forecast from the pace of past results (the same figure as the Goals and Pivots pages).",
    },
    "weekly.yomi.target": {"ja": "目標 {target}", "en": "Target {target}"},
    "weekly.yomi.coverage": {"ja": "カバレッジ", "en": "Coverage"},
    "weekly.times": {"ja": "{value}倍", "en": "{value}×"},
    "weekly.yomi.no_coverage": {
        "ja": "今月の目標がないため、カバレッジは出せません。",
        "en": "Without this month's target there is no coverage to compute.",
    },
    "weekly.yomi.col.line": {"ja": "区分", "en": "Line"},
    "weekly.yomi.col.count": {"ja": "件数", "en": "Deals"},
    "weekly.yomi.col.amount": {"ja": "金額（{symbol}）", "en": "Amount ({symbol})"},
    "weekly.yomi.overdue_title": {
        "ja": "受注予定日を過ぎた進行中の商談",
        "en": "Open deals past their expected close date",
    },
    "weekly.yomi.col.expected": {"ja": "受注予定日", "en": "Expected close"},
    "weekly.yomi.col.overdue": {"ja": "過ぎた日数", "en": "Days overdue"},
    "weekly.yomi.col.category": {"ja": "ヨミ区分", "en": "Category"},
    "weekly.yomi.col.probability": {"ja": "確度", "en": "Probability"},
    "weekly.yomi.error": {
        "ja": "ヨミを計算できませんでした：{message}",
        "en": "The forecast by category could not be computed: {message}",
    },
    # ---------------------------------------------------------------- the digest
    "weekly.digest.download_pdf": {"ja": "PDFで保存（A4・1枚）", "en": "Download as PDF (one A4 page)"},
    "weekly.digest.download_html": {"ja": "印刷用のページで保存", "en": "Download as a printable page"},
    "weekly.digest.download_md": {"ja": "テキストで保存", "en": "Download as Markdown"},
    "weekly.digest.print_hint": {
        "ja": "このページをブラウザで印刷すると、このまとめだけがA4用紙1枚に印刷されます。",
        "en": "Print this page from the browser and only this digest is printed, on one A4 page.",
    },
    "weekly.digest.no_report": {
        "ja": "今日の予測を計算できなかったため、まとめは作れません。",
        "en": "Today's forecast could not be computed, so there is no digest.",
    },
    "weekly.report_error": {
        "ja": "今月の予測を計算できませんでした：{message}",
        "en": "This month's forecast could not be computed: {message}",
    },
}
