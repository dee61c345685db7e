"""After every publish, whoever published: fill the caches of the default views once, so that the first
leader after a load does not pay the cold cost.

The calls are the ones app.py's sidebar, 驾驶舱, 总览, 区域对比 and 趋势 make with the sidebar at its defaults (the
newest quarter, every category and region). A thread of the server process (watch, started once by
server.py) reads the warehouse's snapshot every few seconds — one small catalog query — and warms each new
snapshot it sees, whether a page of this server, the CLI, another server or a review approval made it; a
page that has just changed data wakes it at once (wake). It runs beside the page runs and never inside one;
it stops once its time is spent, and a failure is logged, never shown: the change itself has succeeded.
"""

import logging
import threading
import time

import streamlit as st
from streamlit import runtime

from metrics import assessment, attention, cockpit, facts, periods, store, targets
from metrics.paths import resolve_db
from ui import common, telemetry

BUDGET_SECONDS = 20.0
_LOG = logging.getLogger(__name__)


def _steps():
    """The cached calls of the default views, in the order a leader meets them."""
    quarters = common.data(periods.reporting_quarters)
    if quarters.empty:
        return
    quarter = int(quarters["quarter_index"].iloc[0])
    yield lambda: common.data(facts.categories)
    yield lambda: common.data(facts.regions)
    yield lambda: common.data(facts.data_status)
    yield lambda: common.data(cockpit.cockpit, quarter)  # a leader's landing page, and the meeting room's screen
    yield lambda: common.data(facts.headline, quarter, region_id=None)
    yield lambda: common.data(assessment.reported_points)
    yield lambda: common.data(assessment.reported_ranks)
    yield lambda: common.data(attention.findings, quarter, region_id=None,
                              shown_per_finding=attention.LISTED_PER_FINDING)
    yield lambda: common.data(attention.status_counts, quarter, region_id=None)
    yield lambda: common.data(facts.as_of_with_table, quarter, category=None, region_id=None,
                              row_limit=common.TABLE_ROWS_SHOWN)
    yield lambda: common.data(targets.targeted_status, None, None, rows_per_indicator=common.TABLE_ROWS_SHOWN)
    targeted = common.data(targets.targeted_summary, None, None, quarter // 4)
    if asked := targets.projection_requests(targeted):
        yield lambda: common.data(targets.projections, asked, quarter // 4)
    choices = common.data(facts.comparable_indicators)["indicator_id"].tolist()
    if choices:
        compared = facts.DEFAULT_COMPARISON if facts.DEFAULT_COMPARISON in choices else choices[0]
        yield lambda: common.data(facts.region_comparison, compared, quarter)
    trends = common.data(facts.trend_indicators, category=None, region_id=None)["indicator_id"].tolist()
    if trends:
        units = common.data(facts.series_regions, trends[0], quarter, None)
        picked = tuple(units["region_id"].head(facts.TREND_REGIONS_SHOWN))
        if picked:
            yield lambda: common.data(facts.series, trends[0], picked, quarter)
            yield lambda: common.data(facts.quarter_series, trends[0], picked, quarter)


def warm_default_views(budget_seconds: float = BUDGET_SECONDS) -> int:
    """Run the default views' cached calls until the budget is spent; returns how many ran."""
    started = time.monotonic()
    done = 0
    try:
        for step in _steps():
            if time.monotonic() - started > budget_seconds:
                break
            step()
            done += 1
    except Exception:  # a warm failure must never turn a published change into an error
        _LOG.exception("warming the default views failed after %d steps", done)
    return done


POLL_SECONDS = 2.0
_wake = threading.Event()
_watching: threading.Thread | None = None
_watching_lock = threading.Lock()


def wake() -> None:
    """After a page of this server changed data (and emptied the caches): warm now, not at the next poll."""
    _wake.set()


def warm_if_new(warmed: str | None) -> str | None:
    """Warm the current snapshot unless it is warmed already (or wake asked again); the snapshot now warmed."""
    again = _wake.is_set()
    _wake.clear()
    version = store.version_id(resolve_db())
    if version == warmed and not again:
        return warmed
    warm_default_views()
    telemetry.WARMED.info({"version": version})
    return version


def _watch(poll_seconds: float) -> None:
    warmed = failure = None
    while True:
        _wake.wait(poll_seconds)
        if not runtime.exists():  # the server is still starting: its caches are not there yet
            continue
        try:
            warmed, failure = warm_if_new(warmed), None
        except Exception as error:  # a warehouse that cannot be read now: logged once, tried at every poll
            if str(error) != failure:
                _LOG.warning("预热默认视图时无法读取数据仓库：%s", error)
            failure = str(error)


def watch(poll_seconds: float = POLL_SECONDS) -> threading.Thread:
    """Start, once per process, the thread that warms every new snapshot (server.py)."""
    global _watching
    with _watching_lock:
        if _watching is None:
            _watching = threading.Thread(target=_watch, args=(poll_seconds,), name="warm-new-snapshots", daemon=True)
            _watching.start()
        return _watching


# How often a meeting-room screen (驾驶舱's ?mode=screen) asks whether a new snapshot was published.
SCREEN_POLL_SECONDS = 3.0


def rerun_on_new_snapshot(poll_seconds: float = SCREEN_POLL_SECONDS) -> None:
    """On a page left open (a meeting room's screen): every poll_seconds, compare the published snapshot with the
    one this run shows, and run the whole page again on a new one (whoever published it)."""
    shown = common.current_version()

    @st.fragment(run_every=poll_seconds)
    def watch() -> None:
        if store.version_id(resolve_db()) != shown:
            st.rerun(scope="app")

    watch()
