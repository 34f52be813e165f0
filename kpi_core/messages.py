"""The ja / en catalogue of the engine's sentences (intake warnings, skipped rows…): code + parameters → text.

The CLI renders it with `--lang`; the UI merges it into its own table, so one sentence is written once.
"""

from __future__ import annotations

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
}


def render(key: str, lang: str = "en", /, **params: object) -> str:
    """The sentence for `key` in `lang`, with {placeholders} filled from `params` (the key itself when unknown)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text
