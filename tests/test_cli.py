"""`python -m kpi_core kpis`: the JSON contract, options, and one-line errors with exit status 2."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpi_core.cli import default_lang, main
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from tests.bilingual import english_words

REPO = Path(__file__).resolve().parents[1]
METRIC_KEYS = {
    "records",
    "leads",
    "mql",
    "sql",
    "opportunities",
    "won",
    "lost",
    "open",
    "win_rate",
    "won_revenue",
    "avg_unit_price",
    "median_cycle_days",
}
CONVERSION_KEYS = {"lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won", "first_to_won"}

DEALS = (
    "商談ID,問合せ日,商談開始日,受注日,フェーズ,金額,担当者,流入経路\n"
    'O1,2025-03-25,2025-04-02,2025-04-20,受注,"¥1,000,000",佐藤,Web\n'
    "O2,2025-03-28,2025-04-05,2025-05-01,失注,0,鈴木,展示会\n"
    'O3,2025-04-03,2025-04-10,2025-05-20,提案,"¥500,000",佐藤,Web\n'
    'O4,2025-04-07,2025-04-14,2025-05-08,受注,"¥2,000,000",鈴木,\n'
    "O5,2025-04-09,2025-04-16,2025-13-45,受注,見積中,佐藤,Web\n"  # line 6: not a date (and an unreadable amount)
)


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests read English unless they ask for Japanese, whatever the machine's locale."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return path


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def run_json(*argv: object) -> dict[str, Any]:
    status, out, err = run(*argv, "--json")
    assert (status, err) == (0, "")
    return json.loads(out)


def assert_metrics_object(figures: dict[str, Any]) -> None:
    assert set(figures) >= METRIC_KEYS
    assert set(figures["conversion"]) == CONVERSION_KEYS


def assert_one_line_error(status: int, out: str, err: str, *needles: str) -> None:
    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_json_contract(deals: Path) -> None:
    payload = run_json("kpis", deals, "--by", "owner", "--by", "channel")
    assert {"rows", "rejects", "mapping", "totals", "by_period", "by"} <= set(payload)
    assert payload["rows"] == {"read": 5, "used": 4, "rejected": 1, "linked": 0, "skipped": 0}
    [reject] = payload["rejects"]
    assert set(reject) == {"file", "row", "column", "reason"}
    assert (reject["file"], reject["row"], reject["column"]) == ("deals.csv", 6, "受注日")
    assert payload["mapping"]["created"] == "問合せ日"
    assert payload["mapping"]["amount"] == "金額"
    assert_metrics_object(payload["totals"])
    for row in payload["by_period"]:
        assert_metrics_object(row)
        assert re.fullmatch(r"\d{4}-\d{2}", row["period"])
    assert set(payload["by"]) == {"owner", "channel"}
    for rows in payload["by"].values():
        for row in rows:
            assert "key" in row
            assert_metrics_object(row)
    totals = payload["totals"]
    # O5 is rejected. Won O1 (1.0M, 3/25 → 4/20 = 26 d) and O4 (2.0M, 4/7 → 5/8 = 31 d); lost O2; open O3.
    assert [totals[k] for k in ("records", "won", "lost", "open")] == [4, 2, 1, 1]
    assert totals["won_revenue"] == pytest.approx(3_000_000)
    assert totals["avg_unit_price"] == pytest.approx(1_500_000)
    assert totals["win_rate"] == pytest.approx(2 / 3)
    assert totals["median_cycle_days"] == pytest.approx(28.5)
    assert totals["leads"] is None  # no lead stage: null, not 0
    by_owner = {row["key"]: row for row in payload["by"]["owner"]}
    assert (by_owner["佐藤"]["records"], by_owner["佐藤"]["won"]) == (2, 1)
    assert (by_owner["鈴木"]["records"], by_owner["鈴木"]["won"], by_owner["鈴木"]["lost"]) == (2, 1, 1)
    by_channel = {row["key"]: row for row in payload["by"]["channel"]}
    assert by_channel[None]["won"] == 1
    by_month = {row["period"]: row for row in payload["by_period"]}
    assert {p: (r["records"], r["won"], r["lost"]) for p, r in by_month.items()} == {
        "2025-03": (2, 0, 0),
        "2025-04": (2, 1, 0),
        "2025-05": (0, 1, 1),
    }


@pytest.mark.parametrize(
    ("argv", "labels"),
    [
        (["--period", "week"], {"2025-W13", "2025-W14", "2025-W15", "2025-W16", "2025-W18", "2025-W19"}),
        (["--period", "quarter"], {"2024-Q4", "2025-Q1"}),
        (["--period", "quarter", "--fiscal-start", "1"], {"2025-Q1", "2025-Q2"}),
        (["--period", "year"], {"2024", "2025"}),
        (["--period", "year", "--fiscal-start", "1"], {"2025"}),
    ],
)
def test_period_labels(deals: Path, argv: list[str], labels: set[str]) -> None:
    payload = run_json("kpis", deals, *argv)
    assert {row["period"] for row in payload["by_period"]} == labels
    assert sum(row["records"] for row in payload["by_period"]) == 4
    assert sum(row["won"] for row in payload["by_period"]) == 2


def test_cohort(deals: Path) -> None:
    payload = run_json("kpis", deals, "--cohort")
    by_month = {row["period"]: row for row in payload["by_period"]}
    # Created in March: O1 (won), O2 (lost). Created in April: O3 (open), O4 (won).
    assert {p: (r["records"], r["won"], r["lost"]) for p, r in by_month.items()} == {
        "2025-03": (2, 1, 1),
        "2025-04": (2, 1, 0),
    }


def test_map_overrides(deals: Path) -> None:
    payload = run_json("kpis", deals, "--map", "created=商談開始日", "--map", "channel=", "--by", "channel")
    assert payload["mapping"]["created"] == "商談開始日"
    assert "channel" not in payload["mapping"]
    assert payload["by"].get("channel", []) == []
    assert {row["period"]: row["records"] for row in payload["by_period"] if row["records"]} == {"2025-04": 4}
    assert payload["totals"]["median_cycle_days"] == pytest.approx(21.0)  # 4/2 → 4/20 = 18, 4/14 → 5/8 = 24


def test_linked_files_and_link_option(tmp_path: Path) -> None:
    (tmp_path / "leads.csv").write_text("lead_ref,created\nA,2025-04-01\nB,2025-04-02\nC,2025-04-03\n")
    (tmp_path / "won.csv").write_text("lead_ref,closed\nB,2025-04-20\nQ,2025-04-21\n")
    payload = run_json("kpis", tmp_path / "leads.csv", tmp_path / "won.csv", "--link", "lead_ref")
    assert payload["totals"]["won"] == 1 and payload["totals"]["records"] == 3
    assert [(r["file"], r["row"]) for r in payload["rejects"]] == [("won.csv", 3)]


def test_monthly_sheet_from_xlsx_with_sheet_option(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "表紙"
    workbook.active.append(["月次報告"])
    sheet = workbook.create_sheet("実績")
    for row in (
        ["月", "リード数", "商談数", "受注件数", "受注金額"],
        ["2025年4月", 100, 20, 5, 500],
        ["2025年5月", 80, 10, 3, 300],
    ):
        sheet.append(row)
    path = tmp_path / "monthly.xlsx"
    workbook.save(path)
    payload = run_json("kpis", path, "--sheet", "実績")
    assert payload["totals"]["leads"] == 180 and payload["totals"]["won"] == 8
    assert payload["totals"]["won_revenue"] == pytest.approx(800)
    assert payload["totals"]["records"] is None
    assert_one_line_error(*run("kpis", path, "--sheet", "実績", "--by", "owner"))
    assert_one_line_error(*run("kpis", path, "--sheet", "なし"), "なし")


def test_text_output(deals: Path) -> None:
    status, out, err = run("kpis", deals, "--by", "owner")
    assert (status, err) == (0, "")
    assert "5 read" in out and "4 used" in out and "1 rejected" in out
    assert re.search(r"^total\s", out, re.MULTILINE)
    assert "佐藤" in out and "2025-04" in out
    assert "row 6" in out and "受注日" in out


def test_unusable_inputs_are_one_line(tmp_path: Path, deals: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "noise.csv").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "words.csv").write_text("just a note\n")
    assert_one_line_error(*run("kpis", tmp_path / "missing.csv"), "missing.csv")
    assert_one_line_error(*run("kpis", tmp_path / "empty.csv"), "empty.csv")
    assert_one_line_error(*run("kpis", tmp_path / "noise.csv"), "noise.csv")
    assert_one_line_error(*run("kpis", tmp_path / "words.csv"), "words.csv")
    assert_one_line_error(*run("kpis", deals, "--map", "owner=営業マン"), "営業マン")
    assert_one_line_error(*run("kpis", deals, "--map", "ownerfoo"))
    assert_one_line_error(*run("kpis", deals, "--map", "colour=担当者"))
    assert_one_line_error(*run("kpis", deals, "--fiscal-start", "13"))
    assert_one_line_error(*run("kpis", deals, tmp_path / "empty.csv"), "empty.csv")


def test_bad_option_exits_2(deals: Path) -> None:
    assert run("kpis", deals, "--period", "day")[0] == 2
    assert run("kpis")[0] == 2


def test_bad_option_is_one_line_on_err(deals: Path) -> None:
    assert_one_line_error(*run("kpis", deals, "--period", "day"), "day")


def subprocess_run(*argv: object, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", *map(str, argv)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_real_process_success(deals: Path) -> None:
    done = subprocess_run("kpis", deals, "--json", "--by", "owner")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    payload = json.loads(done.stdout)
    assert payload["totals"]["won"] == 2


def test_real_process_failure(tmp_path: Path) -> None:
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    for path in (tmp_path / "image.csv", tmp_path / "missing.csv"):
        done = subprocess_run("kpis", path, "--json")
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and path.name in done.stderr
        assert "Traceback" not in done.stderr


# ------------------------------------------------------------------------------------------- --lang (issue 11)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def assert_japanese_error(status: int, out: str, err: str, *values: str) -> str:
    """One line on stderr, in Japanese after the fixed "error: ": no English word in it but the user's values (file
    names, options)."""
    assert_one_line_error(status, out, err, *values)
    assert err.startswith("error: ") and JAPANESE.search(err), err
    sentence = err.removeprefix("error: ")
    assert english_words(re.sub(r"--[a-z-]+", " ", sentence), list(values)) == [], err
    return sentence


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_ja_error_on_an_unusable_file(tmp_path: Path, where: str) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    argv = ["kpis", tmp_path / "empty.csv"]
    argv = ["--lang", "ja", *argv] if where == "before" else [*argv, "--lang", "ja"]
    sentence = assert_japanese_error(*run(*argv), "empty.csv")
    assert sentence == (
        "empty.csvは空のため、見出し行とその下のデータ行を含めてデータを書き出し直し、アップロードしてください。\n"
    )


def test_lang_en_error_is_unchanged(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    status, out, err = run("kpis", tmp_path / "empty.csv", "--lang", "en")
    assert (status, out) == (2, "")
    assert err == (
        "error: empty.csv is empty: export the data again (a header row with data rows below it) and upload it.\n"
    )


def test_lang_ja_usage_errors(tmp_path: Path, deals: Path) -> None:
    assert_japanese_error(*run("--lang", "ja", "kpis", tmp_path / "missing.csv"), str(tmp_path / "missing.csv"))
    assert_japanese_error(*run("kpis", deals, "--fiscal-start", "13", "--lang", "ja"))
    roles = ", ".join(dict.fromkeys((*RECORD_ROLES, *PERIOD_ROLES)))  # the names --map takes, as they are typed
    assert_japanese_error(*run("kpis", deals, "--map", "colour=担当者", "--lang", "ja"), "'colour=担当者'", roles)
    assert_japanese_error(*run("kpis", deals, "--map", "owner=営業マン", "--lang", "ja"), "owner", "営業マン")
    assert_japanese_error(
        *run("kpis", deals, "--date-order", "問合せ日=ymd", "--lang", "ja"), "'問合せ日=ymd'", "mdy|dmy"
    )


def test_lang_ja_argument_error_says_what_argparse_said(deals: Path) -> None:
    # argparse's own words stay English (in brackets); the sentence around them is Japanese.
    status, out, err = run("--lang", "ja", "kpis", deals, "--period", "day")
    assert_one_line_error(status, out, err, "day")
    assert err.startswith("error: python -m kpi_core kpis：コマンドの指定が正しくありません（")


def test_lang_ja_text_output(deals: Path) -> None:
    status, out, err = run("kpis", deals, "--by", "owner", "--lang", "ja")
    assert (status, err) == (0, "")
    assert out.startswith("行：読み込み 5、使用 4、除外 1\n")
    assert re.search(r"^合計\s", out, re.MULTILINE)
    assert re.search(r"^期間\s+件数\s+リード", out, re.MULTILINE)
    assert re.search(r"^担当者\s", out, re.MULTILINE)  # the role's name, not its code
    assert "除外：deals.csv 6行目 [受注日] 日付として読めません：「2025-13-45」" in out
    values = ["deals.csv", "MQL", "SQL", "Web", "id", "created", "closed", "stage", "amount", "owner", "channel"]
    assert english_words(out, values) == [], out


NO_AMOUNT = "id,created,closed,stage\n1,2025-04-01,2025-04-10,Won\n2,2025-04-02,,Open\n"


def test_lang_ja_warnings_in_text_output(tmp_path: Path) -> None:
    (tmp_path / "counts.csv").write_text(NO_AMOUNT)
    out = run("kpis", tmp_path / "counts.csv", "--lang", "ja")[1]
    assert "注意：金額の列が見つかりません。" in out
    assert "（コマンドラインでは --map 役割=列名 で列の役割を指定できます）\n" in out
    assert "warning" not in out and "--map ROLE=COLUMN" in run("kpis", tmp_path / "counts.csv")[1]


def test_lang_ja_columns_line_up(deals: Path) -> None:
    out = run("kpis", deals, "--lang", "ja")[1]
    table = out.split("\n\n")[1].splitlines()  # the totals: a heading of Japanese words over numbers
    widths = {sum(2 if ord(c) > 0x2E7F else 1 for c in line) for line in table}
    assert len(widths) == 1, table


def test_lang_ja_json_keys_stay_and_messages_follow(deals: Path, tmp_path: Path) -> None:
    en = run_json("kpis", deals, "--lang", "en")
    ja = run_json("kpis", deals, "--lang", "ja")
    assert set(ja) == set(en) and ja["totals"] == en["totals"] and ja["mapping"] == en["mapping"]
    assert ja["rejects"][0]["reason"] == "日付として読めません：「2025-13-45」"
    assert en["rejects"][0]["reason"] == "not a date: '2025-13-45'"
    (tmp_path / "counts.csv").write_text(NO_AMOUNT)
    en = run_json("kpis", tmp_path / "counts.csv", "--lang", "en")
    ja = run_json("kpis", tmp_path / "counts.csv", "--lang", "ja")
    assert [w["code"] for w in ja["warnings"]] == [w["code"] for w in en["warnings"]] != []
    for ja_warning, en_warning in zip(ja["warnings"], en["warnings"], strict=True):
        assert set(ja_warning) == set(en_warning)
        assert JAPANESE.search(ja_warning["message"]) and not JAPANESE.search(en_warning["message"])


def test_the_commands_lang_wins_over_the_global_one(deals: Path) -> None:
    out = run("--lang", "ja", "kpis", deals, "--lang", "en")[1]
    assert out.startswith("rows: 5 read")
    assert run("--lang", "ja", "kpis", deals)[1].startswith("行：")


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP"}, "ja"),
        ({"LC_ALL": "", "LANG": "ja"}, "ja"),
    ],
)
def test_default_language_from_the_locale(environ: dict[str, str], lang: str) -> None:
    assert default_lang(environ) == lang


def test_japanese_locale_without_lang(deals: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert run("kpis", deals)[1].startswith("行：")
    assert run("kpis", deals, "--lang", "en")[1].startswith("rows: ")
    assert_japanese_error(*run("kpis", deals, "--fiscal-start", "0"))


def test_real_process_in_japanese(tmp_path: Path) -> None:
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    done = subprocess_run("kpis", tmp_path / "image.csv", LANG="ja_JP.UTF-8", LC_ALL="")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "error: image.csvはCSVでもExcelでもなくPNG画像のようなので、データを.csvまたは.xlsxで保存して"
        "アップロードしてください。\n"
    )
