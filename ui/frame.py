"""The shared page frame: page setup, translated navigation, language, data source, filters, workshop mode."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset
from kpi_core.metrics import PERIODS, Filters, KpiResult
from ui import data as sources
from ui.data import FILTER_ROLES, SOURCES, SourceOptions, Upload
from ui.format import MONTHS_EN, escape_markdown, fmt_date
from ui.held_data import ServerFull, held_data
from ui.i18n import LANG_STATE_KEY, LANGS, has_text, lang_from_locale, role_label, t
from ui.report_export import draw_report_download
from ui.state import (
    bool_parser,
    canonical_key,
    choice_parser,
    set_value,
    store_value,
    url_choice,
    url_flag,
    url_int,
    url_multi,
    url_value,
    widget_key,
)
from ui.theme import BASE_CSS, WORKSHOP_CSS, widget_text_css
from ui.workspace_access import draw_sign_in, signed_in_email
from ui.workspace_view import WS_PARAMS, WS_SOURCE, OpenedWorkspace, draw_sidebar, open_for_page, workspace_of

PAGE_ICONS = {
    "home": ":material/home:",
    "data": ":material/table_view:",
    "funnel": ":material/filter_alt:",
    "pipeline": ":material/view_kanban:",
    "goals": ":material/flag:",
    "pacing": ":material/speed:",
    "pivots": ":material/alt_route:",
    "health": ":material/health_and_safety:",
    "weekly": ":material/event_repeat:",
}
DEFAULT_ICON = ":material/insights:"
LANG_NAMES = {"ja": "日本語", "en": "English"}
# URL parameters every page shares (a nav link carries them to the next page).
SHARED_PARAMS: tuple[str, ...] = (
    "lang",
    "src",
    "from",
    "to",
    *FILTER_ROLES,
    "period",
    "fy",
    "workshop",
    *WS_PARAMS,  # an open workspace (its id and the link's key) stays open on every page
)
UPLOADS_KEY = "uploads"
OPTIONS_KEY = "source_options"
DATE_BOUNDS_KEY = "v_date_bounds"
PAGE_KEY = "v_page"
LANG_EPOCH_KEY = "v_lang_epoch"
# Set when a session starts on a link that says src=upload but holds no uploads: the files this view was made from
# were uploaded in a session that is gone (the server restarted or the session expired), not "not uploaded yet".
UPLOAD_LOST_KEY = "upload_lost"


@dataclass(frozen=True)
class NavPage:
    """A page in the navigation: its script path (relative to the app root) and its short name."""

    path: str
    name: str

    @property
    def label_key(self) -> str:
        return f"nav.{self.name}"


def nav_pages() -> list[NavPage]:
    """Home, then every pages/*.py in the order of its number prefix (pages added later appear by themselves)."""
    found = []
    for path in (sources.ROOT / "pages").glob("*.py"):
        match = re.match(r"^(\d+)_(.+)$", path.stem)
        number, stem = (int(match.group(1)), match.group(2)) if match else (10**6, path.stem)
        found.append((number, path.name, NavPage(f"pages/{path.name}", stem.lower())))
    return [NavPage("home.py", "home")] + [page for _, _, page in sorted(found)]


def nav_label(page: NavPage) -> str:
    return t(page.label_key) if has_text(page.label_key) else page.name.replace("_", " ").title()


@dataclass
class View:
    """What a page needs after the frame: language, data, filters and display choices."""

    page: str
    lang: str
    source: str
    dataset: Dataset | None
    dataset_key: str | None
    filters: Filters
    period: str
    fiscal_start: int
    workshop: bool
    error: str | None = None
    error_code: str | None = None
    bounds: tuple[dt.date | None, dt.date | None] = (None, None)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fkey(self) -> tuple[Any, ...]:
        return sources.filters_key(self.filters)

    def kpis(self, *, by: tuple[str, ...] = (), by_period_and: tuple[str, ...] = (), cohort: bool = False) -> KpiResult:
        """The engine's figures for this view (cached)."""
        assert self.dataset is not None and self.dataset_key is not None
        return sources.cached_kpis(
            self.dataset_key,
            self.dataset,
            self.fkey,
            self.period,
            tuple(r for r in by if r in self.dataset.mapping),
            tuple(r for r in by_period_and if r in self.dataset.mapping),
            cohort,
            self.fiscal_start,
        )

    @property
    def workspace(self) -> OpenedWorkspace | None:
        """The open workspace (None for a sample or this session's uploads)."""
        return workspace_of(self)

    def scope_text(self) -> str:
        """Source, date range and filters in one line, for captions (user values are escaped)."""
        opened = self.workspace
        parts = [escape_markdown(opened.name) if opened is not None else source_label(self.source)]
        start, end = self.filters.start or self.bounds[0], self.filters.end or self.bounds[1]
        if start and end:
            parts.append(f"{fmt_date(start, self.lang)} – {fmt_date(end, self.lang)}")
        for role, values in self.filters.roles.items():
            if values:
                shown = ", ".join(values[:3]) + (f" +{len(values) - 3}" if len(values) > 3 else "")
                parts.append(f"{role_label(role)}: {escape_markdown(shown)}")
        return " · ".join(parts)

    def shared_params(self) -> dict[str, str | list[str]]:
        """The URL parameters that reproduce this view on another page."""
        return current_params()


def current_params() -> dict[str, str | list[str]]:
    """The shared URL parameters as they are now (for links to other pages)."""
    params: dict[str, str | list[str]] = {}
    for name in SHARED_PARAMS:
        values = st.query_params.get_all(name)
        if values:
            params[name] = values if len(values) > 1 else values[0]
    return params


def source_label(source: str, lang: str | None = None) -> str:
    return t(f"source.{source}", lang)


def uploads() -> list[Upload]:
    """This session's uploaded files whose bytes the server still holds (leased to this session, so they stay)."""
    held = [u for u in st.session_state.get(UPLOADS_KEY, []) if u.is_held()]
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        held_data().lease_uploads(ctx.session_id, {u.sha256 for u in held})
    return held


def source_options(source: str) -> SourceOptions:
    """The Data-page overrides of `source` in this session."""
    store = st.session_state.setdefault(OPTIONS_KEY, {})
    if source not in store:
        store[source] = SourceOptions()
    return store[source]


def set_source_options(source: str, options: SourceOptions) -> None:
    st.session_state.setdefault(OPTIONS_KEY, {})[source] = options


def use_source(source: str) -> None:
    """Switch the data source (for callbacks: before the sidebar is drawn)."""
    set_value("src", source)


def month_name(month: int, lang: str) -> str:
    """4月 / Apr."""
    return f"{month}月" if lang == "ja" else MONTHS_EN[month - 1]


def page_frame(page: str, *, require_data: bool = True) -> View:
    """Draw the frame every page shares and return the view; call it first on every page.

    With `require_data`, a page whose data cannot be loaded stops after the frame has shown why and what to do.
    """
    _forget_widgets_on_page_or_language_change(page)
    lang = url_value("lang", lang_from_locale(_browser_locale()), choice_parser(LANGS))
    if st.session_state.get(widget_key("lang")) in LANGS:
        # The language just chosen in the sidebar: its widget is drawn further down, but the browser tab's title
        # (set_page_config) and the sidebar labels drawn before it must already be in that language.
        lang = st.session_state[widget_key("lang")]
    st.session_state[LANG_STATE_KEY] = lang
    workshop = url_value("workshop", False, bool_parser)
    st.set_page_config(
        page_title=f"{_page_name(page)} · KPI Pivot",
        page_icon=":material/insights:",
        layout="wide",
        initial_sidebar_state="collapsed" if workshop else "expanded",
    )
    css = BASE_CSS + (WORKSHOP_CSS if workshop else "") + widget_text_css(_widget_words(lang))
    st.markdown(css, unsafe_allow_html=True)  # our constant CSS and catalogue words only, never user text
    # A link naming a workspace opens it here; a bad one shows only the "not found" page and stops the run.
    opened = open_for_page(page, lang)
    if opened is not None:
        set_source_options(WS_SOURCE, opened.options)  # read from the workspace on every run

    with st.sidebar:
        st.markdown("**KPI Pivot**")
        lang = url_choice(
            "lang",
            LANGS,
            "",  # never equal: the language always stays in the URL
            st.segmented_control,
            label=t("frame.language"),
            format_func=LANG_NAMES.get,
            label_visibility="collapsed",
        )
        st.session_state[LANG_STATE_KEY] = lang
        nav_area = st.container(key="nav")
        if opened is None:
            _notice_lost_uploads()
            source = url_choice(
                "src",
                SOURCES,
                sources.DEFAULT_SOURCE,
                st.selectbox,
                label=t("frame.source"),
                format_func=lambda s, lang=lang: source_label(s, lang),
            )
        else:  # the workspace is the data: no source choice
            source = WS_SOURCE
            draw_sidebar(opened, page, lang)
    if source != "upload" or uploads():  # another source chosen, or files uploaded again: nothing is missing now
        st.session_state.pop(UPLOAD_LOST_KEY, None)
    view = View(page, lang, source, None, None, Filters(), "month", 4, workshop)
    if opened is not None:
        view.extra["workspace"] = opened
    _load_into(view)
    with nav_area:
        _draw_nav(view, in_sidebar=True)
    with st.sidebar:
        _draw_source_caption(view)
        if view.dataset is not None:
            _draw_filters(view)
        _draw_display_choices(view)
        st.divider()
        view.workshop = url_flag("workshop", st.toggle, label=t("frame.workshop"), help=t("frame.workshop_help"))
        st.caption(_link_hint(view))
        email = signed_in_email()
        draw_sign_in(
            t("ws.sign_in"), t("ws.sign_out"), t("ws.signed_in_as", email=escape_markdown(email)) if email else None
        )
        draw_report_download(view)  # the Excel report of this view, on every page with goals
    if view.workshop:
        _draw_workshop_bar(view)
    st.title(t(f"page.{page}.title") if has_text(f"page.{page}.title") else _page_name(page))
    if view.dataset is not None:
        st.caption(view.scope_text())
    elif require_data:
        _draw_load_problem(view)
        st.stop()
    return view


def _link_hint(view: View) -> str:
    """What copying the address shares: the view, the editor's key too (inside an editor's workspace), or nothing
    another browser can open (this session's uploads: save them as a workspace first)."""
    opened = view.workspace
    if opened is not None:
        return t("frame.link_hint_editor") if opened.can_edit else t("frame.link_hint")
    if view.source == "upload":
        return t("frame.link_hint_upload")
    return t("frame.link_hint")


def _widget_words(lang: str) -> dict[str, str]:
    """Our words for Streamlit's own widget texts (English is Streamlit's own, so nothing to replace)."""
    if lang == "en":
        return {}
    size = int(st.get_option("server.maxUploadSize"))
    return {
        "upload_button": t("widget.upload_button", lang),
        "upload_limit": t("widget.upload_limit", lang, size=size, types="CSV, TSV, TXT, XLSX, XLSM"),
        "select_all": t("widget.select_all", lang),
    }


def _notice_lost_uploads() -> None:
    """On a session's first run (before the source is read from the URL): a URL with src=upload and no uploads in
    the session means the files were uploaded in a session the server no longer has."""
    if canonical_key("src") in st.session_state or uploads():
        return
    if st.query_params.get_all("src")[-1:] == ["upload"]:
        st.session_state[UPLOAD_LOST_KEY] = True


def upload_lost() -> bool:
    """Whether the view uses uploaded files this session no longer holds (see UPLOAD_LOST_KEY)."""
    return bool(st.session_state.get(UPLOAD_LOST_KEY)) and not uploads()


def _forget_widgets_on_page_or_language_change(page: str) -> None:
    """After a page switch or a language switch, drop the widgets' copies so they are drawn from the view state
    again: a widget with the same key on another page came back with a stale value (seen in AppTest), and a
    choice whose option labels were just translated is safest drawn afresh."""
    new_lang = st.session_state.get(widget_key("lang"))
    old_lang = st.session_state.get(canonical_key("lang"))
    lang_changed = new_lang in LANGS and old_lang in LANGS and new_lang != old_lang
    if st.session_state.get(PAGE_KEY) == page and not lang_changed:
        return
    keep = {widget_key("lang")} if lang_changed else set()
    for key in [k for k in st.session_state if str(k).startswith("w_") and k not in keep]:
        del st.session_state[key]
    if lang_changed:
        st.session_state[LANG_EPOCH_KEY] = lang_epoch() + 1
    st.session_state[PAGE_KEY] = page


def lang_epoch() -> int:
    """A number that changes with each language switch: part of the keys of widgets with translated options."""
    return int(st.session_state.get(LANG_EPOCH_KEY, 0))


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # older runtimes / bare mode
        return None


def _page_name(page: str) -> str:
    key = f"nav.{page}"
    return t(key) if has_text(key) else page.title()


def _load_into(view: View) -> None:
    """Load the chosen source into `view`, or set `view.error` to one sentence."""
    opened = view.workspace
    files = uploads() if opened is None else []
    if view.source == "upload" and not files:
        lost = upload_lost()
        view.error = t("error.upload_lost") if lost else t("error.no_upload")
        view.error_code = "upload_lost" if lost else "no_file"
        return
    options = source_options(view.source)
    try:
        with st.spinner(t("frame.loading")):
            if opened is not None:
                currency = opened.settings.currency
                key, dataset = sources.load_workspace(opened.id, opened.stored_files, opened.inputs, options, currency)
            else:
                key, dataset = sources.load_source(view.source, files, options)
    except ServerFull as exc:
        view.error = exc.message(view.lang)
        view.error_code = exc.code
        return
    except IntakeError as exc:
        view.error = t("error.file", message=escape_markdown(exc.message(view.lang)))
        view.error_code = exc.code
        return
    view.dataset, view.dataset_key = dataset, key
    view.bounds = sources.cached_date_bounds(key, dataset)


def _draw_nav(view: View, *, in_sidebar: bool) -> None:
    params = view.shared_params()
    for page in nav_pages():
        st.page_link(
            page.path,
            label=nav_label(page),
            icon=PAGE_ICONS.get(page.name, DEFAULT_ICON),
            query_params=params,
            width="stretch" if in_sidebar else "content",
        )


def _draw_source_caption(view: View) -> None:
    if view.dataset is None:
        return
    names = ", ".join(str(f["name"]) for f in view.dataset.files)
    st.caption(
        t("frame.source_caption", files=escape_markdown(names), rows=f"{view.dataset.rows_used:,}")
        + (t("frame.rejected_caption", count=f"{view.dataset.rejected:,}") if view.dataset.rejected else "")
    )


def _draw_filters(view: View) -> None:
    dataset = view.dataset
    assert dataset is not None and view.dataset_key is not None
    st.markdown(f"**{t('frame.filters')}**")
    low, high = view.bounds
    if low and high:
        view.filters.start, view.filters.end = _date_range_widget(low, high)
    roles = [r for r in FILTER_ROLES if r in dataset.mapping]  # a period sheet per channel filters by channel too
    for role in roles:
        options = sources.cached_filter_values(view.dataset_key, dataset, role)
        if not options:
            continue
        chosen = url_multi(role, options, st.multiselect, label=role_label(role), placeholder=t("frame.all"))
        if chosen:
            view.filters.roles[role] = chosen
    if not roles:
        st.caption(t("frame.no_role_filters"))
    st.button(t("frame.reset_filters"), key="reset_filters", on_click=_reset_filters, width="stretch")


def _draw_display_choices(view: View) -> None:
    """Granularity and fiscal year: drawn on every run, data or not (a selectbox that disappears for one run
    comes back in the browser on its first option, whatever its session value)."""
    st.markdown(f"**{t('frame.display')}**")
    view.period = url_choice(
        "period",
        PERIODS,
        "month",
        st.segmented_control,
        label=t("frame.period"),
        format_func=lambda p, lang=view.lang: t(f"period.{p}", lang),
    )
    opened = view.workspace
    default = opened.settings.fiscal_start if opened is not None and 1 <= opened.settings.fiscal_start <= 12 else 4
    view.fiscal_start = url_int(
        "fy", default, 1, 12, _fiscal_month_select, label=t("frame.fiscal_start"), lang=view.lang
    )


def _fiscal_month_select(*, key: str, min_value: int, max_value: int, label: str, lang: str) -> int:
    return st.selectbox(
        label, list(range(min_value, max_value + 1)), key=key, format_func=lambda m: month_name(m, lang)
    )


def _date_range_widget(low: dt.date, high: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """A date range bound to the URL parameters `from` and `to` (left out when they are the data's bounds)."""

    def parse(raw: list[str]) -> dt.date | None:
        try:
            return dt.date.fromisoformat(raw[-1])
        except (ValueError, IndexError):
            return None

    start = url_value("from", None, parse)
    end = url_value("to", None, parse)
    key = widget_key("dates")
    held = st.session_state.get(key)
    # Reseed the widget when the data (and so its bounds) changed, after a page switch, or after a reset.
    if st.session_state.get(DATE_BOUNDS_KEY) != (low, high) or not isinstance(held, tuple) or not held:
        first = min(max(start, low), high) if start else low
        last = min(max(end, first), high) if end else high
        st.session_state[key] = (first, last)
        st.session_state[DATE_BOUNDS_KEY] = (low, high)
    chosen = st.date_input(t("frame.dates"), key=key, min_value=low, max_value=high, format="YYYY/MM/DD")
    if isinstance(chosen, tuple) and len(chosen) == 2:
        first, last = chosen
    else:  # half-way through picking a range: keep the previous one
        first, last = start or low, end or high
    start, end = (first if first != low else None), (last if last != high else None)
    store_value("from", start, None, dump=lambda v: [v.isoformat()])
    store_value("to", end, None, dump=lambda v: [v.isoformat()])
    return start, end


def _reset_filters() -> None:
    for role in FILTER_ROLES:
        set_value(role, [])
    for name in ("from", "to"):
        st.session_state[canonical_key(name)] = None
    st.session_state.pop(widget_key("dates"), None)


def _draw_workshop_bar(view: View) -> None:
    with st.container(key="workshop_bar", horizontal=True, vertical_alignment="center"):
        _draw_nav(view, in_sidebar=False)
        st.button(t("frame.exit_workshop"), key="exit_workshop", on_click=_exit_workshop, icon=":material/close:")


def _exit_workshop() -> None:
    set_value("workshop", False)


def _draw_load_problem(view: View) -> None:
    """The error sentence and the next step, instead of a blank page."""
    with st.container(key="load_problem"):
        if view.error_code == "upload_lost":  # the view's files were lost with the server's session: say so
            st.warning(view.error, icon=":material/cloud_off:")
        elif view.source == "upload" and not uploads():
            st.info(view.error or t("error.no_upload"))
        else:
            st.error(view.error or t("error.unknown"))
        if view.page != "data":
            st.page_link(
                "pages/1_Data.py",
                label=t("next.open_data"),
                icon=":material/upload_file:",
                query_params=current_params(),
            )
        if view.workspace is None:  # a workspace's link shows its own data or says why not
            st.button(
                t("next.use_sample"),
                key="use_sample",
                on_click=use_source,
                args=(sources.DEFAULT_SOURCE,),
                icon=":material/dataset:",
            )
