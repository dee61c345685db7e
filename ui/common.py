"""The Streamlit side of the data: one connection per warehouse version, cached results,
the shared sidebar filters, and the small widgets every page repeats."""

import gc
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from metrics import warehouse
from metrics.exporting import neutralise_formulas
from metrics.paths import resolve_db

ALL = "全部"


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


def filters() -> Filters:
    """The sidebar filters chosen in app.py (they keep their values across pages)."""
    category = st.session_state.get("filter_category", ALL)
    region = st.session_state.get("filter_region", ALL)
    return Filters(
        category=None if category == ALL else category,
        region_id=None if region == ALL else region,
    )


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
