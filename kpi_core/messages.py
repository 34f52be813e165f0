"""The ja / en catalogue of the engine's sentences (errors, warnings, skipped rows, the CLI's output): key + parameters
→ text.

The CLI renders it with `--lang`; the UI merges it into its own table, so one sentence is written once. Parameters are
the user's values (file, sheet and column names), never translated; a parameter that is itself a sentence of this
catalogue is a Phrase, rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

LANGS: tuple[str, ...] = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # The metrics catalogue (kpi_core/metrics.yaml) checked when it loads (kpi_core/catalog_check.py).
    "catalog.sections": {
        "ja": "metrics.yaml の最上位には {sections} の3つだけを書いてください。",
        "en": "metrics.yaml must have exactly the sections {sections}.",
    },
    "catalog.not_a_list": {
        "ja": "metrics.yaml の「{section}」は定義のリストにしてください。",
        "en": "metrics.yaml: '{section}' must be a list of definitions.",
    },
    "catalog.no_name": {
        "ja": "metrics.yaml の「{section}」に名前（name）のない定義があります。",
        "en": "metrics.yaml: a definition in '{section}' has no name.",
    },
    "catalog.repeated": {
        "ja": "metrics.yaml で「{metric}」が2回定義されています。",
        "en": "metrics.yaml: '{metric}' is defined twice.",
    },
    "catalog.unknown_field": {
        "ja": "metrics.yaml の「{metric}」に使えない項目「{field}」があります（使える項目：{allowed}）。",
        "en": "metrics.yaml: '{metric}' has an unknown field '{field}' (allowed: {allowed}).",
    },
    "catalog.label": {
        "ja": "metrics.yaml の「{metric}」には ja と en の両方のラベル（label）が必要です。",
        "en": "metrics.yaml: '{metric}' needs a label in both ja and en.",
    },
    "catalog.value": {
        "ja": "metrics.yaml の「{metric}」の {field} が「{value}」ですが、{allowed} のどれかにしてください。",
        "en": "metrics.yaml: '{metric}' has {field} '{value}': use one of {allowed}.",
    },
    "catalog.one_expression": {
        "ja": "metrics.yaml の「{metric}」には records_sql か median_of のどちらか一つを書いてください。",
        "en": "metrics.yaml: '{metric}' needs exactly one of records_sql and median_of.",
    },
    "catalog.no_formula": {
        "ja": "metrics.yaml の「{metric}」に式（formula）がありません。",
        "en": "metrics.yaml: '{metric}' has no formula.",
    },
    "catalog.formula": {
        "ja": "metrics.yaml の「{metric}」の {field} が読めません：{problem}",
        "en": "metrics.yaml: the {field} of '{metric}' cannot be read: {problem}",
    },
    "catalog.formula_name": {
        "ja": "metrics.yaml の「{metric}」の {field} が、定義されていない「{name}」を使っています。",
        "en": "metrics.yaml: the {field} of '{metric}' uses '{name}', which is not defined.",
    },
    "catalog.sql": {
        "ja": "metrics.yaml の「{metric}」の {field} を実行できません：{problem}",
        "en": "metrics.yaml: the {field} of '{metric}' does not run: {problem}",
    },
    # Rows skipped before any figure: never an error, always counted and listed.
    "skip.blank_row": {"ja": "空の行", "en": "blank row"},
    "skip.summary_row": {"ja": "集計行（{text}）", "en": "summary row ({text})"},
    # Rejected rows: why a row cannot be placed at all (listed on the Data page and in `rejects`).
    "reject.not_a_date": {"ja": "日付として読めません：「{value}」", "en": "not a date: '{value}'"},
    "reject.date_out_of_range": {
        "ja": "1900〜2100年の外の日付です：「{value}」",
        "en": "not a date (1900–2100): '{value}'",
    },
    "reject.not_a_month": {"ja": "年月として読めません：「{value}」", "en": "not a month: '{value}'"},
    "reject.not_an_amount": {"ja": "金額として読めません：「{value}」", "en": "not an amount: '{value}'"},
    "reject.not_a_count": {"ja": "件数として読めません：「{value}」", "en": "not a count: '{value}'"},
    "reject.no_period": {"ja": "期間（月）が空です", "en": "no period"},
    "reject.repeated_id": {
        "ja": "「{column}」が同じ行が上にあるため、二重に数えないよう除外しました：「{value}」",
        "en": "repeated {column}: the same record is already counted above: '{value}'",
    },
    "reject.duplicate_key": {
        "ja": "「{key}」が重複しています。この値の最初の行だけを使います",
        "en": "duplicate {key}: only the first row with this id is used",
    },
    "reject.key_not_found": {"ja": "「{key}」の値が{file}にありません", "en": "{key} not found in {file}"},
    "reject.too_many_fields": {
        "ja": "見出しより列が多い行です（{fields}列、見出しは{expected}列）",
        "en": "too many fields: {fields}, the header has {expected}",
    },
    # Warnings: a figure may be less complete or rests on an assumption the user can override.
    "warn.amount_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の金額が読めません（例: {examples}）。"
        "件数には数え、金額は不明として扱います。",
        "en": "{file}: in '{column}', {count} of the amounts could not be read (e.g. {examples}); those records "
        "still count, with the amount unknown.",
    },
    "warn.count_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の値が件数として読めません（例: {examples}）。"
        "行は数え、その値は不明として扱います。",
        "en": "{file}: in '{column}', {count} of the values could not be read as counts (e.g. {examples}); those rows "
        "still count, with the value unknown.",
    },
    "warn.date_order_proven": {
        "ja": "{file}: 「{column}」の日付は{order_text}で読みました"
        "（{proofs}件の値がそれを示します。例: {examples}）。",
        "en": "{file}: dates in '{column}' were read {order_text} ({proofs} values prove it, e.g. {examples}).",
    },
    "warn.date_order_assumed": {
        "ja": "{file}: 「{column}」の日付はどちらの順か値から決められないため、{reason_text}に合わせて{order_text}で"
        "読みました。違う場合はデータページで変更してください。",
        "en": "{file}: the values in '{column}' do not show the day/month order; it was read {order_text}, "
        "{reason_text}. Change it on the Data page if that is wrong.",
    },
    "warn.date_order_mixed": {
        "ja": "{file}: 「{column}」には日→月の順と月→日の順の日付が混在しています。多い方（{order_text}）で読み、"
        "合わない{count}件は読めない行として除外しました（例: {examples}）。",
        "en": "{file}: '{column}' mixes day-first and month-first dates; it was read {order_text} (the majority) and "
        "the {count} values that do not fit were rejected (e.g. {examples}).",
    },
    "warn.month_precision": {
        "ja": "{file}: 「{column}」は月単位の日付（例: {examples}）です。月別の数字は正しく、日数（商談期間など）は"
        "計算しません。",
        "en": "{file}: '{column}' holds months, not days (e.g. {examples}): monthly figures are right, day counts "
        "such as the sales cycle are not computed.",
    },
    "warn.currency_mixed": {
        "ja": "{file}: 「{column}」に複数の通貨が混在しています（{currencies}）。換算せずに合計しているため、"
        "金額の数字は正しくありません。",
        "en": "{file}: '{column}' mixes currencies ({currencies}); amounts are added without conversion, so money "
        "figures are not right.",
    },
    "warn.decimal_comma": {
        "ja": "{file}: 「{column}」の金額は小数点がカンマ（例: {examples}）として読みました。",
        "en": "{file}: amounts in '{column}' were read with a decimal comma (e.g. {examples}).",
    },
    "warn.missing_outcome": {
        "ja": "受注・失注を示す列（ステージ、受注フラグ、受注日）が見つかりません。"
        "受注数・受注率・売上は表示できません。"
        "データページで列の役割を指定してください。",
        "en": "No column says whether a deal was won or lost (stage, won flag or won date): won deals, win rate and "
        "revenue cannot be shown. Set the column roles on the Data page.",
    },
    "warn.missing_amount": {
        "ja": "金額の列が見つかりません。売上・平均単価・パイプライン金額は表示できません。"
        "データページで列の役割を指定してください。",
        "en": "No amount column was found: revenue, average unit price and pipeline value cannot be shown. "
        "Set the column roles on the Data page.",
    },
    "warn.missing_created": {
        "ja": "作成日の列が見つかりません。期間別のリード数・商談数は表示できません。"
        "データページで列の役割を指定してください。",
        "en": "No created-date column was found: leads and deals by period cannot be shown. Set the column roles on "
        "the Data page.",
    },
    "warn.missing_closed": {
        "ja": "受注日（クローズ日）の列が見つかりません。期間別の受注と商談期間は表示できません。"
        "データページで列の役割を指定してください。",
        "en": "No close-date column was found: won deals by period and the sales cycle cannot be shown. Set the "
        "column roles on the Data page.",
    },
    "warn.role_uncertain": {
        "ja": "{file}: 「{column}」を{role_text}として使いましたが、値の{fit}しか合いません。"
        "データページで確認してください。",
        "en": "{file}: '{column}' is used as {role_text}, but only {fit} of its values fit: check it on the Data page.",
    },
    "warn.flag_conflict": {
        "ja": "{file}: {count}件で「{column}」のフラグとステージが食い違っています（例: {examples}）。"
        "ステージを優先しました。",
        "en": "{file}: in {count} records the flag '{column}' contradicts the stage (e.g. {examples}); the stage "
        "was used.",
    },
    "warn.mixed_encoding": {
        "ja": "{file}: {count}行が{encoding}以外の文字コードで書かれていました（{examples}行目など）。"
        "それぞれの文字コードで読みました。文字化けがないか確認してください。",
        "en": "{file}: {count} lines were not written in {encoding} like the rest (lines {examples}…); each was "
        "read in the encoding it is valid in: check them for garbled text.",
    },
    "warn.unwrapped": {
        "ja": "{file}: 各行が1つの引用符付きセルとして保存されていたため、区切り文字で列に分けて読みました。",
        "en": "{file}: every line was one quoted cell; it was split into columns at the separators inside.",
    },
    "warn.ragged_lines": {
        "ja": "{file}: 見出しより列の多い{count}行を読めない行として除外しました（例: {examples}行目）。",
        "en": "{file}: {count} lines with more fields than the header were rejected (e.g. line {examples}).",
    },
    # A warning this version has no sentence for, said generally.
    "intake.generic_count": {
        "ja": "{where}：{count} 件の値の読み取りに確認が必要です。データページで確認してください。",
        "en": "{where}: {count} values need a look; check them on the Data page.",
    },
    "intake.generic": {
        "ja": "{where}：読み取りで確認が必要な点があります。データページで確認してください。",
        "en": "{where}: something was read with an assumption; check it on the Data page.",
    },
    "intake.where_column": {"ja": "{file}の「{column}」", "en": "{file}, '{column}'"},
    "intake.the_data": {"ja": "データ", "en": "The data"},
    # Column roles (the Data page's role editor, and sentences that name a role).
    "role.id": {"ja": "ID", "en": "ID"},
    "role.created": {"ja": "作成日", "en": "Created date"},
    "role.closed": {"ja": "完了日", "en": "Close date"},
    "role.updated": {"ja": "最終更新日", "en": "Last updated"},
    "role.expected_close": {"ja": "完了予定日", "en": "Expected close date"},
    "role.lifecycle": {"ja": "ライフサイクル・リードステータス", "en": "Lifecycle stage / lead status"},
    "role.closed_flag": {"ja": "完了フラグ（1 / はい）", "en": "Closed flag (1 / yes)"},
    "role.stage": {"ja": "フェーズ", "en": "Stage"},
    "role.amount": {"ja": "金額", "en": "Amount"},
    "role.owner": {"ja": "担当者", "en": "Owner"},
    "role.channel": {"ja": "チャネル", "en": "Channel"},
    "role.product": {"ja": "商品", "en": "Product"},
    "role.segment": {"ja": "業種・セグメント", "en": "Segment"},
    "role.account": {"ja": "取引先", "en": "Account"},
    "role.deal_type": {"ja": "新規 / 既存", "en": "Deal type"},
    "role.calls": {"ja": "架電数", "en": "Calls"},
    "role.visits": {"ja": "訪問数", "en": "Visits"},
    "role.proposals": {"ja": "提案数", "en": "Proposals"},
    "role.won_flag": {"ja": "受注フラグ（1 / はい）", "en": "Won flag (1 / yes)"},
    "role.period": {"ja": "月", "en": "Month"},
    "role.leads": {"ja": "リード数", "en": "Leads"},
    "role.mql": {"ja": "MQL数", "en": "MQLs"},
    "role.sql": {"ja": "SQL数", "en": "SQLs"},
    "role.opportunities": {"ja": "商談数", "en": "Opportunities"},
    "role.won": {"ja": "受注件数", "en": "Won"},
    "role.lost": {"ja": "失注件数", "en": "Lost"},
    "role.revenue": {"ja": "受注金額", "en": "Revenue"},
    # Words used inside the sentences above.
    "word.order.dmy": {"ja": "日→月→年の順", "en": "day-first"},
    "word.order.mdy": {"ja": "月→日→年の順", "en": "month-first"},
    "word.order_reason.other_columns": {"ja": "同じファイルの他の日付列", "en": "as the file's other date columns are"},
    "word.order_reason.language": {"ja": "表示言語", "en": "as usual for the display language"},
    "word.order_reason.convention": {
        "ja": "区切りの「.」（欧州式の書き方）",
        "en": "as dates written with dots usually are",
    },
    # Goal-file problems ------------------------------------------------------------------------------------------
    # kpi_core/goals.py (GoalsError / GoalProblem: line, field, code, params), kpi_core/formula.py (FormulaError)
    # and kpi_core/asof.py (AsOfError). Values the user wrote arrive already cut to 40 characters.
    "goalfile.at_line_field": {"ja": "{line}行目、{field}：{problem}", "en": "line {line}, {field}: {problem}"},
    "goalfile.at_line": {"ja": "{line}行目：{problem}", "en": "line {line}: {problem}"},
    "goalfile.at_field": {"ja": "{field}：{problem}", "en": "{field}: {problem}"},
    "goalfile.in_source": {"ja": "{source}：{problem}", "en": "{source}: {problem}"},
    "goalfile.and_more": {"ja": "{first}（ほか{count}件）", "en": "{first} (and {count} more)"},
    "goalfile.more_problems": {
        "ja": "ほかにも{count}件の問題があります。まず上の問題を直してください",
        "en": "{count} more problems are not listed: fix the ones above first",
    },
    "goalfile.too_large": {
        "ja": "目標ファイルが{size} KBあります。{limit} KB以内にしてください",
        "en": "the goal file is {size} KB: a goal file may be at most {limit} KB",
    },
    "goalfile.empty": {
        "ja": "目標ファイルが空です。少なくとも kgi が必要です",
        "en": "the goal file is empty: it needs at least a kgi",
    },
    "goalfile.unreadable_file": {"ja": "目標ファイルを読み取れませんでした", "en": "the goal file could not be read"},
    "goalfile.invalid_yaml": {"ja": "YAMLとして読めません（{problem}）", "en": "not valid YAML: {problem}"},
    "goalfile.alias": {
        "ja": "アンカーとエイリアス（& と *）は使えません。値をそのまま書いてください",
        "en": "anchors and aliases (& and *) are not allowed: write each value out",
    },
    "goalfile.tag": {
        "ja": "{tag} のようなタグは使えません。値をそのまま書いてください",
        "en": "tags such as {tag} are not allowed: write plain values",
    },
    "goalfile.too_deep": {"ja": "入れ子が{limit}段を超えています", "en": "nested more than {limit} levels deep"},
    "goalfile.too_many_items": {"ja": "項目が{limit}個を超えています", "en": "has more than {limit} entries"},
    "goalfile.not_mapping": {"ja": "「キー: 値」の形で書いてください", "en": "must be a mapping (key: value lines)"},
    "goalfile.key_not_text": {"ja": "項目名は文字で書いてください", "en": "a field name must be plain text"},
    "goalfile.unknown_field": {
        "ja": "使えない項目です。{allowed} のいずれかを使ってください",
        "en": "unknown field: use {allowed}",
    },
    "goalfile.given_twice": {"ja": "2回書かれています", "en": "given twice"},
    "goalfile.required": {"ja": "必須です", "en": "is required"},
    "goalfile.kgi_required": {
        "ja": "必須です。最終目標（name, metric, target, period）を書いてください",
        "en": "is required: the final goal (name, metric, target, period)",
    },
    "goalfile.not_text": {"ja": "文字で書いてください", "en": "must be text"},
    "goalfile.text_too_long": {
        "ja": "{length}文字あります。{limit}文字以内にしてください",
        "en": "is {length} characters long: at most {limit}",
    },
    "goalfile.not_a_number": {"ja": "数値で書いてください（{got}）", "en": "must be a number (got {got})"},
    "goalfile.number_range": {
        "ja": "-10^15 から 10^15 までの数値にしてください（{got}）",
        "en": "must be a number from -10^15 to 10^15 (got {got})",
    },
    "goalfile.unreadable": {"ja": "値を読み取れません（{got}）", "en": "cannot be read (got {got})"},
    "goalfile.not_one_of": {
        "ja": "{options} のいずれかにしてください（{got}）",
        "en": "must be one of {options} (got {got})",
    },
    "goalfile.not_list": {"ja": "リストで書いてください", "en": "must be a list"},
    "goalfile.fiscal_year_start": {
        "ja": "1〜12の月の数字にしてください（{got}）",
        "en": "must be a month number from 1 to 12 (got {got})",
    },
    "goalfile.metric": {
        "ja": "{problem}。{known} のいずれか、またはそれらの計算式を書いてください",
        "en": "{problem}: use one of {known}, or a formula over them",
    },
    "goalfile.unknown_csf": {
        "ja": "id が {id} の CSF がありません。csfs に定義してください",
        "en": "no CSF has id {id}: define it under csfs",
    },
    "goalfile.id_twice": {"ja": "id {id} が2回使われています", "en": "id {id} is used twice"},
    "goalfile.negative_kgi_target": {
        "ja": "KGIの目標値は0以上にしてください（{got}）",
        "en": "the KGI target must be 0 or more (got {got})",
    },
    "goalfile.negative_kpi_target": {
        "ja": "KPI {kpi} の目標値は0以上にしてください（{got}）",
        "en": "the target of KPI {kpi} must be 0 or more (got {got})",
    },
    "goalfile.ratio_target": {
        "ja": "{metric} は率です。目標値は0〜1、または0%〜100%で書いてください（{got}）",
        "en": "{metric} is a rate: its target must be from 0 to 1, or 0% to 100% (got {got})",
    },
    "goalfile.no_template": {
        "ja": "テンプレート {name} はありません。{names} のいずれかを使ってください",
        "en": "no template {name}: use one of {names}",
    },
    "formula.unknown_metric": {"ja": "「{names}」という指標はありません", "en": "unknown metric: {names}"},
    "formula.not_a_formula": {"ja": "式として読めません：{formula}", "en": "not a formula: {formula}"},
    "formula.not_allowed": {
        "ja": "式に使えるのは + - * / ( )、数値と指標名だけです：{formula}",
        "en": "only + - * / ( ) numbers and metric names are allowed: {formula}",
    },
    "formula.constant": {
        "ja": "式の中の定数は数値だけです：{formula}",
        "en": "only numbers are allowed as constants: {formula}",
    },
    "formula.constant_range": {
        "ja": "式の中の数値は -10^15 から 10^15 までにしてください：{formula}",
        "en": "numbers in a formula must be from -10^15 to 10^15: {formula}",
    },
    "formula.too_long": {
        "ja": "式が{length}文字あります。{limit}文字以内にしてください",
        "en": "the formula is {length} characters long: at most {limit}",
    },
    "formula.too_deep": {
        "ja": "式が複雑すぎます（入れ子や続けた演算が{limit}段を超えています）",
        "en": "the formula is too complex: more than {limit} levels of nesting or chained operations",
    },
    "asof.outside": {
        "ja": "基準日 {date} はデータの期間（{first} – {last}）から外れています。"
        "{low} から {high} までの日付を選んでください",
        "en": "the as-of date {date} is outside the data ({first} – {last}): choose a date from {low} to {high}",
    },
    "asof.out_of_range": {
        "ja": "基準日 {date} は使えません。{low} から {high} までの日付を選んでください",
        "en": "the as-of date {date} cannot be used: choose a date from {low} to {high}",
    },
    # End of goal-file problems ------------------------------------------------------------------------------------
    # Intake errors: a file (or a choice) that cannot be used at all. kpi_core/intake (IntakeError: key, code,
    # file, params). One sentence each: which file, what is wrong, what to do. {file} is the user's file name.
    "intake.no_file": {
        "ja": "ファイルが指定されていないため、CSVまたはExcelのファイルを1つ以上選んでください。",
        "en": "No file given: choose at least one CSV or Excel file.",
    },
    "intake.no_upload": {
        "ja": "まだファイルがアップロードされていないため、データページでCSVまたはExcelのファイルを"
        "アップロードしてください。",
        "en": "No file uploaded yet: upload a CSV or Excel file on the Data page.",
    },
    "intake.server_full": {
        "ja": "サーバーは今、利用中の方々のデータで保持できる上限に達しているため、数分後にもう一度試すか、"
        "運用担当者に {setting} を上げるよう依頼してください。",
        "en": "The server is holding as much data as it can for the people using it now: try again in a few "
        "minutes, or ask the operator to raise {setting}.",
    },
    "intake.no_sample": {
        "ja": "サンプルファイル{file}が見つからないため、{command} を一度実行してください。",
        "en": "The sample file {file} is missing: run `{command}` once.",
    },
    "intake.cannot_open": {
        "ja": "{file}を開けなかったため、ファイルがあって読み取りが許可されているかを確認し、もう一度お試しください。",
        "en": "{file} could not be opened: check that the file exists and is readable, then try again.",
    },
    "intake.not_regular_file": {
        "ja": "{file}は通常のファイルではないため、.csvまたは.xlsxのファイルを選んでください。",
        "en": "{file} is not a regular file: choose a .csv or .xlsx file.",
    },
    "intake.empty": {
        "ja": "{file}は空のため、見出し行とその下のデータ行を含めてデータを書き出し直し、アップロードしてください。",
        "en": "{file} is empty: export the data again (a header row with data rows below it) and upload it.",
    },
    "intake.too_large": {
        "ja": "{file}は{size} MBあり上限の{limit} MBを超えているため、期間などで絞り込むか分割して、"
        "分けてアップロードしてください。",
        "en": "{file} is {size} MB, over the {limit} MB limit: filter or split it (for example by period) and upload "
        "the parts.",
    },
    "intake.encrypted": {
        "ja": "{file}はパスワードで保護されているため、Excelの［ファイル］>［情報］>［ブックの保護］で保護を外した"
        "コピーを保存し、それをアップロードしてください。",
        "en": "{file} is password-protected: save an unprotected copy in Excel (File > Info > Protect Workbook) and "
        "upload that.",
    },
    "intake.legacy_xls": {
        "ja": "{file}は古い形式（Excel 97-2003の.xls）のファイルのため、Excelで開いて.xlsxまたはCSVで保存し直し、"
        "それをアップロードしてください。",
        "en": "{file} is an old-format Excel 97-2003 (.xls) file: open it in Excel, save it as .xlsx or CSV, and "
        "upload that.",
    },
    "intake.other_spreadsheet": {
        "ja": "{file}はこのアプリでは読めない表計算の形式（.xlsbまたは.ods）のため、.xlsxまたはCSVで保存し直して"
        "アップロードしてください。",
        "en": "{file} is a spreadsheet format this app does not read (.xlsb or .ods): save it as .xlsx or CSV and "
        "upload that.",
    },
    "intake.binary": {
        "ja": "{file}はCSVでもExcelでもなく{kind}のようなので、データを.csvまたは.xlsxで保存して"
        "アップロードしてください。",
        "en": "{file} is not a CSV or Excel file (it looks like {kind}): upload the data as .csv or .xlsx.",
    },
    "intake.kind.png": {"ja": "PNG画像", "en": "a PNG image"},
    "intake.kind.pdf": {"ja": "PDF文書", "en": "a PDF document"},
    "intake.kind.jpeg": {"ja": "JPEG画像", "en": "a JPEG image"},
    "intake.kind.gif": {"ja": "GIF画像", "en": "a GIF image"},
    "intake.kind.gzip": {"ja": "gzipの圧縮ファイル", "en": "a gzip archive"},
    "intake.kind.7z": {"ja": "7-Zipの圧縮ファイル", "en": "a 7-Zip archive"},
    "intake.kind.rar": {"ja": "RARの圧縮ファイル", "en": "a RAR archive"},
    "intake.kind.zip": {
        "ja": "ZIPの圧縮ファイルかWord・PowerPointの文書",
        "en": "a ZIP archive or Word/PowerPoint document",
    },
    "intake.kind.binary": {"ja": "バイナリデータ", "en": "binary data"},
    "intake.damaged_zip": {
        "ja": "{file}はExcelかZIPのファイルのようですが壊れている（ダウンロードが途中で切れたのかもしれません）ため、"
        "Excelで開いて.xlsxで保存し直し、それをアップロードしてください。",
        "en": "{file} looks like an Excel or ZIP file but is damaged (perhaps cut off during download): open it in "
        "Excel, save it again as .xlsx, and upload that.",
    },
    "intake.zip_bomb": {
        "ja": "{file}は展開するとサイズから想像できないほど大きなデータになるので、安全のため開いていません。"
        "Excelで開いて.xlsxまたはCSVで保存し直し、それをアップロードしてください。",
        "en": "{file} would expand to far more data than its size suggests, so it was not opened for safety: open it "
        "in Excel, save it again as .xlsx or CSV, and upload that.",
    },
    "intake.unreadable": {
        "ja": "{file}を読み取れなかったため、Excelかテキストエディターで開けることを確かめ、.xlsxまたはCSV UTF-8で"
        "保存し直してアップロードしてください。",
        "en": "{file} could not be read: check that it opens in Excel or a text editor, save it again as .xlsx or CSV "
        "UTF-8, and upload that.",
    },
    "intake.not_text": {
        "ja": "{file}はUTF-8でもShift_JISでもないテキストのため、Excelの［ファイル］>［名前を付けて保存］で"
        "「CSV UTF-8（コンマ区切り）」として保存し、それをアップロードしてください。",
        "en": "{file} is not UTF-8 or Shift_JIS text: save it as 'CSV UTF-8 (comma delimited)' (Excel: File > Save "
        "As) and upload that.",
    },
    "intake.csv_unreadable": {
        "ja": "{file}をCSVとして読み取れなかったため、Excelかテキストエディターで開いて「CSV UTF-8（コンマ区切り）」で"
        "保存し直し、それをアップロードしてください。",
        "en": "{file} could not be read as CSV: open it in Excel or a text editor, save it again as 'CSV UTF-8 (comma "
        "delimited)', and upload that.",
    },
    "intake.csv_too_many_cells": {
        "ja": "{file}は{lines:,}行×{columns:,}列あり、このアプリが読める{limit:,}セルを超えているため、期間などで"
        "絞り込むか分割して、分けてアップロードしてください。",
        "en": "{file} has {lines:,} lines of {columns:,} columns, more than the {limit:,} cells this app reads: "
        "filter or split it (for example by period) and upload the parts.",
    },
    "intake.too_many_columns": {
        "ja": "{file}は{columns:,}列あり、このアプリが読める{limit:,}列を超えているため、必要な列だけを残して"
        "（またはファイルを分割して）もう一度アップロードしてください。",
        "en": "{file} has {columns:,} columns, more than the {limit:,} this app reads: keep only the columns you "
        "need (or split the file) and upload again.",
    },
    "intake.header_too_narrow": {
        "ja": "{file}はほとんどの行に{fields}個の値があるのに見出し行には{width}列分の名前しかないため、見出し行で"
        "すべての列に名前を付けて（または余分な値を消して）もう一度アップロードしてください。",
        "en": "{file}: most rows have {fields} values but the header row names only {width} columns: give every "
        "column a name in the header row (or remove the extra values) and upload again.",
    },
    "intake.wide_rows": {
        "ja": "{file}は{rows:,}行に見出し行の{columns}列より多くの値があるため、見出し行ですべての列に名前を付けて"
        "（または余分な値を消して）もう一度アップロードしてください。",
        "en": "{file}: {rows:,} rows have more values than the {columns} columns the header row names: give every "
        "column a name in the header row (or remove the extra values) and upload again.",
    },
    "intake.one_quoted_cell": {
        "ja": "{file}はどの行も区切り文字を含む1つの引用符付きセルになっているため、1列に1つの値が入る通常のCSVとして"
        "保存し直し、もう一度アップロードしてください。",
        "en": "{file}: every line holds one quoted cell with separators inside: save it again as a normal CSV (one "
        "value per column) and upload again.",
    },
    "intake.line_too_long": {
        "ja": "{file}の{line:,}行目が{limit}を超えている（改行の抜けか、閉じていない引用符かもしれません）ため、"
        "その行を直すか削除して、もう一度アップロードしてください。",
        "en": "{file}: line {line:,} is longer than {limit} (a missing line break or an unclosed quote?): fix or "
        "remove that line and upload again.",
    },
    "intake.word.characters": {"ja": "{count:,}文字", "en": "{count:,} characters"},
    "intake.word.million_characters": {"ja": "{millions}00万文字", "en": "{millions} million characters"},
    "intake.too_slow": {
        "ja": "{file}は読み込みに{seconds}秒以上かかったため、表だけを残したシートで保存し直すか、"
        "CSVで書き出してください。",
        "en": "{file} took longer than {seconds} seconds to read: save the sheet with only its table, or export it "
        "as CSV.",
    },
    "intake.too_much_memory": {
        "ja": "{file}はこのアプリが1つのブックに使えるメモリを超えるため、表だけを残したシートで保存し直すか、"
        "CSVで書き出してください。",
        "en": "{file} needs more memory than this app allows for one workbook: save the sheet with only its table, "
        "or export it as CSV.",
    },
    "intake.claims_unsafe": {
        "ja": "{file}のブックは{cells:,}セル（{where}）を使うと記録されていて、このアプリが安全に読める量を超えるため、"
        "表だけを残したシートで保存し直すか、CSVで書き出してください。",
        "en": "{file}: this workbook claims {cells:,} cells ({where}), more than this app can read safely: save the "
        "sheet with only its table, or export it as CSV.",
    },
    "intake.claims_too_many": {
        "ja": "{file}のブックは{cells:,}セル（{where}）を使うと記録されていて、このアプリが読める{limit:,}セルを"
        "超えるため、表だけを残したシートで保存し直すか、CSVで書き出してください。",
        "en": "{file}: this workbook claims {cells:,} cells ({where}), more than the {limit:,} this app reads: save "
        "the sheet with only its table, or export it as CSV.",
    },
    "intake.claims_sparse": {
        "ja": "{file}のブックは{cells:,}セル（{where}）を使うと記録されているのに値があるのは{values:,}セルだけのため、"
        "表だけを残したシートで保存し直すか、CSVで書き出してください。",
        "en": "{file}: this workbook claims {cells:,} cells ({where}) but only {values:,} hold a value: save the "
        "sheet with only its table, or export it as CSV.",
    },
    "intake.word.sheet_range": {"ja": "シート「{sheet}」の{ref}", "en": "sheet '{sheet}', {ref}"},
    "intake.sheet_missing": {
        "ja": "{file}には「{sheet}」という名前のシートがないため、{sheets}のいずれかを選んでください。",
        "en": "{file} has no sheet named '{sheet}': choose one of {sheets}.",
    },
    "intake.no_table": {
        "ja": "{file}の表示されているシートに表（列名の行とその下のデータ）がないため、表示されているシートで"
        "1行の見出しの下にデータを置いて、もう一度アップロードしてください。",
        "en": "{file} has no table on any visible sheet (a row of column names with data below it): put the data "
        "under one header row on a visible sheet and upload again.",
    },
    "intake.sheet_too_many_columns": {
        "ja": "{file}のシート「{sheet}」の表は{columns:,}列あり、このアプリが読める{limit:,}列を超えるため、"
        "表だけを残したシートで保存し直すか、CSVで書き出してください。",
        "en": "{file}: the table on sheet '{sheet}' has {columns:,} columns, more than the {limit:,} this app reads: "
        "save the sheet with only its table, or export it as CSV.",
    },
    "intake.no_rows": {
        "ja": "{file}には見出し行の下にデータ行がないため、データを含めてファイルを書き出し直してください。",
        "en": "{file} has no data rows below a header row: export the file again with the data included.",
    },
    "intake.no_rows_sheet": {
        "ja": "{file}のシート「{sheet}」には見出し行の下にデータ行がないため、データを含めてファイルを書き出し直して"
        "ください。",
        "en": "{file} (sheet '{sheet}') has no data rows below a header row: export the file again with the data "
        "included.",
    },
    "intake.no_header": {
        "ja": "{file}の先頭{rows}行に見出し行（すぐ下にデータがある列名の行）がないため、データのすぐ上の1行に列名を"
        "並べて、もう一度アップロードしてください。",
        "en": "{file} has no header row in its first {rows} rows (a row of column names with data directly below "
        "it): put the column names in one row above the data and upload again.",
    },
    "intake.no_header_sheet": {
        "ja": "{file}のシート「{sheet}」の先頭{rows}行に見出し行（すぐ下にデータがある列名の行）がないため、"
        "データのすぐ上の1行に列名を並べて、もう一度アップロードしてください。",
        "en": "{file} (sheet '{sheet}') has no header row in its first {rows} rows (a row of column names with data "
        "directly below it): put the column names in one row above the data and upload again.",
    },
    "intake.no_link": {
        "ja": "{files}には共通のID列がなく互いに結び付けられないため、結合に使う列を選ぶか、1つずつアップロードして"
        "ください。",
        "en": "{files}: no shared id column links these files: choose the link column, or upload them one at a time.",
    },
    "intake.no_link_column": {
        "ja": "{file}には結合に使う列「{column}」がないため、列名を変えるか、別の結合列を選んでください。",
        "en": "{file} has no column '{column}' to link on: rename it or choose another link column.",
    },
    "intake.period_without_year": {
        "ja": "{file}の「{column}」列は年のない月（4月など）のため、各セルに年を書いて（2025年4月や2025-04）"
        "もう一度アップロードしてください。",
        "en": "{file}: the {column} column holds months without a year (like 4月): write the year in each cell "
        "(2025年4月 or 2025-04) and upload again.",
    },
    "intake.no_period": {
        "ja": "{file}の月次の表に期間（月）の列が見つからないため、列の役割で期間の列を指定してください。",
        "en": "{file}: the monthly sheet has no period column (月 / Month): name it in the column roles.",
    },
    "intake.no_usable_rows": {
        "ja": "{file}の{read}行はどれも使えなかった（除外{rejected}行）ため、列の役割と除外された行の一覧を"
        "確認してください。",
        "en": "{file}: none of its {read} rows could be used ({rejected} rejected): check the column roles and the "
        "rejected-rows list.",
    },
    "intake.bad_role": {
        "ja": "列の役割「{role}」はないため、{roles}のいずれかを使ってください。",
        "en": "Unknown column role '{role}': use one of {roles}.",
    },
    "intake.bad_column": {
        "ja": "役割「{role}」に指定した列「{column}」はファイルにないため、ファイルの列（{columns}）から"
        "選んでください。",
        "en": "Column '{column}' (given for {role}) is not in the file: the columns are {columns}.",
    },
    # The command line (kpi_core/cli.py): its errors and the text it prints for people (JSON keys never change).
    "cli.bad_arguments": {
        "ja": "{prog}：コマンドの指定が正しくありません（{detail}）。--help で使い方を確認してください",
        "en": "{prog}: {detail}",
    },
    "cli.no_such_file": {"ja": "{path}：ファイルが見つかりません", "en": "{path}: no such file"},
    "cli.fiscal_start": {
        "ja": "--fiscal-start には1〜12の月の数字を指定してください",
        "en": "--fiscal-start must be a month number from 1 to 12",
    },
    "cli.bad_map": {
        "ja": "--map {item}：役割=列名 の形で書いてください（役割は {roles} のいずれか）",
        "en": "--map {item}: write ROLE=COLUMN with ROLE one of {roles}",
    },
    "cli.bad_pair": {
        "ja": "{option} {item}：名前={allowed} の形で書いてください",
        "en": "{option} {item}: write NAME={allowed}",
    },
    "cli.by_missing_role": {
        "ja": "月次の表に {role} の列がないため、--by {role} は使えません",
        "en": "the period sheet has no {role} column: --by needs a column of that role",
    },
    # For kpi_core/plan_cli.py (goal file and --as-of problems of `plan` / `pivots`).
    "cli.no_goal_file": {
        "ja": "{spec}：目標ファイルが見つかりません（テンプレートを使うなら template:sales_ja、template:marketing_en "
        "などと書いてください）",
        "en": "{spec}: no such goal file (or write template:sales_ja, template:marketing_en, ...)",
    },
    "cli.goal_file_not_utf8": {
        "ja": "{spec}はUTF-8のテキストファイルではないため、目標ファイルをUTF-8で保存し直してください",
        "en": "{spec}: not a UTF-8 text file: save the goal file as UTF-8",
    },
    "cli.bad_as_of": {
        "ja": "--as-of {text}：日付は年-月-日（2025-05-07 など）の形で書いてください",
        "en": "--as-of {text}: write the date as YYYY-MM-DD",
    },
    "cli.as_of": {"ja": "--as-of：{problem}", "en": "--as-of: {problem}"},
    "cli.rows": {
        "ja": "行：読み込み {read:,}、使用 {used:,}、除外 {rejected:,}{skipped}",
        "en": "rows: {read:,} read, {used:,} used, {rejected:,} rejected{skipped}",
    },
    "cli.rows_skipped": {
        "ja": "、スキップ {count:,}（空行・集計行）",
        "en": ", {count:,} skipped (blank or total rows)",
    },
    "cli.warning": {"ja": "注意：{message}", "en": "warning: {message}"},
    "cli.map_hint": {
        "ja": "（コマンドラインでは --map 役割=列名 で列の役割を指定できます）",
        "en": "(on the command line, --map ROLE=COLUMN sets a column role)",
    },
    "cli.mapping": {"ja": "列の役割：{pairs}", "en": "mapping: {pairs}"},
    "cli.total": {"ja": "合計", "en": "total"},
    "cli.period": {"ja": "期間", "en": "period"},
    "cli.rejected_row": {
        "ja": "除外：{file} {row}行目 [{column}] {reason}",
        "en": "rejected: {file} row {row} [{column}] {reason}",
    },
    "cli.more_rejects": {
        "ja": "…ほか{count}件（すべて見るには --json を使ってください）",
        "en": "... and {count} more (use --json for the full list)",
    },
    "cli.col.records": {"ja": "件数", "en": "records"},
    "cli.col.leads": {"ja": "リード", "en": "leads"},
    "cli.col.mql": {"ja": "MQL", "en": "MQL"},
    "cli.col.sql": {"ja": "SQL", "en": "SQL"},
    "cli.col.opportunities": {"ja": "商談", "en": "opps"},
    "cli.col.won": {"ja": "受注", "en": "won"},
    "cli.col.lost": {"ja": "失注", "en": "lost"},
    "cli.col.open": {"ja": "進行中", "en": "open"},
    "cli.col.win_rate": {"ja": "受注率", "en": "win rate"},
    "cli.col.won_revenue": {"ja": "受注金額", "en": "revenue"},
    "cli.col.avg_unit_price": {"ja": "平均単価", "en": "unit price"},
    "cli.col.median_cycle_days": {"ja": "商談日数", "en": "cycle d"},
}


@dataclass(frozen=True)
class Phrase:
    """A sentence of this catalogue kept as key + params, rendered in the reader's language only when shown (a
    Phrase may fill a placeholder of another sentence)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        return render(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")


class Names(tuple):
    """The user's names listed in a sentence ('a', 'b' / 「a」「b」; unquoted: a, b / a、b), never translated."""

    quoted: bool = True

    def __new__(cls, names: Iterable[str], *, quoted: bool = True) -> Names:
        listed = super().__new__(cls, names)
        listed.quoted = quoted
        return listed

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (tuple(self),), {"quoted": self.quoted}

    def render(self, lang: str = "en") -> str:
        if lang == "ja":
            return "".join(f"「{n}」" for n in self) if self.quoted else "、".join(self)
        return ", ".join(f"'{n}'" for n in self) if self.quoted else ", ".join(self)

    def __str__(self) -> str:
        return self.render("en")


class Sentence(str):
    """An error's sentence: the English text (so `error.message` compares and prints as it always did) that also
    renders in another language when called: `error.message("ja")`."""

    _render: Callable[[str], str]

    def __new__(cls, render_in: Callable[[str], str]) -> Sentence:
        sentence = super().__new__(cls, render_in("en"))
        sentence._render = render_in
        return sentence

    def __call__(self, lang: str = "en") -> str:
        return self._render(lang)


def render(key: str, lang: str = "en", /, **params: object) -> str:
    """The sentence for `key` in `lang`, with {placeholders} filled from `params` (the key itself when unknown);
    a Phrase or Names parameter is rendered in `lang` first."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    if not params:
        return text
    return text.format(**{name: v.render(lang) if isinstance(v, Phrase | Names) else v for name, v in params.items()})
