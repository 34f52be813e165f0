"""`plan` and `pivots` speak the user's language (--lang ja|en): every word of their text output comes from the
catalogue (kpi_core.messages), and every explanation code of the pivot engine has its sentence in both languages."""

from __future__ import annotations

import ast
import io
import re
import string
from pathlib import Path
from typing import Any

import pytest

from kpi_core import cli
from kpi_core.messages import MESSAGES
from kpi_core.pivots import sentences
from tests.bilingual import ALLOWED_TOKENS
from tests.test_goals import GOOD
from tests.test_pacing import GOLDEN_WEEK
from tests.test_pivots_cli import GOALS, _deals

ROOT = Path(__file__).resolve().parents[1]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# The app's period and number style (kpi_core.format) writes a fiscal year "FY2025", a quarter "Q2" and a change of
# a rate in points "+5.0pt" in Japanese too: taken out before looking for English.
NUMBER_STYLE = re.compile(r"\bFY\d{4}\b|\bQ[1-4]\b|(?<=\d)pt\b")


def english_left(text: str, passed_through: list[str]) -> list[str]:
    """Runs of ASCII letters in `text` once the user's values (ids, names, CSFs, actions, file names) and the
    number style's tokens are taken out, other than acronyms the Japanese text keeps (KPI, KGI, CSF, MQL, SQL)."""
    for value in sorted({v for v in passed_through if v}, key=len, reverse=True):
        text = text.replace(value, " ")
    text = NUMBER_STYLE.sub(" ", text)
    return [word for word in re.findall(r"[A-Za-z]+", text) if word not in ALLOWED_TOKENS]


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    assert status == 0 and not err.getvalue(), err.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli_lang")
    (folder / "pivot_goals.yaml").write_text(GOALS, encoding="utf-8")
    (folder / "plan_goals.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "gw.csv").write_text(GOLDEN_WEEK, encoding="utf-8")
    return {
        "deals": _deals(folder / "deals.csv"),
        "pivot_goals": folder / "pivot_goals.yaml",
        "plan_goals": folder / "plan_goals.yaml",
        "gw": folder / "gw.csv",
    }


def _pivots_argv(files: dict[str, Path], lang: str, *extra: str) -> list[str]:
    what_if = ["--set", "win_rate=0.3", "--set", "avg_unit_price=+10%"]
    return ["--lang", lang, "pivots", str(files["deals"]), "--goals", str(files["pivot_goals"]), "--as-of",
            "2026-07-15", "--target-mode", "even", *what_if, *extra]  # fmt: skip


def _plan_argv(files: dict[str, Path], lang: str, goals: str) -> list[str]:
    return ["--lang", lang, "plan", str(files["gw"]), "--goals", goals, "--as-of", "2025-05-07"]


def _user_values(payload: Any) -> list[str]:
    """What the user wrote and the command passes through: goal and KPI ids and names, CSF names and actions,
    files, the goal file's name, a formula's own words. Collected from the JSON by field name."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("id", "name", "csf", "kpi", "file", "source") and isinstance(value, str):
                found.append(value)
            elif key == "actions" and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            else:
                found += _user_values(value)
    elif isinstance(payload, list):
        for item in payload:
            found += _user_values(item)
    return found


# --- the check itself can fail ---------------------------------------------------------------------------------
def test_the_check_finds_english_and_lets_user_values_and_the_number_style_pass():
    assert english_left("行：読み込み 82、使用 82", []) == []
    assert english_left("rows: 82 read", []) == ["rows", "read"]
    assert english_left("受注率 25.0% → 30.0%（+5.0pt）、FY2026 Q3、KPI deals の目標", ["deals"]) == []
    assert english_left("商談数 is forecast", ["商談数"]) == ["is", "forecast"]
    assert english_left("KPI dealsの目標", []) == ["deals"]  # an id is English unless it is passed through


# --- pivots ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pivots_text(files) -> dict[str, str]:
    return {lang: _run(*_pivots_argv(files, lang)) for lang in ("ja", "en")}


@pytest.fixture(scope="module")
def pivots_json(files) -> dict[str, Any]:
    import json

    return json.loads(_run(*_pivots_argv(files, "ja", "--json")))


def test_pivots_in_japanese_has_no_english_but_the_users_values(pivots_text, pivots_json):
    ja = pivots_text["ja"]
    assert english_left(ja, _user_values(pivots_json)) == [], ja
    assert english_left(pivots_text["en"], _user_values(pivots_json))  # the same check does see English
    # The numbers by hand: July's even share of the 108M KGI is 9M (900万円); the win rate the 10 deals still to
    # come need for the 6M missing at 1.2M each is 6M / (10 × 1.2M) = 50.0%, from 25.0% (3 won of 12 a month).
    assert "目標900万円" in ja and "受注率を50.0%（+100.0%）にする必要があります" in ja
    assert "行：読み込み 82、使用 82、除外 0" in ja
    assert "グッドハートの法則のチェック：要注意 0件" in ja
    assert "シミュレーション：受注率を30.0%、平均受注単価を132万円にすると" in ja  # 1.2M + 10%
    assert "順位" in ja and "実現可能" in ja and "不可能" in ja  # the table's headings and verdicts


def test_pivots_in_english_says_the_same(pivots_text):
    en = pivots_text["en"]
    assert "rows: 82 read, 82 used, 0 rejected" in en
    assert "of ¥9M" in en and "win rate must reach 50.0% (+100.0%)" in en
    assert "Goodhart guard: 0 flagged" in en
    assert "what-if: With win rate at 30.0%, average unit price at ¥1.32M" in en
    assert "Rank" in en and "Feasible" in en and "Impossible" in en
    assert not JAPANESE.search(en)


def test_json_is_the_same_in_both_languages_and_keeps_the_english_text(files):
    import json

    ja = json.loads(_run(*_pivots_argv(files, "ja", "--json")))
    en = json.loads(_run(*_pivots_argv(files, "en", "--json")))
    assert ja == en  # the pivot report has no sentence that follows --lang: codes, parameters and English text
    pivot = next(p for s in en["shortfalls"] for p in s["pivots"] if p["lever"] == "win_rate")
    assert (
        pivot["explanation"]["text"].startswith("Revenue is forecast at")
        or "win rate must reach" in (pivot["explanation"]["text"])
    )


# --- plan ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("goals", ["plan_goals", "template:sales_ja", "template:marketing_en"])
def test_plan_in_japanese_has_no_english_but_the_users_values(files, goals):
    import json

    spec = str(files[goals]) if goals in files else goals
    ja = _run(*_plan_argv(files, "ja", spec))
    payload = json.loads(_run(*_plan_argv(files, "ja", spec), "--json"))
    values = _user_values(payload)
    assert english_left(ja, values) == [], ja
    assert english_left(_run(*_plan_argv(files, "en", spec)), values)
    assert "基準日 2025-05-07（営業日カレンダー：土日祝休み）" in ja
    assert "状態：営業日で按分した目標の95%以上なら順調、80%以上なら要注意、それ未満は遅れ" in ja
    assert "逆算計画（月あたり）：" in ja and "目標の整合性：" in ja


def test_plan_in_japanese_and_english_says_the_same_figures(files):
    ja = _run(*_plan_argv(files, "ja", "template:sales_ja"))
    en = _run(*_plan_argv(files, "en", "template:sales_ja"))
    # The template: 50 deals × 25% × 1.2M a month = 15M, × 12 = 180M against the KGI's 144M: +36M, +25.0%.
    assert "= 1.8億円（KGI目標 1.44億円 との差 +3,600万円、+25.0%）" in ja
    assert "= ¥180M against the KGI target ¥144M (+¥36M, +25.0%)" in en
    # By hand from the Golden Week data: 7 deals so far; 50 a month pro-rated to 3 of 20 business days is 7.5 → 8;
    # 7 of 8 is 93.3%: at risk (80% ≤ 93.3% < 95%).
    deals_ja = next(line for line in ja.splitlines() if line.startswith("valid_deals"))
    deals_en = next(line for line in en.splitlines() if line.startswith("valid_deals"))
    assert deals_ja.split()[1:][:2] == ["商談数", "2025年5月"] and "93.3%" in deals_ja and "要注意" in deals_ja
    # The status word is the Goals page's (goals.status.*, one key for the pages and the command).
    assert "Opportunities" in deals_en and "May 2025" in deals_en and "93.3%" in deals_en and "At risk" in deals_en
    assert "consistency: mismatch" in en and "backward plan (per month):" in en and "status: On track ≥ 95%" in en
    # How each forecast is made, in the reader's language, as the Pacing page says it: 7 deals in 3 of May's 20
    # business days (1-2 May, 7 May; 3-6 May are holidays and a weekend), 7 / 3 × 20 = 46.7 → 47; one month of
    # data, so no range.
    assert (
        "valid_deals：ランレート：営業日 20日のうち3日で7、同じペースで期末まで伸ばしました：47。"
        "履歴が短いため幅はありません。\n" in ja
    )
    assert (
        "valid_deals: Run rate: 7 so far in 3 of 20 business days, extended at the same pace: 47. No range: too "
        "little history.\n" in en
    )
    for item in ("kgi", "valid_deals", "win_rate", "unit_price"):  # one line per goal, in both languages
        assert sum(line.startswith(f"{item}：ランレート：") for line in ja.splitlines()) == 1, item
        assert sum(line.startswith(f"{item}: Run rate: ") for line in en.splitlines()) == 1, item


# --- the catalogue of explanations ---------------------------------------------------------------------------
def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_explanation_code_has_japanese_and_english_with_the_same_placeholders():
    assert len(sentences.EXPLANATION_KEYS) >= 20  # the table is there (an empty one would pass anything)
    for code, keys in sentences.EXPLANATION_KEYS.items():
        assert keys, code
        for key in keys:
            entry = MESSAGES[key]
            assert set(entry) == {"ja", "en"} and entry["ja"] and entry["en"], key
            assert _fields(entry["ja"]) == _fields(entry["en"]), key
            assert JAPANESE.search(entry["ja"]) or entry["ja"] in ("。",), key


def _engine_codes() -> set[str]:
    """The codes the engine's modules give an Explanation: literal first arguments of Explanation(...) and
    _check(...), the string constants assigned to `code` (goodhart, identity), and a pivot's
    pivot_<kind>_<reason, else verdict> from what candidates._verdict returns."""
    found: set[str] = set()
    for path in (ROOT / "kpi_core" / "pivots").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("Explanation", "_check") and node.args:
                first = node.args[0]
                options = (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,)
                found |= {n.value for n in options if isinstance(n, ast.Constant)}
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "code" for t in node.targets):
                found |= {node.value.value} if isinstance(node.value, ast.Constant) else set()
            elif isinstance(node, ast.FunctionDef) and node.name == "_verdict":
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Tuple) and len(ret.elts) == 2:
                        verdict, reason = (getattr(e, "value", None) for e in ret.elts)
                        if isinstance(verdict, str):  # a (verdict, reason) of constants, not a tuple of names
                            found |= {f"pivot_{kind}_{reason or verdict}" for kind in ("single", "pair")}
    return {code for code in found if isinstance(code, str)}


def test_every_code_the_engine_writes_has_a_sentence(pivots_json):
    codes = _engine_codes()
    # the scan works: it finds a literal code, an assigned one, one passed to _check and the pivots' verdicts
    assert {"shortfall", "identity_ok", "kpi_up_kgi_down", "goodhart_ok", "pivot_pair_never_reached"} <= codes
    assert sorted(codes - set(sentences.EXPLANATION_KEYS)) == []
    seen = {
        item["explanation"]["code"] for part in ("shortfalls", "goodhart", "identity") for item in pivots_json[part]
    } | {p["explanation"]["code"] for s in pivots_json["shortfalls"] for p in s["pivots"]}
    assert seen and sorted(seen - set(sentences.EXPLANATION_KEYS)) == []


def _pivot(kind: str, reason: str) -> dict[str, Any]:
    """A pivot in the JSON shape (Pivot.as_dict()) with the given kind and verdict / reason."""
    verdict = reason if reason in sentences.VERDICTS else "impossible"
    levers = ["win_rate"] if kind == "single" else ["win_rate", "avg_unit_price"]
    part = {"lever": "win_rate", "kind": "rate", "unit": "ratio", "current": 0.25, "required": 0.3,
            "change_abs": 0.05, "change_pct": 0.2, "rest_current": 0.25, "rest_required": 0.3, "rest_change_pct": 0.2,
            "history_level": 0.3}  # fmt: skip
    price = {**part, "lever": "avg_unit_price", "unit": "currency", "current": 1.2e6, "required": 1.3e6}
    params = {"levers": levers, "verdict": verdict, "reason": None if reason == verdict else reason,
              "months_achieved": 2, "months": 12, "kgi_goal": 1.08e8, "groups_compared": 3}  # fmt: skip
    return {"kind": kind, "parts": [part] if kind == "single" else [part, price], "reached_by": [],
            "csfs": [{"id": "q", "name": "品質", "lever": "win_rate", "actions": ["提案"]}],
            "explanation": {"code": f"pivot_{kind}_{reason}", "params": params}}  # fmt: skip


@pytest.mark.parametrize("reason", sentences.PIVOT_REASONS)
@pytest.mark.parametrize("kind", ["single", "pair"])
def test_every_pivot_code_renders_in_japanese_without_english(kind, reason):
    pivot = _pivot(kind, reason)
    ja = sentences.pivot_sentence(pivot, "ja")
    en = sentences.pivot_sentence(pivot, "en")
    assert english_left(ja, ["品質", "提案"]) == [] and "{" not in ja and ja.endswith("。"), ja
    assert not JAPANESE.search(en.replace("品質", "").replace("提案", "")) and en.endswith("."), en
    assert "1.08億円" in ja and "¥108M" in en  # the goal kept, in each language's money style
