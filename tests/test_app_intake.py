"""Honest intake in the app (issue 9): the engine's warnings at the top of the pages they affect and of the Data
page, in Japanese and English, user text escaped; the evidence, date-order and currency choices on the Data page;
skipped rows and file links listed; money in the data's currency.

The CSV files are written here by hand. Where the engine does not report a finding yet, the test adds it to the
loaded Dataset (`add_findings`), so the page is tested either way; those cases say so.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, deals_csv, expected_small, metric_values, upload

import ui.data as ui_data
from kpi_core.intake.findings import IntakeWarning, Link, Skipped
from kpi_core.intake.load import Dataset, LoadOptions
from kpi_core.messages import MESSAGES
from ui.format import escape_markdown
from ui.intake_notice import (
    MAX_SENTENCES,
    PAGE_CODES,
    page_warnings,
    rows_line,
    warning_text,
)

FUNNEL = "pages/2_Funnel.py"
DATA = "pages/1_Data.py"
PIPELINE = "pages/3_Pipeline.py"
CSV = "text/csv"

# Two open deals whose amount is not known yet (未定 / TBD): counted, amount unknown, and said so.
OPEN_DEALS = (
    "Deal ID,Created Date,Close Date,Stage,Amount,Owner\r\n"
    "T1,2025-04-01,2025-05-10,Won,1000000,Aoki\r\n"
    "T2,2025-04-03,2025-05-20,Lost,800000,Baba\r\n"
    "T3,2025-04-05,,Proposal,未定,Aoki\r\n"
    "T4,2025-05-01,,Negotiation,TBD,Baba\r\n"
    "T5,2025-05-02,2025-06-20,Won,500000,Chiba\r\n"
    "T6,2025-05-09,,Proposal,700000,Chiba\r\n"
).encode()
OPEN_DEALS_NAME = "open_deals.csv"
OPEN_DEALS_JA = "「Amount」の2件の金額が読めません"
OPEN_DEALS_EN = "in 'Amount', 2 of the amounts could not be read"

# Day and month both 12 or less: the values do not say which comes first.
AMBIGUOUS_DATES = (
    b"Deal ID,Created Date,Close Date,Stage,Amount\r\n"
    b"A1,03/04/2025,06/07/2025,Won,100000\r\n"
    b"A2,05/06/2025,,Proposal,200000\r\n"
    b"A3,07/08/2025,09/10/2025,Lost,300000\r\n"
)

# A blank line and a totals line (合計) under the deals.
WITH_TOTALS = (
    "Deal ID,Created Date,Close Date,Stage,Amount\r\n"
    "S1,2025-04-01,2025-05-10,Won,1000000\r\n"
    "S2,2025-04-02,2025-05-12,Lost,500000\r\n"
    ",,,,\r\n"
    "S3,2025-04-03,,Proposal,200000\r\n"
    "合計,,,,1700000\r\n"
).encode()


# ------------------------------------------------------------------------------------------------ helpers
def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(page).run() if page != "home.py" else at


def add_findings(monkeypatch, extra: Callable[[Dataset], dict]) -> list[LoadOptions]:
    """Wrap the cached loader: each load's Dataset gets `extra(dataset)`'s fields (a copy: the cache keeps the
    engine's). Returns the LoadOptions of every load, in order."""
    original = ui_data._load_cached
    seen: list[LoadOptions] = []

    def load(key: str, inputs: tuple, options: LoadOptions, **kwargs) -> Dataset:
        seen.append(options)
        dataset = original(key, inputs, options, **kwargs)
        return dataclasses.replace(dataset, **extra(dataset))

    monkeypatch.setattr(ui_data, "_load_cached", load)
    return seen


def record_options(monkeypatch) -> list[LoadOptions]:
    return add_findings(monkeypatch, lambda dataset: {})


def nodes(at: AppTest) -> Iterator:
    """Every element of the main area in the order drawn."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    yield from walk(at.main)


def position(at: AppTest, found: Callable[[object], bool]) -> int:
    return next(i for i, node in enumerate(nodes(at)) if found(node))


def first_figure_position(at: AppTest) -> int:
    return position(at, lambda n: n.type in ("metric", "dataframe", "vega_lite_chart"))


def warning_position(at: AppTest, text: str) -> int:
    return position(at, lambda n: n.type == "warning" and text in str(n.value))


# Latin words the Japanese pages may show besides the user's data: names, codes and units.
ALLOWED_LATIN = {"KPI", "Pivot", "ID", "MQL", "SQL", "CSV", "Excel", "SFA", "MA", "UTF", "Shift", "JIS", "xlsx"}
ALLOWED_LATIN |= {"MB", "KB", "PNG", "SVG", "JPY", "USD", "EUR", "GBP", "CNY", "FY", "pt", "English"}


TEXT_ELEMENTS = {"title", "header", "subheader", "markdown", "caption", "warning", "info", "error", "success"}


def visible_texts(at: AppTest) -> list[str]:
    """Every text a reader sees: headings, sentences, alerts, figures, widget labels and choices, table headers."""
    texts: list[str] = []
    for root in (at.main, at.sidebar):
        stack = [root]
        while stack:
            node = stack.pop()
            stack.extend(getattr(node, "children", {}).values())
            kind = getattr(node, "type", "")
            if kind in TEXT_ELEMENTS and not str(node.value).startswith("<style>"):
                texts.append(str(node.value))
            elif kind == "metric":
                texts += [node.label, node.value, node.proto.help]
            elif kind == "page_link":
                texts.append(node.proto.label)
            elif kind == "dataframe":
                config = json.loads(node.proto.columns or "{}")
                shown = [c for c in node.value.columns if not config.get(str(c), {}).get("hidden")]
                texts += [str(config.get(str(c), {}).get("label", c)) for c in shown]
            elif kind not in ("block", "main", "sidebar", "column", "flex_container", "expander", "popover"):
                for name in ("label", "help", "placeholder"):
                    text = getattr(node.proto, name, None) if hasattr(node, "proto") else None
                    if isinstance(text, str):
                        texts.append(text)
                if kind in ("selectbox", "segmented_control", "multiselect", "radio"):
                    texts += [str(o) for o in node.options]
    return texts


def english_words(texts: list[str], user_text: list[str]) -> set[str]:
    """Latin words in `texts` once the user's data (file and column names, cells) is taken out."""
    found: set[str] = set()
    for text in texts:
        text = text.replace("\\", "")  # Markdown escapes of user text
        for value in sorted({v.replace("\\", "") for v in user_text}, key=len, reverse=True):
            text = text.replace(value, " ")
        found |= {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN}
    return found


# ------------------------------------------------------------------------------------------------ sentences
def test_every_engine_warning_reads_in_both_languages_with_user_text_escaped():
    file, column = "deals_[Q1].csv", "**Amount**"
    params = {
        "date_order_proven": {"order": "dmy", "proofs": 12},
        "date_order_assumed": {"order": "mdy", "by": "language"},
        "date_order_mixed": {"order": "dmy"},
        "role_uncertain": {"role": "owner", "fit": 0.62},
        "currency_mixed": {"currencies": ["USD", "JPY"]},
    }
    codes = [key.removeprefix("warn.") for key in MESSAGES if key.startswith("warn.")]
    assert "amount_unreadable" in codes
    for code in codes:
        warning = IntakeWarning(file, column, code, 1234, ["<b>x</b>", "[a](http://x)"], params.get(code, {}))
        for lang in ("ja", "en"):
            text = warning_text(warning, lang)
            assert "{" not in text and "}" not in text, (code, lang)
            assert "[a](http" not in text and "<b>" not in text and "**Amount**" not in text, (code, lang)
            if "{file}" in MESSAGES[f"warn.{code}"][lang]:
                assert escape_markdown(file) in text
            if lang == "ja":
                user = [escape_markdown(v) for v in (file, column, "<b>x</b>", "[a](http://x)")]
                assert english_words([text], user) == set(), code


def test_the_words_inside_a_sentence_follow_the_language():
    assumed = IntakeWarning("a.csv", "Close", "date_order_assumed", params={"order": "dmy", "by": "language"})
    assert "日→月→年の順" in warning_text(assumed, "ja") and "表示言語" in warning_text(assumed, "ja")
    assert "read day-first, as usual for the display language" in warning_text(assumed, "en")
    uncertain = IntakeWarning("a.csv", "Rep", "role_uncertain", params={"role": "owner", "fit": 0.62})
    assert "担当者として" in warning_text(uncertain, "ja") and "62%" in warning_text(uncertain, "ja")
    mixed = IntakeWarning("a.csv", "Amount", "currency_mixed", params={"currencies": {"USD": 12, "JPY": 3}})
    assert "USD 12, JPY 3" in warning_text(mixed, "en")


def test_an_unknown_code_or_placeholder_still_reads_as_a_sentence():
    unknown = IntakeWarning("a_b.csv", "Amount", "something_new", 3, ["x"])
    assert warning_text(unknown, "ja") == (
        "a\\_b\\.csvの「Amount」：3 件の値の読み取りに確認が必要です。データページで確認してください。"
    )
    assert warning_text(unknown, "en") == "a\\_b\\.csv, 'Amount': 3 values need a look; check them on the Data page."
    no_params = IntakeWarning("a.csv", "Date", "date_order_assumed")  # order / by missing: no KeyError
    assert "a\\.csv" in warning_text(no_params, "en")


def _dataset(warnings: list[IntakeWarning], **fields) -> Dataset:
    values = {
        "con": None,
        "shape": "records",
        "mapping": {"id": "ID", "created": "C", "closed": "D", "stage": "S", "amount": "A"},
        "columns": [],
        "files": [],
        "rows_read": 0,
        "rows_used": 0,
        "rejected": 0,
        "rejects": [],
        "warnings": warnings,
    }
    return Dataset(**{**values, **fields})


def test_each_page_shows_the_warnings_that_affect_its_figures_the_most_serious_first():
    found = [
        IntakeWarning("a.csv", "Date", "date_order_proven", params={"order": "dmy"}),
        IntakeWarning("a.csv", "Date", "date_order_assumed", params={"order": "dmy", "by": "language"}),
        IntakeWarning("a.csv", "Amount", "amount_unreadable", 2, ["TBD"]),
        IntakeWarning("a.csv", "Won?", "flag_conflict", 1, ["T1"]),
        IntakeWarning("", None, "missing_outcome"),
        IntakeWarning("a.csv", "Amount", "currency_mixed", params={"currencies": ["USD", "JPY"]}),
        IntakeWarning("a.csv", None, "unwrapped"),
    ]
    dataset = _dataset(found)
    codes = {page: [w.code for w in page_warnings(dataset, page)] for page in (*PAGE_CODES, "data")}
    assert codes["pipeline"] == [
        "currency_mixed",
        "missing_outcome",
        "amount_unreadable",
        "flag_conflict",
        "date_order_assumed",
    ]
    assert codes["funnel"] == ["missing_outcome", "flag_conflict", "date_order_assumed"]  # no money on the funnel
    assert codes["goals"] == ["currency_mixed", "missing_outcome", "amount_unreadable", "date_order_assumed"]
    assert set(codes["home"]) == set(codes["pipeline"])
    assert codes["pacing"] == codes["pivots"] == codes["goals"]
    assert len(codes["data"]) == len(found)  # the Data page: every warning, a proven order and a split file too


def test_rows_line_and_missing_roles():
    dataset = _dataset([], rejected=3, skipped=[Skipped("a.csv", 9, "summary_row", "合計")])
    assert rows_line(dataset, "ja") == (
        "3 行を読み取れず除外、空行・集計行 1 行は数えていません（データページに一覧があります）。"
    )
    assert rows_line(dataset, "en") == "3 rows could not be read / 1 summary or blank rows skipped: see the Data page."
    assert rows_line(_dataset([]), "en") is None


# ------------------------------------------------------------------------------------------------ the pages
@pytest.mark.parametrize(("lang", "sentence"), [("ja", OPEN_DEALS_JA), ("en", OPEN_DEALS_EN)])
def test_an_unreadable_amount_is_said_at_the_top_of_the_data_and_pipeline_pages(lang, sentence):
    at = open_page(DATA, lang=lang)
    upload(at, (OPEN_DEALS_NAME, OPEN_DEALS, CSV))
    assert not at.exception
    assert any(sentence in w.value and "open\\_deals\\.csv" in w.value for w in at.warning)
    assert warning_position(at, sentence) < first_figure_position(at)  # above the figures and the preview
    at.switch_page(PIPELINE).run()
    assert not at.exception
    top = [w.value for w in at.warning if sentence in w.value]
    assert len(top) == 1
    assert warning_position(at, sentence) < first_figure_position(at)
    links = [p for p in at.get("page_link") if p.proto.page == "Data" and p.proto.label]
    assert any(p.proto.label in ("データページで確認する", "Check on the Data page") for p in links)


def test_the_japanese_pages_show_no_english_besides_the_data():
    at = open_page(DATA, lang="ja")
    upload(at, (OPEN_DEALS_NAME, OPEN_DEALS, CSV))
    rows = [line.split(",") for line in OPEN_DEALS.decode().splitlines()]
    user = sorted({cell for row in rows for cell in row if cell} | {OPEN_DEALS_NAME}, key=len, reverse=True)
    user += [escape_markdown(u) for u in user] + ["CSV / Excel"]
    assert english_words(visible_texts(at), user) == set()
    at.switch_page(PIPELINE).run()
    assert english_words(visible_texts(at), user) == set()


def test_a_page_without_anything_to_say_shows_no_notice():
    at = open_page(DATA, lang="en")
    upload(at, ("clean_deals.csv", deals_csv(), CSV))
    assert not at.exception
    at.switch_page(PIPELINE).run()
    assert not at.exception
    assert not at.warning
    assert "intake_notice" not in {getattr(n.proto, "id", "") for n in nodes(at) if n.type == "block"}


def _many_warnings(dataset: Dataset) -> dict:
    column = "Amount"
    extra = [
        IntakeWarning("many.csv", column, "currency_mixed", params={"currencies": ["USD", "EUR"]}),
        IntakeWarning("many.csv", "Created Date", "month_precision", examples=["2025-04"]),
        IntakeWarning("many.csv", "Owner", "role_uncertain", params={"role": "owner", "fit": 0.55}),
        IntakeWarning("many.csv", column, "decimal_comma", examples=["1.234,50"]),
        IntakeWarning("many.csv", "Stage", "flag_conflict", 2, ["M1"]),  # not a goals page warning
    ]
    return {"warnings": [*dataset.warnings, *extra]}


def test_at_most_three_sentences_on_a_page_and_the_rest_counted(monkeypatch):
    # Engine-independent: the warnings are added to the loaded data.
    add_findings(monkeypatch, _many_warnings)
    at = open_page(DATA, lang="en")
    upload(at, ("many.csv", deals_csv().replace(b"D1,", b"M1,"), CSV))
    at.switch_page(PIPELINE).run()
    assert not at.exception
    (text,) = [w.value for w in at.warning if "mixes currencies" in w.value]
    assert text.count("\n- ") + text.startswith("- ") == MAX_SENTENCES
    assert "+2 more on the Data page." in text
    at.switch_page(DATA).run()
    box = next(w.value for w in at.warning if "mixes currencies" in w.value)
    assert box.count("- ") >= 5  # the Data page lists every one


def test_the_currency_choice_changes_the_load_options_and_the_money_on_every_page(monkeypatch):
    seen = record_options(monkeypatch)
    at = open_page(DATA, lang="ja")
    upload(at, ("usd_deals.csv", deals_csv().replace(b"Owner", b"Rep"), CSV))
    revenue = expected_small()["won_revenue"]  # 5,000,000
    choice = next(s for s in at.selectbox if s.key.startswith("currency_choice_"))
    assert choice.value == "auto"
    choice.set_value("USD").run()
    assert not at.exception
    assert at.session_state["source_options"]["upload"].currency == "USD"
    assert seen[-1].currency == "USD"
    assert any("米ドル（USD）" in m.value and "あなたが指定" in m.value for m in at.markdown)
    at.switch_page(FUNNEL).run()  # the range's totals (Home shows the current month)
    assert metric_values(at)["受注金額"] == "$5M"  # not 万円, and no trailing .0
    at.segmented_control(key="w_lang").set_value("en").run()
    assert metric_values(at)["Won revenue"] == "$5M"
    help_text = next(m.proto.help for m in at.metric if m.label == "Won revenue")
    assert f"${revenue:,}" in help_text
    at.switch_page(DATA).run()
    next(s for s in at.selectbox if s.key.startswith("currency_choice_")).set_value("auto").run()
    assert at.session_state["source_options"]["upload"].currency is None
    at.switch_page(FUNNEL).run()  # the range's totals (Home shows the current month)
    assert metric_values(at)["Won revenue"] == "¥5M"


def _date_order_evidence(dataset: Dataset) -> dict:
    """The engine's evidence, or (before it gives one) what it would say for AMBIGUOUS_DATES."""
    evidence = dict(dataset.evidence or {})
    if not evidence.get("date_order"):
        evidence["date_order"] = {
            "Created Date": {"order": "mdy", "by": "language", "day_first": 0, "month_first": 0, "examples": []},
        }
    return {"evidence": evidence}


def _bounds(at: AppTest) -> tuple:
    return tuple(at.date_input(key="w_dates").value)


def test_the_date_order_choice_changes_the_load_options_and_the_dates(monkeypatch):
    import datetime as dt

    seen = add_findings(monkeypatch, _date_order_evidence)
    at = open_page(DATA, lang="ja")
    upload(at, ("ambiguous.csv", AMBIGUOUS_DATES, CSV))
    assert not at.exception
    line = next(m.value for m in at.markdown if "「Created Date」の日付" in m.value)
    assert "値からは決まらない" in line or "件の値" in line or "指定" in line  # why, in words
    choice = next(s for s in at.selectbox if s.key.startswith("date_order_"))
    assert choice.options == ["自動判定", "日→月の順（31/12/2025）", "月→日の順（12/31/2025）"]
    choice.set_value("dmy").run()
    assert not at.exception
    assert at.session_state["source_options"]["upload"].date_orders == {"Created Date": "dmy"}
    assert seen[-1].date_orders == {"Created Date": "dmy"}
    day_first = _bounds(at)
    next(s for s in at.selectbox if s.key.startswith("date_order_")).set_value("mdy").run()
    assert seen[-1].date_orders == {"Created Date": "mdy"}
    month_first = _bounds(at)
    if not _engine_reads_date_orders():
        pytest.skip("the engine does not read LoadOptions.date_orders yet: the options are checked, not the dates")
    assert day_first[0] == dt.date(2025, 4, 3)  # 03/04/2025 day-first
    assert month_first[0] == dt.date(2025, 3, 4)


def test_only_data_read_in_the_language_is_loaded_again_for_it(monkeypatch):
    seen = record_options(monkeypatch)
    at = open_page(DATA, lang="en")
    upload(at, ("clean_for_lang.csv", deals_csv().replace(b"D3,", b"L3,"), CSV))
    at.segmented_control(key="w_lang").set_value("ja").run()
    assert not at.exception
    assert {getattr(o, "lang", None) for o in seen} == {None}  # ISO dates: one reading serves both languages
    upload(at, ("ambiguous_lang.csv", AMBIGUOUS_DATES.replace(b"A1,", b"L1,"), CSV))
    assert not at.exception
    if not hasattr(seen[-1], "lang"):
        pytest.skip("the engine takes no language yet")
    assert seen[-1].lang == "ja"  # 03/04/2025: the order follows the reader's language
    at.segmented_control(key="w_lang").set_value("en").run()
    assert seen[-1].lang == "en"


def _engine_reads_date_orders() -> bool:
    from kpi_core.intake.load import FileInput, load_dataset

    def first(order: str) -> object:
        options = LoadOptions(date_orders={"Created Date": order})
        dataset = load_dataset([FileInput("probe.csv", AMBIGUOUS_DATES)], options)
        return dataset.cursor().execute("SELECT min(created) FROM records").fetchall()[0][0]

    return first("dmy") != first("mdy")


def _skipped(dataset: Dataset) -> dict:
    if dataset.skipped:
        return {}
    found = [Skipped("totals.csv", 4, "blank_row"), Skipped("totals.csv", 6, "summary_row", "合計")]
    return {"skipped": found}


def test_skipped_rows_are_counted_and_listed(monkeypatch):
    # The engine's skipped rows when it finds them, else the two rows it should find (blank line 4, 合計 line 6).
    add_findings(monkeypatch, _skipped)
    at = open_page(DATA, lang="ja")
    upload(at, ("totals.csv", WITH_TOTALS, CSV))
    assert not at.exception
    assert metric_values(at)["飛ばした行"] == "2"
    table = next(df.value for df in at.dataframe if "理由" in df.value.columns and "空の行" in set(df.value["理由"]))
    assert table["ファイル上の行"].tolist() == [4, 6]
    assert pd.api.types.is_integer_dtype(table["ファイル上の行"])
    assert table["理由"].tolist() == ["空の行", "集計行（合計）"]
    assert any("空行・集計行" in c.value for c in at.caption)  # read = used + rejected + skipped + linked
    at.switch_page("home.py").run()
    told = [p.proto.label for p in at.get("page_link") if p.proto.page == "Data"]
    told += [w.value for w in at.warning]  # in the warning when rows were also rejected, else the link itself
    assert any("空行・集計行 2 行は数えていません" in text for text in told)


def _evidence(dataset: Dataset) -> dict:
    evidence = {
        "id": {"column": "Deal ID", "by": "header", "fit": 1.0, "alternatives": []},
        "owner": {"column": "Owner", "by": "values", "fit": 0.98, "alternatives": ["Lead Source"]},
        "refused": {"items": [{"role": "closed", "column": "Lead Source", "fit": 0.0}]},
        "currency": {"code": "USD", "by": "cells", "counts": {"USD": 9}, "mixed": False},
    }
    return {"evidence": evidence, "currency": "USD"}


def test_the_roles_show_how_each_column_was_found(monkeypatch):
    add_findings(monkeypatch, _evidence)  # engine-independent: the evidence is given
    at = open_page(DATA, lang="ja")
    upload(at, ("evidence.csv", deals_csv().replace(b"D2,", b"E2,"), CSV))
    assert not at.exception
    editor = next(e for e in at.data_editor if e.key.startswith("roles_editor_")).value.set_index("role")
    assert editor.loc["ID", "found_by"] == "見出し" and editor.loc["ID", "fit"] == "100.0%"
    assert editor.loc["担当者", "found_by"] == "値" and editor.loc["担当者", "fit"] == "98.0%"
    assert editor.loc["担当者", "others"] == "Lead Source"
    refused = " ".join(i.value for i in at.info)
    assert "Lead Source" in refused and "完了日" in refused and "0.0%" in refused
    assert any("米ドル（USD）" in m.value and "セルの「\\$」から" in m.value for m in at.markdown)  # $: no math


def test_two_files_show_how_they_are_linked(monkeypatch):
    def links(dataset: Dataset) -> dict:
        return {} if dataset.links else {"links": [Link("activity.csv", "Deal ID", "one_to_one", 9, 0)]}

    add_findings(monkeypatch, links)  # the engine's links once it gives them
    activity = "Deal ID,Calls\r\n" + "".join(f"D{i},{i + 1}\r\n" for i in range(1, 10))
    at = open_page(DATA, lang="ja")
    upload(at, ("deals.csv", deals_csv(), CSV), ("activity.csv", activity.encode(), CSV))
    assert not at.exception
    table = next(df.value for df in at.dataframe if "関係" in df.value.columns)
    assert table["ファイル"].tolist() == ["activity.csv"]
    assert table["結合する列"].tolist() == ["Deal ID"]
    words = {"親ファイル（多対1）", "明細ファイル（1対多）", "同じ案件の別の列（1対1）"}
    assert set(table["関係"]) <= words | {"受注一覧（一致した案件を受注に）"}  # in words, never the engine's code
    assert pd.api.types.is_integer_dtype(table["一致した行"])


def test_the_stage_choices_read_as_funnel_levels():
    at = open_page(DATA, lang="en")
    editor = next(e for e in at.data_editor if e.key.startswith("stages_editor_"))
    config = json.loads(editor.proto.columns)["canonical"]
    labels = [o.get("label", o.get("value")) for o in config["type_config"]["options"]]
    assert labels == [
        "(not mapped: in no stage)",
        "1 · Lead",
        "2 · MQL (marketing-qualified)",
        "3 · SQL (sales-qualified)",
        "4 · Opportunity",
        "5 · Won",
        "Lost (reached opportunity)",
        "Disqualified (stopped at lead)",
    ]


NON_FINITE = (
    b"Deal ID,Created Date,Close Date,Stage,Amount,Owner,Calls\r\n"
    b"N1,2025-04-01,2025-04-20,Closed Won,inf,Aoki,3\r\n"
    b"N2,2025-04-02,2025-04-25,Closed Won,1000,Baba,nan\r\n"
    b"N3,2025-04-03,,Prospecting,1e400,Aoki,-inf\r\n"
    b"N4,2025-04-04,2025-05-02,Closed Lost,NaN,Baba,2\r\n"
)


@pytest.mark.parametrize("page", ["home.py", "pages/2_Funnel.py", PIPELINE, "pages/5_Pacing.py", "pages/6_Pivots.py"])
def test_non_finite_numbers_never_crash_a_page(page):
    at = open_page(DATA, lang="en")
    upload(at, ("nonfinite.csv", NON_FINITE, CSV))
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    said = any("could not be read" in w.value for w in at.warning)
    assert said == (page != "pages/2_Funnel.py")  # the funnel counts deals: no amount or activity on it
