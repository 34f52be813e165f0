"""The ja / en catalogue of the engine's sentences (intake warnings, skipped rows…): code + parameters → text.

The CLI renders it with `--lang`; the UI merges it into its own table, so one sentence is written once.
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # Rows skipped before any figure: never an error, always counted and listed.
    "skip.blank_row": {"ja": "空の行", "en": "blank row"},
    "skip.summary_row": {"ja": "集計行（{text}）", "en": "summary row ({text})"},
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
}


def render(key: str, lang: str = "en", /, **params: object) -> str:
    """The sentence for `key` in `lang`, with {placeholders} filled from `params` (the key itself when unknown)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text
