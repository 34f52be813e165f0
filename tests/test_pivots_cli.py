"""The `pivots` command: JSON keys, the what-if, text output and exit status 2 on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kpi_core import cli
from kpi_core.pivots_cli import render_pivots_text

GOALS = """\
fiscal_year_start: 4
currency: JPY
kgi: {name: Revenue, metric: won_revenue, target: 108000000, period: year}
kpis:
  - {id: deals, name: New deals, metric: opportunities, target: 50, per: month, csfs: [acquisition]}
  - {id: rate, name: Win rate, metric: win_rate, target: 0.2, per: month, csfs: [quality]}
csfs:
  - {id: acquisition, name: New-customer acquisition, lever: opportunities, actions: [Trade shows]}
  - {id: quality, name: Deal quality, lever: win_rate, actions: [Tailored proposals, Reach decision makers]}
"""
PIVOT_KEYS = {
    "lever",
    "current",
    "required",
    "change_pct",
    "history_share",
    "feasible",
    "csf",
    "actions",
    "explanation",
}


def _deals(path: Path) -> Path:
    """Jan-Jun 2026: 12 deals a month at 1.2M, 3 won (6 in January); July to the 15th: 10 deals, 2 won at 1.5M."""
    lines = ["id,created,close_date,stage,amount,owner,segment,channel"]
    n = 0
    for month in range(1, 7):
        won = 6 if month == 1 else 3
        for i in range(12):
            n += 1
            stage, amount = ("Won", 1200000) if i < won else ("Lost", "")
            owner = "A" if i % 2 else "B"
            lines.append(f"D{n},2026-{month:02d}-05,2026-{month:02d}-20,{stage},{amount},{owner},Mfg,Web")
    for i in range(10):
        n += 1
        closed, stage, amount = ("2026-07-10", "Won", 1500000) if i < 2 else ("", "Open", "")
        lines.append(f"D{n},2026-07-02,{closed},{stage},{amount},A,Mfg,Web")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pivots_cli")
    goals = folder / "goals.yaml"
    goals.write_text(GOALS, encoding="utf-8")
    return _deals(folder / "deals.csv"), goals


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def payload(files) -> dict:
    """The handler's payload (what `--json` prints), with a what-if."""
    deals, goals = files
    argv = ["pivots", str(deals), "--goals", str(goals), "--as-of", "2026-07-15", "--target-mode", "even", "--json"]
    args = cli.build_parser().parse_args([*argv, "--set", "win_rate=0.3", "--set", "avg_unit_price=+10%"])
    return json.loads(json.dumps(args.handler(args), ensure_ascii=False))  # valid JSON as it stands


def test_json_has_the_documented_keys(payload):
    assert {"rows", "rejects", "mapping", "as_of", "kgi", "models", "identity", "shortfalls", "goodhart"} <= set(
        payload
    )
    assert {"what_if", "notes", "goals"} <= set(payload)
    assert (payload["rows"]["read"], payload["rows"]["used"], payload["rows"]["rejected"]) == (82, 82, 0)
    assert payload["as_of"] == "2026-07-15"
    deals = next(s for s in payload["shortfalls"] if s["id"] == "deals")
    assert deals["forecast"] < 50 and deals["missing_lever"] == "opportunities"
    assert deals["kgi_target"] == pytest.approx(108e6 / 12)  # July's even share of the annual KGI
    assert deals["kgi_booked"] == pytest.approx(3e6)  # two wins at 1.5M before 15 July
    assert deals["pivots"] and all(set(p) >= PIVOT_KEYS for p in deals["pivots"])
    assert [p["rank"] for p in deals["pivots"]] == list(range(1, len(deals["pivots"]) + 1))
    rate = next(p for p in deals["pivots"] if p["lever"] == "win_rate")
    assert rate["csf"] == "Deal quality" and rate["actions"] == ["Tailored proposals", "Reach decision makers"]
    # The rate needed on the deals still to come: (9M − 3M booked) ÷ ((forecast − 10 booked) × 1.2M).
    assert rate["required"] == pytest.approx(6e6 / ((deals["forecast"] - 10) * 1.2e6))
    assert isinstance(rate["explanation"]["text"], str) and rate["explanation"]["code"].startswith("pivot_single")


def test_the_default_month_share_catches_up_what_the_year_is_behind(files):
    deals, goals = files
    args = cli.build_parser().parse_args(["pivots", str(deals), "--goals", str(goals), "--as-of", "2026-07-15"])
    payload = json.loads(json.dumps(args.handler(args), ensure_ascii=False))
    shortfall = next(s for s in payload["shortfalls"] if s["id"] == "deals")
    # By hand: April-June booked 3 wins × 1.2M a month = 10.8M; (108M − 10.8M) over the 9 months July-March.
    assert shortfall["kgi_target"] == pytest.approx((108e6 - 10.8e6) / 9)


def test_set_gives_the_resulting_kgi_forecast(payload):
    outcome = payload["what_if"]
    assert [s["lever"] for s in outcome["settings"]] == ["win_rate", "avg_unit_price"]
    deals = next(c for c in outcome["required"] if c["lever"] == "opportunities")
    assert outcome["kgi_after"] == pytest.approx(3e6 + deals["rest_current"] * 0.3 * 1.2e6 * 1.1)
    assert outcome["kgi_target"] == pytest.approx(9e6)


def test_text_output_lists_shortfalls_and_pivots(payload):
    text = render_pivots_text(payload)
    assert "New deals is forecast at 20 of 50 for Jul 2026" in text
    # July's even share of the annual KGI: 108M / 12 = 9M; the rate the 10 deals still to come need for the 6M
    # missing at 1.2M each: 6M / (10 × 1.2M) = 50.0%.
    assert "win rate must reach 50.0%" in text and "of ¥9M" in text
    assert "Goodhart guard: 0 flagged" in text and "what-if: With win rate at 30.0%" in text
    assert render_pivots_text(payload, lang="en") == text  # English unless told otherwise


def test_main_prints_json_and_exits_0(files):
    deals, goals = files
    status, out, err = _run("pivots", str(deals), "--goals", str(goals), "--as-of", "2026-07-15", "--json")
    assert status == 0 and not err
    assert json.loads(out)["shortfalls"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "win_rate=abc"], "is not a number"),
        (["--set", "win_rate"], "write LEVER=VALUE"),
        (["--set", "win_rate=1.5"], "is not between 0 and 100.0%"),
        (["--set", "calls=+5%"], "no driver model has these levers"),
        (["--as-of", "15/07/2026"], "YYYY-MM-DD"),
    ],
)
def test_bad_input_exits_2_with_one_line(files, extra, message):
    deals, goals = files
    status, out, err = _run("pivots", str(deals), "--goals", str(goals), "--as-of", "2026-07-15", *extra)
    assert status == 2 and not out
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_bad_goal_file_exits_2(files, tmp_path):
    deals, _ = files
    broken = tmp_path / "broken.yaml"
    broken.write_text("kgi: {name: Revenue, metric: no_such_metric, target: 1}\n", encoding="utf-8")
    for goals in (str(broken), str(tmp_path / "missing.yaml")):
        status, out, err = _run("pivots", str(deals), "--goals", goals, "--json")
        assert status == 2 and not out and err.startswith("error: ")
