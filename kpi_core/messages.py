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
    # The metrics catalogue (kpi_core/catalog/metrics.yaml) checked when it loads (kpi_core/catalog_check.py).
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
    # ヨミ (kpi_core/intake: probability, forecast category, expected close date): cells that could not be read.
    "warn.probability_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の値が確度として読めません（例: {examples}）。"
        "行は数え、確度は不明として扱います。",
        "en": "{file}: in '{column}', {count} of the values could not be read as a probability (e.g. {examples}); "
        "those records still count, with the probability unknown.",
    },
    "warn.forecast_category_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の値がヨミ区分（コミット・見込み・パイプライン・除外）として読めません"
        "（例: {examples}）。行は数え、区分なしとして扱います。",
        "en": "{file}: in '{column}', {count} of the values name no forecast category (Commit, Best case, Pipeline, "
        "Omitted; e.g. {examples}); those records still count, without a category.",
    },
    "warn.expected_close_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の値が受注予定日として読めません（例: {examples}）。"
        "行は数え、予定日は不明として扱います。",
        "en": "{file}: in '{column}', {count} of the values could not be read as an expected close date "
        "(e.g. {examples}); those records still count, with the date unknown.",
    },
    "role.probability": {"ja": "確度", "en": "Probability"},
    "role.forecast_category": {"ja": "ヨミ区分", "en": "Forecast category"},
    # What changed since last week (kpi_core/changes.py, kpi_core/changes_cli.py).
    "changes.no_id": {
        "ja": "{file}には商談IDの列がないため、先週のデータと商談ごとに比べられません。"
        "IDの列を含めて出力し直すか、--map id=列名 で指定してください。",
        "en": "{file} has no deal id column, so its deals cannot be matched with the other export: export it with "
        "the id column, or set it with --map id=COLUMN.",
    },
    "changes.not_records": {
        "ja": "{file}は月ごとの集計表のため、商談ごとの変化は比べられません。商談一覧を出力して使ってください。",
        "en": "{file} is a sheet of monthly totals: changes are compared deal by deal, so use a deal export.",
    },
    "changes.bad_period": {
        "ja": "期間の開始日 {start} が終了日 {end} より後になっています。",
        "en": "The period starts on {start}, after its end {end}.",
    },
    "changes.period_pair": {
        "ja": "--from と --to は両方指定してください。",
        "en": "Give both --from and --to, or neither.",
    },
    "changes.bad_date": {
        "ja": "{text}：日付は年-月-日（2025-05-07 など）の形で書いてください。",
        "en": "{text}: write dates as YYYY-MM-DD.",
    },
    "changes.kind.new": {"ja": "新規", "en": "New"},
    "changes.kind.won": {"ja": "受注", "en": "Won"},
    "changes.kind.lost": {"ja": "失注", "en": "Lost"},
    "changes.kind.forward": {"ja": "フェーズ前進", "en": "Stage forward"},
    "changes.kind.back": {"ja": "フェーズ後退", "en": "Stage back"},
    "changes.kind.amount_up": {"ja": "金額増", "en": "Amount up"},
    "changes.kind.amount_down": {"ja": "金額減", "en": "Amount down"},
    "changes.kind.slipped": {"ja": "予定日の後ろ倒し", "en": "Slipped"},
    "changes.kind.pulled_in": {"ja": "予定日の前倒し", "en": "Pulled in"},
    "changes.kind.removed": {"ja": "消えた商談", "en": "Removed"},
    "changes.kind.reopened": {"ja": "再開", "en": "Reopened"},
    "changes.heading": {"ja": "前回からの変化：{old} → {new}", "en": "What changed: {old} → {new}"},
    "changes.pipeline": {
        "ja": "進行中パイプライン：{start} → {end}",
        "en": "Open pipeline: {start} → {end}",
    },
    "changes.pipeline_period": {
        "ja": "{start_date}〜{end_date}に受注予定の進行中パイプライン：{start} → {end}",
        "en": "Open pipeline expected {start_date} to {end_date}: {start} → {end}",
    },
    "changes.deals_heading": {"ja": "商談ごとの変化：", "en": "Deal by deal:"},
    "changes.note.id_columns_differ": {
        "ja": "2つのデータで商談IDの列が違います。同じIDで比べているか確認してください。",
        "en": "The two exports use different id columns: check that the ids are the same deals.",
    },
    "changes.note.no_amount": {
        "ja": "金額の列がないため、件数だけを比べています。",
        "en": "Neither export has an amount column: only counts are compared.",
    },
    "changes.note.no_expected_close": {
        "ja": "受注予定日がないため、予定日の後ろ倒し・前倒しは分かりません。",
        "en": "No expected close dates: slipped and pulled-in deals cannot be told.",
    },
    "changes.note.no_common_ids": {
        "ja": "2つのデータに共通する商談IDが1件もありません。同じデータの2時点か確認してください。",
        "en": "The two exports share no deal id: check that they are the same data on two dates.",
    },
    # ヨミ and coverage (kpi_core/forecast_categories.py).
    "forecast.bad_period": {
        "ja": "期間の開始日 {start} が終了日 {end} より後になっています。",
        "en": "The period starts on {start}, after its end {end}.",
    },
    "forecast.bad_target": {
        "ja": "目標 {target} は 0 以上の数にしてください。",
        "en": "The target {target} must be a number of 0 or more.",
    },
    "forecast.not_records": {
        "ja": "月ごとの集計表には商談ごとのヨミがないため、ヨミの予測は出せません。",
        "en": "A sheet of monthly totals has no deals to forecast by category.",
    },
    "forecast.line.closed": {"ja": "受注済み", "en": "Closed won"},
    "forecast.line.commit": {"ja": "コミット", "en": "Commit"},
    "forecast.line.best_case": {"ja": "見込み（ベストケース）", "en": "Best case"},
    "forecast.line.pipeline": {"ja": "パイプライン", "en": "Pipeline"},
    "forecast.line.omitted": {"ja": "除外", "en": "Omitted"},
    "forecast.line.uncategorised": {"ja": "区分なし", "en": "No category"},
    "forecast.total.commit": {"ja": "受注済み＋コミット", "en": "Closed + commit"},
    "forecast.total.best_case": {"ja": "受注済み＋コミット＋見込み", "en": "Closed + commit + best case"},
    "forecast.total.weighted": {"ja": "受注済み＋確度で重み付けしたパイプライン", "en": "Closed + weighted pipeline"},
    "forecast.coverage": {
        "ja": "カバレッジ {coverage}倍：期間内に受注予定の進行中パイプライン {pipeline} ÷ 目標までの残り {gap}",
        "en": "Coverage {coverage}×: open pipeline expected in the period {pipeline} ÷ {gap} still to close",
    },
    "forecast.overdue": {
        "ja": "受注予定日を過ぎた進行中の商談が {count} 件あります。予定日を見直してください。",
        "en": "{count} open deals are past their expected close date: review their dates.",
    },
    "forecast.note.no_expected_close": {
        "ja": "受注予定日がないため、進行中の商談はすべてこの期間に受注しうるものとして数えています。",
        "en": "No expected close dates: every open deal is counted as able to close in the period.",
    },
    "forecast.note.no_category": {
        "ja": "ヨミ区分（コミット・見込みなど）の列がないため、区分ごとの予測は出せません。",
        "en": "No forecast category column (Commit, Best case…): the forecast by category cannot be shown.",
    },
    "forecast.note.no_probability": {
        "ja": "確度の列がないため、確度で重み付けしたパイプラインは出せません。",
        "en": "No probability column: the weighted pipeline cannot be shown.",
    },
    "forecast.note.some_unweighted": {
        "ja": "確度が空欄・読めない商談は、重み付けの合計に入っていません。",
        "en": "Deals without a readable probability are left out of the weighted pipeline.",
    },
    "forecast.note.rank_assumed": {
        "ja": "確度がランク（A・B・Cなど）の商談は、ランクごとの想定確率（A 80%、B 50%、C 20% など）で"
        "重み付けしました。",
        "en": "Deals with a rank (A, B, C…) instead of a probability are weighted by the share assumed for the rank "
        "(A 80 %, B 50 %, C 20 %…).",
    },
    "forecast.note.no_amount": {
        "ja": "金額の列がないため、金額の予測は出せません。",
        "en": "No amount column: amounts cannot be forecast.",
    },
    "forecast.note.target_met": {
        "ja": "この期間の目標はすでに達成しているため、カバレッジは計算しません。",
        "en": "The period's target is already met, so there is no coverage to compute.",
    },
    "forecast.history.no_snapshots": {
        "ja": "過去の時点のデータ（スナップショット）がないため、どのくらいのカバレッジで目標に届いたかは測れません。",
        "en": "Without snapshots of earlier weeks, the coverage that was enough in the past cannot be measured.",
    },
    "forecast.history.no_target": {
        "ja": "過去の月の目標がないため、どのくらいのカバレッジで目標に届いたかは測れません。",
        "en": "Without the past months' targets, the coverage that was enough cannot be measured.",
    },
    "forecast.history.no_month_starts": {
        "ja": "月初に取ったスナップショットがないため、月初のカバレッジと結果を比べられません。",
        "en": "No snapshot was taken near the start of a past month: the coverage months started with is unknown.",
    },
    "forecast.history.enough": {
        "ja": "過去、月初のカバレッジが {coverage}倍以上だった月はすべて目標に届きました"
        "（{months}か月中{made}か月達成）。",
        "en": "Every past month that started with at least {coverage}× coverage made its target ({made} of {months} "
        "months made it).",
    },
    "forecast.history.none_enough": {
        "ja": "過去、月初のカバレッジが最も高かった月も目標に届いていません（{months}か月中{made}か月達成）。",
        "en": "Even the best-covered past month missed its target ({made} of {months} months made it).",
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
    # The pivot engine's input errors (kpi_core.pivots.PivotInputError): a what-if setting or a lever it cannot use.
    "pivot_input.not_a_lever": {
        "ja": "「{lever}」は{model}モデルのレバーではありません。使えるのは {levers} です。",
        "en": "'{lever}' is not a lever of the {model} model: use one of {levers}",
    },
    "pivot_input.setting_form": {
        "ja": "設定「{setting}」：レバー名=値 または レバー名=+10% の形で書いてください。",
        "en": "--set '{setting}': write LEVER=VALUE or LEVER=+10%",
    },
    "pivot_input.setting_number": {
        "ja": "設定「{setting}」：「{value}」は数値ではありません（0.3、30%、+10%、-5% のように書いてください）。",
        "en": "--set '{setting}': '{value}' is not a number (write 0.3, 30%, +10% or -5%)",
    },
    "pivot_input.no_current": {
        "ja": "「{lever}」の設定：データに今の値がないため変えられません。",
        "en": "--set {lever}: the data has no current value to change",
    },
    "pivot_input.out_of_range": {
        "ja": "「{lever}」の設定：{value} は 0 から {maximum} の範囲にありません。",
        "en": "--set {lever}: {value} is not between 0 and {maximum}",
    },
    "pivot_input.negative": {
        "ja": "「{lever}」の設定：{value} は 0 未満です。",
        "en": "--set {lever}: {value} is below 0",
    },
    "pivot_input.below_booked": {
        "ja": "「{lever}」の設定：{value} は計上済みの {booked} を下回っています。",
        "en": "--set {lever}: {value} is below the {booked} already booked",
    },
    "pivot_input.catch_up_months": {
        "ja": "追い上げ配分には、KGIの期間の残り月数が必要です。",
        "en": "catch-up needs the months left in the KGI period",
    },
    "pivot_input.target_mode": {
        "ja": "目標の配分「{mode}」は使えません：even か catch_up を指定してください。",
        "en": "unknown target mode '{mode}': use even or catch_up",
    },
    "pivot_input.no_model_for_levers": {
        "ja": "「{levers}」を一緒に持つドライバーモデルがありません。使えるレバー：{known}",
        "en": "--set {levers}: no driver model has these levers together; use {known}",
    },
    # The report (kpi_core/report.py): its advice, said the same way on the Pivots page, its summary and the CLI.
    "report.advice.on_track": {
        "ja": (
            "{period}の受注金額は目標{target}に対し{forecast}の見込みで、{headroom}"
            "の余裕があります。打ち手を変える必要はありません。"
        ),
        "en": (
            "{period} revenue is forecast at {forecast} against a target of {target}, {headroom} of headroom"
            ": no pivot is needed."
        ),
    },
    "report.advice.final_met": {
        "ja": "{period}は締まりました。受注金額は目標{target}に対し{result}（{gap}）で、目標を達成しました。",
        "en": "{period} is closed: revenue was {result} against a target of {target} ({gap}), the target was met.",
    },
    "report.advice.final_missed": {
        "ja": "{period}は締まりました。受注金額は目標{target}に対し{result}（{gap}）で、目標に届きませんでした。",
        "en": "{period} is closed: revenue was {result} against a target of {target} ({gap}), short of the target.",
    },
    "report.advice.pivot": {
        "ja": (
            "最有力の打ち手：{lever}を{current}から{required}へ（{change}"
            "）。過去{months}か月中{achieved}か月で達成しています。"
        ),
        "en": (
            "Best pivot: {lever} from {current} to {required} ({change}), reached in {achieved} of the last "
            "{months} months."
        ),
    },
    "report.advice.closest": {
        "ja": (
            "どのレバーも単独や2つの組み合わせでは{period}の目標{target}に届きません。最も近づく"
            "のは{levers}を過去{months}か月で最も良かった月の水準（{levels}）まで上げるこ"
            "とで、そのとき受注金額は{forecast}（目標との差 {gap}）の見込みです。"
        ),
        "en": (
            "No lever alone or in a pair reaches the {period} target of {target}. Closest: {levers} at the b"
            "est month of the last {months} ({levels}), which brings revenue to {forecast} ({gap} against th"
            "e target)."
        ),
    },
    "report.advice.none": {
        "ja": "どのレバーも単独や2つの組み合わせでは{period}の目標{target}に届きません（今の見込み {forecast}）。",
        "en": "No lever alone or in a pair reaches the {period} target of {target} (forecast now {forecast}).",
    },
    "report.advice.supported": {
        "ja": (
            "過去{months}か月のうち4か月に1回は届いた月の受注金額は{supported}で、チームの実績が支える目標の目安です。"
        ),
        "en": (
            "Monthly revenue reached {supported} in one of every four of the last {months} months: the targe"
            "t the team's own history supports."
        ),
    },
    "report.advice.no_model": {
        "ja": "このデータからは受注金額のドライバーモデルを作れないため、打ち手は計算できません。",
        "en": "The data cannot feed a driver model of revenue, so no pivot can be computed.",
    },
    "report.window.trailing_3m": {"ja": "直近3か月", "en": "last 3 months"},
    "report.window.month_end": {"ja": "月末見込み", "en": "month-end forecast"},
    "report.window.month_rest": {"ja": "今月の残り", "en": "rest of the month"},
    "report.window.month_pace": {"ja": "残り期間の月あたりペース", "en": "monthly pace for the rest"},
    # The weekly digest (kpi_core/digest.py, `digest` command).
    "digest.title": {"ja": "週次ダイジェスト（{date}）", "en": "Weekly digest ({date})"},
    "digest.section.kgi": {"ja": "KGI の見通し", "en": "KGI forecast"},
    "digest.section.off_track": {"ja": "遅れている KPI", "en": "Off-track KPIs"},
    "digest.section.next": {"ja": "次の一手", "en": "Next move"},
    "digest.section.changes": {"ja": "前回からの変化", "en": "What changed since last time"},
    "digest.section.deals": {"ja": "確認したい商談", "en": "Deals to look at"},
    "digest.kgi": {
        "ja": "{name}：着地見込み {forecast}（目標 {target}、差 {gap}）、幅 {low}〜{high}、達成確率 {chance}",
        "en": "{name}: forecast {forecast} (target {target}, gap {gap}), range {low} to {high}, "
        "chance of reaching the target {chance}",
    },
    "digest.kgi_status": {"ja": "基準日までの進捗：{status}", "en": "Progress to date: {status}"},
    "digest.kgi_off_track": {
        "ja": "判定：KGI は目標に届かない見込みです。",
        "en": "Verdict: the KGI is off track for its target.",
    },
    "digest.kgi_on_track": {
        "ja": "判定：KGI は目標に届く見込みです。",
        "en": "Verdict: the KGI is on track for its target.",
    },
    "digest.status.on_track": {"ja": "順調", "en": "on track"},
    "digest.status.at_risk": {"ja": "要注意", "en": "at risk"},
    "digest.status.off_track": {"ja": "遅れ", "en": "off track"},
    "digest.status.no_data": {"ja": "データなし", "en": "no data"},
    "digest.kpi": {
        "ja": "{name}：実績 {actual}（基準日までの目安 {expected}、達成率 {attainment}）",
        "en": "{name}: {actual} against {expected} expected by now ({attainment})",
    },
    "digest.owners": {
        "ja": "均等割りの目安から最も遅れている担当者：{owners}",
        "en": "furthest behind their even share: {owners}",
    },
    "digest.no_off_track": {"ja": "遅れている KPI はありません。", "en": "No KPI is off track."},
    "digest.no_since": {
        "ja": "前回のデータが指定されていないため、比較していません（--since で前回のファイルを指定）。",
        "en": "No previous export given: nothing compared (give last week's file with --since).",
    },
    "digest.since": {"ja": "比較対象：{old}", "en": "Compared with {old}"},
    "digest.change": {"ja": "{kind}：{count}件（{amount}）", "en": "{kind}: {count} ({amount})"},
    "digest.change_no_amount": {"ja": "{kind}：{count}件", "en": "{kind}: {count}"},
    "digest.no_changes": {"ja": "変化はありません。", "en": "Nothing changed."},
    "digest.deal": {"ja": "{id}（{owner}）：{kind}、{amount}", "en": "{id} ({owner}): {kind}, {amount}"},
    "digest.no_deals": {
        "ja": "後ろ倒し・フェーズ後退・金額減の商談はありません。",
        "en": "No open deal slipped, moved back or lost amount.",
    },
    "digest.no_webhook": {
        "ja": "送信先がありません：環境変数 {name} に受信用のアドレスを設定してください。",
        "en": "Nowhere to post: set the environment variable {name} to the incoming webhook's address.",
    },
    "digest.bad_webhook": {
        "ja": "環境変数 {name} の値は送信先のアドレス（{scheme}）として使えません。",
        "en": "The environment variable {name} is not a usable webhook address ({scheme}).",
    },
    "digest.post_status": {
        "ja": "ダイジェストを送信できませんでした：送信先が状態コード {status} を返しました。",
        "en": "The digest could not be posted: the webhook answered with status {status}.",
    },
    "digest.post_failed": {
        "ja": "ダイジェストを送信できませんでした：送信先に接続できません（10秒以内に応答なし、または接続拒否）。",
        "en": "The digest could not be posted: the webhook could not be reached (no answer within 10 s, or refused).",
    },
    "report.cli.as_of": {"ja": "基準日 {as_of}（{calendar}）", "en": "as of {as_of} (calendar {calendar})"},
    "report.cli.kgi": {
        "ja": "KGI {name}：見込み {forecast}（目標 {target}、差 {gap}、範囲 {low} – {high}、達成確率 {chance}）",
        "en": "KGI {name}: forecast {forecast} (target {target}, gap {gap}, range {low} – {high}, chance {chance})",
    },
    "report.cli.month": {
        "ja": "{period}の受注金額：見込み {forecast}（目標 {target}、差 {gap}）",
        "en": "{period} revenue: forecast {forecast} (target {target}, gap {gap})",
    },
    "report.cli.month_final": {
        "ja": "{period}の受注金額：結果 {forecast}（目標 {target}、差 {gap}）",
        "en": "{period} revenue: result {forecast} (target {target}, gap {gap})",
    },
    "report.cli.levers": {"ja": "各レバー単独で必要な水準：", "en": "what each lever alone must reach:"},
    "report.cli.lever": {
        "ja": "  {lever}：{current}（{window}）→ 必要 {required}（{change}）",
        "en": "  {lever}: {current} ({window}) → needs {required} ({change})",
    },
    "report.cli.kpi": {
        "ja": "  {name}：見込み {forecast}（目標 {target}）{status}",
        "en": "  {name}: forecast {forecast} (target {target}) {status}",
    },
    "report.cli.kpis": {"ja": "KPI（{period}）：", "en": "KPIs ({period}):"},
    "report.cli.short": {"ja": "✕ 未達見込み", "en": "✕ forecast to miss"},
    "report.cli.ok": {"ja": "✓", "en": "✓"},
    # ------------------------------------------------------------------ the KPI health check (kpi_core/health)
    # Headings.
    "health.pitfall.1": {"ja": "KGI とのつながり", "en": "Link to the KGI"},
    "health.pitfall.2": {"ja": "定義のあいまいさ", "en": "Vague definitions"},
    "health.pitfall.3": {"ja": "KPI の数", "en": "Number of KPIs"},
    "health.pitfall.4": {"ja": "目標値の妥当性", "en": "Target values"},
    "health.pitfall.5": {"ja": "行動につながっているか", "en": "Action"},
    "health.pitfall.6": {"ja": "現場とのずれ", "en": "Disconnect from the field"},
    "health.pitfall.7": {"ja": "硬直化", "en": "Rigidity"},
    "health.verdict.ok": {"ja": "問題なし", "en": "ok"},
    "health.verdict.warn": {"ja": "注意", "en": "warning"},
    "health.verdict.fail": {"ja": "要対応", "en": "fail"},
    "health.score": {"ja": "KPI 健全性スコア：{score} / 100", "en": "KPI health score: {score} / 100"},
    "health.remedy_label": {"ja": "対策：{text}", "en": "Remedy: {text}"},
    "health.fix_label": {"ja": "修正 {id}：{op}", "en": "Fix {id}: {op}"},
    "health.skipped_label": {"ja": "判定できませんでした：{text}", "en": "Not checked: {text}"},
    "health.fix.op.drop_kpi": {"ja": "KPI を削除する", "en": "drop the KPI"},
    "health.fix.op.set_target": {"ja": "目標値を {value} にする", "en": "set the target to {value}"},
    "health.fix.op.set_owner": {"ja": "担当者を「{value}」にする", "en": "make '{value}' the owner"},
    "health.fix.op.set_cadence": {"ja": "振り返りを{value}にする", "en": "review it {value}"},
    "health.fix.op.set_definition": {"ja": "定義の下書きを書き込む", "en": "write a draft definition"},
    "health.fix.op.link_csf": {"ja": "CSF「{value}」とつなぐ", "en": "link it to the CSF '{value}'"},
    "health.fix.unknown_op": {"ja": "修正の種類「{op}」はありません。", "en": "There is no fix of kind '{op}'."},
    "health.fix.unknown_kpi": {
        "ja": "目標ファイルに KPI「{kpi}」がありません。",
        "en": "The goal file has no KPI '{kpi}'.",
    },
    "health.fix.bad_value": {
        "ja": "修正（{op}）の値「{value}」は目標ファイルに書けません。",
        "en": "The value '{value}' of the fix ({op}) cannot go into the goal file.",
    },
    "health.cli.unknown_fix": {
        "ja": "修正 {id}：その ID の指摘はありません（使える ID：{ids}）。",
        "en": "--fix {id}: no finding has that ID (IDs with a fix: {ids}).",
    },
    "health.cli.no_fix": {
        "ja": "修正 {id}：この指摘には自動で直せる修正がありません。",
        "en": "--fix {id}: this finding has no fix that can be applied to the goal file.",
    },
    # Pitfall 1: the KPI no longer drives the KGI.
    "health.p1.same_as_kgi": {
        "ja": "KPI「{kpi_name}」は KGI と同じ指標（{metric}）です。",
        "en": "KPI '{kpi_name}' is the KGI's own metric ({metric}).",
    },
    "health.p1.linked": {
        "ja": "KPI「{kpi_name}」の月々の増減は KGI（{kgi_metric}）の増減とつながっています（相関 {correlation}、"
        "{lag}か月遅れ、確からしさ {confidence}）。",
        "en": "KPI '{kpi_name}' moves with the KGI ({kgi_metric}) month on month (correlation {correlation}, "
        "{lag} month(s) later, confidence {confidence}).",
    },
    "health.p1.weak": {
        "ja": "KPI「{kpi_name}」の増減と KGI（{kgi_metric}）の増減のつながりが弱いです（相関は最大でも "
        "{correlation}、確からしさ {confidence}）。",
        "en": "KPI '{kpi_name}' hardly moves with the KGI ({kgi_metric}): its best correlation is {correlation} "
        "(confidence {confidence}).",
    },
    "health.p1.reversed": {
        "ja": "KPI「{kpi_name}」が良くなる月ほど KGI（{kgi_metric}）が悪くなっています（相関 {correlation}、"
        "確からしさ {confidence}）。KPI が KGI を動かしていません。",
        "en": "KPI '{kpi_name}' improves when the KGI ({kgi_metric}) worsens (correlation {correlation}, confidence "
        "{confidence}): the KPI does not drive the KGI.",
    },
    "health.p1.volume_up_quality_down": {
        "ja": "KPI「{kpi_name}」は直近{window}か月で {kpi_change} 増えましたが、{partner}は {partner_change} "
        "変化しました。量は増えても質が落ちています（グッドハートの法則）。",
        "en": "KPI '{kpi_name}' changed {kpi_change} over the last {window} months while {partner} changed "
        "{partner_change}: more volume of lower quality (Goodhart's law).",
    },
    "health.p1.kpi_up_kgi_down": {
        "ja": "KPI「{kpi_name}」は直近{window}か月で {kpi_change} 改善しましたが、KGI（{partner}）は "
        "{partner_change} 変化しました。KPI だけが良くなっています（グッドハートの法則）。",
        "en": "KPI '{kpi_name}' improved {kpi_change} over the last {window} months while the KGI ({partner}) "
        "changed {partner_change}: the KPI is met at the goal's expense (Goodhart's law).",
    },
    "health.p1.short_history": {
        "ja": "KPI「{kpi_name}」と KGI のつながりを見るには、完了した月が13か月以上必要です（今は{months}か月）。",
        "en": "KPI '{kpi_name}': at least 13 complete months are needed to judge its link with the KGI ({months} now).",
    },
    "health.p1.remedy.goodhart": {
        "ja": "数字だけを追わせていないか確かめ、質を表す指標（受注率や転換率）を対にして見てください。"
        "商談が増えて受注率が下がるのは商談の質の問題です。",
        "en": "Check the number is not chased for its own sake and pair it with a quality measure (win rate, "
        "conversion): deals up while the win rate falls is a deal-quality problem.",
    },
    "health.p1.remedy.reversed": {
        "ja": "この KPI を KGI につながる別の指標に置き換えるか、外してください。",
        "en": "Replace the KPI with one that moves the KGI, or drop it.",
    },
    "health.p1.remedy.weak": {
        "ja": "KPI の動きが KGI の動きと連動しているかを定期的に確かめ、つながらなければ見直してください。",
        "en": "Check regularly that the KPI's movement goes with the KGI's; revise the KPI if it does not.",
    },
    # Pitfall 2: vague definitions.
    "health.p2.not_computable": {
        "ja": "KPI「{kpi_name}」は手元のデータから計算できません（足りない数値：{missing}）。",
        "en": "KPI '{kpi_name}' cannot be computed from the data at hand (missing: {missing}).",
    },
    "health.p2.no_definition": {
        "ja": "KPI「{kpi_name}」に定義が書かれていません。何を数えるのかが人によって変わります。",
        "en": "KPI '{kpi_name}' has no written definition: what counts is left to each person.",
    },
    "health.p2.smart_gaps": {
        "ja": "KPI「{kpi_name}」は SMART のうち {gaps} が欠けています。",
        "en": "KPI '{kpi_name}' falls short of SMART on: {gaps}.",
    },
    "health.p2.defined": {
        "ja": "KPI「{kpi_name}」は定義があり、データから計算でき、SMART を満たしています。",
        "en": "KPI '{kpi_name}' is defined, computable from the data and SMART.",
    },
    "health.p2.remedy.not_computable": {
        "ja": "その数値を含むデータを取り込むか、計算できる指標に替えてください。"
        "数値にできないものは KPI ではありません。",
        "en": "Load data that holds those figures or choose a metric the data can give: if it cannot be "
        "quantified it is not a KPI.",
    },
    "health.p2.remedy.no_definition": {
        "ja": "「有効商談」や「有望リード」のように、何を数えるかを定義として書いてください。",
        "en": "Write down what counts, as for a valid deal or a qualified lead.",
    },
    "health.p2.remedy.smart_gaps": {
        "ja": "具体的で、測れて、KGI に関係し、期限のある形に書き直してください。",
        "en": "Rewrite it so it is specific, measurable, relevant to the KGI and time-bound.",
    },
    # Pitfall 3: too many or too few KPIs.
    "health.p3.no_kpis": {"ja": "目標ファイルに KPI がありません。", "en": "The goal file has no KPI."},
    "health.p3.too_many": {
        "ja": "部門「{department}」の KPI が{count}個あります（目安は{low}〜{high}個）。KGI とのつながりが弱いものから"
        "外す候補：{drop}。",
        "en": "Department '{department}' has {count} KPIs ({low}–{high} keep focus). Least linked to the KGI, "
        "first to drop: {drop}.",
    },
    "health.p3.too_few": {
        "ja": "部門「{department}」の KPI が{count}個だけです（目安は{low}〜{high}個）。",
        "en": "Department '{department}' has only {count} KPI(s) ({low}–{high} recommended).",
    },
    "health.p3.unbalanced": {
        "ja": "部門「{department}」には{missing_class}の KPI がありません。",
        "en": "Department '{department}' has no {missing_class} KPI.",
    },
    "health.p3.ok": {
        "ja": "部門「{department}」の KPI は{count}個で、先行指標と結果指標の両方があります。",
        "en": "Department '{department}' has {count} KPIs, leading and lagging.",
    },
    "health.p3.remedy.too_many": {
        "ja": "重要でない KPI を外し、1部門3〜5個に絞ってください。同じ動きをする KPI はまとめられます：{merge}。",
        "en": "Drop the KPIs that are not key and keep 3–5 per department; KPIs that move together can be merged: "
        "{merge}.",
    },
    "health.p3.remedy.too_few": {
        "ja": "KGI を動かす先行指標と結果指標を合わせて3〜5個にしてください。",
        "en": "Add leading and lagging KPIs that drive the KGI, 3–5 in all.",
    },
    "health.p3.remedy.unbalanced": {
        "ja": "先行指標だけではつながらず、結果指標だけでは手遅れになります。両方を組み合わせてください。",
        "en": "Leading indicators alone may not connect and lagging ones alone come too late: balance both.",
    },
    # Pitfall 4: bad target values.
    "health.p4.far_above": {
        "ja": "KPI「{kpi_name}」の目標 {target}（1{per}あたり）は過去{months}か月の最高月（{best_period}の {best}）を"
        "大きく上回ります（過去の {percentile} パーセンタイル、必要な伸び {required_growth}、これまでの伸び "
        "{past_growth}）。",
        "en": "KPI '{kpi_name}': the target {target} per {per} is far above the best of the last {months} months "
        "({best} in {best_period}; percentile {percentile}, growth needed {required_growth} against "
        "{past_growth} so far).",
    },
    "health.p4.above_band": {
        "ja": "KPI「{kpi_name}」の目標 {target}（1{per}あたり）は実績から見た現実的な範囲（{low}〜{high}）を"
        "超えています（過去の {percentile} パーセンタイル、{months}か月中{met}か月達成）。",
        "en": "KPI '{kpi_name}': the target {target} per {per} is above the realistic band {low}–{high} "
        "(percentile {percentile}; met in {met} of {months} months).",
    },
    "health.p4.too_easy": {
        "ja": "KPI「{kpi_name}」の目標 {target}（1{per}あたり）は過去{months}か月中{met}か月ですでに達成しており、"
        "伸びしろがありません（過去の {percentile} パーセンタイル）。",
        "en": "KPI '{kpi_name}': the target {target} per {per} was already met in {met} of {months} months "
        "(percentile {percentile}): it asks for no progress.",
    },
    "health.p4.growth_gap": {
        "ja": "KPI「{kpi_name}」の目標 {target} には {required_growth} の伸びが必要ですが、これまでの伸びは "
        "{past_growth} です。",
        "en": "KPI '{kpi_name}': the target {target} needs {required_growth} growth; the past growth is {past_growth}.",
    },
    "health.p4.realistic": {
        "ja": "KPI「{kpi_name}」の目標 {target}（1{per}あたり）は実績から見て現実的です（過去の {percentile} "
        "パーセンタイル、目安 {low}〜{high}）。",
        "en": "KPI '{kpi_name}': the target {target} per {per} is realistic against its history (percentile "
        "{percentile}, band {low}–{high}).",
    },
    "health.p4.short_history": {
        "ja": "KPI「{kpi_name}」の目標を実績と比べるには、完了した月が{months}か月以上必要です。",
        "en": "KPI '{kpi_name}': at least {months} complete months are needed to compare its target with the history.",
    },
    "health.p4.remedy.fraud": {
        "ja": "高すぎる目標は不正を生みます（顧客1人に8口座というノルマで、無断の口座開設が数千件起きた銀行の例）。"
        "過去の実績と業界水準をもとに、{low}〜{high} の範囲から段階的に引き上げてください。",
        "en": "Unrealistic targets breed fraud (a bank's quota of 8 accounts per customer led to thousands of "
        "unauthorised accounts): base the target on past performance and benchmarks, within {low}–{high}, and "
        "step up gradually.",
    },
    "health.p4.remedy.step_up": {
        "ja": "根拠のない目標は「どうせ無理」を生みます。"
        "実績をもとに {low}〜{high} の範囲で段階的に引き上げてください。",
        "en": "A target with no basis breeds 'it's impossible anyway': step up gradually from the history, within "
        "{low}–{high}.",
    },
    "health.p4.remedy.too_easy": {
        "ja": "実績の中央値（{low}）以上を目標にしてください。",
        "en": "Set the target at least at the history's typical month ({low}).",
    },
    # Pitfall 5: no action.
    "health.p5.ok": {
        "ja": "KPI「{kpi_name}」には担当者、振り返りの頻度（{review}）、打ち手のある CSF があります。",
        "en": "KPI '{kpi_name}' has an owner, a review cadence ({review}) and a CSF with actions.",
    },
    "health.p5.no_owner": {
        "ja": "KPI「{kpi_name}」に担当者がいません。",
        "en": "KPI '{kpi_name}' has no owner.",
    },
    "health.p5.slow_review": {
        "ja": "KPI「{kpi_name}」は1{per}ごとの目標なのに、振り返りは{review}です。未達に気づくのが遅れます。",
        "en": "KPI '{kpi_name}' has a target per {per} but is reviewed {review}: a miss is seen too late.",
    },
    "health.p5.no_csf": {
        "ja": "KPI「{kpi_name}」に CSF（成功要因と打ち手）が用意されていません。",
        "en": "KPI '{kpi_name}' has no CSF (success factor with actions) prepared.",
    },
    "health.p5.no_actions": {
        "ja": "KPI「{kpi_name}」の CSF に具体的な打ち手が書かれていません。",
        "en": "The CSFs of KPI '{kpi_name}' list no actions.",
    },
    "health.p5.stale_data": {
        "ja": "データの最終日は{last}で、{days}日前です。{review}の振り返りに最新の数字がありません。",
        "en": "The data ends on {last}, {days} days ago: a {review} review has no current numbers.",
    },
    "health.p5.fresh_data": {
        "ja": "データは{last}まであり、{review}の振り返りに間に合っています。",
        "en": "The data runs to {last}, recent enough for a {review} review.",
    },
    "health.p5.stale_goals": {
        "ja": "目標ファイルは{modified}から{days}日間更新されていません（振り返りは{review}）。",
        "en": "The goal file has not been updated since {modified} ({days} days; reviews are {review}).",
    },
    "health.p5.fresh_goals": {
        "ja": "目標ファイルは{modified}に更新されています。",
        "en": "The goal file was updated on {modified}.",
    },
    "health.p5.remedy.no_owner": {
        "ja": "KPI ごとに担当者を一人決め、その人が数字と打ち手に責任を持つようにしてください。",
        "en": "Name one owner per KPI who answers for its number and its actions.",
    },
    "health.p5.remedy.slow_review": {
        "ja": "{cadence}振り返り、「なぜ未達か」と「次に何をするか」を同じ会議で決めてください。",
        "en": "Review it {cadence} and decide 'why it missed' and 'what we do next' in the same meeting.",
    },
    "health.p5.remedy.no_csf": {
        "ja": "未達になる前に、切り替えられる CSF と打ち手を複数用意してください（CSF ピボット）。",
        "en": "Prepare several CSFs with actions before the miss, so the team can switch levers at once.",
    },
    "health.p5.remedy.no_actions": {
        "ja": "CSF ごとに、すぐ実行できる打ち手を書いてください。",
        "en": "List for each CSF the actions the team can start at once.",
    },
    "health.p5.remedy.stale_data": {
        "ja": "振り返りの前に最新のデータを取り込み、数字をグラフで共有してください。",
        "en": "Load the latest data before each review and share the numbers as charts.",
    },
    "health.p5.remedy.stale_goals": {
        "ja": "振り返りで決めたことを目標ファイルに反映し、計画・実行・評価・改善を回してください。",
        "en": "Put what each review decides into the goal file (PDCA).",
    },
    # Pitfall 6: disconnect from the field.
    "health.p6.no_owner_data": {
        "ja": "データに担当者の列がないため、現場ごとの到達可能性は判定できません。",
        "en": "The data has no owner column: reach per rep cannot be judged.",
    },
    "health.p6.few_reps": {
        "ja": "KPI「{kpi_name}」：3か月以上の実績がある担当者が2人未満のため、現場ごとの比較ができません。",
        "en": "KPI '{kpi_name}': fewer than 2 reps have 3 months of data: the field cannot be compared.",
    },
    "health.p6.remedy.out_of_reach": {
        "ja": "現場と一緒に目標をつくり、なぜこの数字を追うのかを説明してください。"
        "半数の担当者が届く目標は {suggested} です。",
        "en": "Build the target with the field and explain why each number is tracked; half the reps can reach "
        "{suggested}.",
    },
    "health.p6.remedy.wide_spread": {
        "ja": "担当者ごとの実績をもとに、本人と話し合って割り当てを決めてください。",
        "en": "Split the target by each rep's own history, agreed with them.",
    },
    # Pitfall 7: rigidity.
    "health.p7.short_history": {
        "ja": "状況の変化を見るには、完了した月が{needed}か月以上必要です（今は{months}か月）。",
        "en": "At least {needed} complete months are needed to see a change ({months} now).",
    },
    "health.p7.mix_stable": {
        "ja": "{role}の構成は{first}〜{last}で大きく変わっていません（変化 {distance}）。",
        "en": "The {role} mix has stayed steady from {first} to {last} (shift {distance}).",
    },
    "health.p7.mix_shift_revised": {
        "ja": "{role}の構成が変わりました（変化 {distance}、「{top}」{top_change}）。"
        "目標ファイルは{modified}に見直し済みです。",
        "en": "The {role} mix shifted ({distance}; '{top}' {top_change}); the goal file was revised on {modified}.",
    },
    "health.p7.mix_shift": {
        "ja": "{role}の構成が変わりました（変化 {distance}、「{top}」{top_change}）が、"
        "目標ファイルは{since}以降見直されていません（最終更新 {modified}）。",
        "en": "The {role} mix shifted ({distance}; '{top}' {top_change}) but the goal file has not been revised "
        "since {since} (last updated {modified}).",
    },
    "health.p7.mix_shift_unknown": {
        "ja": "{role}の構成が変わりました（変化 {distance}、「{top}」{top_change}）。"
        "その後 KPI を見直したか確かめてください。",
        "en": "The {role} mix shifted ({distance}; '{top}' {top_change}): check the KPIs were revised since.",
    },
    "health.p7.link_stable": {
        "ja": "KPI「{kpi_name}」と KGI のつながりは前半から後半にかけて弱まっていません（{before} → {after}）。",
        "en": "KPI '{kpi_name}': its link with the KGI has not weakened between the two halves ({before} → {after}).",
    },
    "health.p7.link_shift_revised": {
        "ja": "KPI「{kpi_name}」と KGI のつながりが弱まりました（{before} → {after}）。"
        "目標ファイルは{modified}に見直し済みです。",
        "en": "KPI '{kpi_name}': its link with the KGI weakened ({before} → {after}); the goal file was revised "
        "on {modified}.",
    },
    "health.p7.link_shift": {
        "ja": "KPI「{kpi_name}」と KGI のつながりが{since}以降弱まりました（{before} → {after}）が、目標ファイルは"
        "見直されていません（最終更新 {modified}）。",
        "en": "KPI '{kpi_name}': its link with the KGI weakened from {since} ({before} → {after}) but the goal file "
        "has not been revised (last updated {modified}).",
    },
    "health.p7.link_shift_unknown": {
        "ja": "KPI「{kpi_name}」と KGI のつながりが{since}以降弱まりました（{before} → {after}）。"
        "KPI を見直してください。",
        "en": "KPI '{kpi_name}': its link with the KGI weakened from {since} ({before} → {after}): revise the KPI.",
    },
    "health.p7.remedy.mix_shift": {
        "ja": "少なくとも四半期に一度 KPI を見直してください。変化の速いデジタルのチャネルほど必要です"
        "（顧客がアプリに移ってもウェブの KPI を追い続けた例）。",
        "en": "Review the KPIs at least quarterly, fast-changing digital channels most (customers moved to the app "
        "while the team kept chasing website KPIs).",
    },
    "health.p7.remedy.link_shift": {
        "ja": "この KPI がまだ KGI を動かしているか確かめ、動かしていなければ別の CSF の指標に切り替えてください。",
        "en": "Check the KPI still drives the KGI; if not, switch to another CSF's measure.",
    },
    # ------------------------------------------------------------------ workspaces (kpi_core/workspace)
    # Errors: one sentence each, revealing nothing about workspaces the reader has no key for.
    "workspace.not_found": {
        "ja": "ワークスペースが見つかりません。リンクが正しいか、共有した人に確かめてください。",
        "en": "Workspace not found. Check the link, or ask the person who shared it.",
    },
    "workspace.read_only": {
        "ja": "このリンクは閲覧用なので、ワークスペースは変更できません。変更するには編集用のリンクで開いてください。",
        "en": "This link is for viewing only, so the workspace cannot be changed: open it with the editor link.",
    },
    "workspace.locked": {
        "ja": "別の編集者がこのワークスペースを {until} まで編集中です。その後でもう一度試してください。",
        "en": "Another editor is changing this workspace until {until}: try again after that.",
    },
    "workspace.bad_name": {
        "ja": "ワークスペースの名前を {max} 文字以内で付けてください。",
        "en": "Give the workspace a name of at most {max} characters.",
    },
    "workspace.bad_fiscal_start": {
        "ja": "年度の開始月は 1 から 12 の数で指定してください（「{value}」は使えません）。",
        "en": "The first month of the fiscal year must be a number from 1 to 12, not '{value}'.",
    },
    "workspace.bad_calendar": {
        "ja": "営業日カレンダー「{value}」は使えません。{allowed} のどれかを指定してください。",
        "en": "Unknown business-day calendar '{value}': use one of {allowed}.",
    },
    "workspace.bad_currency": {
        "ja": "通貨「{value}」は使えません。{allowed} のどれかを指定してください。",
        "en": "Unknown currency '{value}': use one of {allowed}.",
    },
    "workspace.bad_snapshot": {
        "ja": "このワークスペースにスナップショット「{value}」はありません。",
        "en": "This workspace has no snapshot '{value}'.",
    },
    "workspace.no_files": {
        "ja": "ワークスペースに入れるファイルを1つ以上指定してください。",
        "en": "Give at least one file to put into the workspace.",
    },
    "workspace.storage": {
        "ja": "ワークスペースを保存できませんでした。データの保存先に書き込めるか、管理者に確かめてもらってください。",
        "en": "The workspace could not be saved: ask the operator to check that the data directory can be written.",
    },
    "workspace.damaged": {
        "ja": "ワークスペース {id} の保存データが読めません。バックアップから戻してください。",
        "en": "The stored data of workspace {id} cannot be read: restore it from a backup.",
    },
    "workspace.no_key": {
        "ja": "編集用のキーを --key で指定してください（データの保存先があるサーバーの管理者は --admin でも可）。",
        "en": "Give the editor key with --key (or --admin, for the operator of the server that holds the data).",
    },
    # Command-line output.
    "workspace.cli.created": {
        "ja": "ワークスペース（ID {id}）を作りました。",
        "en": "Workspace {id} created.",
    },
    "workspace.cli.editor_link": {
        "ja": "編集用リンク（共有しないでください）：{link}",
        "en": "Editor link (keep it private): {link}",
    },
    "workspace.cli.viewer_link": {
        "ja": "閲覧用リンク：{link}",
        "en": "Viewer link: {link}",
    },
    "workspace.cli.link_hint": {
        "ja": "リンクはアプリの URL の後ろに付けて開きます。",
        "en": "Append a link to the app's base URL to open it.",
    },
    "workspace.cli.snapshot_added": {
        "ja": "ワークスペース {id} に新しいデータ（スナップショット {snapshot}、{rows} 行）を入れました。"
        "前のデータも残っています。",
        "en": "Workspace {id} holds the new data (snapshot {snapshot}, {rows} rows); the earlier data is kept.",
    },
    "workspace.cli.revoked": {
        "ja": "ワークスペース {id} の古いリンクは使えなくなりました。新しいリンクを共有してください。",
        "en": "The old links of workspace {id} no longer work: share the new ones.",
    },
    "workspace.cli.none": {
        "ja": "ワークスペースはまだありません。",
        "en": "No workspaces yet.",
    },
    "workspace.cli.list_row": {
        "ja": "{id}  {name}  更新 {updated}  スナップショット {snapshots}",
        "en": "{id}  {name}  updated {updated}  snapshots {snapshots}",
    },
    "workspace.bad_allowed": {
        "ja": "「{value}」はメールアドレスでも @ドメイン でもありません。{examples} の形で指定してください。",
        "en": "'{value}' is neither an e-mail address nor an @domain: write it like {examples}.",
    },
    "workspace.too_many_allowed": {
        "ja": "開ける人のリストは {max} 件までです。個別のアドレスの代わりに @ドメイン を使ってください。",
        "en": "The list of who may open it holds at most {max} entries: use an @domain instead of single addresses.",
    },
    "workspace.cli.allowed": {
        "ja": "ワークスペース {id} は、サインインした次の人だけが開けます：{allowed}",
        "en": "Workspace {id} opens only for these signed-in people: {allowed}",
    },
    "workspace.cli.everyone": {
        "ja": "ワークスペース {id} は、リンクを持っている人なら誰でも開けます。",
        "en": "Workspace {id} opens for anyone holding a link.",
    },
    "workspace.cli.cleaned": {
        "ja": "書き込み途中で残った一時ファイルを {removed} 件消しました。",
        "en": "Removed {removed} temporary files left by an interrupted write.",
    },
    # ------------------------------------------------------------------ the Excel report (kpi_core/report_xlsx.py)
    "xlsx.title": {"ja": "KPI Pivot レポート", "en": "KPI Pivot report"},
    "xlsx.name": {"ja": "データ", "en": "Data"},
    "xlsx.scope": {"ja": "対象", "en": "Scope"},
    "xlsx.as_of": {"ja": "基準日", "en": "As of"},
    "xlsx.calendar": {"ja": "営業日カレンダー", "en": "Business-day calendar"},
    "xlsx.calendar.jp": {"ja": "土日祝休み", "en": "Weekends and JP holidays off"},
    "xlsx.calendar.weekends": {"ja": "土日休み", "en": "Weekends off"},
    "xlsx.calendar.none": {"ja": "毎日営業", "en": "Every day"},
    "xlsx.currency": {"ja": "通貨", "en": "Currency"},
    "xlsx.sheet.summary": {"ja": "サマリー", "en": "Summary"},
    "xlsx.sheet.by": {"ja": "{role}別", "en": "By {role}"},
    "xlsx.sheet.monthly": {"ja": "月別", "en": "Monthly"},
    "xlsx.sheet.charts": {"ja": "グラフ", "en": "Charts"},
    "xlsx.section.kgi": {"ja": "KGI（{period}）", "en": "KGI ({period})"},
    "xlsx.section.month": {"ja": "今月の KGI（{period}）", "en": "The month's KGI ({period})"},
    "xlsx.section.kpis": {"ja": "KPI の状況", "en": "KPIs"},
    "xlsx.section.pivots": {"ja": "打ち手の候補（上位）", "en": "Top pivots"},
    "xlsx.section.advice": {"ja": "次の一手", "en": "What to do next"},
    "xlsx.col.kgi": {"ja": "KGI（最終目標）", "en": "KGI"},
    "xlsx.col.kpi": {"ja": "KPI（中間指標）", "en": "KPI"},
    "xlsx.col.period": {"ja": "期間", "en": "Period"},
    "xlsx.col.start": {"ja": "開始日", "en": "Start"},
    "xlsx.col.complete": {"ja": "締め", "en": "Closed"},
    "xlsx.col.target": {"ja": "目標", "en": "Target"},
    "xlsx.col.actual": {"ja": "実績（基準日まで）", "en": "Actual to date"},
    "xlsx.col.booked": {"ja": "確定済み", "en": "Booked so far"},
    "xlsx.col.forecast": {"ja": "着地予測", "en": "Forecast"},
    "xlsx.col.low": {"ja": "予測の下限", "en": "Forecast low"},
    "xlsx.col.high": {"ja": "予測の上限", "en": "Forecast high"},
    "xlsx.col.gap": {"ja": "目標との差", "en": "Gap to target"},
    "xlsx.col.chance": {"ja": "目標に届く確率", "en": "Chance of reaching the target"},
    "xlsx.col.supported": {"ja": "過去の実績で届く水準", "en": "Level history supports"},
    "xlsx.col.status": {"ja": "状況", "en": "Status"},
    "xlsx.col.rank": {"ja": "順位", "en": "Rank"},
    "xlsx.col.shortfall": {"ja": "不足している目標", "en": "Short of"},
    "xlsx.col.lever": {"ja": "動かす指標", "en": "Lever"},
    "xlsx.col.current": {"ja": "現在", "en": "Current"},
    "xlsx.col.required": {"ja": "必要な水準", "en": "Required"},
    "xlsx.col.change": {"ja": "変化率", "en": "Change"},
    "xlsx.col.verdict": {"ja": "判定", "en": "Verdict"},
    "xlsx.col.seen": {"ja": "過去に届いた月", "en": "Months reached"},
    "xlsx.status.on_track": {"ja": "順調", "en": "On track"},
    "xlsx.status.at_risk": {"ja": "要注意", "en": "At risk"},
    "xlsx.status.off_track": {"ja": "遅れ", "en": "Off track"},
    "xlsx.status.no_data": {"ja": "データなし", "en": "No data"},
    "xlsx.verdict.no_change_needed": {"ja": "変更不要", "en": "No change needed"},
    "xlsx.verdict.feasible": {"ja": "実現可能", "en": "Feasible"},
    "xlsx.verdict.stretch": {"ja": "背伸び", "en": "Stretch"},
    "xlsx.verdict.impossible": {"ja": "不可能", "en": "Impossible"},
    "xlsx.verdict.no_history": {"ja": "過去の実績なし", "en": "No history"},
    "xlsx.complete.yes": {"ja": "確定", "en": "Closed"},
    "xlsx.complete.no": {"ja": "途中", "en": "In progress"},
    "xlsx.chart.monthly": {"ja": "月別の{metric}", "en": "{metric} by month"},
    "xlsx.chart.by": {"ja": "{role}別の{metric}", "en": "{metric} by {role}"},
    "xlsx.download": {"ja": "Excel レポート", "en": "Excel report"},
    "xlsx.download_help": {
        "ja": "今の表示（フィルター・基準日・カレンダー）のサマリー、内訳、月別の表とグラフを Excel ファイルで"
        "ダウンロードします。",
        "en": "Download the summary, breakdowns, monthly table and charts of this view (filters, as-of date, "
        "calendar) as an Excel file.",
    },
    # --- quotas by rep and team (issue 14: kpi_core/goals.py quotas, kpi_core/quotas.py) ---------------------------
    "goalfile.quota_unknown_kpi": {
        "ja": "id が {kpi} の KPI がありません（使える id: {known}）",
        "en": "no KPI has id {kpi} (ids: {known})",
    },
    "goalfile.quota_twice": {
        "ja": "{owner} の {kpi} のノルマが2回書かれています",
        "en": "the quota of {owner} for {kpi} is given twice",
    },
    "goalfile.quota_negative": {
        "ja": "{owner} のノルマは0以上にしてください（{got}）",
        "en": "the quota of {owner} must be 0 or more (got {got})",
    },
    "goalfile.quota_team_conflict": {
        "ja": "{owner} のチームが {team} と {other} の2つ書かれています。1つにしてください",
        "en": "{owner} is given two teams, {team} and {other}: give one",
    },
    "teams.unreadable": {
        "ja": "チーム表 {file} を読めません。担当者とチームの2列の CSV（UTF-8 または Shift_JIS）か Excel に"
        "してください",
        "en": "cannot read the team file {file}: use a CSV (UTF-8 or Shift_JIS) or an Excel file with two columns, "
        "owner and team",
    },
    "teams.no_columns": {
        "ja": "チーム表 {file} に担当者とチームの列が見つかりません（見出し: {headers}）。見出しを「担当者」"
        "「チーム」にしてください",
        "en": "the team file {file} has no owner and team columns (headers: {headers}): name them Owner and Team",
    },
    "teams.conflict": {
        "ja": "チーム表 {file}: {owner} が {team} と {other} の2つのチームにいます。1つにしてください",
        "en": "team file {file}: {owner} is in two teams, {team} and {other}: keep one",
    },
    "teams.empty": {
        "ja": "チーム表 {file} に担当者の行がありません",
        "en": "the team file {file} has no rows of owners",
    },
    "quota.basis.quota": {"ja": "担当者別ノルマ", "en": "quota per rep"},
    "quota.basis.even_split": {"ja": "チーム目標の均等割り", "en": "even split of the team target"},
    "quota.basis.team_target": {"ja": "チーム目標（率）", "en": "team target (a rate)"},
    "quota.no_team": {"ja": "チーム未設定", "en": "No team"},
    # ------------------------------------------------------------------ pivots and plan in words (issue 11, item 2)
    # The pivot engine's findings (kpi_core/pivots/sentences.py renders them from each Explanation's code and
    # parameters) and the pivot table's words: the Pivots page and the `pivots` command say the same sentence.
    "pivots.sentence.kpi_if": {
        "ja": "{name}は{period}の目標{target}に対し{forecast}の見込みです。{name}がこの見込みどおりなら、受注金額は"
        "目標{kgi_target}に対し{kgi_forecast}です",
        "en": "{name} is forecast at {forecast} of {target} for {period}; if it ends there, revenue would be "
        "{kgi_forecast} of {kgi_target}",
    },
    "pivots.sentence.covered": {
        "ja": "。ほかのレバーの見込みで受注金額の目標はまかなえるため、打ち手を変える必要はありません"
        "（{pivots}件を確認）。",
        "en": ": the other levers' forecasts already cover the revenue target, so no pivot is needed "
        "({pivots} checked).",
    },
    "pivots.note.kgi_not_modelled": {
        "ja": "KGIの指標が {metric} のため、受注金額のドライバーモデルで打ち手を計算できません。",
        "en": "The KGI is {metric}, and the driver models explain won revenue: no pivots can be computed.",
    },
    "pivots.note.no_driver_model": {
        "ja": "このデータからは受注金額のドライバーモデルを作れません（金額・受注件数・件数の列が必要です）。",
        "en": "The data cannot feed a driver model of revenue (it needs amounts, won deals and a volume).",
    },
    "pivots.and_more": {"ja": " ほか{count}", "en": " and {count} more"},
    "pivots.verdict.no_change_needed": {"ja": "変更不要", "en": "No change needed"},
    "pivots.verdict.feasible": {"ja": "実現可能", "en": "Feasible"},
    "pivots.verdict.stretch": {"ja": "背伸び", "en": "Stretch"},
    "pivots.verdict.impossible": {"ja": "不可能", "en": "Impossible"},
    "pivots.verdict.no_history": {"ja": "過去の実績なし", "en": "No history"},
    "pivots.col.rank": {"ja": "順位", "en": "Rank"},
    "pivots.col.lever": {"ja": "レバー", "en": "Lever"},
    "pivots.col.current": {"ja": "現在", "en": "Now"},
    "pivots.col.required": {"ja": "必要", "en": "Needed"},
    "pivots.col.change": {"ja": "変化率", "en": "Change"},
    "pivots.col.seen": {"ja": "過去の実績", "en": "History"},
    "pivots.col.verdict": {"ja": "判定", "en": "Verdict"},
    "pivots.col.csf": {"ja": "CSF", "en": "CSF"},
    "pivots.sentence.no_model": {
        "ja": "{name}は未達の見込みですが、この指標を含むドライバーモデルがないため打ち手を計算できません。",
        "en": "{name} is forecast to miss, and no driver model holds it: no pivots.",
    },
    "pivots.sentence.kgi_short": {
        "ja": "{period}の受注金額は目標{target}に対し{forecast}の見込みです",
        "en": "Revenue for {period} is forecast at {forecast} of {target}",
    },
    "pivots.sentence.some_feasible": {
        "ja": "。{pivots}件の打ち手のうち{feasible}件は過去に実績があるか変更不要です（最有力：{best}）。",
        "en": ": {feasible} of {pivots} pivots were reached before or need no change (best: {best}).",
    },
    "pivots.sentence.none_feasible": {
        "ja": "。{pivots}件の打ち手はどれも過去に達成したことがありません。",
        "en": ": none of {pivots} pivots was reached in past months.",
    },
    "pivots.sentence.keep": {"ja": "{goal}を守るには、{move}。{tail}", "en": "To keep {goal}, {move}; {tail}"},
    "pivots.sentence.move_single": {
        "ja": "{lever}を{required}（{change}）にする必要があります",
        "en": "{lever} must reach {required} ({change})",
    },
    "pivots.sentence.enough_single": {
        "ja": "{lever}は{required}（{change}）でも足ります",
        "en": "{lever} would still be enough at {required} ({change})",
    },
    "pivots.sentence.enough_pair": {
        "ja": "{targets}でも足ります",
        "en": "{targets} would still be enough",
    },
    "pivots.sentence.pace": {"ja": "（残り期間は月{pace}のペース）", "en": " (a pace of {pace} a month)"},
    "pivots.sentence.move_pair": {
        "ja": "{targets}にする必要があります",
        "en": "{targets} are needed together",
    },
    "pivots.sentence.seen": {
        "ja": "過去{months}か月中{achieved}か月で達成",
        "en": "seen in {achieved} of {months} months",
    },
    "pivots.sentence.seen_together": {
        "ja": "過去{months}か月中{achieved}か月で同時に達成",
        "en": "seen together in {achieved} of {months} months",
    },
    "pivots.sentence.no_change": {"ja": "今の見込みで達成できます", "en": "the forecast already covers it"},
    "pivots.sentence.nothing_left": {
        "ja": "期間内に動かせる余地が残っていないため不可能です",
        "en": "nothing is left in the period to move it: impossible",
    },
    "pivots.sentence.above_max": {"ja": "100%を超えるため不可能です", "en": "above 100%: impossible"},
    "pivots.sentence.no_history": {"ja": "比べられる過去の月がありません", "en": "no past months to compare with"},
    "pivots.sentence.reached_by": {"ja": "（{groups}はすでに達成）", "en": "; already reached by {groups}"},
    "pivots.sentence.no_group": {
        "ja": "。担当者・セグメント・チャネル別にも達成例がなく、不可能です",
        "en": " and by no owner, segment or channel: impossible",
    },
    "pivots.sentence.impossible": {"ja": "。不可能です", "en": ": impossible"},
    "pivots.sentence.end": {"ja": "。", "en": "."},
    "pivots.sentence.csf": {
        "ja": "。→ CSF「{csf}」に切り替え：{actions}",
        "en": ": pivot to {csf}: {actions}",
    },
    "pivots.goodhart.moves": {
        "ja": "{kpi}は直近{window}か月でその前の{window}か月より{kb}→{ka}（{kc}）、"
        "同じ期間に{partner}は{pb}→{pa}（{pc}）",
        "en": "{kpi} went {kb} → {ka} ({kc}) over the last {window} months against the {window} before, while "
        "{partner} went {pb} → {pa} ({pc})",
    },
    "pivots.goodhart.correlation": {
        "ja": "。前月比の動きとKGIの相関は最大{corr}（{lag}か月遅れ、{changes}回の変化）",
        "en": "; its month-on-month changes go with the KGI's at best {corr} (lag {lag}, {changes} changes)",
    },
    "pivots.goodhart.flag.volume_up_quality_down": {
        "ja": "：量は増えたが質が下がっています。目標の犠牲でKPIを達成している恐れがあります",
        "en": ": more volume of lower quality",
    },
    "pivots.goodhart.flag.kpi_up_kgi_down": {
        "ja": "：KPIは良くなっているのにKGIが悪化しています",
        "en": ": the KPI improves while the KGI worsens",
    },
    "pivots.goodhart.flag.kpi_kgi_negative_correlation": {
        "ja": "：KPIの動きがKGIと逆向きです。KPIを見直してください",
        "en": ": the KPI does not move the KGI, review it",
    },
    "pivots.partner.opportunities_per_call": {"ja": "架電あたり商談数", "en": "Opportunities per call"},
    "pivots.partner.opportunities_per_visit": {"ja": "訪問あたり商談数", "en": "Opportunities per visit"},
    "pivots.partner.won_per_proposal": {"ja": "提案あたり受注数", "en": "Wins per proposal"},
    "pivots.what_if.required_title": {
        "ja": "目標に届くには、ほかのレバー単独で",
        "en": "To reach the target, each other lever alone",
    },
    "pivots.what_if.required_line": {
        "ja": "{lever}：{current} → {required}（{change}）",
        "en": "{lever}: {current} → {required} ({change})",
    },
    "pivots.what_if.setting": {"ja": "{lever}を{value}", "en": "{lever} at {value}"},
    "pivots.what_if.sentence": {
        "ja": "{settings}にすると、{period}の受注金額は{after}（目標{target}の{attainment}）になります"
        "（変更前の見込み{before}）。",
        "en": "With {settings}, revenue for {period} would end at {after} ({attainment} of {target}; forecast "
        "before: {before}).",
    },
    "pivots.identity.ok": {
        "ja": "{formula} は、実際の受注金額を合計でも各月（{periods}か月）でも誤差{tolerance}以内で再現しています。",
        "en": "{formula} reproduces actual revenue to within {tolerance} in total and in each of {periods} periods.",
    },
    "pivots.identity.residual": {
        "ja": "{formula} は実際の受注金額と合計で{residual}ずれ、{periods}か月中{flagged}か月で誤差が{tolerance}を"
        "超えています。{note}",
        "en": "{formula} differs from actual revenue by {residual} in total and by more than {tolerance} in "
        "{flagged} of {periods} periods. {note}",
    },
    "pivots.identity.note.sales": {
        "ja": "商談数は作成月、受注・失注・金額は完了月で数え、受注率は進行中の商談を含まないため、"
        "ずれは商談の作成と完了の時期の差を表します。",
        "en": "Opportunities count in the month they were created, wins, losses and revenue in the month they "
        "closed, and the win rate leaves open deals out: the residual shows how far deal creation and closing "
        "drift apart.",
    },
    "pivots.identity.note.marketing": {
        "ja": "段階間の転換率は同じ月の件数の比なので積は売上に一致します。ずれるのはある段階の件数が0の月です。",
        "en": "Stage-to-stage rates are ratios of the same month's counts, so the product telescopes to revenue; "
        "it differs only where a stage count of a month is zero.",
    },
    "pivots.identity.note.sustainability": {
        "ja": "新規顧客からの売上を既存顧客比率で割り戻しています。売上が0の月はずれます。",
        "en": "Revenue from new customers grossed up by the repeat share: exact whenever revenue is above zero.",
    },
    "pivots.model.sales": {"ja": "営業モデル", "en": "sales model"},
    "pivots.model.marketing": {"ja": "マーケティングモデル", "en": "marketing model"},
    "pivots.model.sustainability": {"ja": "継続性モデル", "en": "sustainability model"},
    # The `plan` and `pivots` commands' text output (kpi_core/plan_cli.py, kpi_core/pivots_cli.py), in --lang.
    "cli.as_of_calendar": {
        "ja": "基準日 {as_of}（営業日カレンダー：{calendar}）",
        "en": "as of {as_of} (calendar {calendar})",
    },
    "cli.calendar.jp": {"ja": "土日祝休み", "en": "JP holidays"},
    "cli.calendar.jp_yearend": {"ja": "土日祝・年末年始休み", "en": "JP holidays and year-end"},
    "cli.calendar.weekends": {"ja": "土日休み", "en": "weekends"},
    "cli.calendar.none": {"ja": "毎日営業", "en": "every day"},
    "cli.plan.col.id": {"ja": "ID", "en": "id"},
    "cli.plan.col.metric": {"ja": "指標", "en": "metric"},
    "cli.plan.col.period": {"ja": "期間", "en": "period"},
    "cli.plan.col.target": {"ja": "目標", "en": "target"},
    "cli.plan.col.expected": {"ja": "按分目標", "en": "expected"},
    "cli.plan.col.actual": {"ja": "実績", "en": "actual"},
    "cli.plan.col.gap": {"ja": "差", "en": "gap"},
    "cli.plan.col.attainment": {"ja": "達成率", "en": "attain"},
    "cli.plan.col.status": {"ja": "状態", "en": "status"},
    "cli.plan.col.forecast": {"ja": "見込み", "en": "forecast"},
    "cli.plan.col.low": {"ja": "下限", "en": "low"},
    "cli.plan.col.high": {"ja": "上限", "en": "high"},
    "cli.plan.col.probability": {"ja": "達成確率", "en": "P(target)"},
    "cli.plan.col.method": {"ja": "予測方法", "en": "method"},
    "cli.plan.status_rule": {
        "ja": "状態：営業日で按分した目標の{on_track_share}以上なら{on_track}、{at_risk_share}以上なら{at_risk}、"
        "それ未満は{off_track}",
        "en": "status: {on_track} ≥ {on_track_share} of the target pro-rated by business days, {at_risk} ≥ "
        "{at_risk_share}, else {off_track}",
    },
    "cli.plan.method.complete": {"ja": "確定", "en": "complete"},
    "cli.plan.method.current_value": {"ja": "現在値", "en": "current value"},
    "cli.plan.method.history_rate": {"ja": "過去のペース", "en": "history rate"},
    "cli.plan.method.run_rate": {"ja": "ランレート", "en": "run rate"},
    "cli.plan.method.pipeline": {"ja": "パイプライン", "en": "pipeline"},
    "cli.plan.method.blend": {"ja": "両者の平均", "en": "blend"},
    "cli.plan.consistency": {"ja": "目標の整合性：{status}", "en": "consistency: {status}"},
    "cli.plan.consistency.consistent": {"ja": "整合しています", "en": "consistent"},
    "cli.plan.consistency.mismatch": {"ja": "整合していません", "en": "mismatch"},
    "cli.plan.consistency.incomplete": {"ja": "判定できません（値が足りません）", "en": "incomplete"},
    "cli.plan.consistency.not_applicable": {"ja": "対象外", "en": "not applicable"},
    "cli.plan.consistency_detail": {
        "ja": "：{formula} = {implied}（KGI目標 {kgi_target} との差 {gap}、{share}）",
        "en": ": {formula} = {implied} against the KGI target {kgi_target} ({gap}, {share})",
    },
    "cli.plan.backward_title": {"ja": "逆算計画（月あたり）：", "en": "backward plan (per month):"},
    "cli.plan.backward_step": {"ja": "{metric}：{needed}{rate}{kpi}", "en": "{metric}: {needed}{rate}{kpi}"},
    "cli.plan.backward_rate": {"ja": "（{rate} {value}で）", "en": " at {rate} {value}"},
    "cli.plan.backward_kpi": {"ja": "（KPI {kpi}の目標：{target}）", "en": "  (KPI {kpi}: {target})"},
    "cli.pivots.kgi": {
        "ja": "基準日 {as_of}：KGI {name}（{per}の目標 {target}）",
        "en": "as of {as_of}: KGI {name} ({target} per {per})",
    },
    "cli.pivots.kgi_forecast": {"ja": "、見込み {forecast}", "en": ", forecast {forecast}"},
    "cli.pivots.per.week": {"ja": "週", "en": "week"},
    "cli.pivots.per.month": {"ja": "月", "en": "month"},
    "cli.pivots.per.quarter": {"ja": "四半期", "en": "quarter"},
    "cli.pivots.per.year": {"ja": "年度", "en": "year"},
    "cli.pivots.identity": {"ja": "モデルの検算（{model}）：{sentence}", "en": "identity ({model}): {sentence}"},
    "cli.pivots.note": {"ja": "注記：{sentence}", "en": "note: {sentence}"},
    "cli.pivots.none_missing": {
        "ja": "目標を下回る見込みのKPIはありません。",
        "en": "no KPI is forecast to miss its target.",
    },
    "cli.pivots.goodhart": {
        "ja": "グッドハートの法則のチェック：要注意 {count}件",
        "en": "Goodhart guard: {count} flagged",
    },
    "cli.pivots.what_if": {"ja": "シミュレーション：{sentence}", "en": "what-if: {sentence}"},
    # End of pivots and plan in words ----------------------------------------------------------------------------
    # --- period comparisons (issue 14 "Period comparisons": kpi_core/period_compare.py) ---------------------------
    # What a change is against: compare.<period>.<basis>[.to_date] (to_date: both periods cut at the same day).
    "compare.week.previous": {"ja": "前週比", "en": "vs last week"},
    "compare.week.previous.to_date": {"ja": "前週同曜日比", "en": "vs same days last week"},
    "compare.month.previous": {"ja": "前月比", "en": "vs last month"},
    "compare.month.previous.to_date": {"ja": "前月同日比", "en": "vs same days last month"},
    "compare.month.last_year": {"ja": "前年同月比", "en": "vs same month last year"},
    "compare.month.last_year.to_date": {"ja": "前年同月同日比", "en": "vs same days last year"},
    "compare.quarter.previous": {"ja": "前四半期比", "en": "vs last quarter"},
    "compare.quarter.previous.to_date": {"ja": "前四半期同日比", "en": "vs same days last quarter"},
    "compare.quarter.last_year": {"ja": "前年同期比", "en": "vs same quarter last year"},
    "compare.quarter.last_year.to_date": {"ja": "前年同期同日比", "en": "vs same days last year"},
    "compare.year.previous": {"ja": "前年度比", "en": "vs last year"},
    "compare.year.previous.to_date": {"ja": "前年度同日比", "en": "vs same days last year"},
    # Why a change is not shown (kpi_core/period_compare.py reasons).
    "compare.reason.no_data": {"ja": "比較期間のデータなし", "en": "no data for that period"},
    "compare.reason.partial_data": {"ja": "比較期間の途中からのデータ", "en": "data starts within that period"},
    "compare.reason.no_current_data": {"ja": "今期のデータはまだなし", "en": "no data yet this period"},
    "compare.reason.missing": {"ja": "算出できません", "en": "cannot be computed"},
    "cli.compare_undated": {
        "ja": "--compare には日付のあるデータが必要です（このデータには日付がありません）。",
        "en": "--compare needs dated data (this data has no dates).",
    },
    # --- the digest on the Weekly meeting page and as PDF (issue 14 "The digest", issue 12 PDF) --------------------
    "digest.no_since_plain": {
        "ja": "前回のデータと比べていないため、変化は入っていません。",
        "en": "Not compared with an earlier export: no changes listed.",
    },
    "digest.output_failed": {
        "ja": "ダイジェストを {file} に書き出せませんでした（フォルダーがない、または書き込みの権限がありません）。",
        "en": "The digest could not be written to {file} (the folder does not exist, or it cannot be written).",
    },
    "digest.pdf_terminal": {
        "ja": "PDF は端末には表示できません：--output でファイルを指定するか、"
        "出力をファイルにリダイレクトしてください。",
        "en": "A PDF cannot be shown in a terminal: give a file with --output, or redirect the output to a file.",
    },
    # --- the funnel as data tables (kpi_core/catalog: funnel, roles, stages, models .yaml; issue 11 "Structure") ----
    "table.syntax": {
        "ja": "{table} を読み込めません：{problem}",
        "en": "{table} cannot be read: {problem}",
    },
    "table.sections": {
        "ja": "{table} の最上位には {sections} だけを書いてください。",
        "en": "{table} must have exactly the sections {sections}.",
    },
    "table.not_a_mapping": {
        "ja": "{table} の「{entry}」は「名前: 値」の形で書いてください。",
        "en": "{table}: '{entry}' must map names to values.",
    },
    "table.not_a_list": {
        "ja": "{table} の「{entry}」はリストにしてください。",
        "en": "{table}: '{entry}' must be a list.",
    },
    "table.not_a_text": {
        "ja": "{table} の「{entry}」に空または文字でない値「{value}」があります。",
        "en": "{table}: '{entry}' holds '{value}', which is empty or not a text.",
    },
    "table.no_name": {
        "ja": "{table} の「{entry}」に名前（name）のない項目があります。",
        "en": "{table}: an entry of '{entry}' has no name.",
    },
    "table.unknown_field": {
        "ja": "{table} の「{entry}」に使えない項目「{field}」があります（使える項目：{allowed}）。",
        "en": "{table}: '{entry}' has an unknown field '{field}' (allowed: {allowed}).",
    },
    "table.missing_field": {
        "ja": "{table} の「{entry}」に「{field}」がありません。",
        "en": "{table}: '{entry}' has no '{field}'.",
    },
    "table.value": {
        "ja": "{table} の「{entry}」の {field} が「{value}」ですが、{allowed} のどれかにしてください。",
        "en": "{table}: '{entry}' has {field} '{value}': use one of {allowed}.",
    },
    "table.unknown_name": {
        "ja": "{table} の「{entry}」が「{name}」を使っていますが、{where} に定義がありません。",
        "en": "{table}: '{entry}' names '{name}', which {where} does not define.",
    },
    "table.label": {
        "ja": "{table} の「{entry}」の {field} には ja と en の両方が必要です。",
        "en": "{table}: the {field} of '{entry}' needs both ja and en.",
    },
    "table.repeated": {
        "ja": "{table} の「{entry}」の「{name}」は、「{other}」の「{first}」と同じです（どちらか一方にしてください）。",
        "en": "{table}: '{name}' in '{entry}' is the same as '{first}' in '{other}' (keep one of them).",
    },
    "table.unused": {
        "ja": "{table} の「{entry}」が {where} で使われていません。",
        "en": "{table}: '{entry}' is not used in {where}.",
    },
    "table.rank": {
        "ja": "{table} の「{entry}」の rank「{value}」は {previous} より大きい整数にしてください。",
        "en": "{table}: the rank '{value}' in '{entry}' must be a whole number above {previous}.",
    },
    "table.formula": {
        "ja": "{table} の「{entry}」の式（formula）が読めません：{problem}",
        "en": "{table}: the formula of '{entry}' cannot be read: {problem}",
    },
    "catalog.rank_literal": {
        "ja": "metrics.yaml の「{metric}」の {field} が level を数字と比べています。"
        "{{rank.opportunity}} のように段階の名前で書いてください（順位は funnel.yaml が決めます）。",
        "en": "metrics.yaml: the {field} of '{metric}' compares level with a number: write the level's name, "
        "as in {{rank.opportunity}} (funnel.yaml gives the ranks).",
    },
    # --- Forecast history and accuracy (issue 14: kpi_core/forecast_history.py, the weekly meeting's accuracy) ---
    "forecast_history.headline.week": {
        "ja": "先週（{period}）の予測精度 {accuracy}（幅の中に {held} / {ranged} 回）",
        "en": "Last week ({period}): forecast accuracy {accuracy}, inside the range {held} of {ranged} times",
    },
    "forecast_history.headline.month": {
        "ja": "先月（{period}）の予測精度 {accuracy}（幅の中に {held} / {ranged} 回）",
        "en": "Last month ({period}): forecast accuracy {accuracy}, inside the range {held} of {ranged} times",
    },
    "forecast_history.headline.quarter": {
        "ja": "前四半期（{period}）の予測精度 {accuracy}（幅の中に {held} / {ranged} 回）",
        "en": "Last quarter ({period}): forecast accuracy {accuracy}, inside the range {held} of {ranged} times",
    },
    "forecast_history.headline.year": {
        "ja": "前年度（{period}）の予測精度 {accuracy}（幅の中に {held} / {ranged} 回）",
        "en": "Last fiscal year ({period}): forecast accuracy {accuracy}, inside the range {held} of {ranged} times",
    },
    "forecast_history.actual_zero": {
        "ja": "{period} の実績が 0 のため、予測精度（1 − |実績 − 予測| ÷ 実績）は出せません（0 では割れません）。"
        "幅の中に入ったのは {held} / {ranged} 回です。",
        "en": "The actual for {period} is 0, so there is no accuracy (1 − |actual − forecast| ÷ actual would divide "
        "by 0). The actual fell inside the range {held} of {ranged} times.",
    },
    "forecast_history.no_values": {
        "ja": "{period} には、その日のデータから予測を出せた日がありません。",
        "en": "On no day of {period} could the data give a forecast.",
    },
    "forecast_history.no_forecasts": {
        "ja": "{period} の途中に出した予測がありません。",
        "en": "No forecast was made during {period}.",
    },
    "forecast_history.no_actual": {
        "ja": "データが {period} の終わりまで届いていないため、まだ採点できません。",
        "en": "The data does not reach the end of {period} yet, so the forecasts cannot be scored.",
    },
    "forecast_history.not_records": {
        "ja": "月ごとの集計表からは期間の途中の予測を作り直せないため、予測精度は出せません。"
        "1行1件（商談やリード）のデータで表示されます。",
        "en": "A sheet of monthly totals cannot replay forecasts made during a period, so there is no accuracy. "
        "Data with one row per deal or lead shows it.",
    },
    "forecast_history.backtest": {
        "ja": "これは履歴ではなくバックテストです。{period} の各週の最終営業日までデータを切り戻し、"
        "その日に出したはずの予測を作り直して、期間の実績と比べています。",
        "en": "This is a backtest, not history: the data is cut back to the last business day of each week of "
        "{period}, the forecast that day's data gives is made again and compared with the period's actual.",
    },
    "forecast_history.backtest_year": {
        "ja": "これは履歴ではなくバックテストです。{period} の各月の最終営業日までデータを切り戻し、"
        "その日に出したはずの予測を作り直して、期間の実績と比べています。",
        "en": "This is a backtest, not history: the data is cut back to the last business day of each month of "
        "{period}, the forecast that day's data gives is made again and compared with the period's actual.",
    },
    "forecast_history.backtest_week": {
        "ja": "これは履歴ではなくバックテストです。{period} の各営業日までデータを切り戻し、"
        "その日に出したはずの予測を作り直して、期間の実績と比べています。",
        "en": "This is a backtest, not history: the data is cut back to each business day of {period}, the "
        "forecast that day's data gives is made again and compared with the period's actual.",
    },
    "forecast_history.stored": {
        "ja": "各スナップショットを取り込んだ日に出ていた予測を、期間の実績と比べています。",
        "en": "The forecasts shown on the day of each snapshot, compared with the period's actual.",
    },
    "forecast_history.reconstructed": {
        "ja": "うち {count} 回分は予測が保存されていなかったため、そのスナップショットのデータから作り直しました。",
        "en": "{count} of them had no stored forecasts: they were made again from that snapshot's own data.",
    },
    "forecast_history.no_snapshots": {
        "ja": "このワークスペースには {period} 中にこの指標の予測を出したスナップショットがないため、"
        "データから作ったバックテストを表示しています。",
        "en": "No snapshot of this workspace holds a forecast of this goal made during {period}, so a backtest "
        "made from the data is shown instead.",
    },
    # --- quotas in the health check, plan / digest / check --teams, the plan's reps (issue 14 quota follow-ups:
    # kpi_core/health/field.py, kpi_core/plan_cli.py, kpi_core/digest.py) ------------------------------------------
    "health.p6.basis.even_split": {"ja": "チーム目標の均等割り", "en": "an even split of the team target"},
    "health.p6.basis.team_target": {"ja": "チーム目標", "en": "the team target"},
    "health.p6.quota.out_of_reach": {
        "ja": "KPI「{kpi_name}」：担当者ごとのノルマ（月 {quotas}）で見ると、過去の実績で届くのは{reps}人のうち"
        "{reach}人だけです（担当者ごとの典型的な月は {low}〜{high}）。",
        "en": "KPI '{kpi_name}': judged against each rep's own quota ({quotas} a month), only {reach} of {reps} reps "
        "reach it in their own months (typical months range {low}–{high}).",
    },
    "health.p6.quota.reachable": {
        "ja": "KPI「{kpi_name}」：担当者ごとのノルマ（月 {quotas}）で見ると、{reps}人のうち{reach}人が過去の実績で"
        "届いています。",
        "en": "KPI '{kpi_name}': judged against each rep's own quota ({quotas} a month), {reach} of {reps} reps reach "
        "it in their own months.",
    },
    "health.p6.mixed.out_of_reach": {
        "ja": "KPI「{kpi_name}」：各自のノルマ（月 {quotas}）と、ノルマのない{split_reps}人は{fallback}（{share}）で"
        "見ると、過去の実績で届くのは{reps}人のうち{reach}人だけです（担当者ごとの典型的な月は {low}〜{high}）。",
        "en": "KPI '{kpi_name}': judged against each rep's own quota ({quotas} a month) or, for the {split_reps} "
        "without one, {fallback} ({share}), only {reach} of {reps} reps reach it in their own months (typical "
        "months range {low}–{high}).",
    },
    "health.p6.mixed.reachable": {
        "ja": "KPI「{kpi_name}」：各自のノルマ（月 {quotas}）と、ノルマのない{split_reps}人は{fallback}（{share}）で"
        "見ると、{reps}人のうち{reach}人が過去の実績で届いています。",
        "en": "KPI '{kpi_name}': judged against each rep's own quota ({quotas} a month) or, for the {split_reps} "
        "without one, {fallback} ({share}), {reach} of {reps} reps reach it in their own months.",
    },
    "health.p6.even_split.out_of_reach": {
        "ja": "KPI「{kpi_name}」：ノルマが設定されていないため、チーム目標の均等割り（1人 {share}）で見ると、過去の"
        "実績で届くのは{reps}人のうち{reach}人だけです（担当者ごとの典型的な月は {low}〜{high}）。",
        "en": "KPI '{kpi_name}': with no quotas set, judged against an even split of the team target ({share} each), "
        "only {reach} of {reps} reps reach it in their own months (typical months range {low}–{high}).",
    },
    "health.p6.even_split.reachable": {
        "ja": "KPI「{kpi_name}」：ノルマが設定されていないため、チーム目標の均等割り（1人 {share}）で見ると、"
        "{reps}人のうち{reach}人が過去の実績で届いています。",
        "en": "KPI '{kpi_name}': with no quotas set, judged against an even split of the team target ({share} each), "
        "{reach} of {reps} reps reach it in their own months.",
    },
    "health.p6.even_split.wide_spread": {
        "ja": "KPI「{kpi_name}」：担当者ごとの典型的な月の差が {spread} あります（{low}〜{high}）。ノルマがなく、"
        "チーム目標の均等割り（1人 {share}）は現場の実態と合いません。",
        "en": "KPI '{kpi_name}': reps' typical months differ {spread} ({low}–{high}): with no quotas set, an even "
        "split of the team target ({share} each) ignores the field.",
    },
    "health.p6.team_target.out_of_reach": {
        "ja": "KPI「{kpi_name}」：ノルマが設定されていないため、チーム目標（{share}）で見ると、過去の実績で届くのは"
        "{reps}人のうち{reach}人だけです（担当者ごとの典型的な月は {low}〜{high}）。",
        "en": "KPI '{kpi_name}': with no quotas set, judged against the team target ({share}), only {reach} of {reps} "
        "reps reach it in their own months (typical months range {low}–{high}).",
    },
    "health.p6.team_target.reachable": {
        "ja": "KPI「{kpi_name}」：ノルマが設定されていないため、チーム目標（{share}）で見ると、{reps}人のうち"
        "{reach}人が過去の実績で届いています。",
        "en": "KPI '{kpi_name}': with no quotas set, judged against the team target ({share}), {reach} of {reps} reps "
        "reach it in their own months.",
    },
    "health.p6.remedy.quota": {
        "ja": "次の担当者のノルマを、本人の過去の実績をもとに一緒に見直してください：{owners}",
        "en": "Revisit the quota of these reps with them, from their own months: {owners}.",
    },
    "health.p6.remedy.mixed": {
        "ja": "次の担当者の目標を、本人の過去の実績をもとに一緒に見直してください：{owners}。ノルマのない担当者は"
        "チーム目標の均等割りで見ているため、各自のノルマを決めてください。",
        "en": "Revisit the targets of these reps with them, from their own months: {owners}. Reps without a quota "
        "are judged on an even split of the team target: agree a quota with each.",
    },
    "cli.no_team_file": {
        "ja": "{spec}：チーム表のファイルが見つかりません",
        "en": "{spec}: no such team file",
    },
    "cli.plan.reps_title": {"ja": "担当者別 {id}（{basis}）：", "en": "by rep, {id} ({basis}):"},
    "cli.plan.col.rank": {"ja": "順位", "en": "#"},
    "cli.plan.col.owner": {"ja": "担当者", "en": "rep"},
    "cli.plan.col.team": {"ja": "チーム", "en": "team"},
    "cli.plan.col.quota": {"ja": "ノルマ", "en": "quota"},
    "digest.owners_quota": {
        "ja": "ノルマの達成率が最も低い担当者：{owners}",
        "en": "Furthest behind their own quota: {owners}",
    },
    "digest.kgi_owners_quota": {
        "ja": "KGI のノルマの達成率が最も低い担当者：{owners}",
        "en": "Furthest behind their KGI quota: {owners}",
    },
    "digest.owner_item": {"ja": "{owner} {attainment}（{gap}）", "en": "{owner} {attainment} ({gap})"},
    "digest.owner_team": {"ja": "{owner}（{team}）", "en": "{owner} ({team})"},
    # Forecast method sentences and goal status words, one catalogue for the Pacing and Goals pages and the `plan`
    # command (issue 11 item 2; kpi_core/pacing_sentences.py builds the sentences from the method code + params).
    "goals.status.on_track": {"ja": "順調", "en": "On track"},
    "goals.status.at_risk": {"ja": "要注意", "en": "At risk"},
    "goals.status.off_track": {"ja": "遅れ", "en": "Off track"},
    "goals.status.no_data": {"ja": "データなし", "en": "No data"},
    "pacing.per.week": {"ja": "週", "en": "weeks"},
    "pacing.per.month": {"ja": "か月", "en": "months"},
    "pacing.per.quarter": {"ja": "四半期", "en": "quarters"},
    "pacing.per.year": {"ja": "年度", "en": "years"},
    "pacing.brief.range_analogues": {
        "ja": "幅は過去{n}{per}の同じ時点の予測の外れから。",
        "en": " Range from how the same forecast ended in the past {n} {per}.",
    },
    "pacing.brief.range_normal": {
        "ja": "幅は営業日あたりの実績のばらつきから。",
        "en": " Range from the month-to-month variation of the daily rate.",
    },
    "pacing.brief.range_none": {
        "ja": "履歴が短いため幅はありません。",
        "en": " No range: too little history.",
    },
    "pacing.brief.compared": {
        "ja": "（過去の典型的な外れ：{listed}）",
        "en": " (typical past miss: {listed})",
    },
    "pacing.brief.rate_volume": {
        "ja": "営業日 {total}日のうち{elapsed}日で{actual}、同じペースで期末まで伸ばしました",
        "en": "{actual} so far in {elapsed} of {total} business days, extended at the same pace",
    },
    "pacing.brief.rate_ratio": {
        "ja": "営業日 {total}日のうち{elapsed}日の率{actual}を、分子と分母それぞれのペースで期末まで伸ばしました",
        "en": "a rate, so far {actual} in {elapsed} of {total} business days, its parts extended at their own pace",
    },
    "pacing.brief.pipeline": {
        "ja": "パイプライン：実績 {actual} + 進行中の案件の期待値：{value}。",
        "en": "Pipeline: the actual so far, {actual}, plus the open deals' expectation: {value}.",
    },
    "pacing.method.no_actual": {
        "ja": "この期間の実績がまだないため、予測はありません。",
        "en": "No figures in this period yet, so there is no forecast.",
    },
    "pacing.method.complete": {
        "ja": "期間は終了しています。値は実績の {actual} です。",
        "en": "The period is over: the value is the actual, {actual}.",
    },
    "pacing.method.current_value": {
        "ja": "日々積み上がる数量ではない（残高・中央値・その組み合わせ）ため、"
        "現在の値 {actual} をそのまま示しています。",
        "en": "Not a volume that builds up over the days: the current value, {actual}, is shown without extending it.",
    },
    "pacing.method.history_rate": {
        "ja": "期間の営業日がまだ始まっていないため、"
        "過去12か月の営業日あたりの実績 × この期間の営業日 {total}日で予測しました。",
        "en": "No business day of the period has passed: the trailing 12 months' rate per business day × the {total} "
        "business days of the period.",
    },
    "pacing.method.run_rate": {"ja": "ランレート：{rate}：{value}。", "en": "Run rate: {rate}: {value}."},
    "pacing.method.blend": {
        "ja": "ランレート（{rate}）とパイプライン予測（実績 + 進行中の案件の期待値）の平均：{value}。",
        "en": "Average of the run rate ({rate}) and the pipeline forecast (actual plus the open deals' expectation): "
        "{value}.",
    },
    "pacing.method.maturing": {
        "ja": "注意：作成日と到達した最も先の段階で数えているため、最近作成されたリードは今後さらに進む可能性があり、"
        "期末後も値が増えることがあります。",
        "en": " Caution: counted by created date and the furthest stage reached; recent records may still move "
        "up, so the figure can grow after the period ends.",
    },
    "cli.plan.method_line": {"ja": "{id}：{sentence}", "en": "{id}: {sentence}"},
    # --- a workspace keeps its team mapping (issue 14 teams × issue 12 workspaces: kpi_core/workspace) -----------
    "workspace.bad_teams": {
        "ja": "チームの対応表を保存できません：担当者とチームは空でない {max} 文字以内の文字で、1 人に 1 チーム、"
        "{rows} 行までにしてください。",
        "en": "The team mapping cannot be saved: each owner and team must be non-empty text of at most {max} "
        "characters, one team per owner, at most {rows} rows.",
    },
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
