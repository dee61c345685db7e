"""The Streamlit side of the data: one connection per warehouse version, cached results,
the shared sidebar filters, and the small widgets every page repeats."""

import gc
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from metrics import periods, warehouse
from metrics.exporting import neutralise_formulas
from metrics.formatting import change_direction
from metrics.paths import resolve_db

ALL = "全部"
# Plotly's logo links out of the app; the toolbar keeps its PNG download.
CHART_CONFIG = {"displaylogo": False}


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(db: str, version: str) -> duckdb.DuckDBPyConnection:
    """Read-only connection to one published version; a new version gets a new connection."""
    return warehouse.open_reader(Path(db))


def connection() -> duckdb.DuckDBPyConnection:
    """The read-only connection to the version published now (use a cursor per query)."""
    return _connection(str(resolve_db()), current_version())


@st.cache_resource(show_spinner=False)
def freeze_startup_objects() -> bool:
    """Once per process, after start-up: take what is loaded so far out of the collector's view.

    Full collections then skip the libraries' objects; in scripts/bench_pages.py this removed the
    150–250 ms pauses that set the p95 of the 省级考核 page.
    """
    gc.freeze()
    return True


def current_version() -> str:
    return warehouse.version_id(resolve_db())


@st.cache_data(max_entries=512, show_spinner=False)
def _call(_function, function_key: str, version: str, args: tuple, kwargs: tuple):
    return _function(_connection(str(resolve_db()), version), *args, **dict(kwargs))


def data(function, *args, **kwargs):
    """function(con, *args, **kwargs) on the current version, cached per version and arguments."""
    key = f"{function.__module__}.{function.__qualname__}"
    return _call(function, key, current_version(), args, tuple(sorted(kwargs.items())))


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(_builder, builder_key: str, args: tuple, kwargs: tuple):
    return _builder(*args, **dict(kwargs))


def figure(builder, *args, **kwargs):
    """builder(*args, **kwargs) from metrics.charts, cached on its inputs.

    Building a Plotly figure costs tens of milliseconds and so does unpickling one, which is what
    st.cache_data would do on every hit; the figure is shared instead (st.plotly_chart only reads it).
    """
    key = f"{builder.__module__}.{builder.__qualname__}"
    return _figure(builder, key, args, tuple(sorted(kwargs.items())))


def clear_caches() -> None:
    """After a load: forget cached results so every session reads the new version."""
    _call.clear()
    _figure.clear()


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


def follow_url(key: str, param: str, options) -> None:
    """Before a widget is drawn: take its value from ?param= when a link brought a new one.

    The app writes every choice back to the URL (keep_in_url), so a URL value that differs from
    the one last written came from outside — a shared link, a bookmark, a link on another page —
    and wins; otherwise the widget's own state, which the user may just have changed, wins.
    """
    wanted = st.query_params.get(param)
    if wanted is not None and wanted != st.session_state.get(_written_key(param)) and wanted in options:
        st.session_state[key] = wanted


def keep_in_url(param: str, value: str | None) -> None:
    """Write a choice to the URL, so that the address bar can be shared (None removes it)."""
    st.session_state[_written_key(param)] = value
    if value is None:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def url_widget(widget, label: str, options: list, *, key: str, param: str, default=None, **kwargs):
    """A selection widget (st.selectbox, st.radio) bound to ?param= both ways."""
    follow_url(key, param, options)
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    chosen = widget(label, options, key=key, **kwargs)
    keep_in_url(param, None if chosen in (ALL, None) else str(chosen))
    return chosen


# Characters that give Markdown or Streamlit's directives (:red[…], :material/…:) a construct:
# emphasis, code, links and images, HTML, headings, tables, strikethrough, LaTeX. Parentheses and
# full stops alone build nothing once brackets are escaped, so names such as 占比(一窗通办) stay as
# they are.
_MARKDOWN_SPECIAL = set("\\`*_{}[]<>#!|:~$")


def plain(text) -> str:
    """Text from users or files, escaped so that st.markdown, captions and help show it literally."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in str(text))


def csv_download(frame: pd.DataFrame, file_name: str, label: str = "下载 CSV") -> None:
    """A download button for a table: UTF-8 with BOM so that Excel opens the Chinese right."""
    st.download_button(
        label,
        # Written only when clicked, so that a page run does not format every table it shows.
        data=lambda: neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig"),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{file_name}",
    )


STATUS_BADGE = {
    "达标": ":green[:material/check_circle: 达标]",
    "未达标": ":red[:material/cancel: 未达标]",
    "无目标": ":gray[:material/remove: 无目标]",
    "无法判定": ":orange[:material/help: 无法判定]",
    "无数据": ":gray[:material/block: 无数据]",
}


def status_badge(status: str) -> str:
    """Markdown for a status: icon and word as well as colour."""
    return STATUS_BADGE.get(status, status)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/filter_alt_off:")


CHANGE_MARK = {"better": "🟢 ", "worse": "🔴 ", "neutral": ""}
CHANGE_COLUMNS = {"环比": "change_vs_previous", "同比": "change_vs_year_ago"}


def facts_table(table: pd.DataFrame, facts: pd.DataFrame, **kwargs) -> None:
    """A readable_facts table whose 环比 and 同比 carry a green mark where they improved and a red
    one where they worsened, by each indicator's better direction (facts: the rows the table was
    made from). A mark in the text costs nothing per cell, where a pandas Styler costs seconds on
    a province's table; the CSV download keeps the plain text."""
    shown = table.copy()
    for column, change in CHANGE_COLUMNS.items():
        if column in shown and change in facts:
            shown[column] = [CHANGE_MARK[change_direction(c, b)] + text for text, c, b in
                             zip(shown[column], facts[change], facts["better"], strict=True)]
    st.dataframe(shown, hide_index=True, width="stretch", **kwargs)
