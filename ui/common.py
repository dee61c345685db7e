"""The Streamlit side of the data: one connection per warehouse version, cached results,
the shared sidebar filters, and the small widgets every page repeats."""

import contextlib
import gc
import logging
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from metrics import changes, charts, errors, periods, store
from metrics.claims import Change, Direction, Status
from metrics.exporting import neutralise_formulas, neutralised
from metrics.formatting import STATUS_NAMES, change_words, inert
from metrics.paths import resolve_db
from ui import telemetry

ALL = "全部"

# Plotly's mode-bar tooltips and messages in Chinese. Plotly's Python package ships no locale
# scripts (only plotly.min.js) and Streamlit's Plotly bundle registers none, so the locale is
# given through config["locales"], which Plotly's localize reads before its own registry.
PLOTLY_ZH_CN = {
    "Autoscale": "自动缩放",
    "Box Select": "框选",
    "Compare data on hover": "比较各系列数据",
    "Double-click on legend to isolate one trace": "双击图例只显示该系列",
    "Double-click to zoom back out": "双击恢复原始大小",
    "Download plot": "下载图表",
    "Download plot as a PNG": "下载为 PNG 图片",
    "Lasso Select": "套索选择",
    "Pan": "平移",
    "Reset axes": "重置坐标轴",
    "Reset view": "重置视图",
    "Show closest data on hover": "显示最近的数据",
    "Sorry, there was a problem downloading your image!": "抱歉，图片下载出错！",
    "Toggle Spike Lines": "显示/隐藏参考线",
    "Toggle show closest data on hover": "切换显示最近的数据",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
}
# Plotly's logo links out of the app; the toolbar keeps its PNG download (on a phone it shows
# when the chart is tapped: see PAGE_CSS).
CHART_CONFIG = {"displaylogo": False, "locale": "zh-CN", "locales": {"zh-CN": {"dictionary": PLOTLY_ZH_CN}}}

NARROW = "(max-width: 640px)"
# What a chart's text summary starts with, under every chart (chart)
SUMMARY_PREFIX = "图表摘要："
CAPTION_COLOR = "#5b6170"
# An empty date field shows no format code (Streamlit's field writes yyyy, mm and dd into its empty segments,
# with the dashes between them): its label says what it asks. Narrow screens: the mode bar would sit on the
# chart's title, so it shows only on a tapped (hovered) chart; 总览's status counts two to a row; a link's
# text wraps instead of being cut; 驾驶舱's matrix becomes its list of units (and a desktop shows the matrix
# only).
# Captions: Streamlit fades them (opacity 0.6) to #797c83, 4.2:1 on white, below the 4.5:1 that small text needs
# (WCAG AA, the axe audit); CAPTION_COLOR, opaque, reads 6.2:1 on white and 5.7:1 on the sidebar's grey.
PAGE_CSS = f"""<style>
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; color: {CAPTION_COLOR} !important; }}
[data-testid="stDateInputField"] [data-placeholder="true"] {{ color: transparent; }}
[data-testid="stDateInputField"]:not(:has([role="spinbutton"]:not([data-placeholder="true"]))) [data-type="literal"] {{
  color: transparent;
}}
@media {NARROW} {{
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none; }}
  [data-testid="stPlotlyChart"]:hover .modebar-container {{ display: block; }}
  .st-key-status_counts [data-testid="stColumn"] {{ min-width: calc(50% - 0.5rem) !important;
                                                   flex: 1 1 calc(50% - 0.5rem) !important; }}
  [data-testid="stPageLink"] p {{ white-space: normal !important; }}
  .st-key-cockpit_matrix {{ display: none !important; }}
  .st-key-cockpit_list [data-testid="stButtonGroup"] button,
  .st-key-cockpit_list [data-testid="stButtonGroup"] button * {{ white-space: normal !important;
    overflow: visible !important; text-overflow: clip !important; height: auto !important; text-align: left; }}
}}
@media (min-width: 641px) {{
  .st-key-cockpit_list {{ display: none !important; }}
}}
</style>"""
# 驾驶舱's ?mode=screen, for a meeting room's screen: no sidebar or header, the whole width, large type.
SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {
  display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1rem 2rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.35rem !important; }
[data-testid="stMetricValue"] { font-size: 3rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
h1 { font-size: 3rem !important; }
</style>"""
# After a navigation on a narrow screen, the sidebar that was opened to navigate would cover the
# new page: close it with its own button (Streamlit closes it only on some devices).
# Constant, so that the server's Content-Security-Policy can allow it by its hash (ui.web).
CLOSE_SIDEBAR_SCRIPT = f"""
if (window.matchMedia("{NARROW}").matches) {{
  const sidebar = document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]');
  sidebar?.querySelector('button[aria-label="Collapse sidebar"]')?.click();
}}
"""
CLOSE_SIDEBAR_JS = f"<span data-page=\"PAGE\" hidden></span><script>{CLOSE_SIDEBAR_SCRIPT}</script>"


def close_sidebar_on_narrow_screens(page_title: str) -> None:
    """On the first run of a page after another one: close the sidebar on a narrow screen."""
    if st.session_state.get("shown_page") != page_title:
        st.session_state["shown_page"] = page_title
        # The page's name makes the element new, so that the browser runs the script again.
        st.html(CLOSE_SIDEBAR_JS.replace("PAGE", page_title), unsafe_allow_javascript=True)


def chart(figure, file_name: str, static: bool = False, summary: str | None = None, **kwargs):
    """A Plotly figure with the app's toolbar; its PNG download is named file_name (no suffix). static: a small
    picture with no toolbar and no hover (a tile's sparkline). Under it, its text summary: a chart is a picture
    to a screen reader, so its values are said in words too — summary where the page words them itself, else
    charts.text_summary. Returns st.plotly_chart's answer (the selection, with on_select)."""
    config = {**CHART_CONFIG, "toImageButtonOptions": {"filename": file_name, "scale": 2}, "staticPlot": static}
    event = st.plotly_chart(figure, width="stretch", config=config, **kwargs)
    st.caption(plain(f"{SUMMARY_PREFIX}{summary or charts.text_summary(figure)}"))
    return event


@st.cache_resource(max_entries=4, show_spinner=False, validate=store.is_usable)
def _connection(db: str, version: str) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the warehouse snapshot version names; a new snapshot gets a new connection, and so
    does one whose database DuckDB has invalidated (store.is_usable), on the warehouse opened afresh."""
    return store.open_version(Path(db), version)


@contextlib.contextmanager
def warehouse_failures() -> Iterator[None]:
    """A page run that fails reading the warehouse ends in one Chinese line naming the problem, never a
    traceback or a server path (store.page_failure_text)."""
    try:
        yield
    except duckdb.Error as error:
        st.error(store.page_failure_text(resolve_db(), error), icon=":material/error:")


def connection() -> duckdb.DuckDBPyConnection:
    """The read-only connection to the snapshot current now (use a cursor per query)."""
    return _connection(str(resolve_db()), current_version())


@st.cache_resource(show_spinner=False)
def freeze_startup_objects() -> bool:
    """Once per process, after start-up: take what is loaded so far out of the collector's view.

    Full collections then skip the libraries' objects; in scripts/bench_pages.py this removed the
    150–250 ms pauses that set the p95 of the 省级考核 page.
    """
    gc.freeze()
    return True


# The snapshot a page run reads, as pinned at the start of the run (app.py, and the page's auth.ensure_routed).
PINNED_VERSION_KEY = "_pinned_version"


def pin_version() -> str:
    """Read the current snapshot at the start of a page run (app.py, then the page itself): every query of
    the page then reads that one published state, and the catalog is asked once per start rather than by
    every cached call."""
    version = store.version_id(resolve_db())
    st.session_state[PINNED_VERSION_KEY] = version
    return version


def current_version() -> str:
    """The snapshot this page run reads; outside a page run (warming, a download written when clicked),
    the current one."""
    pinned = st.session_state.get(PINNED_VERSION_KEY) if get_script_run_ctx(suppress_warning=True) else None
    return pinned or store.version_id(resolve_db())


@st.cache_data(max_entries=512, show_spinner=False)
def _call(_function, function_key: str, version: str, args: tuple, kwargs: tuple):
    if get_script_run_ctx(suppress_warning=True):  # a page run waits for this one (warming runs without a page)
        telemetry.COLD_CALLS.inc()
    return _function(_connection(str(resolve_db()), version), *args, **dict(kwargs))


def data(function, *args, **kwargs):
    """function(con, *args, **kwargs) on the current version, cached per version and arguments."""
    key = f"{function.__module__}.{function.__qualname__}"
    return _call(function, key, current_version(), args, tuple(sorted(kwargs.items())))


class DrawnFigure(go.Figure):
    """A figure as st.plotly_chart sends it, its dict made once: st.plotly_chart asks a figure for to_dict() on
    every run, a deep copy that also encodes every array (5–30 ms a chart). Read only, as a cached figure is."""

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self._drawn = super().to_dict()

    def to_dict(self) -> dict:
        return self._drawn


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(_builder, builder_key: str, args: tuple, kwargs: tuple) -> DrawnFigure:
    return DrawnFigure(_builder(*args, **dict(kwargs)))


def figure(builder, *args, **kwargs) -> DrawnFigure:
    """builder(*args, **kwargs) from metrics.charts, cached on its inputs, drawn once (DrawnFigure).

    Building a Plotly figure costs tens of milliseconds and so does unpickling one, which is what
    st.cache_data would do on every hit; the figure is shared instead (st.plotly_chart only reads it).
    """
    key = f"{builder.__module__}.{builder.__qualname__}"
    return _figure(builder, key, args, tuple(sorted(kwargs.items())))


def clear_caches() -> None:
    """After a load: forget cached results so every session reads the new version (this run too)."""
    _call.clear()
    _figure.clear()
    if get_script_run_ctx():
        st.session_state.pop(PINNED_VERSION_KEY, None)


@dataclass(frozen=True)
class Changed:
    """A change a user asked for, published: what it returned."""
    result: object


# The follow-ups of the changes made on pages (changes.after_commit: file merge, audit copy), one at a time in
# this thread, after the page has answered; and per session, what a follow-up left pending, until shown.
FOLLOW_UPS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="change-follow-ups")
_pending: dict[str, str] = {}
_pending_lock = threading.Lock()
_LOG = logging.getLogger(__name__)


def make_change(change: Callable[[], object]) -> Changed | None:
    """Run a change a user asked for. Published, it returns the change's result at once: its follow-ups run
    afterwards in the background, and one left pending (errors.DoneButPending, the audit copy) is shown as a
    warning by the session's next run after it (show_pending). So the caller goes on as after any success and
    offers no button for the same change again. Refused or failed: None, after showing the reason in one line."""
    try:
        with changes.follow_ups_deferred() as follow_ups:
            result = change()
    except errors.UserFacingError as error:
        show_error(error)
        return None
    if follow_ups:
        FOLLOW_UPS.submit(_follow_up, follow_ups, get_script_run_ctx(suppress_warning=True).session_id)
    return Changed(result)


def _follow_up(follow_ups: list[Callable[[], None]], session_id: str) -> None:
    for follow_up in follow_ups:
        try:
            follow_up()
        except errors.DoneButPending as pending:
            with _pending_lock:
                _pending[session_id] = str(pending)
        except Exception:  # the change is published; the next change or `ensure` makes its audit copy
            _LOG.exception("变更已发布，其后续（合并小表文件、审计记录）未完成")


def show_error(error: Exception) -> None:
    """A refusal as a browser shows it: one line, server paths cut to file names."""
    st.error(without_server_paths(str(error)), icon=":material/error:")


def show_pending() -> None:
    """Under the title of a page that changes data, once, on the session's first run after a published change's
    follow-up was left pending (make_change): what is still to come."""
    with _pending_lock:
        pending = _pending.pop(get_script_run_ctx(suppress_warning=True).session_id, None)
    if pending:
        st.warning(without_server_paths(pending), icon=":material/pending_actions:")


@dataclass(frozen=True)
class Filters:
    category: str | None
    region_id: str | None
    quarter_index: int | None

    @property
    def quarter_label(self) -> str:
        return periods.quarter_label(self.quarter_index) if self.quarter_index is not None else "无数据"


def filters() -> Filters:
    """The sidebar filters chosen in app.py (they keep their values across pages)."""
    category = st.session_state.get("filter_category", ALL)
    region = st.session_state.get("filter_region", ALL)
    return Filters(
        category=None if category == ALL else category,
        region_id=None if region == ALL else region,
        quarter_index=_chosen_quarter(),
    )


def _chosen_quarter() -> int | None:
    """The sidebar's quarter; else (a page run without app.py's sidebar) the newest with data."""
    chosen = periods.quarter_index(st.session_state.get("filter_period"))
    if chosen is not None:
        return chosen
    quarters = data(periods.reporting_quarters)
    return int(quarters["quarter_index"].iloc[0]) if len(quarters) else None


def _written_key(param: str) -> str:
    return f"url_written_{param}"


def follow_url(key: str, param: str, options) -> str | None:
    """Before a widget is drawn: take its value from ?param= when a link brought a new one; returns a value a
    link brought that is not among the options (a quarter without data), which the page must not hide.

    The app writes every choice back to the URL (keep_in_url), so a URL value that differs from
    the one last written came from outside — a shared link, a bookmark, a link on another page —
    and wins; otherwise the widget's own state, which the user may just have changed, wins.
    """
    wanted = st.query_params.get(param)
    if wanted is None or wanted == st.session_state.get(_written_key(param)):
        return None
    if wanted not in options:
        return wanted
    st.session_state[key] = wanted
    return None


def keep_in_url(param: str, value: str | None) -> None:
    """Write a choice to the URL, so that the address bar can be shared (None removes it)."""
    st.session_state[_written_key(param)] = value
    if value is None:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


LINK_NOTICES = "link_notices"


def url_widget(widget, label: str, options: list, *, key: str, param: str, default=None,
               name_of_missing: Callable[[str], str] | None = None, **kwargs):
    """A selection widget (st.selectbox, st.radio) bound to ?param= both ways.

    Its value is also kept under a key of the session's own, so that it survives the pages that
    do not draw the widget (Streamlit forgets the state of a widget a run does not draw). A link naming
    a value without data is never rewritten silently: show_link_notices says what is shown instead
    (name_of_missing: how to name such a value, e.g. a quarter's Chinese label).
    """
    named = kwargs.get("format_func", str)
    # An option's name can come from a file: shown inert (no line break, no bidi override).
    kwargs["format_func"] = lambda option: inert(named(option))
    kept = f"kept_{key}"
    if key not in st.session_state and st.session_state.get(kept) in options:
        st.session_state[key] = st.session_state[kept]
    missing = follow_url(key, param, options)
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    chosen = widget(label, options, key=key, **kwargs)
    st.session_state[kept] = chosen
    keep_in_url(param, None if chosen in (ALL, None) else str(chosen))
    if missing is not None:
        shown = kwargs.get("format_func", str)(chosen)
        asked = name_of_missing(missing) if name_of_missing else f"{label}“{missing}”"
        st.session_state.setdefault(LINK_NOTICES, []).append(f"{asked}没有数据，已显示{shown}")
    return chosen


def tab_bar(tabs: dict[str, str], *, key: str, param: str) -> str:
    """Tabs that keep the one in use across reruns; returns the chosen tab's id. st.tabs (Streamlit 1.67) holds
    no state: every rerun (a saved edit, a changed what-if number) showed the first tab again. A horizontal
    radio keeps the choice in the session and in ?param=, and the page draws only the chosen tab."""
    return url_widget(st.radio, "页面分栏", list(tabs), key=key, param=param, format_func=tabs.get,
                      horizontal=True, label_visibility="collapsed")


def show_link_notices() -> None:
    """Say, once, which values a link asked for that have no data and what is shown instead."""
    for notice in st.session_state.pop(LINK_NOTICES, []):
        st.warning(plain(notice), icon=":material/link_off:")


# Characters that give Markdown or Streamlit's directives (:red[…], :material/…:) a construct:
# emphasis, code, links and images, HTML, headings, tables, strikethrough, LaTeX. Parentheses and
# full stops alone build nothing once brackets are escaped, so names such as 占比(一窗通办) stay as
# they are. A list's "-", "+" or "1." builds one only where it opens a line, and plain text has no
# line break: it is escaped where it opens the text.
_MARKDOWN_SPECIAL = set("\\`*_{}[]<>#!|:~$")
_LIST_START = re.compile(r"^\s*(?:[-+]|\d+[.)])")
# GFM links bare URLs, www. names and e-mail addresses after the escapes are read (remark-gfm works
# on the text), so no backslash stops it: a word joiner (U+2060, invisible) after "://", before the
# dot of "www." and after "@" does.
_AUTOLINK_STARTS = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


# An absolute path in a message: a slash not inside a word or a URL, up to a space or Chinese punctuation.
_SERVER_PATH = re.compile(r"(?<![\w:/.])/[^\s，。：；、（）()“”\"']*")


def without_server_paths(message: str) -> str:
    """A message for a browser: each server path in it cut to its last name (warehouse.duckdb), so that nobody
    learns the server's directories from an error; the command line and the logs keep the whole path."""
    return _SERVER_PATH.sub(lambda found: Path(found.group()).name or "/", message)


def plain(text) -> str:
    """Text from users or files, shown literally by st.markdown, captions and help: no Markdown, no
    link, on one line, without bidi controls (formatting.inert)."""
    escaped = "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in inert(text))
    escaped = _LIST_START.sub(lambda start: f"{start.group()[:-1]}\\{start.group()[-1]}", escaped)
    return _AUTOLINK_STARTS.sub(WORD_JOINER, escaped)


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, label: str = "下载 CSV") -> None:
    """A download button for a table (or for what a function returns when clicked, where the page
    shows only part of it): UTF-8 with BOM so that Excel opens the Chinese right."""
    def written() -> bytes:
        whole = frame() if callable(frame) else frame
        return neutralise_formulas(whole).to_csv(index=False).encode("utf-8-sig")

    st.download_button(
        label,
        # Written only when clicked, so that a page run does not format every table it shows.
        data=written,
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{file_name}",
    )


# A status's colour and icon, shown with its word so that no reader depends on the colour.
STATUS_BADGE_STYLE = {
    Status.MET: ("green", "check_circle"),
    Status.MISSED: ("red", "cancel"),
    Status.NO_TARGET: ("gray", "remove"),
    Status.UNDECIDED: ("orange", "help"),
    Status.NO_DATA: ("gray", "block"),
    Status.NOT_REPORTED: ("orange", "schedule"),
}


def status_badge(status: str) -> str:
    """Markdown for a status (a metrics.claims.Status code): icon and word as well as colour."""
    colour, icon = STATUS_BADGE_STYLE[status]
    return f":{colour}[:material/{icon}: {STATUS_NAMES[status]}]"


def empty_state(message: str) -> None:
    st.info(message, icon=":material/filter_alt_off:")


# Columns a phone shows first (about 360 px): what, how much, on target; the rest scroll into
# view or open in the detail panel.
FIRST_COLUMNS = ["排名", "指标", "地区", "数值", "状态"]
COLUMN_WIDTHS = {"排名": 60, "指标": 180, "地区": 90, "数值": 110, "状态": 80}
# Long text gets room on a desktop; the whole text is in the detail panel of a selected row.
LONG_COLUMNS = ("来源", "原文摘录", "整改举措（概括）", "问题", "关联指标", "说明", "下一步", "定义(口径)",
                "计算公式", "计分规则", "对象")


# Rows a table shows on a page; a province's or a nation's table has more, for the download and the filters.
TABLE_ROWS_SHOWN = 1000


def shown_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of frame a page table shows (format only these, where formatting costs per row)."""
    return frame.head(TABLE_ROWS_SHOWN)


# A signed figure the app writes ("-2分", "+2.5个百分点"): a spreadsheet cannot run it (no function,
# no operator after the number), so a table shows it without the apostrophe.
_SIGNED_FIGURE = re.compile(r"[+-]\d[\d,.]*[^=+\-*/^&|!@(),;:<>\"'\s]*")


def _table_cell(cell):
    if not isinstance(cell, str):
        return cell
    text = inert(cell)
    return text if _SIGNED_FIGURE.fullmatch(text) else neutralised(text)


# A text cell _table_cell would change: one holding a break, a control or a bidi control (inert), or one that
# opens as a formula does (neutralised). Control characters as regex escapes, the others as characters, so that
# pyarrow's RE2 (a string column's .str) and Python's re read it alike.
_CELL_TO_CLEAN = "[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|^[=+\\-@]"


def _table_cells(column: pd.Series) -> pd.Series:
    """A text column as a table shows it: _table_cell applied to the cells that need it, found in one vectorised
    pass (a table of 1,000 rows has tens of thousands of cells, nearly all of them plain)."""
    to_clean = column.str.contains(_CELL_TO_CLEAN, regex=True, na=False).to_numpy(dtype=bool)
    if not to_clean.any():
        return column
    cleaned = column.astype(object)
    cleaned[to_clean] = column[to_clean].map(_table_cell).to_numpy(dtype=object)
    return cleaned.astype(column.dtype)


def dataframe(frame: pd.DataFrame, **kwargs):
    """st.dataframe of the frame, its text cells inert (formatting.inert: a U+202E would turn a name
    backwards in its cell) and formula-like text neutralised (exporting.neutralised: the table's own
    "Download as CSV" writes the cells as shown, and a cell "=HYPERLINK(…)" or "=cmd|…" from a file
    would run in the spreadsheet that opens it). Every table of the app goes through here."""
    text_columns = [column for column in frame.columns if pd.api.types.is_string_dtype(frame[column])]
    shown = frame.assign(**{column: _table_cells(frame[column]) for column in text_columns})
    return st.dataframe(shown, hide_index=True, width="stretch", **kwargs)


def table(frame: pd.DataFrame, *, key: str | None = None, total: int | None = None, **kwargs):
    """A table as the app shows it: the columns a phone needs first, long text wide, missing
    values as "—"; with a key, a tapped row opens every field of it in full below the table. At most
    TABLE_ROWS_SHOWN rows, with a note of how many there are (total: of the frame the rows came from)."""
    total = max(total or 0, len(frame))
    frame = shown_rows(frame)
    if total > len(frame):
        st.caption(f"共 {total:,} 行，表中显示前 {len(frame):,} 行；可用筛选缩小范围，或下载完整表格。")
    config = {name: st.column_config.TextColumn(width=width) for name, width in COLUMN_WIDTHS.items()}
    # The indicator stays in view while the other columns scroll past it.
    config["指标"] = st.column_config.TextColumn(width=COLUMN_WIDTHS["指标"], pinned=True)
    config |= {name: st.column_config.TextColumn(width="large") for name in LONG_COLUMNS}
    order = [c for c in FIRST_COLUMNS if c in frame] + [c for c in frame if c not in FIRST_COLUMNS]
    selectable = {"on_select": "rerun", "selection_mode": "single-row", "key": key} if key else {}
    shown = dataframe(frame, column_order=order, column_config={name: config[name] for name in order if name in config},
                      placeholder="—", **selectable, **kwargs)
    if key:
        picked = shown.selection.rows
        if picked:
            row = frame.iloc[picked[0]]
            with st.container(border=True):
                st.markdown("  \n".join(f"**{plain(name)}**：{plain(_cell(row[name]))}" for name in order))
        else:
            st.caption("点选表格左侧的选择框，可在下方查看该行的全部内容。")
    return shown


def _cell(value) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


# The colour of a change's judgement; st.metric's own "normal" would judge by the sign of the words.
JUDGEMENT_COLOURS = {Direction.BETTER: "green", Direction.WORSE: "red"}


def metric_delta(change: Change) -> dict:
    """st.metric's delta arguments for a change: its words, an arrow the way the value moved (a rank
    that 上升 points up), and the colour of its judgement, grey where there is none."""
    direction = change.direction
    if direction is None:
        return {"delta": None}
    if direction is Direction.UNCHANGED:
        return {"delta": change_words(change), "delta_arrow": "off", "delta_color": "gray"}
    rose = change.amount < 0 if change.is_rank else change.amount > 0
    return {"delta": change_words(change), "delta_arrow": "up" if rose else "down",
            "delta_color": JUDGEMENT_COLOURS.get(direction, "gray")}
