"""kpi_core.sql: the generated SQL of a few structures (snapshots written by hand), safe quoting run against DuckDB,
and that no other module writes a query of its own."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from kpi_core.sql import (
    DECIDED,
    DailySums,
    GroupedMeasures,
    GroupedValueCounts,
    GroupingSets,
    RecordsTable,
    Select,
    Sql,
    basis_rows,
    bookings_by_key,
    closed_after,
    copy_parquet_to_csv,
    create_empty_table,
    create_skip_table,
    create_table_from_csv,
    create_value_map,
    csv_sample_types,
    date_basis,
    execute,
    filter_condition,
    first_data_date,
    ident,
    in_repeated_ids,
    joined_source,
    key_overlap,
    left_join_on_key,
    literal,
    orphan_rows,
    period_start,
    rejected_cells,
    repeated_key_rows,
    role_values,
    rows_with_rowid,
    star_replace,
    union_all,
    unreadable_cell_count,
    with_parent_leads,
)

ROOT = Path(__file__).resolve().parents[1]

# Files that may hold SQL text, and why. Everything else runs queries and statements built by kpi_core/sql.py.
SQL_ALLOWED = {
    "kpi_core/sql.py": "the one query builder",
}


# -- snapshots: the SQL each structure gives, written out by hand ----------------------------------------------------


def test_select_snapshot_keeps_parameters_in_text_order() -> None:
    query = Select(
        ["stage", Sql("median(date_diff('day', created, ?::DATE))", (dt.date(2025, 3, 31),))],
        "records",
        ["outcome = 'open'", Sql("created <= ?", (dt.date(2025, 3, 1),))],
        group_by="stage",
        order_by="stage",
        limit=5,
    ).build()
    assert query.text == (
        "SELECT stage, median(date_diff('day', created, ?::DATE)) FROM records "
        "WHERE outcome = 'open' AND created <= ? GROUP BY stage ORDER BY stage LIMIT 5"
    )
    assert query.params == (dt.date(2025, 3, 31), dt.date(2025, 3, 1))


def test_sub_select_cte_distinct_union_and_replace_snapshots() -> None:
    inner = Select(["*", Sql("? AS x", (1,))], "records", [Sql("a > ?", (2,))])
    outer = Select(["x", "count(*)"], inner, [Sql("x < ?", (3,))], "ALL", order_by="1").build()
    assert (
        outer.text
        == "SELECT x, count(*) FROM (SELECT *, ? AS x FROM records WHERE a > ?) WHERE x < ? GROUP BY ALL ORDER BY 1"
    )
    assert outer.params == (1, 2, 3)
    with_cte = Select(["count(*)"], "base", ctes=[("base", Sql("SELECT 1 WHERE ?", (True,)))], distinct=True).build()
    assert with_cte.text == "WITH base AS (SELECT 1 WHERE ?) SELECT DISTINCT count(*) FROM base"
    assert union_all(Select(["a"], "t"), Select(["b"], "u")).text == "SELECT a FROM t UNION ALL SELECT b FROM u"
    replaced = star_replace(["1 AS a", Sql("? AS b", (9,))])
    assert (replaced.text, replaced.params) == ("* REPLACE (1 AS a, ? AS b)", (9,))


def test_filter_condition_snapshot() -> None:
    condition = filter_condition(
        "closed",
        start=dt.date(2025, 4, 1),
        end=dt.date(2025, 4, 30),
        roles=[("channel", ["web", None]), ("owner", ["佐藤"])],
    )
    assert condition.text == (
        'true AND closed >= ? AND closed <= ? AND ("channel" IS NULL OR list_contains(?, "channel")) '
        'AND list_contains(?, "owner")'
    )
    assert condition.params == (dt.date(2025, 4, 1), dt.date(2025, 4, 30), ["web"], ["佐藤"])
    assert filter_condition("created") == Sql("true")


def test_period_start_and_date_basis() -> None:
    assert period_start("d", "month") == "date_trunc('month', d)"
    assert period_start("d", "quarter", 4) == (
        "CAST(date_trunc('quarter', d - INTERVAL 3 MONTH) + INTERVAL 3 MONTH AS DATE)"
    )
    assert date_basis("records", "created") == ("created", "true")
    assert date_basis("records", "closed") == ("closed", DECIDED)
    assert date_basis("records", "closed", cohort=True) == ("created", DECIDED)
    assert date_basis("periods", "closed") == ("period_start", "true")
    assert closed_after(dt.date(2025, 1, 9)) == "(outcome <> 'open' AND closed > DATE '2025-01-09')"


def test_grouped_measures_snapshot() -> None:
    base = basis_rows("records", "created", "true", Sql("true AND created >= ?", (dt.date(2025, 1, 1),)), "month", 4)
    assert base.text == (
        "SELECT *, date_trunc('month', created) AS __start, created AS __date FROM records "
        "WHERE true AND true AND created >= ?"
    )
    query = GroupedMeasures(base, GroupingSets(["channel"], ["owner"]), {"records": "count(*)"}).build()
    assert query.text == (
        "WITH base AS (" + base.text + "), "
        'fine AS (SELECT __start, "channel", "owner", count(*) AS "records", max(__date) AS __last '
        "FROM base GROUP BY ALL) "
        'SELECT CAST(__start AS DATE) AS __start, GROUPING(__start) AS g_period, "channel", '
        'GROUPING("channel") AS "g_channel", "owner", GROUPING("owner") AS "g_owner", '
        'sum("records") AS "records", CAST(max(__last) AS DATE) AS __last '
        'FROM fine GROUP BY GROUPING SETS ((), (__start), ("channel"), (__start, "owner"))'
    )
    assert query.params == (dt.date(2025, 1, 1),)


def test_grouped_value_counts_and_daily_sums_snapshots() -> None:
    counts = GroupedValueCounts(Sql("SELECT 1"), GroupingSets(), "cycle_days", "outcome = 'won'").build()
    assert counts.text == (
        "WITH base AS (SELECT 1), fine AS (SELECT __start, cycle_days AS __v, count(*) AS __n FROM base "
        "WHERE outcome = 'won' AND cycle_days IS NOT NULL GROUP BY ALL) "
        "SELECT CAST(__start AS DATE) AS __start, GROUPING(__start) AS g_period, __v, sum(__n) AS __n "
        "FROM fine GROUP BY GROUPING SETS ((__v), (__start, __v))"
    )
    daily = DailySums("records", "closed", DECIDED, {"won": "count_if(outcome = 'won')"}, Sql("true")).build()
    assert daily.text == (
        "SELECT closed AS day, count_if(outcome = 'won') AS \"won\" FROM records "
        "WHERE closed IS NOT NULL AND outcome IN ('won', 'lost') AND true GROUP BY 1"
    )


# -- snapshots of the intake's statements ------------------------------------------------------------------------------


def test_intake_read_and_table_snapshots() -> None:
    read = create_table_from_csv("src0", "/tmp/a'b.csv", "header=true")
    assert read.text == "CREATE TABLE src0 AS SELECT * FROM read_csv('/tmp/a''b.csv', header=true)"
    again = create_table_from_csv("src0", "/tmp/a.csv", "header=true", replace=True)
    assert again.text == "CREATE OR REPLACE TABLE src0 AS SELECT * FROM read_csv('/tmp/a.csv', header=true)"
    described = csv_sample_types("/tmp/s.csv", ";", ["a", "b'c"], "dateformat='%Y-%m-%d'")
    assert described.text == (
        "DESCRIBE SELECT * FROM read_csv('/tmp/s.csv', delim=';', header=true, names=['a', 'b''c'], "
        "null_padding=true, strict_mode=false, quote='\"', escape='\"', dateformat='%Y-%m-%d')"
    )
    assert create_empty_table("periods", {"leads": "DOUBLE", "period_start": "DATE"}).text == (
        'CREATE TABLE periods ("leads" DOUBLE, "period_start" DATE)'
    )
    assert first_data_date("records", "records").text == "SELECT least(min(created), min(closed)) FROM records"
    assert copy_parquet_to_csv("/d/0.parquet", "/d/t.csv").text == (
        "COPY (SELECT * FROM read_parquet('/d/0.parquet')) TO '/d/t.csv' (FORMAT csv, HEADER, DELIMITER ',')"
    )
    skip = " ".join(create_skip_table(2, "CASE WHEN a IS NOT NULL THEN '#' END", "false", "' '").text.split())
    assert skip == (
        "CREATE OR REPLACE TABLE skip2 AS SELECT CAST(rowid AS BIGINT) AS rowid, "
        "CASE WHEN cell IS NULL THEN 'blank_row' ELSE 'summary_row' END AS reason, "
        "coalesce(trim(cell, ' '), '') AS text "
        "FROM (SELECT rowid, CASE WHEN a IS NOT NULL THEN '#' END AS cell FROM src2) "
        "WHERE cell IS NULL OR (false) ORDER BY rowid"
    )


def test_intake_link_snapshots() -> None:
    assert key_overlap("src1", "src0", "id").text == (
        'SELECT count(DISTINCT CAST(o."id" AS VARCHAR)) FILTER (WHERE CAST(o."id" AS VARCHAR) IN '
        '(SELECT CAST("id" AS VARCHAR) FROM src0)) / greatest(count(DISTINCT o."id"), 1) FROM src1 o'
    )
    assert repeated_key_rows("src0", "id").text == (
        'SELECT rowid FROM src0 WHERE "id" IS NOT NULL '
        'QUALIFY row_number() OVER (PARTITION BY CAST("id" AS VARCHAR) ORDER BY rowid) > 1 ORDER BY 1'
    )
    assert orphan_rows("src1", "src0", "id").text == (
        'SELECT rowid FROM src1 o WHERE o."id" IS NULL OR NOT EXISTS (SELECT 1 FROM src0 b '
        'WHERE CAST(b."id" AS VARCHAR) = CAST(o."id" AS VARCHAR)) ORDER BY 1'
    )
    assert bookings_by_key("src1", "id", ['sum("amount") AS "amount"']) == (
        '(SELECT "id", min(rowid) AS __row, sum("amount") AS "amount" FROM src1 GROUP BY "id")'
    )
    view = joined_source(['b."id"', "b.rowid AS __row_0"], rows_with_rowid("src0"), [left_join_on_key("x", "o1", "id")])
    assert view == (
        'SELECT b."id", b.rowid AS __row_0 FROM (SELECT *, rowid FROM src0) b '
        'LEFT JOIN x o1 ON CAST(b."id" AS VARCHAR) = CAST(o1."id" AS VARCHAR)'
    )
    assert with_parent_leads("SELECT 1", 0, "id", [(1, 'o."n" AS "n"')]) == (
        'SELECT *, CASE WHEN "id" IS NULL OR row_number() OVER (PARTITION BY CAST("id" AS VARCHAR) '
        "ORDER BY __row_0) = 1 THEN 1 ELSE 0 END AS __lead_unit FROM (SELECT 1) UNION ALL BY NAME "
        'SELECT o."id" AS "id", o."n" AS "n", o.rowid AS __row_1, 1 AS __lead_unit FROM src1 o '
        'WHERE o."id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM src0 b WHERE CAST(b."id" AS VARCHAR) = '
        'CAST(o."id" AS VARCHAR))'
    )


def test_intake_parse_snapshots() -> None:
    value_map = create_value_map("map_created", "DATE", ["x"], [False], [None], [False])
    assert value_map.text == (
        "CREATE TABLE map_created AS SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::BOOLEAN[]) AS ok, "
        "unnest(?::DATE[]) AS value, unnest(?::BOOLEAN[]) AS month_only"
    )
    assert value_map.params == (["x"], [False], [None], [False])
    assert unreadable_cell_count("m.raw", ["LEFT JOIN m ON a = m.raw"], "(m.ok IS FALSE)", "false").text == (
        "SELECT count(*), list_sort(list_distinct(list(m.raw)))[:3] FROM source s LEFT JOIN m ON a = m.raw "
        "WHERE (m.ok IS FALSE) AND NOT (false)"
    )
    assert rejected_cells(1, "担当", [], "(x)").text == (
        'SELECT s.__row_1, CAST(s."担当" AS VARCHAR) FROM source s  WHERE (x) ORDER BY 1'
    )
    assert in_repeated_ids("s.__row_0") == "coalesce(s.__row_0 IN (SELECT r FROM repeated_ids), false)"
    records = RecordsTable("VIEW", "p.*", "1", "'open'", "NULL", "既存", "s.a AS a", "", "false").build()
    assert " ".join(records.text.split()) == (
        "CREATE VIEW records AS SELECT p.*, 1 AS level, 'open' AS outcome, NULL AS stage_position, "
        "CASE WHEN 'open' = 'open' THEN coalesce(p.__expected_close, p.closed) ELSE p.__expected_close "
        "END AS expected_close, regexp_matches(lower(p.deal_type), '既存') AS is_existing, "
        "CASE WHEN 'open' = 'won' AND p.__day_precise THEN date_diff('day', created, closed) END AS cycle_days "
        "FROM (SELECT s.a AS a FROM source s WHERE NOT (false)) p"
    )


def test_link_statements_on_hostile_key(tmp_path: Path) -> None:
    """The linking statements run on a key named like an injection: rows, repeats and orphans found by hand."""
    key = 'id"; DROP TABLE src0; --'
    con = duckdb.connect()
    con.execute(f"CREATE TABLE src0 ({ident(key)} VARCHAR, n INT)")
    con.execute("INSERT INTO src0 VALUES ('a', 1), ('b', 2), ('a', 3)")  # rowid 2 repeats 'a'
    con.execute(f"CREATE TABLE src1 ({ident(key)} INT, amount INT)")  # an integer key, compared as text
    con.execute("INSERT INTO src1 VALUES (NULL, 5), (7, 6)")  # neither is in src0
    assert execute(con, repeated_key_rows("src0", key)).fetchall() == [(2,)]
    assert execute(con, orphan_rows("src1", "src0", key)).fetchall() == [(0,), (1,)]
    assert execute(con, key_overlap("src1", "src0", key)).fetchall() == [(0.0,)]
    assert con.execute("SELECT count(*) FROM src0").fetchall() == [(3,)]  # the name never ran as SQL
    target = tmp_path / "0.csv"
    con.execute(f"COPY src0 TO '{tmp_path / '0.parquet'}' (FORMAT parquet)")
    execute(con, copy_parquet_to_csv(str(tmp_path / "0.parquet"), str(target)))
    assert target.read_text(encoding="utf-8").splitlines()[0] == '"id""; DROP TABLE src0; --",n'


# -- quoting, run against DuckDB -------------------------------------------------------------------------------------

HOSTILE = ['a"b', "担当 者", '"; DROP TABLE records; --', "x'); DROP TABLE records; --"]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    columns = ", ".join(f"{ident(name)} VARCHAR" for name in HOSTILE)
    con.execute(f"CREATE TABLE records ({columns}, created DATE)")
    con.execute(
        "INSERT INTO records VALUES ('p', 'q', 'r', 's', DATE '2025-01-02'), ('p', 'q2', NULL, 's', DATE '2025-02-03'),"
        " ('p2', 'q', 'r', 's', NULL)"
    )
    return con


def test_literal_and_ident_escape_their_quote() -> None:
    assert ident('a"b') == '"a""b"'
    assert literal("O'Brien") == "'O''Brien'"
    assert duckdb.sql(f"SELECT {literal(HOSTILE[3])} AS v").fetchall() == [(HOSTILE[3],)]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_column_names_stay_column_names(con: duckdb.DuckDBPyConnection, name: str) -> None:
    # Expected by hand from the three rows inserted above.
    expected = {'a"b': [("p", 2), ("p2", 1)], "担当 者": [("q", 2), ("q2", 1)]}.get(name)
    found = execute(con.cursor(), role_values("records", name, 10)).fetchall()
    if expected is not None:
        assert found == expected
    else:
        assert sum(n for _, n in found) == (2 if name == HOSTILE[2] else 3)
    kept = execute(con.cursor(), Select(["count(*)"], "records", [filter_condition("created", roles=[(name, [None])])]))
    assert kept.fetchall() == [(1 if name == HOSTILE[2] else 0,)]
    sets = GroupingSets([name])
    base = basis_rows("records", "created", "true", Sql("true"), "month", 4)
    grouped = execute(con.cursor(), GroupedMeasures(base, sets, {"n": "count(*)"}).build()).fetchall()
    assert sum(row[-2] for row in grouped if row[1] == 1 and row[3] == 0) == 3  # per-value rows add up to every row
    # The table is still there with every row: nothing in a name ran as SQL.
    assert con.execute("SELECT count(*) FROM records").fetchall() == [(3,)]


# -- no other module writes a query ----------------------------------------------------------------------------------

# A query or a statement that builds or changes a table (a setting, SET, is not one).
_SQL = re.compile(
    r"\bSELECT\b|\bCREATE (OR REPLACE )?(TABLE|VIEW)\b|\bDROP (TABLE|VIEW)\b|\bDELETE FROM\b|\bINSERT INTO\b"
    r"|\bUPDATE \w+ SET\b|\bCOPY\b|\bDESCRIBE\b|\bUNION ALL\b"
)


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes (prose may name a statement: "readers check DESCRIBE records")."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _sql_sites(path: Path) -> list[int]:
    """Line numbers of string literals (f-string parts included, docstrings not) holding SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and _SQL.search(node.value)
    ]


def test_only_kpi_core_sql_writes_queries() -> None:
    files = sorted([*(ROOT / "kpi_core").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])
    assert len(files) > 20
    found = {}
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        if relative in SQL_ALLOWED:
            continue
        lines = _sql_sites(path)
        if lines:
            found[relative] = lines
    assert found == {}, f"SQL written outside kpi_core/sql.py: {found}"


def test_the_ast_walk_sees_sql_in_plain_and_f_strings(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        '"""Reads DESCRIBE records."""\na = 1\nq = "SELECT 1"\nr = f"SELECT {a} FROM t"\ns = "selection"\n'
        't = f"CREATE TABLE {a} (x INT)"\nu = "DROP TABLE t"\nv = f"COPY {a} TO \'x\'"\nw = "SET threads = 1"\n'
        'def f():\n    """Runs DELETE FROM t."""\n    return "DELETE FROM t"\n',
        encoding="utf-8",
    )
    assert sorted(_sql_sites(probe)) == [3, 4, 6, 7, 8, 12]
