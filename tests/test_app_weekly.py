"""AppTest of the weekly meeting page: the sales sample against its export of a week earlier shows the engine's
counts (and two of them recomputed with plain pandas on the two CSV files), a waterfall whose bars add up, a
Japanese page with no English words but the data's own values; a file without an id column gives one sentence; a
deal list with 確度, ヨミ区分 and 受注予定日 shows the engine's ヨミ; the generator writes the committed snapshot."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, ROOT, TIMEOUT, metric_values, sales_rows, upload
from test_app_health import main_texts

from kpi_core.changes import compare_snapshots
from kpi_core.cli import main as cli_main
from kpi_core.forecast_categories import forecast_categories
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.messages import render
from tests.bilingual import english_words
from ui.format import unescape_markdown

WEEKLY = "pages/8_Weekly.py"
SAMPLE = ROOT / "sample_data"
PREV, CURRENT = "sales_deals_ja_prev.csv", "sales_deals_ja.csv"
TEAMS = "sales_teams_ja.csv"
KIND_WORDS = {
    "ja": {
        "new": "新規", "won": "受注", "lost": "失注", "forward": "フェーズ前進", "back": "フェーズ後退",
        "amount_up": "金額増", "amount_down": "金額減", "slipped": "予定日の後ろ倒し", "pulled_in": "予定日の前倒し",
        "removed": "消えた商談",
    },
    "en": {
        "new": "New", "won": "Won", "lost": "Lost", "forward": "Stage forward", "back": "Stage back",
        "amount_up": "Amount up", "amount_down": "Amount down", "slipped": "Slipped", "pulled_in": "Pulled in",
        "removed": "Removed",
    },
}  # fmt: skip
WON_PHASES, LOST_PHASES = {"受注", "成約"}, {"失注", "Closed Lost"}


def open_weekly(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(WEEKLY).run()


@cache
def engine_changes():
    before, after = (load_dataset([FileInput(name, SAMPLE / name)]) for name in (PREV, CURRENT))
    return compare_snapshots(before, after)


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data of every Altair chart on the page (Streamlit sends each chart's datasets as Arrow)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for named in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas())
    return frames


def waterfall_data(at: AppTest) -> pd.DataFrame:
    found = [f for f in chart_frames(at) if {"order", "kind", "amount", "direction"} <= set(f.columns)]
    assert found, "no waterfall on the page"
    return found[0].sort_values("order").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ the sample pair
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_counts_are_the_engines_and_two_are_plain_pandas(lang: str):
    at = open_weekly(lang=lang)
    assert not at.exception
    assert at.title[0].value == {"ja": "先週から何が動いたか？", "en": "What moved since last week?"}[lang]
    shown = metric_values(at)
    summary = engine_changes().summary
    count = "{}件" if lang == "ja" else "{}"
    for kind, word in KIND_WORDS[lang].items():
        if kind in ("slipped", "pulled_in") and "no_expected_close" in engine_changes().notes:
            assert shown[word] == "—"  # a sample without expected close dates: not known, not zero
        else:
            assert shown[word] == count.format(summary[kind]["count"]), kind
    # By hand on the two CSV files: deals won during the week, and deals that are new this week.
    prev, now = raw(PREV).set_index("商談ID"), raw(CURRENT).set_index("商談ID")
    both = prev.index.intersection(now.index)
    won = int((now.loc[both, "フェーズ"].isin(WON_PHASES) & ~prev.loc[both, "フェーズ"].isin(WON_PHASES)).sum())
    lost = int((now.loc[both, "フェーズ"].isin(LOST_PHASES) & ~prev.loc[both, "フェーズ"].isin(LOST_PHASES)).sum())
    new = len(now.index.difference(prev.index))
    assert (won, lost, new) == (summary["won"]["count"], summary["lost"]["count"], summary["new"]["count"])
    assert shown[KIND_WORDS[lang]["won"]] == count.format(won)
    assert shown[KIND_WORDS[lang]["new"]] == count.format(new)
    assert won > 0 and lost > 0 and new > 0  # the sample pair shows every common kind of change


def test_waterfall_adds_up_to_this_weeks_pipeline():
    at = open_weekly(lang="ja")
    frame = waterfall_data(at)
    engine = engine_changes().waterfall
    start, end = frame.iloc[0], frame.iloc[-1]
    assert (start["kind"], end["kind"]) == ("start", "end")
    assert start["amount"] == pytest.approx(float(engine.start))
    assert end["amount"] == pytest.approx(float(engine.end))
    moves = frame.iloc[1:-1]
    assert start["amount"] + moves["amount"].sum() == pytest.approx(end["amount"])
    bars = {bar.change: float(bar.amount) for bar in engine.bars if bar.deals}
    assert dict(zip(moves["kind"], moves["amount"], strict=True)) == pytest.approx(bars)
    # Each step starts where the one before it ended.
    assert list(moves["base"]) == pytest.approx([start["amount"], *moves["top"].iloc[:-1]])
    assert moves["top"].iloc[-1] == pytest.approx(end["amount"])


def test_japanese_page_has_no_english_but_the_datas_values():
    at = open_weekly(lang="ja")
    assert not at.exception
    shown = main_texts(at)
    shown += [b.label for b in at.main.get("download_button")]
    assert len(shown) > 25
    # The files' names, the sample's name (SFA, as on every page), the channels, SVG (the chart menu's format, as
    # PNG, which the shared list already allows) and the deal ids.
    values = [PREV, CURRENT, "SFA", "SVG", *(str(v) for v in sales_rows()["channel"].unique())]
    values += list(raw(CURRENT)["商談ID"])  # the digest's deals to look at, by their ids
    words = sorted({w for text in shown for w in english_words(text, values)})
    assert words == []


def cli_digest(lang: str, as_of: str) -> dict:
    """What `python -m kpi_core digest` prints as JSON for the sales sample against last week's export, with the
    sample's team file (the page reads it for the sales sample)."""
    out, err = io.StringIO(), io.StringIO()
    status = cli_main(
        ["digest", str(SAMPLE / CURRENT), "--goals", f"template:sales_{lang}", "--as-of", as_of, "--since",
         str(SAMPLE / PREV), "--teams", str(SAMPLE / TEAMS), "--format", "json", "--lang", lang],
        out=out, err=err,
    )  # fmt: skip
    assert status in (0, 3), err.getvalue()
    return json.loads(out.getvalue())


def page_digest_lines(at: AppTest, title: str) -> list[str]:
    """The digest's lines on the page, from its title on: headings and facts with their Markdown taken off."""
    texts = [unescape_markdown(m.value) for m in at.main.markdown]
    start = texts.index(f"**{title}**")
    lines = []
    for text in texts[start:]:
        for line in text.splitlines():
            line = line.removeprefix("- ").strip()
            if line:
                lines.append(line.removeprefix("**").removesuffix("**"))
    return lines


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_digest_is_the_commands(lang: str):
    """One truth: the page shows the `digest` command's sentences and figures for the same files, goals and day."""
    as_of = "2026-11-15"
    at = open_weekly(lang=lang, asof=as_of)
    assert not at.exception
    expected = cli_digest(lang, as_of)["text"]
    shown = page_digest_lines(at, expected[0])
    assert shown[: len(expected)] == expected
    # A few of its facts by hand: the deals won and new this week (plain pandas on the two files).
    prev, now = raw(PREV).set_index("商談ID"), raw(CURRENT).set_index("商談ID")
    new = len(now.index.difference(prev.index))
    count = "{}件" if lang == "ja" else "{}"
    sep = "：" if lang == "ja" else ": "
    assert any(line.startswith(f"{KIND_WORDS[lang]['new']}{sep}{count.format(new)}") for line in shown), shown
    labels = [b.label for b in at.main.get("download_button")]
    assert {"ja": "PDFで保存（A4・1枚）", "en": "Download as PDF (one A4 page)"}[lang] in labels


# ------------------------------------------------------------------------------------------------ uploads
def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    return ("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("utf-8")


NO_ID_HEADER = ("Created Date", "Close Date", "Stage", "Amount", "Owner")
NO_ID_ROWS = [
    ("2025-04-01", "2025-05-10", "Won", "1000000", "Aoki"),
    ("2025-04-03", "", "Proposal", "2000000", "Aoki"),
    ("2025-04-05", "2025-06-01", "Lost", "800000", "Baba"),
]


def test_a_file_without_an_id_column_gives_one_sentence():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": "ja", "src": "upload"})
    at.run()
    at = at.switch_page("pages/1_Data.py").run()
    at = upload(at, ("now.csv", _csv(NO_ID_HEADER, NO_ID_ROWS), "text/csv"))
    at = at.switch_page(WEEKLY).run()
    assert not at.exception
    (uploader,) = at.file_uploader  # the page's own: last week's export
    uploader.set_value([("before.csv", _csv(NO_ID_HEADER, NO_ID_ROWS[:2]), "text/csv")])
    at.run()
    assert not at.exception
    infos = [unescape_markdown(i.value) for i in at.main.info]
    sentence = next((i for i in infos if "商談IDの列がない" in i), None)
    assert sentence is not None, infos
    assert sentence.startswith("before.csv") or sentence.startswith("now.csv")
    assert not [m for m in at.main.metric if m.label == "新規"]  # no summary drawn for what cannot be compared


YOMI_HEADER = ("商談ID", "フェーズ", "金額", "作成日", "完了日", "担当者", "確度", "ヨミ区分", "受注予定日")
YOMI_ROWS = [
    ("Y1", "受注", "1000000", "2026-09-01", "2026-11-05", "青木", "", "", ""),
    ("Y2", "交渉", "2000000", "2026-09-10", "", "青木", "A", "コミット", "2026-11-25"),
    ("Y3", "提案", "1500000", "2026-10-01", "", "馬場", "B", "見込み", "2026-11-28"),
    ("Y4", "提案", "800000", "2026-10-05", "", "馬場", "C", "パイプライン", "2026-11-10"),
    ("Y5", "失注", "500000", "2026-08-01", "2026-10-20", "千葉", "", "", ""),
    ("Y6", "ヒアリング", "900000", "2026-10-20", "", "千葉", "C", "パイプライン", "2026-12-20"),
]


def test_a_deal_list_with_yomi_columns_shows_the_engines_lines():
    body = _csv(YOMI_HEADER, YOMI_ROWS)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": "ja", "src": "upload", "asof": "2026-11-20"})
    at.run()
    at = at.switch_page("pages/1_Data.py").run()
    at = upload(at, ("yomi.csv", body, "text/csv"))
    at = at.switch_page(WEEKLY).run()
    assert not at.exception
    dataset = load_dataset([FileInput("yomi.csv", body)])
    assert {"probability", "forecast_category", "expected_close"} <= set(dataset.mapping)
    day = dt.date(2026, 11, 20)
    result = forecast_categories(dataset, dt.date(2026, 11, 1), dt.date(2026, 11, 30), as_of=day)
    # By hand: won 1,000,000 in November; commit Y2 2,000,000; best case Y3 1,500,000; Y4 is overdue (10 Nov).
    assert result.forecast["commit"] == 3_000_000 and result.forecast["best_case"] == 4_500_000
    shown = metric_values(at)
    assert shown["受注済み＋コミット"] == "300万円"
    assert shown["受注済み＋コミット＋見込み"] == "450万円"
    texts = " ".join(unescape_markdown(c.value) for c in at.main.caption)
    assert render("forecast.overdue", "ja", count="1") in texts
    assert any("Y4" in str(frame.values) for frame in (d.value for d in at.main.dataframe))


# ------------------------------------------------------------------------------------------------ the sample file
def test_the_generator_writes_the_committed_previous_week(tmp_path: Path):
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / PREV).read_bytes() == (SAMPLE / PREV).read_bytes()
    raw_bytes = (SAMPLE / PREV).read_bytes()
    assert raw_bytes.startswith(b"\xef\xbb\xbf") and raw_bytes.count(b"\n") == raw_bytes.count(b"\r\n")
    header = raw_bytes[3:].decode("utf-8").split("\r\n", 1)[0]
    assert header == (SAMPLE / CURRENT).read_bytes()[3:].decode("utf-8").split("\r\n", 1)[0]
    json.dumps(engine_changes().as_dict("ja"))  # the comparison serialises (the CLI's --json)


# ------------------------------------------------------------------------------------------------ a workspace
def test_a_workspace_compares_its_newest_snapshot_with_the_one_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from kpi_core.workspace import create_workspace, open_workspace

    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(tmp_path / "workspaces"))
    created = create_workspace([FileInput(PREV, SAMPLE / PREV)], "Weekly team")
    open_workspace(created.id, created.editor_key).add_snapshot([FileInput(CURRENT, SAMPLE / CURRENT)])
    at = open_weekly(ws=created.id, key=created.viewer_key, lang="ja")
    assert not at.exception
    after, before = at.selectbox(key="w_weekly_after"), at.selectbox(key="w_weekly_before")
    assert (after.label, before.label) == ("今週（新しい時点）", "先週（比べる前の時点）")
    assert after.index == 0 and before.index == 1  # the newest snapshot, and the one before it
    shown = metric_values(at)
    summary = engine_changes().summary
    for kind in ("new", "won", "lost", "forward", "removed"):
        assert shown[KIND_WORDS["ja"][kind]] == f"{summary[kind]['count']}件", kind
    # Choosing the newest snapshot for last week too is refused in one sentence.
    before.set_value(after.value).run()
    assert any("同じ時点どうしは比べられません" in w.value for w in at.main.warning)


# ------------------------------------------------------------------------------------------------ the reps' teams
DIGEST_TITLE = {"ja": "週次ダイジェスト（2026年11月15日）", "en": "Weekly digest (15 Nov 2026)"}


def digest_team_marks(at: AppTest, lang: str) -> list[tuple[str, str]]:
    """(rep, team) for every rep the digest names with a team: "伊藤 大輔（第2営業課）" / "Ito Daisuke (Sales 2)".
    A deal's owner is written "OPP-01437（鈴木 美咲）": the rep after the bracket, never before one."""
    text = "\n".join(page_digest_lines(at, DIGEST_TITLE[lang]))
    open_, close = ("（", "）") if lang == "ja" else (" (", ")")
    owners = raw(CURRENT)["担当者"].unique()
    marks = []
    for owner in owners:
        start = 0
        while (found := text.find(f"{owner}{open_}", start)) >= 0:
            begin = found + len(owner) + len(open_)
            marks.append((str(owner), text[begin : text.index(close, begin)]))
            start = begin
    return marks


def test_the_digest_names_each_reps_team_from_the_samples_team_file():
    at = open_weekly(lang="ja", asof="2026-11-15")
    assert not at.exception
    teams = dict(raw(TEAMS).itertuples(index=False, name=None))  # 担当者 → チーム, read as plain CSV
    marks = digest_team_marks(at, "ja")
    # The sample's KGI is behind at this date, so the digest lists the reps furthest behind their own quota.
    assert len(marks) >= 3, marks
    assert all(team == teams[owner] for owner, team in marks), marks


def test_a_team_file_uploaded_on_the_goals_page_is_the_digests():
    at = open_weekly(lang="ja", asof="2026-11-15")
    at = at.switch_page("pages/4_Goals.py").run()
    assert not at.exception
    owners = sorted(raw(TEAMS)["担当者"])
    # Another split than the sample's: the first three (by name) in 東チーム, the rest in 西チーム.
    mine = {owner: "東チーム" if i < 3 else "西チーム" for i, owner in enumerate(owners)}
    body = _csv(("担当者", "チーム"), sorted(mine.items()))
    at.file_uploader(key="quotas_teams_upload").set_value([("my_teams.csv", body, "text/csv")])
    at.run()
    assert not at.exception
    at = at.switch_page(WEEKLY).run()
    assert not at.exception
    marks = digest_team_marks(at, "ja")
    assert len(marks) >= 3, marks
    assert all(team == mine[owner] for owner, team in marks), marks
