"""AppTest of the KPI health page: the sales sample with its template shows the engine's score and verdicts, one
evidence number recomputed with plain pandas, a one-click fix that edits the goal text (its finding gone on the
rerun) and its undo, and a Japanese page with no English words but the data's own values."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, ROOT, TIMEOUT, WON, metric_values, sales_rows

from kpi_core.goals import load_goals, load_template, template_text
from kpi_core.intake.load import FileInput, load_dataset
from tests.bilingual import english_words
from ui.format import unescape_markdown

HEALTH = "pages/7_Health.py"
AS_OF = dt.date(2026, 11, 15)
VERDICT_WORDS = {
    "ja": {"ok": "✓ 問題なし", "warn": "△ 注意", "fail": "✕ 要対応", None: "– 判定なし"},
    "en": {"ok": "✓ OK", "warn": "△ Warning", "fail": "✕ Action needed", None: "– Not checked"},
}
PITFALL_TITLE = {"ja": "落とし穴{n}：", "en": "Pitfall {n}: "}


def open_health(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"asof": AS_OF.isoformat(), **query})
    at.run()
    return at.switch_page(HEALTH).run()


@cache
def dataset(name: str):
    return load_dataset([FileInput(name, ROOT / "sample_data" / name)])


def engine_report(template: str, lang: str, name: str):
    from kpi_core.health import check_health

    return check_health(load_template(template, lang), dataset(name), AS_OF, lang=lang)


def card_verdicts(at: AppTest, lang: str) -> dict[int, str]:
    """Pitfall number → the verdict words in its card's title line."""
    found = {}
    for block in at.markdown:
        for n in range(1, 8):
            head = f"**{PITFALL_TITLE[lang].format(n=n)}"
            if block.value.startswith(head):
                match = re.search(r":\w+-badge\[(.+?)\]", block.value)
                assert match, block.value
                found[n] = match.group(1)
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sales_sample_shows_the_engines_score_and_verdicts(lang: str):
    at = open_health(lang=lang)
    assert not at.exception
    assert at.title[0].value == {"ja": "KPI管理は機能しているか？", "en": "Is our KPI management working?"}[lang]
    report = engine_report("sales", lang, "sales_deals_ja.csv")
    figures = metric_values(at)
    score_label = {"ja": "健全性スコア（100点満点）", "en": "Health score (out of 100)"}[lang]
    assert figures[score_label] == str(report.score)
    # Each card's verdict is the engine's worst verdict of that pitfall, in the same words and order.
    expected = {row["pitfall"]: VERDICT_WORDS[lang][row["verdict"]] for row in report.pitfalls()}
    assert card_verdicts(at, lang) == expected
    # Every finding's sentence is on the page (escaped for Markdown).
    shown = " ".join(unescape_markdown(m.value) for m in at.markdown)
    for finding in report.findings:
        assert finding.message(lang) in shown, finding.id
    # The counts across the top.
    worst = [row["verdict"] for row in report.pitfalls()]
    for verdict in ("fail", "warn", "ok"):
        assert figures[VERDICT_WORDS[lang][verdict]] == str(worst.count(verdict))


def test_evidence_number_by_hand_the_win_rate_history():
    """Pitfall 4's sentence for the win rate: 'needs +16.1%': the target 25% over the mean monthly win rate of the
    last 12 complete months (Nov 2025 – Oct 2026), won / (won + lost) by close month, with plain pandas."""
    rows = sales_rows()
    rows = rows[rows["usable"]]
    closed = rows[rows["stage"].isin(WON | {"失注", "Closed Lost"})].copy()
    closed["month"] = pd.to_datetime(closed["closed"]).dt.to_period("M").astype(str)
    months = [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
    won = closed[closed["stage"].isin(WON)].groupby("month").size().reindex(months, fill_value=0)
    total = closed.groupby("month").size().reindex(months, fill_value=0)
    needed = 0.25 / (won / total).mean() - 1
    at = open_health(lang="en")
    text = " ".join(unescape_markdown(m.value) for m in at.markdown)
    assert f"the target 25.0% needs +{needed * 100:.1f}% growth" in text


def test_a_fix_edits_the_goal_text_and_undo_restores_it():
    # The monthly KPI sheet with the marketing template: the leads target is met nearly every month (too easy).
    at = open_health(lang="en", src="kpi")
    assert not at.exception
    report = engine_report("marketing", "en", "monthly_kpi_ja.xlsx")
    finding = report.finding("4:leads:too_easy")
    assert finding.fix is not None and finding.fix.op == "set_target"
    before = metric_values(at)["Health score (out of 100)"]
    button = next(b for b in at.button if str(b.key).startswith("health_fix_") and "Leads per month" in b.label)
    button.click().run()
    assert not at.exception
    text = at.session_state["goals_yaml"]["kpi"]
    assert load_goals(text).kpi("leads").target == finding.fix.value
    assert text != template_text("marketing", "en")
    # The rerun's report has no such finding; the page says what was done, and the score moved.
    shown = " ".join(unescape_markdown(m.value) for m in at.markdown)
    assert finding.message("en") not in shown
    assert any("Fix applied" in s.value for s in at.success)
    after = metric_values(at)["Health score (out of 100)"]
    assert after != before
    # Undo: back to the template (the goal text was not the user's own before the fix).
    at.button(key="health_undo").click().run()
    assert not at.exception
    assert "kpi" not in at.session_state["goals_yaml"]
    assert metric_values(at)["Health score (out of 100)"] == before
    assert finding.message("en") in " ".join(unescape_markdown(m.value) for m in at.markdown)
    assert not [b for b in at.button if b.key == "health_undo"]


def test_undo_of_a_fix_on_own_goals_restores_the_own_text():
    own = template_text("marketing", "en").replace("Head of Marketing", "Growth lead", 1)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"asof": AS_OF.isoformat(), "lang": "en", "src": "kpi"})
    at.session_state["goals_yaml"] = {"kpi": own}
    at.run()
    at = at.switch_page(HEALTH).run()
    assert not at.exception
    at.button(key="health_fix_0").click().run()
    assert at.session_state["goals_yaml"]["kpi"] != own
    at.button(key="health_undo").click().run()
    assert at.session_state["goals_yaml"]["kpi"] == own


def test_monthly_sheet_says_plainly_what_could_not_be_checked():
    at = open_health(lang="en", src="kpi")
    captions = " ".join(unescape_markdown(c.value) for c in at.caption)
    assert "Not checked: The data has no owner column" in captions
    assert card_verdicts(at, "en")[6] == VERDICT_WORDS["en"][None]


def main_texts(at: AppTest) -> list[str]:
    """What the page's main area says: titles, Markdown, captions, alerts, figures, buttons, choices, expanders."""
    main = at.main
    texts = [e.value for kind in ("title", "subheader", "markdown", "caption") for e in getattr(main, kind)]
    texts += [e.value for kind in ("success", "info", "warning", "error") for e in getattr(main, kind)]
    for metric in main.metric:
        texts += [metric.label, metric.value, metric.proto.delta, metric.proto.help]
    texts += [b.label for b in main.button]
    for box in main.selectbox:
        texts += [box.label, *box.options]
    texts += [e.label for e in main.expander]
    shown = [unescape_markdown(text) for text in texts if text and not text.lstrip().startswith("<style>")]
    return [re.sub(r":\w+-badge\[", "[", text) for text in shown]  # a badge's colour name is not a word shown


def test_japanese_page_has_no_english_but_the_datas_values():
    at = open_health(lang="ja")
    assert not at.exception
    shown = main_texts(at)
    assert len(shown) > 40
    # The data's own values (file name, channel names, the template's department id) may be English; and SMART (the
    # article's word) and SFA (the sample's name, as on every page). Nothing else.
    values = ["sales_deals_ja.csv", "sales", "SMART", "SFA"] + [str(v) for v in sales_rows()["channel"].unique()]
    words = sorted({w for text in shown for w in english_words(text, values)})
    assert words == [], words


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_health_page_follows_the_one_number_style(lang: str):
    from test_app_format import BAD, _texts

    at = open_health(lang=lang)
    texts: list[str] = []
    _texts(at._tree, texts)
    shown = [re.sub(r"\\(.)", r"\1", text) for text in texts]
    problems = [(name, text) for text in shown for name, bad in BAD.items() if bad.search(text)]
    assert not problems, sorted(set(problems))[:8]


def test_a_goal_file_not_revised_within_its_cadence_is_flagged_from_the_sessions_edit_time():
    """The page passes when the goal file was last revised (here: this session's edit, 400 days before the as-of
    date), so pitfall 5 judges the goal file's staleness instead of calling it unknown."""
    own = template_text("marketing", "en").replace("Head of Marketing", "Growth lead", 1)
    revised = dt.datetime.combine(AS_OF - dt.timedelta(days=400), dt.time(12))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"asof": AS_OF.isoformat(), "lang": "en", "src": "kpi"})
    at.session_state["goals_yaml"] = {"kpi": own}
    at.session_state["goals_revised"] = {"kpi": revised.timestamp()}
    at.run()
    at = at.switch_page(HEALTH).run()
    assert not at.exception
    shown = " ".join(unescape_markdown(m.value) for m in at.markdown)
    from kpi_core.health import check_health

    dataset = load_dataset([FileInput("monthly_kpi_ja.xlsx", ROOT / "sample_data" / "monthly_kpi_ja.xlsx")])
    report = check_health(load_goals(own), dataset, AS_OF, goals_modified=revised)
    stale = next(f for f in report.findings if f.code == "health.p5.stale_goals")
    assert stale.message("en") in shown


def chart_data(at: AppTest) -> list[tuple[dict, pd.DataFrame]]:
    """(spec, data) of every Altair chart on the page: Streamlit sends each chart's datasets as Arrow."""
    import io
    import json

    import pyarrow as pa

    found = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for named in chart.proto.datasets:
            found.append((spec, pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas()))
    return found


def layer_marks(spec: dict) -> list[tuple[str, str | None]]:
    """(mark type, x field) of each layer of a layered chart."""
    marks = []
    for layer in spec.get("layer", []):
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        marks.append((mark, layer.get("encoding", {}).get("x", {}).get("field")))
    return marks


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_field_chart_marks_each_reps_own_quota_from_the_goal_file(lang: str):
    """Pitfall 6's evidence for the KPI with quotas (the sales template's valid deals, a monthly KPI): each rep's
    target on the chart is their quota as the goal file writes it (read here as plain YAML), drawn as a mark per
    row; the KPI without quotas keeps the one rule at the team target."""
    import yaml

    raw = yaml.safe_load(template_text("sales", lang))
    kpi = next(k for k in raw["kpis"] if k["id"] == "valid_deals")
    assert kpi["per"] == "month"  # a monthly quota is the monthly target the chart shows
    quotas = {q["owner"]: float(q["target"]) for q in raw["quotas"] if q["kpi"] == "valid_deals"}
    assert len(quotas) == 6
    at = open_health(lang=lang)
    assert not at.exception
    # The card's first chart is the worst finding's (unit price, no quotas): one dashed rule, no per-rep marks.
    (spec, frame), *_ = [(s, f) for s, f in chart_data(at) if {"rep", "target"} <= set(f.columns)]
    assert ("rule", "share") in layer_marks(spec) and ("tick", "target") not in layer_marks(spec)
    # Pick the valid deals' chart.
    box = at.selectbox(key="health_pick_6")
    index = next(i for i, label in enumerate(box.options) if kpi["name"] in label)  # the options as shown
    box.set_value(index).run()
    assert not at.exception
    found = [(s, f) for s, f in chart_data(at) if {"rep", "target"} <= set(f.columns)]
    assert len(found) == 1
    spec, frame = found[0]
    assert dict(zip(frame["rep"], frame["target"], strict=True)) == pytest.approx(quotas)
    assert set(frame["basis"]) == {{"ja": "各自のノルマ", "en": "Own quota"}[lang]}
    assert ("tick", "target") in layer_marks(spec) and ("rule", "share") not in layer_marks(spec)
    # The caption names the basis and the quotas' range (6 to 10 a month).
    captions = " ".join(unescape_markdown(c.value) for c in at.caption)
    expected = {"ja": "各行の濃い縦線はその担当者のノルマ（月 6〜10）", "en": "the rep's quota (6–10 a month)"}[lang]
    assert expected in captions


def test_every_pitfall_6_sentence_the_check_can_write_is_in_the_catalogue():
    """Pitfall 6 builds its codes from the basis (kpi_core/health/field.py): an unknown code renders as the key
    itself, English words on the Japanese page ('health.p6.quota.reachable'), so each one must have both texts."""
    from kpi_core.messages import MESSAGES

    codes = [f"health.p6.{basis}.{outcome}" for basis in ("quota", "mixed", "even_split", "team_target")
             for outcome in ("reachable", "out_of_reach")]  # fmt: skip
    codes += ["health.p6.even_split.wide_spread", "health.p6.remedy.quota", "health.p6.remedy.mixed",
              "health.p6.remedy.out_of_reach", "health.p6.remedy.wide_spread"]  # fmt: skip
    missing = [code for code in codes if set(MESSAGES.get(code, {})) != {"ja", "en"}]
    assert missing == []
