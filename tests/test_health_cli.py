"""The `check` command (kpi_core.health.cli, hooked into kpi_core.cli here as the lead will): JSON shape, --fix,
exit status as `kpis`; and the check on the bundled samples, the templates and a real public dataset."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import pytest

from kpi_core import cli
from kpi_core.goals import load_goals, load_template
from kpi_core.health import check_health
from kpi_core.intake.load import FileInput, load_dataset
from tests.test_health_fixtures import HEALTHY_GOALS, healthy_sheet, write

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_AS_OF = "2026-11-24"


@pytest.fixture
def with_check() -> None:
    """`check` is a command of kpi_core.cli's parser (wired in build_parser)."""
    assert "check" in cli.build_parser()._subparsers._group_actions[0].choices


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "sheet.csv", healthy_sheet()), write(tmp_path, "goals.yaml", HEALTHY_GOALS)


def test_json_shape(with_check, files):
    data, goals = files
    status, out, err = run(["check", str(data), "--goals", str(goals), "--as-of", "2025-01-15", "--json"])
    assert status == 0, err
    payload = json.loads(out)
    assert isinstance(payload["score"], int) and 0 <= payload["score"] <= 100
    assert payload["findings"]
    for finding in payload["findings"]:
        assert {"pitfall", "verdict", "kpi", "message", "evidence", "remedy", "fix"} <= set(finding)
        assert finding["pitfall"] in range(1, 8) and finding["verdict"] in ("ok", "warn", "fail")


def test_text_output_in_japanese(with_check, files):
    data, goals = files
    status, out, err = run(["check", str(data), "--goals", str(goals), "--as-of", "2025-01-15", "--lang", "ja"])
    assert status == 0, err
    assert "KPI 健全性スコア" in out and "目標値の妥当性" in out


def test_fix_prints_the_repaired_goal_file(with_check, files):
    data, goals = files
    goals.write_text(HEALTHY_GOALS.replace("    target: 26\n", "    target: 100\n"), encoding="utf-8")
    status, out, err = run(
        ["check", str(data), "--goals", str(goals), "--as-of", "2025-01-15", "--fix", "4:wins:far_above"]
    )
    assert status == 0, err
    assert load_goals(out).kpi("wins").target == 30
    assert out.startswith("# A healthy goal file")


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "missing.csv", "--goals", "GOALS"],  # no such data file
        ["check", "DATA", "--goals", "missing.yaml"],  # no such goal file
        ["check", "DATA", "--goals", "BAD"],  # a goal file load_goals refuses
        ["check", "DATA", "--goals", "GOALS", "--fix", "9:nope:x"],  # no such finding
        ["check", "DATA", "--goals", "GOALS", "--fix", "1:deals:linked"],  # a finding without a fix
        ["check", "DATA"],  # --goals missing: usage
        ["check", "DATA", "--goals", "GOALS", "--as-of", "15/01/2025"],  # usage
    ],
)
def test_exit_status_as_kpis(with_check, files, tmp_path: Path, argv: list[str]):
    data, goals = files
    bad = write(tmp_path, "bad.yaml", "kgi: {name: x}\n")
    names = {"DATA": str(data), "GOALS": str(goals), "BAD": str(bad)}
    status, out, err = run([names.get(a, a) for a in argv])
    kpis_status, _, _ = run(["kpis", "missing.csv"])
    assert status == kpis_status == cli.EXIT_BAD_INPUT
    assert err.startswith(cli.ERROR_PREFIX) and out == ""


# --- samples, templates, a real dataset -------------------------------------------------------------------------
def assert_sane(report) -> None:
    payload = report.as_dict()
    json.dumps(payload, allow_nan=False, ensure_ascii=False)  # no NaN, no infinity
    assert 0 <= report.score <= 100
    assert report.findings
    for finding in [*report.findings, *report.skipped]:
        en, ja = finding.message("en"), finding.message("ja")
        assert en and ja and en != ja
        assert "{" not in en.replace(getattr(finding, "params", {}).get("kpi_name", "") or "", "")
        assert "{" not in ja.replace(getattr(finding, "params", {}).get("kpi_name", "") or "", "")
        assert "nan" not in en.lower().split()
    for finding in report.findings:
        for lang in ("ja", "en"):
            assert "{" not in finding.remedy_text(lang)
        if finding.verdict != "ok":
            assert finding.remedy_text("ja") and finding.remedy_text("en")


SAMPLE_CASES = [
    ("sales_deals_ja.csv", "sales_ja"),
    ("sales_deals_ja.csv", "sales_en"),
    ("marketing_leads_en.csv", "marketing_en"),
    ("monthly_kpi_ja.xlsx", "marketing_ja"),
]


@pytest.mark.parametrize(("file", "template"), SAMPLE_CASES)
def test_samples_with_templates(file: str, template: str):
    dataset = load_dataset([FileInput(file, SAMPLES / file)])
    name, _, lang = template.rpartition("_")
    report = check_health(load_template(name, lang), dataset, dt.date.fromisoformat(SAMPLE_AS_OF))
    assert_sane(report)
    assert {f.pitfall for f in report.findings} >= {1, 2, 3, 4, 5, 7}


def test_sample_through_the_command_line(with_check):
    argv = ["check", str(SAMPLES / "sales_deals_ja.csv"), "--goals", "template:sales_ja", "--as-of", SAMPLE_AS_OF]
    status, out, err = run([*argv, "--json", "--lang", "ja"])
    assert status == 0, err
    payload = json.loads(out)
    assert 0 <= payload["score"] <= 100
    assert all(not isinstance(v, float) or math.isfinite(v) for v in _numbers(payload))


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    else:
        yield value


@pytest.mark.realdata
def test_real_dataset_maven(maven_dir: Path):
    dataset = load_dataset([FileInput("sales_pipeline.csv", maven_dir / "sales_pipeline.csv")])
    report = check_health(load_template("sales", "en"), dataset, dt.date(2018, 1, 1))
    assert_sane(report)
    # 30 agents with deals: the field check has reps to compare
    assert any(f.pitfall == 6 for f in report.findings)
