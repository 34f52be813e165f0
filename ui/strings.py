"""The one translation table: every text the app shows, in Japanese and English (metric names: metrics.yaml)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- pages and navigation
    "nav.home": {"ja": "ホーム", "en": "Home"},
    "nav.data": {"ja": "データ", "en": "Data"},
    "nav.funnel": {"ja": "ファネル", "en": "Funnel"},
    "nav.pipeline": {"ja": "パイプライン", "en": "Pipeline"},
    "page.home.title": {"ja": "今、どんな状況か？", "en": "How are we doing?"},
    "page.data.title": {"ja": "データは正しく読めているか？", "en": "Is the data read correctly?"},
    "page.funnel.title": {"ja": "ファネルのどこで漏れているか？", "en": "Where does the funnel leak?"},
    "page.pipeline.title": {"ja": "パイプラインに何があるか？", "en": "What is in the pipeline?"},
    "home.next_title": {"ja": "次に見る", "en": "Look closer"},
    "home.funnel_text": {
        "ja": "段階ごとの転換率、最大の落ち込み、チャネル・担当者・商品別の比較。",
        "en": "Stage-to-stage conversion, the biggest drop, and channels, owners and products compared.",
    },
    "home.pipeline_text": {
        "ja": "進行中の商談の金額・期待値、停滞している商談、受注率と単価の推移。",
        "en": "Open deals by stage, their expected value, stalled deals, and win-rate and price trends.",
    },
    "home.data_text": {
        "ja": "自分のCSV / Excelを読み込み、列の役割とフェーズの対応を確認・修正する。",
        "en": "Upload your own CSV / Excel files and check or fix column roles and stages.",
    },
    # ---------------------------------------------------------------- frame (sidebar)
    "frame.language": {"ja": "言語", "en": "Language"},
    "frame.source": {"ja": "データ", "en": "Data"},
    "frame.source_caption": {"ja": "{files} · {rows} 行", "en": "{files} · {rows} rows"},
    "frame.rejected_caption": {"ja": "（除外 {count} 行）", "en": " ({count} rejected)"},
    "frame.loading": {"ja": "データを読み込んでいます…", "en": "Loading the data…"},
    "frame.filters": {"ja": "絞り込み", "en": "Filters"},
    "frame.dates": {"ja": "期間", "en": "Period range"},
    "frame.all": {"ja": "すべて", "en": "All"},
    "frame.no_role_filters": {
        "ja": "月次集計表のため、チャネル・担当者などでは絞り込めません。",
        "en": "A monthly sheet has no channel or owner columns to filter by.",
    },
    "frame.reset_filters": {"ja": "絞り込みを解除", "en": "Clear filters"},
    "frame.display": {"ja": "表示", "en": "Display"},
    "frame.period": {"ja": "集計単位", "en": "Granularity"},
    "frame.fiscal_start": {"ja": "期首月", "en": "Fiscal year starts in"},
    "frame.workshop": {"ja": "ワークショップモード", "en": "Workshop mode"},
    "frame.workshop_help": {
        "ja": "プロジェクター向けに文字と数字を大きくし、サイドバーと表を隠します。",
        "en": "Large text and figures for a projector; the sidebar and tables are hidden.",
    },
    "frame.exit_workshop": {"ja": "ワークショップモードを終了", "en": "Leave workshop mode"},
    "frame.link_hint": {
        "ja": "ブラウザのアドレスをコピーすると、この絞り込みのまま共有できます。",
        "en": "Copy the browser address to share this exact view.",
    },
    "frame.link_hint_editor": {
        "ja": "このアドレスには編集用のキーが入っています。マネージャーには閲覧用リンクを共有してください。",
        "en": "This address holds your editor key: share the viewer link with managers instead.",
    },
    "frame.link_hint_upload": {
        "ja": "アップロードしたファイルはこのセッションだけのものです。共有するには、データページで"
        "ワークスペースとして保存してください。",
        "en": "Uploaded files belong to this session only: to share them, save them as a workspace on the Data page.",
    },
    "source.sales": {"ja": "サンプル：営業案件（SFA）", "en": "Sample: sales deals (CRM)"},
    "source.leads": {"ja": "サンプル：リード一覧（MA）", "en": "Sample: marketing leads (MA)"},
    "source.kpi": {"ja": "サンプル：月次KPI表（Excel）", "en": "Sample: monthly KPI sheet (Excel)"},
    "source.upload": {"ja": "自分のファイル", "en": "My files"},
    "period.week": {"ja": "週", "en": "Week"},
    "period.month": {"ja": "月", "en": "Month"},
    "period.quarter": {"ja": "四半期", "en": "Quarter"},
    "period.year": {"ja": "年度", "en": "Year"},
    # ---------------------------------------------------------------- errors and next steps
    "error.file": {"ja": "このファイルは使えません：{message}", "en": "This file cannot be used: {message}"},
    "error.no_upload": {
        "ja": "まだファイルが読み込まれていません。データページでCSVまたはExcelファイルをアップロードしてください。",
        "en": "No file uploaded yet: upload a CSV or Excel file on the Data page.",
    },
    "error.upload_lost": {
        "ja": "サーバーの再起動またはセッションの期限切れで、アップロードしたファイルはサーバーに残っていないため、"
        "データページでもう一度アップロードしてください。",
        "en": "The uploaded files are no longer on the server (it restarted or the session expired): upload them "
        "again on the Data page.",
    },
    "error.unknown": {
        "ja": "データを読み込めませんでした。データページで確認してください。",
        "en": "The data could not be loaded: check it on the Data page.",
    },
    "next.open_data": {"ja": "データページを開く", "en": "Open the Data page"},
    "next.use_sample": {"ja": "サンプルデータに戻す", "en": "Use the sample data"},
    "next.use_sales_sample": {"ja": "営業案件のサンプルを表示", "en": "Show the sales sample"},
    "next.check_stages": {"ja": "フェーズの対応を確認する", "en": "Check the stage mapping"},
    # ---------------------------------------------------------------- common words
    "common.period": {"ja": "期間", "en": "Period"},
    "common.count": {"ja": "件数", "en": "Count"},
    "common.won": {"ja": "受注件数", "en": "Won"},
    "common.group": {"ja": "区分", "en": "Group"},
    "common.blank": {"ja": "（空欄）", "en": "(blank)"},
    "common.exact": {"ja": "正確な値：{value}", "en": "Exact value: {value}"},
    "common.stage": {"ja": "フェーズ", "en": "Stage"},
    "common.amount": {"ja": "金額", "en": "Amount"},
    "common.measure": {"ja": "指標", "en": "Measure"},
    "common.id": {"ja": "ID", "en": "ID"},
    "common.owner": {"ja": "担当者", "en": "Owner"},
    "common.status": {"ja": "状態", "en": "Status"},
    # ---------------------------------------------------------------- charts and tables
    "chart.download": {"ja": "保存", "en": "Download"},
    "chart.png": {"ja": "画像（PNG）", "en": "Image (PNG)"},
    "chart.svg": {"ja": "画像（SVG）", "en": "Image (SVG)"},
    "chart.csv": {"ja": "データ（CSV）", "en": "Data (CSV)"},
    "chart.error": {
        "ja": "このグラフは描けませんでした。絞り込みを変えるか、下の表を使ってください。",
        "en": "This chart could not be drawn: change the filters or use the table below.",
    },
    "table.csv": {"ja": "CSVで保存", "en": "Download CSV"},
    "caption.revenue_trend": {
        "ja": "受注金額を完了日（受注日）の期間で集計。{scope}",
        "en": "Won revenue counted in the period of its close date. {scope}",
    },
    "caption.funnel.period": {
        "ja": "期間ベース：各段階の件数は作成日、受注は完了日で期間に入れています（同じ案件とは限りません）。{scope}",
        "en": "Period view: stage counts fall in the period of their created date, won deals in that of their "
        "close date (not necessarily the same deals). {scope}",
    },
    "caption.funnel.cohort": {
        "ja": "コホートベース：期間内に作成された案件が、その後どこまで進んだか。{scope}",
        "en": "Cohort view: the records created in the range, and how far they got since. {scope}",
    },
    "caption.funnel.sheet": {
        "ja": "月次集計表の各月の値の合計（コホートは作れません）。{scope}",
        "en": "The monthly sheet's figures added up over the months (no cohorts: it has no records). {scope}",
    },
    "caption.funnel_by": {
        "ja": "{role}別のファネル（件数の多い上位6つ、横軸はそれぞれの規模）。括弧内は初段比。{scope}",
        "en": "Funnel per {role} (the 6 largest; each on its own scale). In brackets: % of the first step. {scope}",
    },
    "caption.compare": {
        "ja": "{role}別の初段→受注の転換率。点線は全体。{scope}",
        "en": "First step → won conversion per {role}; the dashed line is the overall rate. {scope}",
    },
    "caption.trend.period": {
        "ja": "期間ごとの段階間転換率（前段の件数に対する次段の件数）。"
        "期間ベースでは前の期間に作成された案件の受注も入るため100%を超えることがあり、"
        "軸は100%で止めています（正確な値はツールチップ）。{scope}",
        "en": "Step conversion per period (count of a step over the one before it). In the period view deals "
        "created earlier can close in a period, so a rate can pass 100%: the axis stops there (exact values in "
        "the tooltip). {scope}",
    },
    "caption.trend.cohort": {
        "ja": "作成期間ごとのコホートの段階間転換率。最近のコホートはまだ進行中です。{scope}",
        "en": "Step conversion per creation cohort; recent cohorts are still in progress. {scope}",
    },
    "caption.trend.sheet": {
        "ja": "月次集計表の各期間の段階間転換率（前段の件数に対する次段の件数）。{scope}",
        "en": "Step conversion per period from the monthly sheet (count of a step over the one before it). {scope}",
    },
    "caption.pipeline": {
        "ja": "進行中の案件の金額と期待値（過去の完了案件から学習したフェーズ別受注確率 × 金額）。{scope}",
        "en": "Open deals' amount and expected value (amount × win probability per stage, learned from closed "
        "deals). {scope}",
    },
    "caption.pipeline_count": {
        "ja": "進行中のレコード数をフェーズ別に集計（金額の列がないため件数のみ）。{scope}",
        "en": "Open records per stage (counts only: the data has no amounts for them). {scope}",
    },
    "caption.aging": {
        "ja": "進行中の案件ごとの最終更新（なければ作成）からの日数。"
        "{days}日を超えて動きのない案件を停滞（✕）としています。{scope}",
        "en": "Days since each open deal last moved (updated, else created); more than {days} days counts as "
        "stalled (✕). {scope}",
    },
    "caption.outcome_trend": {
        "ja": "完了日の期間で集計。{scope}",
        "en": "Counted in the period of the close date. {scope}",
    },
    # ---------------------------------------------------------------- funnel page
    "funnel.basis": {"ja": "集計の基準", "en": "Count by"},
    "funnel.basis.period": {"ja": "期間ベース", "en": "Period"},
    "funnel.basis.cohort": {"ja": "コホートベース", "en": "Cohort"},
    "funnel.step": {"ja": "段階", "en": "Step"},
    "funnel.pct_prev": {"ja": "前段比", "en": "% of previous"},
    "funnel.pct_first": {"ja": "初段比", "en": "% of first"},
    "funnel.step_label": {
        "ja": "{count}  前段比 {prev} · 初段比 {first}",
        "en": "{count}  {prev} of previous · {first} of first",
    },
    "funnel.biggest_drop": {"ja": "最大の落ち込み", "en": "biggest drop"},
    "funnel.drop_sentence": {
        "ja": "最も大きく漏れているのは **{start} → {end}**：次の段階に進むのは **{share}** です。",
        "en": "The funnel leaks most at **{start} → {end}**: **{share}** move on to the next step.",
    },
    "funnel.needs_levels": {
        "ja": "ファネルを描くには2つ以上の段階が必要です。フェーズ列の対応をデータページで確認してください。",
        "en": "A funnel needs at least two stages: check the stage mapping on the Data page.",
    },
    "funnel.compare_title": {"ja": "区分ごとに比べる", "en": "Compare groups"},
    "funnel.by": {"ja": "区分", "en": "Break down by"},
    "funnel.needs_roles": {
        "ja": "区分別の比較には、1行1案件のデータ（チャネル・担当者・商品の列）が必要です。",
        "en": "Comparing groups needs one row per lead or deal with channel, owner or product columns.",
    },
    "funnel.first_to_won": {"ja": "初段→受注", "en": "First step → won"},
    "funnel.base": {"ja": "初段の件数", "en": "First-step count"},
    "funnel.overall": {"ja": "全体", "en": "Overall"},
    "funnel.trend_title": {"ja": "転換率の推移", "en": "Conversion over time"},
    "funnel.conversion": {"ja": "転換率", "en": "Conversion"},
    "funnel.no_trend": {
        "ja": "この範囲には推移を描ける期間がありません。期間の絞り込みを広げてください。",
        "en": "No period in this range has figures to draw: widen the period range.",
    },
    "funnel.table_title": {"ja": "期間別の数値（表）", "en": "Figures by period (table)"},
    "funnel.lost_unplaced": {
        "ja": "失注（{count}件）は「{stage}」の段階にだけ数えています："
        "エクスポートには失注した時点の段階が残らないためです。",
        "en": "Lost deals ({count}) are counted at {stage} only: the export does not keep the stage where they "
        "were lost.",
    },
    # ---------------------------------------------------------------- pipeline page
    "pipeline.needs_records": {
        "ja": "パイプラインには1行1案件のデータが必要です。月次集計表では見られません。"
        "営業案件のサンプルか、案件一覧をアップロードしてください。",
        "en": "The pipeline needs one row per deal, which a monthly sheet does not have: choose the sales sample "
        "or upload a deal list.",
    },
    "pipeline.expected": {"ja": "期待値（確率加重）", "en": "Expected value (weighted)"},
    "pipeline.value": {"ja": "金額", "en": "Amount"},
    "pipeline.stage_title": {"ja": "フェーズ別の進行中案件", "en": "Open deals by stage"},
    "pipeline.open_count": {"ja": "進行中の件数", "en": "Open deals"},
    "pipeline.probability": {"ja": "受注確率（実績）", "en": "Win probability (learned)"},
    "pipeline.no_open": {
        "ja": "この範囲に進行中の案件はありません。絞り込みを広げるか、別のデータを選んでください。",
        "en": "There are no open deals in this view: widen the filters or choose other data.",
    },
    "pipeline.aging_title": {"ja": "停滞している案件", "en": "Stalled deals"},
    "pipeline.stalled_days": {"ja": "停滞とみなす日数", "en": "Stalled after (days)"},
    "pipeline.stalled_sentence": {
        "ja": "進行中 {total} 件のうち **{count} 件**（{value}）が {days} 日を超えて動いていません。",
        "en": "**{count}** of {total} open deals ({value}) have not moved for more than {days} days.",
    },
    "pipeline.stalled_figure": {"ja": "停滞（{days}日超）", "en": "Stalled (>{days} days)"},
    "pipeline.expected_short": {"ja": "期待値", "en": "Expected value"},
    "pipeline.stalled_sentence_count": {
        "ja": "進行中 {total} 件のうち **{count} 件**が {days} 日を超えて動いていません。",
        "en": "**{count}** of {total} open records have not moved for more than {days} days.",
    },
    "pipeline.moving": {"ja": "✓ 動いている", "en": "✓ Moving"},
    "pipeline.stalled_status": {"ja": "✕ 停滞", "en": "✕ Stalled"},
    "pipeline.idle_days": {"ja": "最終更新からの日数", "en": "Days without movement"},
    "pipeline.age_days": {"ja": "作成からの日数", "en": "Days since created"},
    "pipeline.threshold": {"ja": "{days}日", "en": "{days} days"},
    "pipeline.stalled_table": {"ja": "停滞案件の一覧（{count} 件）", "en": "Stalled deals ({count})"},
    "pipeline.trend_title": {"ja": "受注率・単価・商談期間の推移", "en": "Win rate, unit price and cycle over time"},
    "pipeline.no_trend": {
        "ja": "{metric}の推移はこのデータからは出せません。",
        "en": "{metric} over time cannot be drawn from this data.",
    },
    # ---------------------------------------------------------------- data page
    "data.intro": {
        "ja": "CSV・Excelを読み込むと、列の役割とフェーズを自動で判定します。"
        "違っていれば下の表で直すと、すぐに全ページに反映されます。",
        "en": "Upload CSV or Excel files: column roles and stages are detected for you. Fix them in the tables "
        "below and every page follows at once.",
    },
    "data.upload_lost": {
        "ja": "サーバーの再起動またはセッションの期限切れで、アップロードしたファイルはサーバーに残っていないため、"
        "ここでもう一度アップロードしてください。",
        "en": "The uploaded files are no longer on the server (it restarted or the session expired): upload them "
        "again here.",
    },
    "data.upload_refused_full": {
        "ja": "サーバーは今、アップロードされたファイルを保持できる上限に達しているため、"
        "このファイルは受け付けませんでした。数分後にもう一度アップロードしてください。",
        "en": "The server is holding as many uploaded files as it can right now, so this upload was not kept: "
        "upload it again in a few minutes.",
    },
    # Streamlit's own widget texts, replaced on a Japanese page (ui/theme.py widget_text_css)
    "widget.upload_button": {"ja": "ファイルを選ぶ", "en": "Upload"},
    "widget.upload_limit": {"ja": "1ファイル{size}MBまで・{types}", "en": "{size}MB per file • {types}"},
    "widget.select_all": {"ja": "すべて選択", "en": "Select all"},
    "data.upload_label": {"ja": "CSV / Excelファイル（複数可）", "en": "CSV / Excel files (one or more)"},
    "data.upload_help": {
        "ja": "Shift_JIS・UTF-8のCSV、.xlsxに対応。複数ファイルはID列で結合します。最大200MB。",
        "en": "CSV in Shift_JIS or UTF-8, and .xlsx. Several files are linked on a shared id column. Up to 200 MB.",
    },
    "data.your_files": {
        "ja": "このセッションのファイル：{files}（{size}）",
        "en": "Your files in this session: {files} ({size})",
    },
    "data.use_my_files": {"ja": "自分のファイルを表示", "en": "Show my files"},
    "data.forget_files": {"ja": "ファイルを破棄", "en": "Remove my files"},
    "data.undo": {"ja": "直前の変更を取り消す", "en": "Undo the last change"},
    "data.reset": {"ja": "自動判定に戻す", "en": "Back to the detected settings"},
    "data.rows_read": {"ja": "読み込んだ行", "en": "Rows read"},
    "data.rows_used": {"ja": "集計に使う行", "en": "Rows used"},
    "data.rows_rejected": {"ja": "除外した行", "en": "Rows rejected"},
    "data.shape": {"ja": "データの形", "en": "Shape"},
    "data.shape.records": {"ja": "1行1案件", "en": "Records"},
    "data.shape.periods": {"ja": "月次集計", "en": "Monthly"},
    "data.shape_choice": {"ja": "データの形", "en": "Shape of the data"},
    "data.shape_option.auto": {"ja": "自動判定", "en": "Detect"},
    "data.shape_option.records": {"ja": "1行1案件（リード・商談の一覧）", "en": "One row per lead / deal"},
    "data.shape_option.periods": {"ja": "1行1か月（月次集計表）", "en": "One row per month (monthly sheet)"},
    "data.file": {"ja": "ファイル", "en": "File"},
    "data.kind": {"ja": "種類", "en": "Kind"},
    "data.sheet": {"ja": "シート", "en": "Sheet"},
    "data.encoding": {"ja": "文字コード", "en": "Encoding"},
    "data.rows": {"ja": "行数", "en": "Rows"},
    "data.sheet_choice": {"ja": "{file} のシート", "en": "Sheet of {file}"},
    "data.unmapped_stages": {
        "ja": "対応が分からないフェーズがあります：{values}。下のフェーズ表で段階を選んでください。",
        "en": "Some stage values are not mapped: {values}. Choose their stage in the stage table below.",
    },
    "funnel.starts_at_deals": {
        "ja": "このデータは商談から始まります。リード・MQL・SQLを見るには、MA・リードの出力も読み込んでください"
        "（サイドバーの「サンプル：リード一覧（MA）」で例を見られます）。",
        "en": "This data starts at deals. To see leads, MQLs and SQLs, add a marketing-automation or lead export "
        "(the sidebar's “Sample: marketing leads (MA)” shows one).",
    },
    "data.no_dates": {
        "ja": "日付の列が見つからないため、数値は期間に分けずに合計だけを示します。"
        "期間で見るには列の役割で日付を選んでください。",
        "en": "No date column was found, so figures are totals only. Choose a date column in the roles to see periods.",
    },
    "data.refused_role": {
        "ja": "列「{column}」は名前から{role}に見えますが、値が合わないため使っていません。"
        "正しければ列の役割で選んでください。",
        "en": "Column “{column}” looks like {role} by its name, but its values do not fit, so it is not used. "
        "Choose it in the roles if it is right.",
    },
    "data.link_key": {"ja": "ファイルを結合する列", "en": "Column linking the files"},
    "data.link_auto": {"ja": "自動", "en": "Detect"},
    "data.no_link_columns": {
        "ja": "すべてのファイルに共通する列がありません。1ファイルずつ読み込んでください。",
        "en": "No column is shared by all files: upload them one at a time.",
    },
    "data.preview_title": {"ja": "プレビュー（先頭20行）", "en": "Preview (first 20 rows)"},
    "data.roles_title": {"ja": "列の役割", "en": "Column roles"},
    "data.roles_help": {
        "ja": "各役割にどの列を使うか。変更するとすぐに読み直します。",
        "en": "Which column plays each role. A change reloads the data at once.",
    },
    "data.role": {"ja": "役割", "en": "Role"},
    "data.column": {"ja": "列", "en": "Column"},
    "data.example": {"ja": "値の例", "en": "Examples"},
    "data.no_column": {"ja": "（なし）", "en": "(none)"},
    "data.stages_title": {"ja": "フェーズの対応と順序", "en": "Stage mapping and order"},
    "data.stages_help": {
        "ja": "元のフェーズ値がファネルのどの段階にあたるか、また並び順。",
        "en": "Which funnel stage each raw stage value is, and their order.",
    },
    "data.no_stages": {"ja": "このデータにはフェーズ列がありません。", "en": "This data has no stage column."},
    "data.stage_order": {"ja": "順序", "en": "Order"},
    "data.stage_value": {"ja": "元の値", "en": "Raw value"},
    "data.stage_canonical": {"ja": "段階", "en": "Funnel stage"},
    "data.rejects_title": {"ja": "除外した行", "en": "Rejected rows"},
    "data.no_rejects": {"ja": "すべての行を集計に使っています。", "en": "Every row is used."},
    "data.rejects_sentence": {
        "ja": "**{count} 行**は値を読み取れないため集計から除外しました。",
        "en": "**{count} rows** were kept out of the figures because a value could not be read.",
    },
    "data.rejects_shown": {
        "ja": "先頭 {shown} 行を表示（全 {total} 行はCSVで）。",
        "en": "Showing {shown} of {total} (all in the CSV).",
    },
    "data.rejects_download": {"ja": "除外行をCSVで保存", "en": "Download rejected rows (CSV)"},
    "data.row": {"ja": "ファイル上の行", "en": "Row in the file"},
    "data.reason": {"ja": "理由", "en": "Reason"},
    "data.rows_skipped": {"ja": "飛ばした行", "en": "Rows skipped"},
    "data.rows_sum": {
        "ja": "読み込んだ行 = 集計に使う行 {used} + 除外 {rejected} + 空行・集計行 {skipped}"
        " + 結合した別ファイルの行 {linked}",
        "en": "Rows read = used {used} + rejected {rejected} + blank or summary {skipped} + rows of linked files "
        "{linked}",
    },
    "data.found_by": {"ja": "判定の根拠", "en": "Found by"},
    "data.found_by.header": {"ja": "見出し", "en": "Header"},
    "data.found_by.values": {"ja": "値", "en": "Values"},
    "data.found_by.user": {"ja": "あなたが指定", "en": "You"},
    "data.fit": {"ja": "合う値の割合", "en": "Values that fit"},
    "data.alternatives": {"ja": "ほかの候補", "en": "Other candidates"},
    "data.refused_fit": {
        "ja": "列「{column}」は名前から{role}に見えますが、{role}として読める値が{fit}しかないため使っていません。"
        "正しければ列の役割で選んでください。",
        "en": "Column “{column}” looks like {role} by its name, but only {fit} of its values read as one, so it is "
        "not used. Choose it in the roles if it is right.",
    },
    "data.reading_title": {"ja": "日付の順序と通貨", "en": "Date order and currency"},
    "data.date_order_line": {
        "ja": "「{column}」の日付：**{order}**（{reason}）{examples}",
        "en": "Dates in “{column}”: **{order}** ({reason}){examples}",
    },
    "data.date_order_examples": {"ja": "。例：{examples}", "en": ". E.g. {examples}"},
    "data.date_order.dmy": {"ja": "日→月の順（31/12/2025）", "en": "Day first (31/12/2025)"},
    "data.date_order.mdy": {"ja": "月→日の順（12/31/2025）", "en": "Month first (12/31/2025)"},
    "data.date_order.auto": {"ja": "自動判定", "en": "Detect"},
    "data.date_reason.proven": {
        "ja": "{count}件の値がこの順でしか読めません",
        "en": "proven by {count} values that only read this way",
    },
    "data.date_reason.other_columns": {
        "ja": "値からは決まらないため、同じファイルの他の日付列に合わせました",
        "en": "the values do not show it: assumed from the file's other date columns",
    },
    "data.date_reason.language": {
        "ja": "値からは決まらないため、表示言語に合わせました",
        "en": "the values do not show it: taken from the display language",
    },
    "data.date_reason.convention": {
        "ja": "値からは決まらないため、区切りの「.」（欧州式）から判断しました",
        "en": "the values do not show it: taken from the dots, as Europe writes dates",
    },
    "data.date_reason.user": {"ja": "あなたが指定しました", "en": "you chose it"},
    "data.date_reason.unknown": {"ja": "自動判定", "en": "detected"},
    "data.date_order_choice": {"ja": "「{column}」の日付の順序", "en": "Date order of “{column}”"},
    "data.currency_line": {
        "ja": "金額の通貨：**{currency}**（{reason}）",
        "en": "Amounts are in **{currency}** ({reason})",
    },
    "data.currency_reason.cells": {"ja": "セルの「{symbol}」から", "en": "from the “{symbol}” in the cells"},
    "data.currency_reason.header": {"ja": "列名から", "en": "from the column name"},
    "data.currency_reason.column": {"ja": "通貨の列から", "en": "from the currency column"},
    "data.currency_reason.user": {"ja": "あなたが指定", "en": "you chose it"},
    "data.currency_reason.none": {
        "ja": "通貨の記号がないため円とみなしています",
        "en": "no currency sign in the data: taken as yen",
    },
    "data.currency_reason.mixed": {"ja": "複数の通貨が混在：{counts}", "en": "several currencies: {counts}"},
    "data.currency_choice": {"ja": "金額の通貨", "en": "Currency of the amounts"},
    "data.currency_choice_help": {
        "ja": "金額の表示に使う通貨です。換算はしません。",
        "en": "The currency the amounts are shown in; nothing is converted.",
    },
    "data.currency_option.auto": {"ja": "自動判定", "en": "Detect"},
    "currency.JPY": {"ja": "円（JPY）", "en": "Yen (JPY)"},
    "currency.USD": {"ja": "米ドル（USD）", "en": "US dollar (USD)"},
    "currency.EUR": {"ja": "ユーロ（EUR）", "en": "Euro (EUR)"},
    "currency.GBP": {"ja": "英ポンド（GBP）", "en": "Pound sterling (GBP)"},
    "currency.CNY": {"ja": "人民元（CNY）", "en": "Chinese yuan (CNY)"},
    "data.skipped_title": {"ja": "飛ばした行（空行・集計行）", "en": "Skipped rows (blank and summary rows)"},
    "data.skipped_sentence": {
        "ja": "**{count} 行**は空行または「合計」などの集計行のため、数えずに飛ばしました。",
        "en": "**{count} rows** are blank or summary rows (such as Total) and were skipped, not counted.",
    },
    "data.links_title": {"ja": "ファイルの結合", "en": "How the files are linked"},
    "data.link_key_column": {"ja": "結合する列", "en": "Key"},
    "data.relation": {"ja": "関係", "en": "Relation"},
    "data.matched": {"ja": "一致した行", "en": "Matched rows"},
    "data.unmatched": {"ja": "一致しなかった行", "en": "Unmatched rows"},
    "data.relation.many_to_one": {"ja": "親ファイル（多対1）", "en": "Parent file (many to one)"},
    "data.relation.one_to_many": {"ja": "明細ファイル（1対多）", "en": "Detail file (one to many)"},
    "data.relation.one_to_one": {
        "ja": "同じ案件の別の列（1対1）",
        "en": "More columns of the same records (one to one)",
    },
    "data.relation.bookings": {
        "ja": "受注一覧（一致した案件を受注に）",
        "en": "Bookings (matched records count as won)",
    },
    "data.stage_choice.lead": {"ja": "① リード", "en": "1 · Lead"},
    "data.stage_choice.mql": {"ja": "② MQL（マーケティング判定済み）", "en": "2 · MQL (marketing-qualified)"},
    "data.stage_choice.sql": {"ja": "③ SQL（営業判定済み）", "en": "3 · SQL (sales-qualified)"},
    "data.stage_choice.opportunity": {"ja": "④ 商談", "en": "4 · Opportunity"},
    "data.stage_choice.won": {"ja": "⑤ 受注", "en": "5 · Won"},
    "data.stage_choice.lost": {"ja": "失注（商談まで進んだ）", "en": "Lost (reached opportunity)"},
    "data.stage_choice.disqualified": {"ja": "対象外（リードで終了）", "en": "Disqualified (stopped at lead)"},
    "data.stage_choice.none": {"ja": "（未対応：段階に数えない）", "en": "(not mapped: in no stage)"},
    # ---------------------------------------------------------------- intake notices (top of every page)
    "intake.more": {
        "ja": "ほかに {count} 件の注意があります（データページ）。",
        "en": "+{count} more on the Data page.",
    },
    "intake.rows_rejected": {"ja": "{count} 行を読み取れず除外", "en": "{count} rows could not be read"},
    "intake.rows_skipped": {
        "ja": "空行・集計行 {count} 行は数えていません",
        "en": "{count} summary or blank rows skipped",
    },
    "intake.rows_line": {"ja": "{parts}（データページに一覧があります）。", "en": "{parts}: see the Data page."},
    "intake.rows_separator": {"ja": "、", "en": " / "},
    "intake.open_data": {"ja": "データページで確認する", "en": "Check on the Data page"},
    # ---------------------------------------------------------------- column roles
    # ---------------------------------------------------------------- funnel stages
    "stage.lead": {"ja": "リード", "en": "Lead"},
    "stage.mql": {"ja": "MQL", "en": "MQL"},
    "stage.sql": {"ja": "SQL", "en": "SQL"},
    "stage.opportunity": {"ja": "商談", "en": "Opportunity"},
    "stage.won": {"ja": "受注", "en": "Won"},
    "stage.lost": {"ja": "失注", "en": "Lost"},
    "stage.disqualified": {"ja": "対象外", "en": "Disqualified"},
    "stage.unmapped": {"ja": "（未対応）", "en": "(unmapped)"},
    # ---------------------------------------------------------------- goal pages (shared: ui/goals_state.py)
    "goals.as_of": {"ja": "基準日", "en": "As of"},
    "goals.as_of_help": {
        "ja": "この日までの実績で期末を予測します（既定は今日。デモや振り返りでは変更できます）。",
        "en": "Figures up to this day forecast the period end (default today; change it for demos or look-backs).",
    },
    "goals.calendar": {"ja": "営業日カレンダー", "en": "Business-day calendar"},
    "goals.calendar.jp": {"ja": "土日・祝日を除く（日本）", "en": "Weekends and Japanese holidays off"},
    "goals.calendar.weekends": {"ja": "土日のみ除く", "en": "Weekends off"},
    "goals.calendar.none": {"ja": "全日", "en": "Every day"},
    # ---------------------------------------------------------------- partial and maturing periods (issue 11)
    "period.in_progress": {"ja": "進行中：{days}日中{done}日", "en": "in progress: {done} of {days} days"},
    "period.final": {"ja": "確定", "en": "final"},
    "period.maturing": {"ja": "成熟途中", "en": "still maturing"},
    "period.state": {"ja": "状態", "en": "State"},
    "period.running": {"ja": "進行中の期間", "en": "period in progress"},
    "funnel.maturing_sentence": {
        "ja": "受注の8割は作成から{lag}以内に決まります（過去の受注{count}件より）。"
        "作成からまだ{lag}たっていない案件が多い期間（{periods}）の転換率は伸びる途中で、落ち込みではありません："
        "点線・白抜きの点で示しています。",
        "en": "8 in 10 wins come within {lag} of creation (from {count} past wins). In periods where most records "
        "are younger than that ({periods}) the rates are still maturing, not dropping: they are drawn dashed with "
        "hollow points.",
    },
    "funnel.partial_sentence": {
        "ja": "{period}は{state}です。",
        "en": "{period} is {state}.",
    },
    "funnel.rates_caption": {
        "ja": "受注率＝受注 ÷（受注＋失注）：決着した商談のうち受注した割合。"
        "ファネルの「商談→受注」＝受注 ÷ 同じ期間の商談数：まだ決着していない商談も分母に入るため、"
        "ふつうは受注率より低くなります。",
        "en": "Win rate = won ÷ (won + lost): the share of closed deals that were won. The funnel's "
        '"opportunity → won" = won ÷ the opportunities of the same range: deals still open count in it too, so it '
        "is usually lower than the win rate.",
    },
    "funnel.win_rate_help": {
        "ja": "受注 ÷（受注＋失注）。決着した商談だけで計算します。",
        "en": "Won ÷ (won + lost): closed deals only.",
    },
    "home.current_title": {"ja": "{period}の状況（{state}）", "en": "{period} so far ({state})"},
    "home.current_title_final": {"ja": "{period}の状況（確定）", "en": "{period} (final)"},
    "home.as_of_caption": {
        "ja": "基準日 {date}（データが今日まで届いていればその日、なければデータの最終日）。目標は{goals}の値で、"
        "経過した営業日に按分して比べています。",
        "en": "As of {date} (today when the data reaches today, else the data's last date). Targets are those of "
        "{goals}, pro-rated to the business days passed.",
    },
    "home.goals_own": {"ja": "読み込んだ目標ファイル", "en": "your goal file"},
    "home.goals_template": {"ja": "テンプレート（{name}）", "en": "the template ({name})"},
    "home.fig.kgi": {"ja": "KGI {name}（{period}・目標 {target}）", "en": "KGI {name} ({period}, target {target})"},
    "home.fig.target": {"ja": "{name}（目標 {target}）", "en": "{name} (target {target})"},
    "home.fig.help": {
        "ja": "実績 {actual}／今日までの按分目標 {expected}／期間の目標 {target}（経過営業日 {elapsed}/{total}日）",
        "en": "Actual {actual} / pro-rated target to date {expected} / target for the period {target} "
        "({elapsed} of {total} business days)",
    },
    "home.no_goals": {
        "ja": "目標ファイルの指標をこのデータでは計算できません。目標ページで確認してください。",
        "en": "The goal file's measures cannot be computed on this data: check them on the Goals page.",
    },
    "home.last_year_title": {"ja": "前年同期と比べて", "en": "Against the same days last year"},
    "home.last_year_label": {"ja": "{name}（前年同期 {value}）", "en": "{name} (last year {value})"},
    "home.last_year_none": {"ja": "前年同期のデータなし", "en": "no data for last year"},
    "home.last_year_caption": {
        "ja": "今期＝{start}〜{end}、前年同期＝{ly_start}〜{ly_end}（同じ日数で比べています）。",
        "en": "This period = {start} – {end}; same days last year = {ly_start} – {ly_end}.",
    },
    "home.maturing_note": {
        "ja": "{measures}は作成日で数えるため、今月分はこれから増えます（受注の8割は作成から{lag}以内）。",
        "en": "{measures} are counted by creation date, so this month's will still grow (8 in 10 wins come within "
        "{lag} of creation).",
    },
    "home.all_time_title": {"ja": "全期間の合計（{start}〜{end}）", "en": "All-time totals ({start} – {end})"},
    "home.col.measure": {"ja": "指標", "en": "Measure"},
    "home.col.value": {"ja": "値", "en": "Value"},
    "home.col.exact": {"ja": "正確な値", "en": "Exact value"},
    "caption.revenue_trend_partial": {
        "ja": "受注金額を完了日（受注日）の期間で集計。薄い色の期間は進行中で、まだ増えます。{scope}",
        "en": "Won revenue counted in the period of its close date; a lighter bar is a period still running. {scope}",
    },
    "pipeline.leads_title": {"ja": "リードの滞留（経過日数別）", "en": "Lead ageing"},
    "pipeline.leads_sentence": {
        "ja": "このデータの進行中レコードのうち{total}件は商談前のリード（{levels}）で、停滞した商談ではありません。"
        "作成からの日数の中央値は{median}、1年を超えるものが{year}件あります。古いものから見直すか、"
        "マーケティングツールで失格・クローズにしてください。",
        "en": "{total} of the open records are leads before the deal stage ({levels}), not stalled deals. Their "
        "median age is {median}; {year} are more than a year old. Review the oldest first, or close or disqualify "
        "them in the marketing tool.",
    },
    "pipeline.lead_level": {"ja": "現在の段階", "en": "Current level"},
    "pipeline.age_band": {"ja": "作成からの日数", "en": "Days since created"},
    "pipeline.band": {"ja": "{first}〜{last}日", "en": "{first}–{last} days"},
    "pipeline.band_open": {"ja": "{first}日以上", "en": "{first}+ days"},
    "pipeline.lead_count": {"ja": "リード数", "en": "Leads"},
    "pipeline.fig.open_leads": {"ja": "進行中のリード", "en": "Open leads"},
    "pipeline.fig.median_age": {"ja": "リードの経過日数（中央値）", "en": "Median lead age"},
    "pipeline.fig.over_year": {"ja": "1年超のリード", "en": "Leads over a year old"},
    "pipeline.fig.open_deals": {"ja": "進行中の商談", "en": "Open deals"},
    "pipeline.oldest_title": {
        "ja": "段階が進んでいない古いリード（{level}のまま、上位{count}件）",
        "en": "Oldest leads still at {level} (top {count})",
    },
    "caption.lead_aging": {
        "ja": "商談前の進行中リードを作成からの日数と現在の段階で集計（基準日 {date}）。{scope}",
        "en": "Open leads before the deal stage by days since created and current level (as of {date}). {scope}",
    },
    "pipeline.deals_only": {
        "ja": "以下は商談段階以降の進行中案件だけを数えています（リードは上のグラフ）。",
        "en": "Below, only open records at the deal stage or later are counted (leads are in the chart above).",
    },
    "pipeline.no_deal_level": {
        "ja": "このデータには商談の段階がないため、フェーズ別の金額と停滞案件は表示しません。",
        "en": "This data has no deal stage, so open deals by stage and stalled deals are not shown.",
    },
    # ---------------------------------------------------------------- workspaces (ui/workspace_view.py)
    "source.workspace": {"ja": "ワークスペース", "en": "Workspace"},
    "ws.not_found_title": {"ja": "見つかりません", "en": "Not found"},
    "ws.go_home": {"ja": "アプリのホームへ", "en": "Go to the app's home"},
    "ws.sidebar_title": {"ja": "ワークスペース：{name}", "en": "Workspace: {name}"},
    "ws.role.editor": {"ja": "編集用リンクで開いています。", "en": "Opened with the editor link."},
    "ws.role.viewer": {
        "ja": "閲覧用リンクで開いています。絞り込み・言語・基準日は変えられますが、ワークスペースは変わりません。",
        "en": "Opened with the viewer link: filters, language and as-of date change only your view.",
    },
    "ws.leave": {"ja": "ワークスペースを閉じる", "en": "Leave the workspace"},
    "ws.stop_editing": {"ja": "編集を終える", "en": "Done editing"},
    "ws.stopped_editing": {
        "ja": "編集を終えました。ほかの編集者が変更できます。",
        "en": "You stopped editing: another editor can make changes now.",
    },
    "ws.snapshot_caption": {
        "ja": "データ：{created} に保存（スナップショット {count} 件）",
        "en": "Data saved {created} (snapshots kept: {count})",
    },
    "ws.save_title": {"ja": "ワークスペースとして保存", "en": "Save as workspace"},
    "ws.save_help": {
        "ja": "このデータ、列の役割、フェーズの対応、目標、通貨、期首月、カレンダーをサーバーに保存し、"
        "編集用と閲覧用のリンクを作ります。",
        "en": "Stores this data, its column roles and stage mapping, the goals, currency, fiscal-year start and "
        "calendar on the server, and makes an editor link and a viewer link.",
    },
    "ws.name_label": {"ja": "ワークスペースの名前", "en": "Workspace name"},
    "ws.save_button": {"ja": "ワークスペースとして保存", "en": "Save as workspace"},
    "ws.saved": {
        "ja": "ワークスペース「{name}」を保存しました。リンクは今だけ表示されます。コピーして保管してください。",
        "en": "Workspace '{name}' saved. The links are shown only now: copy and keep them.",
    },
    "ws.editor_link": {
        "ja": "編集用リンク（あなた用。共有しないでください）",
        "en": "Editor link (for you: keep it private)",
    },
    "ws.viewer_link": {
        "ja": "閲覧用リンク（マネージャーに共有してください）",
        "en": "Viewer link (share it with managers)",
    },
    "ws.append_hint": {
        "ja": "このアプリのアドレス（例：https://kpi.example.com）の後ろに付けて開いてください。",
        "en": "Append it to this app's address (for example https://kpi.example.com) to open it.",
    },
    "ws.open_here": {"ja": "編集用リンクでここで開く", "en": "Open it here with the editor link"},
    "ws.read_only_note": {
        "ja": "閲覧用リンクで開いているため、ここでは変更できません。",
        "en": "Opened with the viewer link, so nothing can be changed here.",
    },
    "ws.upload_label": {
        "ja": "新しいエクスポートを読み込む（前のデータはスナップショットとして残ります）",
        "en": "Upload a newer export (the earlier data is kept as a snapshot)",
    },
    "ws.snapshot_added": {
        "ja": "新しいデータを保存しました（{rows} 行）。前のデータも残っています。",
        "en": "The new data is saved ({rows} rows); the earlier data is kept.",
    },
    "ws.saved_options": {
        "ja": "変更をワークスペースに保存しました。",
        "en": "The change is saved in the workspace.",
    },
    "ws.settings_title": {"ja": "ワークスペースの設定", "en": "Workspace settings"},
    "ws.settings_fiscal": {"ja": "期首月（既定）", "en": "Fiscal year starts in (default)"},
    "ws.settings_calendar": {"ja": "営業日カレンダー（既定）", "en": "Business-day calendar (default)"},
    "ws.settings_allowed": {
        "ja": "開ける人（メールアドレスまたは @ドメイン、1行に1つ。空欄ならリンクを持つ人全員）",
        "en": "Who may open it (e-mail addresses or @domains, one per line; empty: anyone with the link)",
    },
    "ws.settings_allowed_off": {
        "ja": "開ける人を限定するには、サーバーの管理者がサインイン（.streamlit/secrets.toml の [auth]）を"
        "設定する必要があります。",
        "en": "To limit who may open it, the operator must first turn on sign-in ([auth] in .streamlit/secrets.toml).",
    },
    "ws.settings_save": {"ja": "設定を保存", "en": "Save the settings"},
    "ws.settings_saved": {"ja": "設定を保存しました。", "en": "The settings are saved."},
    "ws.bad_allowed": {
        "ja": "「{value}」はメールアドレスでも @ドメイン でもありません。",
        "en": "'{value}' is neither an e-mail address nor an @domain.",
    },
    "ws.sign_in": {"ja": "サインイン", "en": "Sign in"},
    "ws.sign_out": {"ja": "サインアウト", "en": "Sign out"},
    "ws.signed_in_as": {"ja": "{email} でサインイン中", "en": "Signed in as {email}"},
    "ws.needs_sign_in": {
        "ja": "このワークスペースは限られた人だけが開けます。サインインしてください。",
        "en": "Only listed people may open this workspace: sign in first.",
    },
    "ws.not_allowed": {
        "ja": "{email} ではこのワークスペースを開けません。"
        "別のアカウントでサインインするか、共有した人に頼んでください。",
        "en": "{email} may not open this workspace: sign in with another account, or ask the person who shared it.",
    },
    "ws.sign_in_unavailable": {
        "ja": "このワークスペースはサインインした人だけが開けますが、このサーバーではサインインが設定されていません。"
        "管理者に連絡してください。",
        "en": "This workspace needs sign-in, which this server has not turned on: ask the operator.",
    },
}

# Page-specific tables kept in their own modules so pages can be written side by side; merged here into the
# one table every t() call reads.
from ui.strings_comparison import COMPARISON_STRINGS  # noqa: E402
from ui.strings_forecast_history import FORECAST_HISTORY_STRINGS  # noqa: E402
from ui.strings_goals import GOAL_PAGE_STRINGS  # noqa: E402
from ui.strings_health import HEALTH_PAGE_STRINGS  # noqa: E402
from ui.strings_pivots import PIVOT_PAGE_STRINGS  # noqa: E402
from ui.strings_quotas import QUOTA_PAGE_STRINGS  # noqa: E402
from ui.strings_weekly import WEEKLY_PAGE_STRINGS  # noqa: E402

for _part in (
    GOAL_PAGE_STRINGS,
    HEALTH_PAGE_STRINGS,
    PIVOT_PAGE_STRINGS,
    WEEKLY_PAGE_STRINGS,
    COMPARISON_STRINGS,
    QUOTA_PAGE_STRINGS,
    FORECAST_HISTORY_STRINGS,
):
    _clash = set(_part) & set(STRINGS)
    if _clash:
        raise KeyError(f"translation keys defined twice: {sorted(_clash)}")
    STRINGS.update(_part)

# The engine's sentences (intake warnings, skipped rows, the words inside them) are one catalogue with the app's:
# t("warn.amount_unreadable", …) finds them. A key may be in both only with the same text.
from kpi_core.messages import MESSAGES  # noqa: E402

UI_STRINGS: dict[str, dict[str, str]] = dict(STRINGS)  # the app's own texts, before the engine's are merged
_differ = sorted(key for key, entry in MESSAGES.items() if key in STRINGS and STRINGS[key] != entry)
if _differ:
    raise KeyError(f"translation keys defined in ui/strings.py and kpi_core/messages.py with different text: {_differ}")
for _key, _entry in MESSAGES.items():
    STRINGS.setdefault(_key, dict(_entry))
