"""The translation table: both languages everywhere, same placeholders, and every key the code uses exists."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from kpi_core.intake.stages import CANONICAL
from kpi_core.messages import MESSAGES
from kpi_core.metrics import BREAKDOWN_ROLES, PERIODS, load_catalog
from tests.bilingual import english_words
from ui.format import CURRENCIES
from ui.i18n import lang_from_locale, metric_label, role_label, stage_label, t
from ui.strings import STRINGS, UI_STRINGS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "home.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_has_japanese_and_english_and_nothing_else():
    for key, entry in STRINGS.items():
        assert set(entry) == {"ja", "en"}, key


def test_no_empty_strings():
    for key, entry in STRINGS.items():
        for lang, text in entry.items():
            assert isinstance(text, str) and text.strip(), (key, lang)


def test_both_languages_have_the_same_placeholders():
    for key, entry in STRINGS.items():
        assert _placeholders(entry["ja"]) == _placeholders(entry["en"]), key


def test_japanese_text_is_japanese():
    # A copy-paste of the English text into the "ja" slot is the usual slip; short codes (ID, MQL) may match.
    same = [key for key, entry in STRINGS.items() if entry["ja"] == entry["en"] and len(entry["en"]) > 4]
    assert same == []


def _t_literals(path: Path) -> list[tuple[str, int]]:
    """Keys passed to t() as plain string literals (f-strings are checked through the dynamic families below)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    return found


def test_the_source_scan_finds_calls():
    literals = [key for path in SOURCES for key, _ in _t_literals(path)]
    assert len(literals) > 100  # the scanner itself works (a scan that finds nothing would pass anything)
    assert "frame.source" in literals


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_key_used_in_the_code_exists(path):
    missing = [(key, line) for key, line in _t_literals(path) if key not in STRINGS]
    assert missing == []


def _t_calls_with_arguments(path: Path) -> list[tuple[str, int, set[str]]]:
    """(key, line, keyword names) of t() calls with a literal key and no **mapping (whose names cannot be read)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
            first, named = node.args[0], all(k.arg is not None for k in node.keywords)
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value in STRINGS and named:
                found.append((first.value, node.lineno, {k.arg for k in node.keywords} - {"lang"}))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_placeholder_is_filled_and_no_argument_is_left_over(path):
    """A call that passes no value for a {placeholder} would show the braces to the user (t() formats only when
    given arguments), and one that passes a name the text does not use is a typo."""
    wrong = [
        (key, line, sorted(given), sorted(_placeholders(STRINGS[key]["en"])))
        for key, line, given in _t_calls_with_arguments(path)
        if given != _placeholders(STRINGS[key]["en"])
    ]
    assert wrong == []


def test_the_placeholder_check_sees_a_call_without_its_argument():
    assert _placeholders(STRINGS["pivots.head.best"]["en"]) == {"lever"}
    calls = _t_calls_with_arguments(ROOT / "pages" / "6_Pivots.py")
    assert ("pivots.head.best", {"lever"}) in [(key, given) for key, _, given in calls]


def test_dynamic_key_families_are_complete():
    families = {
        "nav": ("home", "data", "funnel", "pipeline"),
        "page": ("home.title", "data.title", "funnel.title", "pipeline.title"),
        "source": ("sales", "leads", "kpi", "upload"),
        "role": (*RECORD_ROLES, *PERIOD_ROLES),
        "stage": (*CANONICAL, "unmapped"),
        "period": PERIODS,
        "funnel.basis": ("period", "cohort"),
        "caption.funnel": ("period", "cohort", "sheet"),
        "caption.trend": ("period", "cohort", "sheet"),
        "data.shape": ("records", "periods"),
        "data.shape_option": ("auto", "records", "periods"),
        "data.found_by": ("header", "values", "user"),
        "data.date_order": ("auto", "dmy", "mdy"),
        "data.date_reason": ("proven", "other_columns", "language", "convention", "user", "unknown"),
        "data.currency_reason": ("cells", "header", "user", "none", "mixed"),
        "currency": CURRENCIES,
        "data.relation": ("many_to_one", "one_to_many", "one_to_one", "bookings"),
        "data.stage_choice": (*CANONICAL, "none"),
        "word.order": ("dmy", "mdy"),
    }
    missing = [f"{prefix}.{name}" for prefix, names in families.items() for name in names]
    assert [key for key in missing if key not in STRINGS] == []


def test_metric_labels_from_metrics_yaml_have_both_languages():
    catalog = load_catalog()
    for metric in (*catalog.measures, *catalog.ratios, *catalog.conversions):
        assert set(metric.label) >= {"ja", "en"}, metric.name
        assert metric.label["ja"].strip() and metric.label["en"].strip(), metric.name
    assert metric_label("won_revenue", "ja") == "受注金額"
    assert metric_label("won_revenue", "en") == "Won revenue"


def test_t_formats_and_picks_the_language():
    assert t("frame.source_caption", "en", files="a.csv", rows="1,234") == "a.csv · 1,234 rows"
    assert t("frame.source_caption", "ja", files="a.csv", rows="1,234") == "a.csv · 1,234 行"
    assert t("no.such.key", "en") == "no.such.key"
    assert role_label("owner", "ja") == "担当者"
    assert stage_label("opportunity", "en") == "Opportunity"
    assert stage_label(None, "ja") == "（未対応）"


@pytest.mark.parametrize(
    ("locale", "lang"), [("ja-JP", "ja"), ("ja", "ja"), ("en-US", "en"), ("de-DE", "en"), (None, "ja"), ("", "ja")]
)
def test_language_from_the_browser_locale(locale, lang):
    assert lang_from_locale(locale) == lang


# ------------------------------------------------------------------------------------------------ one catalogue
def test_both_catalogues_have_japanese_and_english_for_every_key():
    for catalogue in (UI_STRINGS, MESSAGES):
        for key, entry in catalogue.items():
            assert set(entry) == {"ja", "en"}, key
            assert all(isinstance(text, str) and text.strip() for text in entry.values()), key
            assert _placeholders(entry["ja"]) == _placeholders(entry["en"]), key


def test_no_key_is_defined_in_both_catalogues_with_different_text():
    assert [key for key in set(UI_STRINGS) & set(MESSAGES) if UI_STRINGS[key] != MESSAGES[key]] == []


def test_t_finds_the_engine_sentences():
    assert set(MESSAGES) <= set(STRINGS)
    assert t("warn.missing_amount", "ja") == MESSAGES["warn.missing_amount"]["ja"]
    assert t("word.order.dmy", "en") == "day-first"
    assert t("skip.summary_row", "ja", text="合計") == "集計行（合計）"


# ----------------------------------------------------------------------------- the engine's sentences (issue 11)
ENGINE = sorted((ROOT / "kpi_core").rglob("*.py"))
_KEYED = {"IntakeError", "UsageError", "Phrase", "render", "AsOfError"}


def _fields(text: str) -> set[tuple[str, str]]:
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def _engine_keys(path: Path) -> list[tuple[str, int]]:
    """Catalogue keys passed as a literal first argument to IntakeError / UsageError / Phrase / render in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            key = node.args[0].value
            if name in _KEYED and isinstance(key, str) and " " not in key and "." in key:
                found.append((key, node.lineno))
    return found


def test_the_engine_scan_finds_keys():
    keys = {key for path in ENGINE for key, _ in _engine_keys(path)}
    assert {"intake.empty", "intake.binary", "cli.no_such_file", "cli.rows"} <= keys


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_key_the_engine_raises_exists(path):
    assert [(key, line) for key, line in _engine_keys(path) if key not in MESSAGES] == []


def test_engine_key_families_are_complete():
    from kpi_core import cli
    from kpi_core.intake import files

    kinds = {kind for _, kind in files._BINARY_MAGICS} | {"zip", "binary"}
    keys = [f"intake.kind.{kind}" for kind in kinds] + [f"cli.col.{name}" for name in cli._TEXT_COLUMNS]
    keys += [f"{key}_sheet" for key in ("intake.no_rows", "intake.no_header")]
    keys += [f"role.{role}" for role in BREAKDOWN_ROLES]  # the CLI's tables by role
    assert [key for key in keys if key not in MESSAGES] == []


def test_both_languages_format_each_placeholder_the_same_way():
    # "{count:,}" in one language and "{count}" in the other would group digits in only one of them.
    assert [key for key, entry in MESSAGES.items() if _fields(entry["ja"]) != _fields(entry["en"])] == []


GOAL_FILE_FIELDS = ["kgi", "kpis", "csfs", "name", "metric", "target", "period"]  # what the user writes in YAML


@pytest.mark.parametrize("prefix", ["intake.", "cli.", "asof.", "formula.", "goalfile."])
def test_japanese_engine_sentences_have_no_english_words(prefix):
    """Placeholders (the user's values), command-line options and goal-file fields aside, no English word is left
    in the ja text."""
    wrong = {}
    for key, entry in MESSAGES.items():
        if key.startswith(prefix) and entry["ja"] != entry["en"]:
            bare = re.sub(r"\{[^}]*\}|--[a-z-]+|\btemplate:\w+", " ", entry["ja"])
            words = english_words(bare, GOAL_FILE_FIELDS if prefix == "goalfile." else [])
            if words:
                wrong[key] = words
    assert wrong == {}


def test_engine_sentences_are_translated():
    same = [
        key
        for key, entry in MESSAGES.items()
        if key.startswith(("intake.", "cli.")) and entry["ja"] == entry["en"] and not key.startswith("cli.col.")
    ]
    assert same == []
