"""The `plan` command: payload keys, JSON output and exit status 2 for unusable goal files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kpi_core import cli
from kpi_core.plan_cli import render_plan_text, run_plan
from tests.test_goals import GOOD
from tests.test_pacing import GOLDEN_WEEK

build_parser = cli.build_parser  # registers `plan` itself


@pytest.fixture
def with_plan() -> None:
    """`plan` is part of the command line (kept as a fixture so the tests say what they rely on)."""


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    path = tmp_path / "gw.csv"
    path.write_text(GOLDEN_WEEK, encoding="utf-8")
    return path


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_handler_payload(deals: Path, tmp_path: Path):
    goals = tmp_path / "goals.yaml"
    goals.write_text(GOOD, encoding="utf-8")
    args = build_parser().parse_args(["plan", str(deals), "--goals", str(goals), "--as-of", "2025-05-07"])
    payload = run_plan(args)
    for key in ("rows", "rejects", "mapping", "kgi", "kpis", "consistency", "backward_plan", "as_of"):
        assert key in payload
    for item in [payload["kgi"], *payload["kpis"]]:
        assert {"id", "metric", "target", "actual", "gap", "attainment", "forecast", "status"} <= set(item)
        assert set(item["forecast"]) == {"value", "low", "high", "probability_on_target", "method"}
        assert {"code", "text"} <= set(item["forecast"]["method"])
    deals_kpi = payload["kpis"][0]
    assert (deals_kpi["id"], deals_kpi["actual"], deals_kpi["expected"]) == ("deals", 7, pytest.approx(10 * 3 / 20))
    assert deals_kpi["forecast"]["value"] == pytest.approx(7 / 3 * 20)
    assert payload["kgi"]["actual"] == 300  # won revenue of FY2025 to 7 May
    assert payload["consistency"]["status"] in ("consistent", "mismatch", "incomplete")
    assert "deals" in render_plan_text(payload)


def test_json_output_with_a_template(with_plan, deals: Path):
    status, out, err = run(["plan", str(deals), "--goals", "template:sales_ja", "--as-of", "2025-05-07", "--json"])
    assert status == 0, err
    payload = json.loads(out)
    assert [k["id"] for k in payload["kpis"]] == ["valid_deals", "win_rate", "unit_price"]
    assert payload["consistency"]["gap"] == pytest.approx(36_000_000)
    assert payload["backward_plan"]["steps"][0]["needed_per_month"] == 12_000_000
    assert "NaN" not in out and "Infinity" not in out


def test_text_output_is_the_plan_renderer(deals: Path):
    args = build_parser().parse_args(["plan", str(deals), "--goals", "template:marketing_en", "--as-of", "2025-05-07"])
    assert args.render is render_plan_text
    text = render_plan_text(run_plan(args))
    assert "consistency:" in text and "backward plan" in text and "leads" in text


@pytest.mark.parametrize(
    ("goals_text", "message"),
    [
        (
            GOOD.replace("    target: 10\n", "    target: fifty\n"),
            "goals.yaml: line 11, kpis[0].target: must be a number",
        ),
        ("kgi: [\n", "goals.yaml: line 2: not valid YAML"),
    ],
)
def test_bad_goal_file_exits_2(with_plan, deals: Path, tmp_path: Path, goals_text: str, message: str):
    goals = tmp_path / "goals.yaml"
    goals.write_text(goals_text, encoding="utf-8")
    status, out, err = run(["plan", str(deals), "--goals", str(goals), "--json"])
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--goals", "missing.yaml"], "missing.yaml: no such goal file"),
        (["--goals", "template:sales_fr"], "no template sales_fr"),
        (
            ["--goals", "template:sales_ja", "--as-of", "2025-13-01"],
            "--as-of '2025-13-01': write the date as YYYY-MM-DD",
        ),
    ],
)
def test_unusable_arguments_exit_2(with_plan, deals: Path, extra: list[str], message: str):
    status, _, err = run(["plan", str(deals), *extra])
    assert status == 2 and message in err


def test_missing_data_file_and_missing_goals_option(with_plan, tmp_path: Path):
    status, _, err = run(["plan", str(tmp_path / "none.csv"), "--goals", "template:sales_ja"])
    assert status == 2 and "no such file" in err
    status, _, _ = run(["plan", str(tmp_path / "none.csv")])  # argparse: --goals is required
    assert status == 2
