"""User text is plain text everywhere: escape_markdown makes every hostile string inert for Streamlit 1.67's Markdown
(checked by hand against CommonMark's escapes and the text rewrites Streamlit runs after parsing), every page shows
a CSV and a goal file full of Markdown, HTML, math, directives and addresses only escaped (AppTest, ja and en), and a
view whose uploaded files are gone from the server says so."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import string
from collections.abc import Iterator

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, upload

from kpi_core.goals import load_goals, template_text
from ui.format import WORD_JOINER, escape_markdown, unescape_markdown
from ui.i18n import t

# The strings of the issue, and the rest of what Streamlit's Markdown acts on.
HOSTILE = (
    "![x](https://evil.example/beacon.png)",
    "[click](https://evil.example)",
    "<img src=https://evil.example/a.png>",
    "$\\frac{1}{2}$",
    ":red[alert]",
    ":material/home:",
    "**bold**",
    "https://evil.example/bare",
)
MORE_HOSTILE = (
    "$$x^2$$",
    ":red-background[bg]",
    ":blue-badge[b] :small[s] :help[tip] :color[x]{foreground=red}",
    ":material_home: :streamlit: :smile: :+1:",
    "www.evil.example and WWW.EVIL.EXAMPLE/x",
    "HTTP://EVIL.EXAMPLE/up ftp://evil.example/f",
    "mail@evil.example",
    "<https://evil.example/auto>",
    "[ref]: https://evil.example",
    "[a][ref] [^1]",
    "<b>bold</b> &lt;b&gt; &#x3C;img&#x3E; &amp;",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "| a | b |",
    "~~strike~~ `code` _em_ __strong__ ***both***",
    "a -> b <- c <-> d <= e >= f ~= g -- h",
    "line one\nline two\r\n# heading\rthree\u2028four",
    "back\\",
    "\\*not bold\\*",
    "10:30: 営業　担当：佐藤",
)
ASCII_PUNCTUATION = frozenset(string.punctuation)
SAFE_PUNCTUATION = frozenset("/")  # starts nothing once "<" is escaped; left as typed


# ------------------------------------------------------------------------------------------------ by hand
def unescaped_punctuation(escaped: str) -> list[str]:
    """The ASCII punctuation characters of `escaped` that are not backslash-escaped (CommonMark: `\\` before any
    ASCII punctuation makes it a literal character, so no block or inline construct can start from it), the slash
    aside."""
    found, index = [], 0
    while index < len(escaped):
        char = escaped[index]
        if char == "\\" and index + 1 < len(escaped) and escaped[index + 1] in ASCII_PUNCTUATION:
            index += 2
            continue
        if char in ASCII_PUNCTUATION - SAFE_PUNCTUATION:
            found.append(char)
        index += 1
    return found


# What Streamlit 1.67's Markdown does to the parsed text, where the backslash escapes are already gone (the
# patterns of its frontend bundle: mdast-util-gfm-autolink-literal, remark-emoji, its icon and arrow plugins).
ASCII = re.ASCII
TEXT_REWRITES = {
    "autolink": re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE | ASCII),
    "email": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", ASCII),
    "material icon": re.compile(r":material_\w+:", ASCII),
    "streamlit logo": re.compile(r":streamlit:"),
    "emoji": re.compile(r":\+1:|:-1:|:[\w-]+:", ASCII),
    "arrow": re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
}
# Checked on the source before parsing: `:material/` is rewritten to `:material_`, and these load plugins.
SOURCE_REWRITES = {
    "material prefix": re.compile(r":material/"),
    "emoji plugin": re.compile(r":(?!material\/|streamlit:)[\w+-][\w_+-]*:", ASCII),
}


def text_node(escaped: str) -> str:
    """The text a CommonMark parser keeps of `escaped`: each backslash escape replaced by its character."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped)


def assert_inert(raw: str) -> None:
    escaped = escape_markdown(raw)
    assert unescaped_punctuation(escaped) == [], (raw, escaped)
    assert not re.search(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", escaped), escaped  # one line: no block
    for name, pattern in SOURCE_REWRITES.items():
        assert not pattern.search(escaped), (name, raw, escaped)
    parsed = text_node(escaped)
    for name, pattern in TEXT_REWRITES.items():
        assert not pattern.search(parsed), (name, raw, escaped)
    # … and the reader sees the characters as typed (the word joiner shows as nothing; line breaks as spaces)
    typed = re.sub(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", " ", raw)
    assert parsed.replace(WORD_JOINER, "") == typed
    assert unescape_markdown(escaped) == typed


@pytest.mark.parametrize("raw", HOSTILE + MORE_HOSTILE)
def test_escape_markdown_makes_each_hostile_string_inert(raw):
    assert_inert(raw)


def test_the_by_hand_checks_catch_what_the_old_escaper_let_through():
    def old(text: str) -> str:
        return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])", r"\\\1", text).replace("\n", " ")

    # A bare address is linked after parsing, escapes or not; so were :material_x: icons and e-mail addresses.
    for raw in ("https://evil.example/bare", ":material_home:", "mail@evil.example", "www.evil.example"):
        parsed = text_node(old(raw))
        assert any(p.search(parsed) for p in TEXT_REWRITES.values()), raw
    assert SOURCE_REWRITES["material prefix"].search(old(":material/home:"))
    assert unescaped_punctuation("**bold**") == ["*", "*", "*", "*"]


def test_escape_markdown_structure_by_hand():
    assert escape_markdown("![x](https://evil.example/beacon.png)") == (
        "\\!\\[x\\]\\(https\\:" + WORD_JOINER + "//evil\\.example/beacon\\.png\\)"
    )
    assert escape_markdown("<img src=https://evil.example/a.png>").startswith("\\<img src\\=https\\:")
    assert escape_markdown("$\\frac{1}{2}$") == "\\$\\\\frac\\{1\\}\\{2\\}\\$"
    assert escape_markdown(":red[alert]") == "\\:red\\[alert\\]"
    assert escape_markdown(":material/home:") == "\\:" + WORD_JOINER + "material/home\\:"
    assert escape_markdown("Proposal/Price Quote") == "Proposal/Price Quote"
    assert escape_markdown("**bold**") == "\\*\\*bold\\*\\*"
    assert escape_markdown("a\r\nb\nc") == "a b c"
    assert escape_markdown("営業案件　佐藤") == "営業案件　佐藤"  # nothing to escape: unchanged


@given(st.text(max_size=60).map(lambda text: text.replace(WORD_JOINER, "")))
def test_any_text_is_inert_and_reads_as_typed(raw):
    assert_inert(raw)


# ------------------------------------------------------------------------------------------------ the app
AS_OF = dt.date(2025, 9, 20)
PAGES = (
    "home.py",
    "pages/1_Data.py",
    "pages/2_Funnel.py",
    "pages/3_Pipeline.py",
    "pages/4_Goals.py",
    "pages/5_Pacing.py",
    "pages/6_Pivots.py",
)
STAGES = ("Won", "Lost", "Won", "Proposal", "Negotiation", "Lost", "Won")
# A column whose header is user text too (shown in the preview and among the role candidates).
ODD_COLUMN = ":red[memo] ![x](https://evil.example/col.png)"


def hostile_csv() -> bytes:
    """Deals from April 2024 to September 2025 whose owner, channel, product, segment and some stage values are the
    hostile strings (every value seen in several months, so breakdowns, filters and pivots have them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = ["Deal ID", "Created Date", "Close Date", "Stage", "Amount", "Owner", "Lead Source", "Product"]
    writer.writerow([*header, "Segment", ODD_COLUMN])
    start = dt.date(2024, 4, 1)
    for index in range(216):
        created = start + dt.timedelta(days=(index * 53) % 530)
        stage = STAGES[index % len(STAGES)]
        if index % 23 == 5:
            stage = HOSTILE[index % len(HOSTILE)]  # a stage value nobody maps: listed on the Data page
        closed = "" if stage not in ("Won", "Lost") else (created + dt.timedelta(days=20 + index % 40)).isoformat()
        writer.writerow(
            [
                f"D{index:04d}",
                created.isoformat(),
                closed,
                stage,
                str(300_000 + (index * 7919) % 1_700_000),
                HOSTILE[index % 4],
                HOSTILE[4 + index % 4],
                HOSTILE[(index + 1) % len(HOSTILE)],
                HOSTILE[(index + 3) % len(HOSTILE)],
                HOSTILE[index % len(HOSTILE)],
            ]
        )
    return buffer.getvalue().encode("utf-8")


def hostile_goals() -> bytes:
    """The sales goal template with every name, definition, action, owner and department made of hostile strings."""
    model = yaml.safe_load(template_text("sales", "en"))
    model["kgi"]["name"] = f"KGI {HOSTILE[0]} {HOSTILE[7]}"
    for index, kpi in enumerate(model["kpis"]):
        kpi["name"] = f"KPI{index} {HOSTILE[index % len(HOSTILE)]} {HOSTILE[(index + 4) % len(HOSTILE)]}"
        kpi["definition"] = " ".join(HOSTILE)
        kpi["owner"] = HOSTILE[(index + 1) % len(HOSTILE)]
        kpi["department"] = HOSTILE[(index + 2) % len(HOSTILE)]
    for index, csf in enumerate(model["csfs"]):
        csf["name"] = f"CSF{index} {HOSTILE[(index + 3) % len(HOSTILE)]}"
        csf["actions"] = [f"A{j} {payload}" for j, payload in enumerate(HOSTILE)]
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False)
    load_goals(text)  # a valid goal file: only its words are hostile
    return text.encode("utf-8")


# A file name as a browser can send it (no slash), with Markdown, math, a directive and HTML in it.
HOSTILE_FILE = "[click](javascript:alert(1)) **deals** $\\frac{1}{2}$ :red[f] <img src=x>.csv"


# Proto fields Streamlit renders as Markdown: bodies (markdown, caption, alerts, headings, metric value), labels and
# help of every element and widget, metric deltas, segmented-control options. Selectbox and multiselect options,
# table cells, chart specs and text areas are plain text and are not read here.
MARKDOWN_FIELDS = frozenset({"body", "label", "help", "delta", "content"})


def _strings(message: object) -> Iterator[str]:
    for field, value in message.ListFields():  # type: ignore[attr-defined]
        items = value if field.is_repeated else [value]
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                yield from _strings(item)
        elif field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            yield from items


def markdown_texts(at: AppTest) -> list[str]:
    """Every Markdown string of the page as Streamlit would render it."""
    texts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            texts.extend(_strings(proto))
    return texts


def assert_page_inert(at: AppTest, where: str) -> int:
    """No hostile string reaches Markdown unescaped; returns how many escaped ones the page shows."""
    shown = 0
    for text in markdown_texts(at):
        parsed = text_node(text)
        for name in ("autolink", "email", "material icon", "streamlit logo"):  # what escapes alone do not stop
            assert not TEXT_REWRITES[name].search(parsed), (where, name, text)
        assert not SOURCE_REWRITES["material prefix"].search(text), (where, text)
        visible = parsed.replace(WORD_JOINER, "")
        for raw in (*HOSTILE, ODD_COLUMN, HOSTILE_FILE):
            assert raw not in text, (where, raw, text)
            if raw in visible:
                assert escape_markdown(raw) in text, (where, raw, text)
                shown += 1
    return shown


@pytest.fixture(scope="module")
def hostile_session() -> AppTest:
    """One session: the hostile CSV uploaded on the Data page, the hostile goal file imported on the Goals page."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": "en", "asof": AS_OF.isoformat()})
    at.run()
    at.switch_page("pages/1_Data.py").run()
    upload(at, (HOSTILE_FILE, hostile_csv(), "text/csv"))
    assert not at.exception
    assert at.selectbox(key="w_src").value == "upload"
    at.switch_page("pages/4_Goals.py").run()
    at.file_uploader(key="goals_upload").set_value([("goals.yaml", hostile_goals(), "application/x-yaml")])
    at.run()
    assert not at.exception
    assert any("imported" in s.value for s in at.success), [e.value for e in at.error]
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_shows_hostile_user_text_only_escaped(hostile_session, lang):
    at = hostile_session
    at.switch_page("home.py").run()
    at.segmented_control(key="w_lang").set_value(lang).run()
    shown = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, lang, [e.value for e in at.exception])
        assert at.query_params["src"] == "upload" and at.query_params["lang"] == lang
        shown[page] = assert_page_inert(at, f"{page} ({lang})")
    # The pages do show the user's words (escaped): file name, stage values, goal names, breakdown values.
    assert shown["pages/1_Data.py"] and shown["pages/4_Goals.py"] and shown["pages/5_Pacing.py"]
    assert shown["pages/6_Pivots.py"] and shown["home.py"]


def test_a_filter_value_is_escaped_in_the_scope_caption(hostile_session):
    at = hostile_session
    at.switch_page("pages/2_Funnel.py").run()
    at.multiselect(key="w_owner").set_value([HOSTILE[0], HOSTILE[1]]).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(escape_markdown(f"{HOSTILE[0]}, {HOSTILE[1]}") in c for c in captions), captions
    assert assert_page_inert(at, "funnel filtered")
    at.multiselect(key="w_owner").set_value([]).run()


def test_goal_names_are_plain_where_streamlit_does_not_read_markdown(hostile_session):
    at = hostile_session
    at.switch_page("pages/4_Goals.py").run()
    # A selectbox option is plain text: the KPI's name as typed, not escaped (a backslash would show).
    assert at.selectbox(key="goals_breakdown_kpi").options[0] == f"KPI0 {HOSTILE[0]} {HOSTILE[4]}"
    # The segmented control of the Pacing page is Markdown: escaped.
    at.switch_page("pages/5_Pacing.py").run()
    texts = markdown_texts(at)
    assert any(escape_markdown(f"KPI0 {HOSTILE[0]} {HOSTILE[4]}") in text for text in texts)


# ------------------------------------------------------------------------------------------------ lost uploads
LOST = {
    "en": "The uploaded files are no longer on the server",
    "ja": "アップロードしたファイルはサーバーに残っていない",
}


def _fresh(page: str, **query: str) -> AppTest:
    """A new session opened on a link, as the browser does after a server restart (nothing in session_state)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page != "home.py":
        at.switch_page(page).run()
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_after_a_restart_home_says_the_uploads_are_gone_and_links_to_the_data_page(lang):
    at = _fresh("home.py", src="upload", lang=lang)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and LOST[lang] in warnings[0]
    assert not at.info  # not "no file uploaded yet": the user did upload
    (link,) = [link for link in at.get("page_link") if link.proto.label == t("next.open_data", lang)]
    assert link.proto.page == "Data" and "src=upload" in link.proto.query_string  # the way to upload again


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_after_a_restart_the_data_page_says_so_above_the_uploader(lang):
    at = _fresh("pages/1_Data.py", src="upload", lang=lang)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and LOST[lang] in warnings[0]
    assert len(at.file_uploader) == 1  # the uploader is right there
    # Uploading again clears it.
    upload(at, (HOSTILE_FILE, hostile_csv(), "text/csv"))
    assert not at.exception
    assert not any(LOST[lang] in w.value for w in at.warning)
    assert at.session_state["uploads"]


def test_choosing_my_files_without_an_upload_still_says_none_yet():
    at = _fresh("home.py", lang="en")
    at.selectbox(key="w_src").set_value("upload").run()
    assert not at.exception
    assert any("No file uploaded yet" in i.value for i in at.info)
    assert not any(LOST["en"] in w.value for w in at.warning)


def test_after_a_restart_going_back_to_the_sample_forgets_the_lost_files():
    at = _fresh("home.py", src="upload", lang="en")
    at.button(key="use_sample").click().run()
    assert not at.exception
    assert not any(LOST["en"] in w.value for w in at.warning)
    at.selectbox(key="w_src").set_value("upload").run()
    assert any("No file uploaded yet" in i.value for i in at.info)
