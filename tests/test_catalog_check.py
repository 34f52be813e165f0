"""The metrics catalogue is checked when it loads: each kind of mistake is an error naming the metric and the field,
in ja and en, never a figure that is silently 0 or null."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kpi_core.catalog_check import DERIVED_RECORD_COLUMNS, CatalogError, check_catalog, records_columns
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import load_catalog

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = yaml.safe_load((ROOT / "kpi_core" / "catalog" / "metrics.yaml").read_text(encoding="utf-8"))


def changed(section: str, metric: str, /, **fields: object) -> dict:
    """The shipped catalogue with some fields of one definition replaced (None removes a field)."""
    raw = copy.deepcopy(SHIPPED)
    item = next(i for i in raw[section] if i["name"] == metric)
    for field, value in fields.items():
        if value is None:
            item.pop(field, None)
        else:
            item[field] = value
    return raw


def error_of(raw: object) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        check_catalog(raw)
    return caught.value


def test_the_shipped_catalogue_passes() -> None:
    check_catalog(SHIPPED)
    assert load_catalog().get("won").basis == "closed"


def test_the_dry_run_tables_have_every_column_a_loaded_dataset_has() -> None:
    """The empty `records` the SQL is bound against must match what the loader builds (else the check could pass
    a measure that fails on real data, or refuse one that works)."""
    dataset = load_dataset([FileInput("deals.csv", ROOT / "sample_data" / "sales_deals_ja.csv")])
    loaded = {row[0] for row in dataset.cursor().execute("DESCRIBE records").fetchall()}
    assert set(DERIVED_RECORD_COLUMNS) <= loaded
    assert loaded <= set(records_columns())


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        (changed("measures", "won_revenue", basis="closd"), "value", ["won_revenue", "basis", "closd"]),
        (changed("measures", "won", unit="pieces"), "value", ["won", "unit", "pieces"]),
        (changed("measures", "leads", level="leed"), "value", ["leads", "level", "leed"]),
        (changed("measures", "sql", level="mql"), "value", ["sql", "level", "mql"]),
        (changed("measures", "calls", needs="call"), "value", ["calls", "needs", "call"]),
        (changed("measures", "won", bassis="closed"), "unknown_field", ["won", "bassis"]),
        (changed("measures", "won_revenue", records_sql="sum(amout) FILTER (WHERE outcome = 'won')"), "sql",
         ["won_revenue", "records_sql", "amout"]),
        (changed("measures", "won", periods_sql="sum(wins)"), "sql", ["won", "periods_sql", "wins"]),
        (changed("measures", "won", records_sql="count_if(outcome = 'won'"), "sql", ["won", "records_sql"]),
        (changed("measures", "median_cycle_days", median_where="outcom = 'won'"), "sql", ["median_cycle_days"]),
        (changed("measures", "median_cycle_days", median_of="cycle"), "value", ["median_cycle_days", "cycle"]),
        (changed("measures", "won", records_sql=None), "one_expression", ["won"]),
        (changed("measures", "opportunities", records_sql="count_if(level >= {rank.oportunity})"), "value",
         ["opportunities", "records_sql", "oportunity"]),
        (changed("ratios", "win_rate", formula="won / (won + lostt)"), "formula_name", ["win_rate", "lostt"]),
        (changed("ratios", "win_rate", formula="won / (won +"), "formula", ["win_rate", "formula"]),
        (changed("conversions", "mql_to_sql", formula=None), "no_formula", ["mql_to_sql"]),
        (changed("ratios", "win_rate", label={"ja": "受注率"}), "label", ["win_rate"]),
        (changed("ratios", "avg_unit_price", name="win_rate"), "repeated", ["win_rate"]),
        ({"measures": []}, "sections", ["measures", "ratios", "conversions"]),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_names_the_metric_and_field(raw: dict, code: str, words: list[str]) -> None:
    error = error_of(raw)
    assert error.code == code
    for word in words:
        assert word in error.message("en") and word in error.message("ja")
    assert str(error) == error.message("en")
    assert "metrics.yaml" in error.message("ja")


def test_a_broken_catalogue_file_fails_to_load(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump(changed("measures", "won_revenue", basis="closd"), allow_unicode=True), "utf-8")
    with pytest.raises(CatalogError, match="won_revenue"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("metric", "sql"),
    [("opportunities", "count_if(level >= 4)"), ("sql", "coalesce(sum(lead_unit) FILTER (WHERE 3 <= level), 0)")],
)
def test_a_level_rank_written_as_a_number_fails_to_load(tmp_path: Path, metric: str, sql: str) -> None:
    """Ranks come from funnel.yaml as {rank.<level>}: a number beside `level` in the file is refused."""
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump(changed("measures", metric, records_sql=sql), allow_unicode=True), "utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert caught.value.code == "rank_literal"
    for lang in ("ja", "en"):
        assert metric in caught.value.message(lang) and "records_sql" in caught.value.message(lang)


def test_the_shipped_sql_gets_the_ranks_of_funnel_yaml() -> None:
    """By hand: lead 1, mql 2, sql 3, opportunity 4 (their places in funnel.yaml)."""
    catalog = load_catalog()
    assert catalog.get("leads").records_sql == "coalesce(sum(lead_unit) FILTER (WHERE level >= 1), 0)"
    assert catalog.get("sql").records_sql == "coalesce(sum(lead_unit) FILTER (WHERE level >= 3), 0)"
    assert catalog.get("opportunities").records_sql == "count_if(level >= 4)"
