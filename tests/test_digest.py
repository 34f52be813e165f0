"""The weekly digest (kpi_core/digest.py) and the `digest` command: its figures are the report's and the
comparison's (computed here again, two counts by hand with pandas), its exit status for schedulers, its three
formats, escaping, Japanese without English, and posting to a webhook on a local server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.changes import compare_snapshots
from kpi_core.cli import main
from kpi_core.digest import DealToLook, Digest, build_digest
from kpi_core.goals import load_goals, load_template
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.report import build_report
from tests.bilingual import ALLOWED_TOKENS, english_words
from tests.test_plan_cli import QUOTA_AS_OF, QUOTA_GOALS, QUOTA_TEAMS, QUOTA_WON, quota_deals

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "sales_deals_ja.csv"
PREV = ROOT / "sample_data" / "sales_deals_ja_prev.csv"
AS_OF = dt.date(2026, 11, 15)
QUOTA_DAY = dt.date.fromisoformat(QUOTA_AS_OF)
WON, LOST = {"受注", "成約"}, {"失注", "Closed Lost"}  # the sample's words for a won / lost deal


@functools.cache
def sample(path: Path) -> Dataset:
    return load_dataset([FileInput(path.name, path)])


@functools.cache
def report():
    return build_report(load_template("sales", "ja"), sample(SAMPLE), AS_OF)


@functools.cache
def digest(lang: str = "en") -> Digest:
    return build_digest(load_template("sales", "ja"), sample(SAMPLE), AS_OF, since=sample(PREV), lang=lang)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def digest_args(*extra: str) -> list[str]:
    return ["digest", str(SAMPLE), "--goals", "template:sales_ja", "--as-of", AS_OF.isoformat(), *extra]


# --- the figures are the report's and the comparison's ----------------------------------------------------------
def test_kgi_forecast_is_the_reports() -> None:
    figures = report().figures
    found = digest()
    assert found.kgi["forecast"] == figures["kgi.forecast"]
    for key in ("target", "low", "high", "probability", "gap"):
        assert found.kgi[key] == figures[f"kgi.{key}"]
    payload = found.as_dict()
    assert payload["kgi"]["forecast"] == figures["kgi.forecast"].value
    text = "\n".join(found.lines("en"))
    assert figures["kgi.forecast"].text("en", currency="JPY") in text


def test_off_track_kpis_are_the_plans() -> None:
    expected = [row["id"] for row in report().plan.gaps if row["kind"] == "kpi" and row["status"] == "off_track"]
    assert expected, "the sample has an off-track KPI at this date"
    assert [item.id for item in digest().off_track] == expected


def test_changes_are_compare_snapshots_and_plain_pandas() -> None:
    changes = compare_snapshots(sample(PREV), sample(SAMPLE))
    summary = digest().as_dict()["changes"]
    assert summary == {kind: changes.summary[kind] for kind in summary}
    prev = pd.read_csv(PREV, dtype=str, encoding="utf-8-sig")
    now = pd.read_csv(SAMPLE, dtype=str, encoding="utf-8-sig")
    open_before = set(prev.loc[~prev["フェーズ"].isin(WON | LOST), "商談ID"])
    won_now = set(now.loc[now["フェーズ"].isin(WON), "商談ID"])
    new_ids = set(now["商談ID"]) - set(prev["商談ID"])
    assert summary["won"]["count"] == len(open_before & won_now | new_ids & won_now) == 2
    assert summary["new"]["count"] == len(new_ids) == 17
    # the deals to look at are open ones that moved the wrong way, largest first
    deals = digest().deals
    assert deals and all(d.change in ("slipped", "back", "amount_down") for d in deals)
    assert [d.amount for d in deals] == sorted((d.amount for d in deals), reverse=True)


def test_a_comparison_already_made_is_used_and_the_app_says_nothing_of_options() -> None:
    """The Weekly page passes its cached comparison and asks for the sentence without the command's option."""
    goals = load_template("sales", "ja")
    changes = compare_snapshots(sample(PREV), sample(SAMPLE))
    found = build_digest(goals, sample(SAMPLE), AS_OF, since=sample(PREV), changes=changes, report=report())
    assert found.changes is changes and found.summary() == digest().summary()
    alone = build_digest(goals, sample(SAMPLE), AS_OF, report=report(), lang="ja", since_hint=False)
    assert "前回のデータと比べていないため、変化は入っていません。" in alone.lines("ja")
    assert not any("--since" in line for line in alone.lines("ja") + alone.lines("en"))
    assert any("--since" in line for line in build_digest(goals, sample(SAMPLE), AS_OF, report=report()).lines("en"))


# --- exit status ---------------------------------------------------------------------------------------------------
def test_exit_status_3_when_the_kgi_is_off_track() -> None:
    assert digest().kgi_off_track
    status, out, err = run(*digest_args("--lang", "en"))
    assert status == 3, err
    assert out.startswith("# Weekly digest") and err == ""


def test_exit_status_0_when_on_track(tmp_path: Path) -> None:
    text = (ROOT / "kpi_core" / "templates" / "sales_ja.yaml").read_text(encoding="utf-8")
    text = text.replace("target: 144000000", "target: 1000").replace("baseline: 120000000", "baseline: 900")
    goals = tmp_path / "tiny.yaml"
    goals.write_text(text, encoding="utf-8")
    status, out, err = run("digest", str(SAMPLE), "--goals", str(goals), "--as-of", AS_OF.isoformat(), "--format",
                           "json")  # fmt: skip
    assert status == 0, err
    assert json.loads(out)["kgi"]["off_track"] is False


def test_unusable_input_is_exit_2(tmp_path: Path) -> None:
    status, out, err = run("digest", str(tmp_path / "missing.csv"), "--goals", "template:sales_ja")
    assert status == 2 and out == "" and err.startswith("error: ")


# --- formats -------------------------------------------------------------------------------------------------------
def test_formats() -> None:
    status, md, _ = run(*digest_args("--since", str(PREV), "--format", "md", "--lang", "en"))
    assert status == 3 and "## What changed since last time" in md and "- Won: 2" in md
    status, page, _ = run(*digest_args("--since", str(PREV), "--format", "html", "--lang", "ja"))
    assert status == 3 and page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page
    assert (
        "@page{size:A4" in page and "<script" not in page and "http" not in page.lower().replace("<!doctype html>", "")
    )
    status, out, _ = run(*digest_args("--since", str(PREV), "--format", "json"))
    payload = json.loads(out)
    assert status == 3 and {"kgi", "off_track", "advice", "changes", "deals", "text"} <= set(payload)
    assert payload["changes"]["won"]["count"] == 2


def test_html_and_markdown_escape_a_hostile_owner() -> None:
    hostile = '<script>alert("x")</script>[link](http://evil.example)'
    found = dataclasses.replace(digest(), deals=[DealToLook("OPP-1", "back", 1000.0, hostile, None)])
    page = found.to_html("en")
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    md = found.to_markdown("en")
    assert "<script>" not in md and "](http" not in md and "\\<script\\>" in md


def test_japanese_digest_has_no_english_words() -> None:
    found = digest("ja")
    values = [found.kgi_name, found.since or "", *(d.id for d in found.deals), *(d.owner or "" for d in found.deals)]
    values += [item.name for item in found.off_track]
    for line in found.lines("ja"):
        bare = re.sub(r"--[a-z-]+", " ", line)
        assert english_words(bare, values) == [], line
    assert "KGI" in ALLOWED_TOKENS


# --- posting to a webhook --------------------------------------------------------------------------------------------
@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes], list[int]]]:
    """A local incoming webhook on 127.0.0.1: records each body; answers with the status in `answer[0]`."""
    bodies: list[bytes] = []
    answer = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(answer[0])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook/secret-token", bodies, answer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_post_sends_the_markdown(webhook, monkeypatch) -> None:
    url, bodies, _ = webhook
    monkeypatch.setenv("KPI_PIVOT_WEBHOOK_URL", url)
    status, out, err = run(*digest_args("--post", "--lang", "en"))
    assert status == 3, err
    assert len(bodies) == 1
    sent = json.loads(bodies[0])["text"]
    assert sent == out and sent.startswith("# Weekly digest")
    assert "secret-token" not in out + err


def test_post_failure_is_one_sentence_exit_2(webhook, monkeypatch) -> None:
    url, _, answer = webhook
    answer[0] = 500
    monkeypatch.setenv("KPI_PIVOT_WEBHOOK_URL", url)
    status, out, err = run(*digest_args("--post", "--lang", "ja"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "500" in err and "secret-token" not in err
    monkeypatch.setenv("KPI_PIVOT_WEBHOOK_URL", "http://127.0.0.1:1/closed")
    status, _, err = run(*digest_args("--post", "--lang", "en"))
    assert status == 2 and "could not be reached" in err
    monkeypatch.delenv("KPI_PIVOT_WEBHOOK_URL")
    status, _, err = run(*digest_args("--post", "--lang", "en"))
    assert status == 2 and "KPI_PIVOT_WEBHOOK_URL" in err


# --- the reps behind: their quota's attainment where the goal file sets quotas (issue 14) ---------------------------
def quota_case(tmp_path: Path, goals_text: str = QUOTA_GOALS) -> tuple[Dataset, object]:
    path = tmp_path / "deals.csv"
    path.write_text(quota_deals(), encoding="utf-8")
    return load_dataset([FileInput(path.name, path)]), load_goals(goals_text)


def june_won() -> pd.Series:
    """Won deals closed in June 2025 per rep (plain pandas on the fixture)."""
    frame = pd.read_csv(io.StringIO(quota_deals()))
    return frame[(frame["stage"] == "Won") & frame["closed"].str.startswith("2025-06")].groupby("owner").size()


def test_off_track_reps_are_ranked_by_quota_attainment(tmp_path: Path) -> None:
    dataset, goals = quota_case(tmp_path)
    found = build_digest(goals, dataset, QUOTA_DAY, calendar="weekends", teams={"Baba": "West", "Chiba": "West"})
    [wins] = found.off_track
    # The team won 10 of 20 in June (50 %): off track. June is complete on the 30th, so each rep's expected is the
    # whole quota: attainment = won ÷ quota, and the ranking differs from the gaps' (Aoki is furthest behind in deals).
    june, quota = june_won(), pd.Series({"Aoki": 10, "Baba": 4, "Chiba": 2})
    assert (wins.id, wins.basis, wins.attainment) == ("wins", "quota", pytest.approx(june.sum() / 20))
    by_hand = (june / quota).sort_values()
    assert [(o.owner, o.attainment, o.gap, o.team) for o in wins.owners] == [
        (owner, pytest.approx(share), june[owner] - quota[owner], {"Aoki": "East"}.get(owner, "West"))
        for owner, share in by_hand.items()
    ]
    assert [o.owner for o in wins.owners] == ["Chiba", "Aoki", "Baba"]
    assert sorted(wins.owners, key=lambda o: o.gap)[0].owner == "Aoki"
    lines = found.lines("en")
    assert "Furthest behind their own quota: Chiba (West) 50.0% (-1), Aoki (East) 60.0% (-4), Baba (West) 75.0% (-1)" \
        in lines  # fmt: skip
    ja = "ノルマの達成率が最も低い担当者：Chiba（West） 50.0%（-1）、Aoki（East） 60.0%（-4）、Baba（West） 75.0%（-1）"
    assert ja in found.lines("ja")
    assert found.as_dict()["off_track"][0]["basis"] == "quota"


def test_without_quotas_the_reps_are_behind_an_even_share(tmp_path: Path) -> None:
    dataset, goals = quota_case(tmp_path, QUOTA_GOALS.split("quotas:")[0])
    found = build_digest(goals, dataset, QUOTA_DAY, calendar="weekends")
    [wins] = found.off_track
    share = 20 / 3  # three reps active in June
    by_hand = (june_won() / share).sort_values()
    assert wins.basis == "even_split"
    assert [(o.owner, o.attainment) for o in wins.owners] == [(o, pytest.approx(a)) for o, a in by_hand.items()]
    assert [o.owner for o in wins.owners] == ["Chiba", "Baba", "Aoki"]
    assert any(line.startswith("furthest behind their even share: Chiba 15.0%") for line in found.lines("en"))
    assert any(line.startswith("均等割りの目安から最も遅れている担当者：Chiba 15.0%") for line in found.lines("ja"))
    assert found.kgi_owners == ()  # no KGI quotas: no KGI reps


def test_kgi_reps_behind_their_revenue_quota(tmp_path: Path) -> None:
    dataset, goals = quota_case(tmp_path)
    found = build_digest(goals, dataset, QUOTA_DAY, calendar="weekends")
    # FY2025 runs April to March; by 30 June a quota is pro-rated by weekdays (the weekends calendar).
    share = len(pd.bdate_range("2025-04-01", "2025-06-30")) / len(pd.bdate_range("2025-04-01", "2026-03-31"))
    revenue = pd.Series({owner: (may + june) * amount for owner, (may, june, amount) in QUOTA_WON.items()})
    attainment = revenue / (pd.Series({"Aoki": 8000, "Baba": 2000, "Chiba": 2000}) * share)
    behind = attainment[attainment < 1].sort_values()
    assert list(behind.index) == ["Aoki", "Chiba"]  # Baba is ahead of his quota: not listed
    assert found.status in ("at_risk", "off_track")
    assert [(o.owner, o.attainment) for o in found.kgi_owners] == [(o, pytest.approx(a)) for o, a in behind.items()]
    assert found.kgi_owners[0].team == "East"  # the goal file's team
    line = next(line for line in found.lines("en") if line.startswith("Furthest behind their KGI quota"))
    assert f"Aoki (East) {behind['Aoki']:.1%}" in line and f"Chiba {behind['Chiba']:.1%}" in line
    assert [o["owner"] for o in found.as_dict()["kgi"]["owners"]] == ["Aoki", "Chiba"]


def test_digest_reads_a_team_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    deals, goals, teams = tmp_path / "deals.csv", tmp_path / "goals.yaml", tmp_path / "teams.csv"
    deals.write_text(quota_deals(), encoding="utf-8")
    goals.write_text(QUOTA_GOALS, encoding="utf-8")
    teams.write_text(QUOTA_TEAMS, encoding="utf-8")
    args = ["digest", str(deals), "--goals", str(goals), "--as-of", QUOTA_DAY.isoformat(), "--calendar", "weekends"]
    status, out, err = run(*args, "--teams", str(teams), "--format", "json")
    assert status == 3, err
    payload = json.loads(out)
    assert {o["owner"]: o["team"] for o in payload["off_track"][0]["owners"]} == {"Aoki": "East", "Baba": "West",
                                                                                 "Chiba": "West"}  # fmt: skip
    teams.write_text("名前,部門\nAoki,East\n", encoding="utf-8")
    for lang, words in (("ja", "担当者とチームの列が見つかりません"), ("en", "has no owner and team columns")):
        status, out, err = run(*args, "--teams", str(teams), "--lang", lang)
        assert status == 2 and out == "" and words in err and err.count("\n") == 1
