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
from kpi_core.goals import load_template
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.report import build_report
from tests.bilingual import ALLOWED_TOKENS, english_words

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "sales_deals_ja.csv"
PREV = ROOT / "sample_data" / "sales_deals_ja_prev.csv"
AS_OF = dt.date(2026, 11, 15)
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
