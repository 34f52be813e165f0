"""Hostile goal files (issue 10): each is refused with one line naming its line and field, in ja and en, quickly and
in little memory, on the command line with exit status 2; formulas are bounded; the as-of date is checked."""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
from pathlib import Path

import pytest

from kpi_core import cli
from kpi_core.asof import AsOfError, as_of_range, check_as_of, data_bounds
from kpi_core.formula import MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, FormulaError, evaluate, formula_names
from kpi_core.goals import (
    MAX_DOCUMENT_BYTES,
    MAX_ITEMS,
    GoalFileError,
    GoalProblem,
    GoalsError,
    kpi_gaps,
    load_goals,
    load_template,
    template_text,
)
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.messages import MESSAGES
from tests.test_goals import GOOD
from tests.test_pacing import GOLDEN_WEEK

D = dt.date
SECONDS = 1.0  # every hostile file is answered within this
PEAK_BYTES = 16 * 1024 * 1024  # and within this much memory (tracemalloc peak)


def _billion_laughs() -> str:
    """Ten levels of ten aliases each (10^10 "lol"s once expanded), the anchors inside CSF names and the last alias
    in a KPI's definition."""
    lines = ["kgi:", "  name: Revenue", "  metric: won_revenue", "  target: 1000", "csfs:"]
    lines += ["  - id: c0", "    name: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines += [f"  - id: c{level}", f"    name: &l{level} [{refs}]"]
    lines += ["kpis:", "  - id: deals", "    name: Deals", "    metric: opportunities", "    target: 10",
              "    definition: *l9"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# name: (goal file text, the line, the field, words of the English sentence)
HOSTILE: dict[str, tuple[str, int | None, str, str]] = {
    "billion_laughs": (_billion_laughs(), 7, "csfs[0].name", "anchors and aliases (& and *) are not allowed"),
    "recursive_alias": (
        _replace("    actions: [Call more]\n", "    actions: &a [*a]\n"),
        21,
        "csfs[0].actions",
        "anchors and aliases",
    ),
    "python_tag": (
        _replace("  name: Revenue\n", "  name: !!python/object/apply:os.system ['echo hacked']\n"),
        4,
        "kgi.name",
        "tags such as !!python/object/apply:os.system are not allowed",
    ),
    "local_tag": (_replace("    name: Deals\n", "    name: !foo Deals\n"), 9, "kpis[0].name", "tags such as !foo"),
    "digits_400": (
        _replace("  target: 1000\n", f"  target: {'9' * 400}\n"),
        6,
        "kgi.target",
        "must be a number from -10^15 to 10^15 (got 999999",
    ),
    "huge_fiscal_start": (
        _replace("fiscal_year_start: 4\n", f"fiscal_year_start: {'9' * 400}\n"),
        1,
        "fiscal_year_start",
        "must be a month number from 1 to 12",
    ),
    "formula_10k": (
        _replace("    metric: opportunities\n", f"    metric: {'won + ' * 1666}wons\n"),
        10,
        "kpis[0].metric",
        "the formula is 10,000 characters long: at most 500",
    ),
    "unary_minus_10k": (
        _replace("    metric: opportunities\n", f"    metric: {'-' * 10_000}won\n"),
        10,
        "kpis[0].metric",
        "the formula is 10,003 characters long",
    ),
    "deep_nesting": (
        _replace("kpis:\n", f"kpis: {'[' * 5_000}{']' * 5_000}\nkpis_:\n"),
        7,
        "kpis[0][0][0]",
        "nested more than 20 levels deep",
    ),
    "negative_target": (
        _replace("    target: 10\n", "    target: -10\n"),
        11,
        "kpis[0].target",
        "the target of KPI 'deals' must be 0 or more (got -10)",
    ),
    "oversized": (
        GOOD + "# " + "x" * (300 * 1024) + "\n",
        None,
        "",
        "the goal file is 301 KB: a goal file may be at most 256 KB",
    ),
}


def refused(text: str) -> GoalsError:
    """The GoalsError of `text`, which must come within SECONDS, and within PEAK_BYTES of memory."""
    started = time.perf_counter()
    with pytest.raises(GoalsError) as caught:
        load_goals(text, source="goals.yaml")
    assert time.perf_counter() - started < SECONDS
    tracemalloc.start()
    try:
        with pytest.raises(GoalsError):
            load_goals(text, source="goals.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES + 4 * len(text), peak
    return caught.value


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_one_line_with_its_line_and_field(name: str):
    text, line, where, words = HOSTILE[name]
    error = refused(text)
    message = str(error)
    assert "\n" not in message and len(message) < 400, message
    place = ", ".join(p for p in (f"line {line}" if line else "", where) if p)
    assert message.startswith(f"goals.yaml: {place}" if place else "goals.yaml: "), message
    assert words in message, message
    assert isinstance(error, GoalFileError) and isinstance(error, ValueError)  # what the UI and CLI catch
    japanese = error.message("ja")
    assert "\n" not in japanese and (f"{line}行目" in japanese if line else "KB" in japanese), japanese
    for lang in ("ja", "en"):
        assert all("\n" not in sentence and len(sentence) < 400 for sentence in error.lines(lang))


def test_hostile_python_tag_is_never_constructed(tmp_path: Path):
    marker = tmp_path / "ran"
    text = _replace("  name: Revenue\n", f"  name: !!python/object/apply:pathlib.Path.touch [{str(marker)!r}]\n")
    refused(text)
    assert not marker.exists()


def test_problems_carry_codes_params_and_both_languages():
    error = refused(_replace("    target: 10\n", "    target: -10\n"))
    assert error.code == "goalfile.negative_kpi_target" and error.params == {"kpi": "'deals'", "got": "-10"}
    assert error.problems == [GoalProblem(11, "kpis[0].target", "goalfile.negative_kpi_target", error.params)]
    assert error.lines("ja") == ["11行目、kpis[0].target：KPI 'deals' の目標値は0以上にしてください（-10）"]
    assert error.messages == ["line 11, kpis[0].target: the target of KPI 'deals' must be 0 or more (got -10)"]
    with pytest.raises(GoalsError) as caught:
        load_goals("kpis: []\n", source="g.yaml", lang="ja")
    assert str(caught.value) == "g.yaml：1行目、kgi：必須です。最終目標（name, metric, target, period）を書いてください"
    codes = {key for key in MESSAGES if key.startswith(("goalfile.", "formula.", "asof."))}
    assert {"goalfile.alias", "goalfile.tag", "goalfile.too_deep", "formula.too_long", "asof.outside"} <= codes


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  target: 1000\n", "  target: -1000\n", "line 6, kgi.target: the KGI target must be 0 or more (got -1000)"),
        ("  target: 1000\n", "  target: 1.0e+16\n", "line 6, kgi.target: must be a number from -10^15 to 10^15"),
        ("  target: 1000\n", "  target: .inf\n", "line 6, kgi.target: must be a number from -10^15 to 10^15"),
        ("  target: 1000\n", "  target: .nan\n", "line 6, kgi.target: must be a number from -10^15 to 10^15"),
        ("  target: 1000\n", "  target: 1000\n  baseline: -1.0e+300\n", "line 7, kgi.baseline: must be a number from"),
        ("    target: 25%\n", "    target: 150%\n", "line 16, kpis[1].target: win_rate is a rate: its target must be"),
        ("    target: 25%\n", "    target: 25\n", "or 0% to 100% (got 25)"),
        ("    target: 25%\n", "    target: 2024-13-45\n", "line 16, kpis[1].target: cannot be read (got 2024-13-45)"),
        ("fiscal_year_start: 4\n", "fiscal_year_start: 1.0e+300\n", "line 1, fiscal_year_start: must be a month"),
        ("fiscal_year_start: 4\n", "fiscal_year_start: 0\n", "from 1 to 12 (got 0)"),
        ("    target: 10\n", "    target: 10\n    per: 12\n",
         "line 12, kpis[0].per: must be one of week, month, quarter, year (got '12')"),
        ("  name: Revenue\n", "  name: Revenue\n  <<: {a: 1}\n", "line 5, kgi.<<: unknown field"),
        ("  name: Revenue\n", f"  name: {'x' * 1001}\n", "line 4, kgi.name: is 1,001 characters long: at most 1,000"),
        ("    metric: opportunities\n", f"    metric: {'(' * 60}won{')' * 60}\n",
         "line 10, kpis[0].metric: the formula is too complex: more than 50 levels"),
        ("    metric: opportunities\n", f"    metric: {' + '.join(['won'] * 60)}\n", "the formula is too complex"),
        ("    metric: opportunities\n", f"    metric: won * {'9' * 400}\n",
         "kpis[0].metric: numbers in a formula must be from -10^15 to 10^15"),
        ("    metric: opportunities\n", "    metric: __import__('os')\n", "only + - * / ( ) numbers and metric names"),
    ],
)  # fmt: skip
def test_field_limits(old: str, new: str, expected: str):
    assert old in GOOD
    error = refused(GOOD.replace(old, new, 1))
    assert any(expected in sentence for sentence in error.messages), error.messages


def test_rates_written_as_fractions_or_percentages_are_kept():
    for written, value in (("0.25", 0.25), ("25%", 0.25), ("100%", 1.0), ("0", 0), ("1", 1)):
        goals = load_goals(GOOD.replace("    target: 25%\n", f"    target: {written}\n"))
        assert goals.kpis[1].target == pytest.approx(value)
    assert load_goals(GOOD.replace("    target: 10\n", "    target: 0\n")).kpis[0].target == 0


def test_echoed_values_are_cut():
    key = "k" * 1_000  # a plain key may be at most 1,024 characters long in YAML
    error = refused(GOOD.replace("  name: Revenue\n", f"  name: Revenue\n  {key}: 1\n"))
    assert "…" in str(error) and len(str(error)) < 300
    error = refused(GOOD.replace("    target: 10\n", f"    target: {'y' * 5_000}\n"))
    assert "must be a number (got 'yyyy" in str(error) and "…)" in str(error) and len(str(error)) < 200
    error = refused(GOOD.replace("  metric: won_revenue\n", f"  metric: {'zz' * 200}\n"))
    assert "unknown metric: zzzz" in str(error) and "…" in str(error) and len(str(error)) < 400


def test_too_many_entries_and_problems():
    kpis = "".join(f"  - {{id: k{i}, name: K, metric: won, target: 1}}\n" for i in range(MAX_ITEMS + 1))
    text = "kgi: {name: R, metric: won_revenue, target: 1}\nkpis:\n" + kpis
    error = refused(text)
    assert str(error) == f"goals.yaml: line {MAX_ITEMS + 3}, kpis: has more than {MAX_ITEMS} entries"
    kpis = "".join(f"  - {{id: k, name: K, metric: won, target: {-i - 1}}}\n" for i in range(MAX_ITEMS))
    error = refused("kgi: {name: R, metric: won_revenue, target: 1}\nkpis:\n" + kpis)
    assert len(error.problems) == 51 and error.problems[-1].code == "goalfile.more_problems"
    assert error.lines("en")[-1].endswith("more problems are not listed: fix the ones above first")


@pytest.mark.parametrize(
    "text",
    ["kgi:\n  name: a\x00b\n", "kgi:\n\tname: x\n", "kgi: [\n", "a: 1\n---\nb: 2\n", "? [a]\n: 1\n", "kgi: {[a]: 1}\n"],
)
def test_malformed_yaml_is_one_line(text: str):
    error = refused(text)
    assert "\n" not in str(error)


def test_the_document_limit_is_on_bytes():
    japanese = "あ" * (MAX_DOCUMENT_BYTES // 3 + 10)  # fewer characters than the limit, more bytes
    error = refused(GOOD + f"# {japanese}\n")
    assert error.code == "goalfile.too_large"
    assert load_goals(GOOD + "# " + "x" * (MAX_DOCUMENT_BYTES - len(GOOD) - 10) + "\n").kgi.name == "Revenue"


@pytest.mark.parametrize("name", ["sales", "marketing"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_templates_are_within_every_limit(name: str, lang: str):
    assert load_goals(template_text(name, lang)) == load_template(name, lang)


# --- formulas ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("-" * 10_000 + "won", "too_long"),
        ("(" * 10_000 + "won" + ")" * 10_000, "too_long"),
        ("-" * (MAX_FORMULA_DEPTH + 1) + "won", "too_deep"),
        ("(" * (MAX_FORMULA_DEPTH + 1) + "won" + ")" * (MAX_FORMULA_DEPTH + 1), "too_deep"),
        (" + ".join(["won"] * (MAX_FORMULA_DEPTH + 2)), "too_deep"),
        ("won * " + "9" * 400, "constant_range"),
        ("won * 1e999", "constant_range"),
        ("won ** 2", "not_allowed"),
        ("won(", "not_a_formula"),
        ("1won", "not_a_formula"),
        ("won\x00", "not_a_formula"),
        ("'text'", "constant"),
    ],
)
def test_formulas_are_bounded_before_they_recurse(formula: str, code: str):
    started = time.perf_counter()
    with pytest.raises(FormulaError) as caught:
        formula_names(formula)
    assert caught.value.code == code and time.perf_counter() - started < SECONDS
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200
    assert caught.value.message("ja") != str(caught.value)


def test_formulas_within_the_limits_still_work():
    assert evaluate("-" * MAX_FORMULA_DEPTH + "won", {"won": 2}) == 2
    assert evaluate("(" * 40 + "won / (won + lost)" + ")" * 40, {"won": 1, "lost": 3}) == 0.25
    assert evaluate(" + ".join(["won"] * MAX_FORMULA_DEPTH), {"won": 1}) == MAX_FORMULA_DEPTH
    assert formula_names("won + " * 10 + "x" * (MAX_FORMULA_CHARS - 60)) == {"won", "x" * (MAX_FORMULA_CHARS - 60)}
    assert formula_names("opportunities * win_rate * avg_unit_price") == {"opportunities", "win_rate", "avg_unit_price"}
    with pytest.raises(FormulaError, match="unknown metric: lost"):
        evaluate("won / lost", {"won": 1})


# --- the command line --------------------------------------------------------------------------------------------
@pytest.fixture
def deals(tmp_path: Path) -> Path:
    path = tmp_path / "gw.csv"
    path.write_text(GOLDEN_WEEK, encoding="utf-8")
    return path


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("command", ["plan", "pivots"])
def test_cli_exits_2_with_one_line(deals: Path, tmp_path: Path, name: str, command: str):
    text, line, where, words = HOSTILE[name]
    goals = tmp_path / "hostile.yaml"
    goals.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    status, out, err = run([command, str(deals), "--goals", str(goals), "--as-of", "2025-05-07", "--json"])
    assert time.perf_counter() - started < 5 * SECONDS
    assert status == 2 and out == ""
    assert err.startswith("error: hostile.yaml: ") and err.count("\n") == 1 and "Traceback" not in err
    assert words in err and where in err and (f"line {line}" in err if line else True)


def test_cli_speaks_japanese(deals: Path, tmp_path: Path):
    goals = tmp_path / "goals.yaml"
    goals.write_text(HOSTILE["digits_400"][0], encoding="utf-8")
    status, _, err = run(["plan", str(deals), "--goals", str(goals), "--lang", "ja"])
    assert status == 2 and err.startswith("error: goals.yaml：6行目、kgi.target：") and err.count("\n") == 1


# --- the as-of date ----------------------------------------------------------------------------------------------
BOUNDS = (D(2024, 4, 1), D(2026, 11, 24))


@pytest.mark.parametrize("day", [D(9999, 12, 31), D(1, 1, 1), D(2023, 3, 31), D(2027, 11, 25)])
def test_as_of_outside_the_data_is_refused_with_its_own_sentence(day: dt.date):
    with pytest.raises(AsOfError) as caught:
        check_as_of(day, bounds=BOUNDS)
    assert caught.value.code == "asof.outside"
    assert str(caught.value) == (
        f"the as-of date {day.isoformat()} is outside the data (2024-04-01 – 2026-11-24): "
        "choose a date from 2023-04-01 to 2027-11-24"
    )
    assert caught.value.message("ja").startswith(f"基準日 {day.isoformat()} はデータの期間（2024-04-01 – 2026-11-24）")


@pytest.mark.parametrize("day", [D(2023, 4, 1), D(2025, 1, 1), D(2027, 11, 24)])
def test_as_of_within_a_year_of_the_data_is_kept(day: dt.date):
    assert check_as_of(day, bounds=BOUNDS) == day


def test_as_of_range_edges():
    assert as_of_range(D(2024, 2, 29), D(2024, 2, 29)) == (D(2023, 2, 28), D(2025, 2, 28))
    assert as_of_range(None, None) == (D(1900, 1, 1), D(2199, 12, 31))
    assert as_of_range(D(1, 1, 1), D(9999, 12, 31)) == (D(1900, 1, 1), D(2199, 12, 31))
    assert check_as_of(D(2025, 1, 1)) == D(2025, 1, 1)  # no data: only the absolute range
    with pytest.raises(AsOfError, match="the as-of date 9999-12-31 cannot be used: choose a date from 1900-01-01"):
        check_as_of(D(9999, 12, 31))


def test_as_of_against_a_dataset(deals: Path):
    dataset = load_dataset([FileInput(deals.name, deals)])
    first, last = data_bounds(dataset)
    assert first is not None and last is not None and first <= last
    assert check_as_of(D(2025, 5, 7), dataset) == D(2025, 5, 7)
    with pytest.raises(AsOfError, match="outside the data"):
        check_as_of(D(9999, 12, 31), dataset)
    # the engine itself says so instead of overflowing
    with pytest.raises(AsOfError):
        kpi_gaps(load_template("sales", "en"), dataset, as_of=D(9999, 12, 31))


@pytest.mark.parametrize("command", ["plan", "pivots"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_cli_as_of_outside_the_data_exits_2(deals: Path, command: str, day: str):
    status, out, err = run([command, str(deals), "--goals", "template:sales_en", "--as-of", day])
    assert status == 2 and out == ""
    assert err.startswith(f"error: --as-of: the as-of date {day} is outside the data (") and err.count("\n") == 1


# --- the Goals page ----------------------------------------------------------------------------------------------
def test_the_goals_page_shows_hostile_imports_as_errors():
    from streamlit.testing.v1 import AppTest
    from test_app_expected import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"asof": "2026-11-15", "lang": "en"})
    at.run()
    at = at.switch_page("pages/4_Goals.py").run()
    for name in ("billion_laughs", "recursive_alias", "python_tag", "digits_400", "formula_10k", "deep_nesting"):
        text, line, where, _ = HOSTILE[name]
        at.file_uploader(key="goals_upload").set_value([(f"{name}.yaml", text.encode("utf-8"), "application/x-yaml")])
        at.run()
        assert not at.exception, name
        errors = " ".join(e.value for e in at.error).replace("\\", "")
        assert f"line {line}" in errors and where in errors, (name, errors)
