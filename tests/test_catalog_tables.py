"""The funnel as data tables (kpi_core/catalog: funnel, roles, stages, models .yaml): each kind of mistake in a copy of
a table is an error naming the file and the entry, in ja and en; the shipped tables hold what the code used to; no
vocabulary, synonym or level rank is left as a literal in the modules that read them; a package ships the tables."""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from kpi_core.catalog import (
    CATALOG_DIR,
    ROLE_KINDS,
    TableError,
    load_funnel,
    load_models,
    load_roles,
    load_stages,
)
from kpi_core.catalog_check import KIND_TYPES
from kpi_core.intake import roles, stages
from kpi_core.messages import MESSAGES
from kpi_core.metrics import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of a shipped table with one exact piece of its text replaced."""
    text = (CATALOG_DIR / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old  # the edit must hit exactly one place of the shipped file
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _roles(path: Path) -> object:
    return load_roles(path, header_key=roles.header_key, category_key=roles._category_key, flag_key=roles._flag_key)


def _stages(path: Path) -> object:
    return load_stages(path, canonical=stages.CANONICAL, key=stages.stage_key)


def _models(path: Path) -> object:
    return load_models(path, metrics=load_catalog().names)


LOADERS: dict[str, Callable[[Path], object]] = {
    "funnel.yaml": lambda path: load_funnel(path),
    "roles.yaml": _roles,
    "stages.yaml": _stages,
    "models.yaml": _models,
}


@pytest.mark.parametrize(
    ("table", "old", "new", "code", "words"),
    [
        # funnel.yaml
        ("funnel.yaml", "{name: mql, measure: mql,", "{name: mql, mesure: mql,", "unknown_field", ["mql", "mesure"]),
        ("funnel.yaml", "{name: lost, reached: opportunity}", "{name: lost, reached: oportunity}", "unknown_name",
         ["lost", "oportunity"]),
        ("funnel.yaml", "{name: sql, measure: sql,", "{name: mql, measure: sql,", "repeated", ["mql"]),
        ("funnel.yaml", "step_label: {ja: 商談, en: opportunity}", "step_label: {ja: 商談}", "label",
         ["opportunity", "step_label"]),
        # roles.yaml
        ("roles.yaml", "  deal_type:\n    kind: text", "  deal_type:\n    kind: txt", "value",
         ["deal_type", "kind", "txt"]),
        ("roles.yaml", "  id:\n    kind: id\n    headers:", "  id:\n    kind: id\n    header:", "unknown_field",
         ["id", "header"]),
        ("roles.yaml", "  calls, visits, proposals,", "  cals, visits, proposals,", "unknown_name",
         ["record_roles", "cals"]),
        ("roles.yaml", '"close date", "closed", "close",', '"close date", "Close_Date", "closed", "close",',
         "repeated", ["closed", "Close_Date", "close date"]),
        ("roles.yaml", '"0", "false", "no",', '"0", "false", "no", "YES",', "repeated",
         ["false_flags", "YES", "true_flags"]),
        ("roles.yaml", '  probability: ["ランク", "rank"]', '  probabilty: ["ランク", "rank"]', "unknown_name",
         ["fallback_headers", "probabilty"]),
        ("roles.yaml", '  pipeline: ["pipeline", "open pipeline", "パイプライン"]',
         '  pipeline: ["pipeline", "open pipeline", "パイプライン", "Best Case"]', "repeated",
         ["pipeline", "Best Case", "best_case"]),
        # stages.yaml
        ("stages.yaml", "  opportunity: [", "  opportunty: [", "unknown_name", ["vocabulary", "opportunty"]),
        ("stages.yaml", '  lost: [\n    "lost",', '  lost: [\n    "lost",\n    "Closed Won",', "repeated",
         ["lost", "Closed Won", "closedwon", "won"]),
        ("stages.yaml", 'holds: [\n  "On Hold",', 'holds: [\n  "On Hold",\n  "商談中",', "repeated",
         ["holds", "商談中", "opportunity"]),
        ("stages.yaml", "  - rank: 30", "  - rank: 15", "rank", ["substages", "15", "20"]),
        # models.yaml
        ("models.yaml", "formula: won / (won + lost)", "formula: won / (won + lots)", "unknown_name",
         ["win_rate", "lots", "metrics.yaml"]),
        ("models.yaml", "    kind: rate\n    unit: currency", "    kind: rates\n    unit: currency", "value",
         ["avg_unit_price", "kind", "rates"]),
        ("models.yaml", "    maximum: 1.0\n  - name: avg_unit_price", "    maxmum: 1.0\n  - name: avg_unit_price",
         "unknown_field", ["win_rate", "maxmum"]),
        ("models.yaml", "levers: [opportunities, win_rate, avg_unit_price]",
         "levers: [opportunities, win_rate, avg_unitprice]", "unknown_name", ["sales", "avg_unitprice"]),
        ("models.yaml", "formula: new_won_revenue / (1 - existing_share)",
         "formula: new_won_revenue / (1 - existing_shares)", "unknown_name", ["sustainability", "existing_shares"]),
        ("models.yaml", "  - name: new_won_revenue", "  - name: win_rate", "repeated", ["win_rate"]),
        ("models.yaml", "[opportunities, win_rate], [opportunities, avg_unit_price]",
         "[opportunities, winrate], [opportunities, avg_unit_price]", "unknown_name", ["sales", "winrate"]),
        ("models.yaml", "formula: opportunities * win_rate * avg_unit_price",
         "formula: opportunities * win_rate * avg_unit_price *", "formula", ["sales"]),
        # any table: not YAML at all
        ("stages.yaml", "holds: [", "holds: [[", "syntax", []),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_names_the_table_and_the_entry(
    tmp_path: Path, table: str, old: str, new: str, code: str, words: list[str]
) -> None:
    path = copy_with(tmp_path, table, old, new)
    with pytest.raises(TableError) as caught:
        LOADERS[table](path)
    error = caught.value
    assert error.code == code
    assert str(error) == error.message("en")
    for lang in ("ja", "en"):
        text = error.message(lang)
        assert table in text, text
        for word in words:
            assert word in text, (lang, word, text)
    assert error.message("ja") != error.message("en")


@pytest.mark.parametrize("table", list(LOADERS))
def test_a_table_without_one_of_its_sections_is_refused(tmp_path: Path, table: str) -> None:
    path = tmp_path / table
    path.write_text("levels: []\n" if table != "funnel.yaml" else "outcomes: []\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        LOADERS[table](path)
    assert caught.value.code == "sections"


def test_every_table_code_has_a_sentence_in_both_languages() -> None:
    source = (ROOT / "kpi_core" / "catalog" / "__init__.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'(?:fail|TableError)\(\s*"(\w+)"', source))
    assert len(codes) >= 10  # the scan found the codes
    assert [c for c in sorted(codes) if f"table.{c}" not in MESSAGES] == []
    assert "catalog.rank_literal" in MESSAGES


def test_the_shipped_tables_give_what_the_code_used_to() -> None:
    """Written by hand from the Python literals these tables replaced."""
    assert stages.LEVELS == ("lead", "mql", "sql", "opportunity", "won")
    assert stages.CANONICAL == ("lead", "mql", "sql", "opportunity", "won", "lost", "disqualified")
    assert stages.LEVEL_RANK == {
        "lead": 1, "mql": 2, "sql": 3, "opportunity": 4, "won": 5, "lost": 4, "disqualified": 1,
    }  # fmt: skip
    assert stages.LEVEL_MEASURE == {
        "lead": "leads", "mql": "mql", "sql": "sql", "opportunity": "opportunities", "won": "won",
    }  # fmt: skip
    assert stages.OUTCOME == {"won": "won", "lost": "lost", "disqualified": "disqualified"}
    assert {"created", "closed", "expected_close", "updated", "period"} == roles.DATE_ROLES
    assert {"amount", "revenue"} == roles.NUMBER_ROLES
    assert {"owner", "channel", "product", "segment", "account", "deal_type"} == roles.TEXT_ROLES
    assert {"won_flag", "closed_flag"} == roles.FLAG_ROLES
    assert {"stage", "lifecycle"} == roles.STAGE_ROLES
    assert {"calls", "visits", "proposals", "leads", "mql", "sql", "opportunities", "won", "lost"} == roles.COUNT_ROLES
    assert roles.PERIOD_ROLES[:2] == ("period", "leads")
    assert roles.FORECAST_CATEGORIES == ("closed", "commit", "best_case", "pipeline", "omitted")
    # the lifecycle headers are the stage's fallback (one list in roles.yaml, by a YAML anchor)
    assert roles.roles_from_header("Lead Status") == ["lifecycle", "stage"]
    assert roles.roles_from_header("受注金額") == ["amount", "revenue"]  # the order of the roles in the table
    assert stages.substage_rank("Verbal commit") == 70 and stages.substage_rank("On Hold") is None
    assert stages.order_stages({"保留": "opportunity", "提案": "opportunity", "商談": "opportunity"}) == [
        "商談",
        "提案",
        "保留",
    ]


def test_every_role_kind_has_a_column_type() -> None:
    assert set(KIND_TYPES) == set(ROLE_KINDS)
    assert set(roles.ROLE_KIND.values()) <= set(ROLE_KINDS)


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_stage_name_is_left_in_stages_py() -> None:
    path = ROOT / "kpi_core" / "intake" / "stages.py"
    vocabulary = {key for keys in stages._VOCABULARY_KEYS.values() for key in keys}
    canonical = set(stages.CANONICAL)  # the canonical stages are names of the logic, not vocabulary
    left = [s for s in _string_constants(path) if stages.stage_key(s) in vocabulary and s not in canonical]
    assert left == []
    text = path.read_text(encoding="utf-8")
    for word in ("Prospecting", "Verbal commit", "Abgeschlossen und gewonnen", "契約締結", "Needs Analysis", "稟議中"):
        assert word not in text


def test_no_header_synonym_is_left_in_roles_py() -> None:
    path = ROOT / "kpi_core" / "intake" / "roles.py"
    synonyms = {roles.header_key(h) for hs in (*roles._HEADERS.values(), *roles._FALLBACK_HEADERS.values()) for h in hs}
    # Words of the code that happen to be synonyms too: role names and kinds, a stage-date header word ("close"),
    # and a probability rank ("medium").
    code_words = set(roles.ROLE_KIND) | set(ROLE_KINDS) | {"close", "medium"}
    left = sorted({s for s in _string_constants(path) if roles.header_key(s) in synonyms and s not in code_words})
    assert left == []
    text = path.read_text(encoding="utf-8")
    for word in ("opportunity amount", "受注予定日", "fecha de cierre", "annual contract value", "リードソース"):
        assert word not in text


def test_no_level_rank_is_a_number_in_sql() -> None:
    """Ranks come from funnel.yaml: metrics.yaml writes {rank.<level>}, and the modules reading the tables build no
    SQL with a rank in it."""
    literal = re.compile(r"\blevel\s*(?:>=|<=|<>|!=|=|>|<)\s*\d|\d\s*(?:>=|<=|<>|!=|=|>|<)\s*level\b", re.IGNORECASE)
    metrics = (CATALOG_DIR / "metrics.yaml").read_text(encoding="utf-8")
    assert literal.findall(metrics) == []
    assert "{rank.opportunity}" in metrics  # the scan reads the file that holds the ranks' placeholders
    for module in (
        "catalog/__init__.py",
        "catalog_check.py",
        "intake/stages.py",
        "intake/roles.py",
        "pivots/models.py",
    ):
        assert [s for s in _string_constants(ROOT / "kpi_core" / module) if literal.search(s)] == [], module


def test_an_installed_package_ships_every_table() -> None:
    """pyproject.toml's package data covers every file the engine reads from its package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["kpi_core"]
    shipped = [p.relative_to(ROOT / "kpi_core").as_posix() for p in (ROOT / "kpi_core").rglob("*.yaml")]
    assert {"catalog/metrics.yaml", "catalog/funnel.yaml", "catalog/roles.yaml", "catalog/stages.yaml"} <= set(shipped)
    assert [f for f in shipped if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []
    assert not (ROOT / "kpi_core" / "metrics.yaml").exists()  # moved to kpi_core/catalog, one copy only
