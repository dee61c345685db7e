"""After a change is published: fill the caches of the default views once, so that the first leader
after a load does not pay the cold cost.

The calls are the ones 总览, 区域对比 and 趋势 make with the sidebar at its defaults (the newest
quarter, every category and region). Warming runs beside the clerk's page, which shows its result at
once; it stops once its time is spent, and a failure is logged, never shown: the change itself has
succeeded.
"""

import logging
import threading
import time

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from metrics import assessment, attention, facts, periods, targets
from ui import common

BUDGET_SECONDS = 20.0
_LOG = logging.getLogger(__name__)


def _steps():
    """The cached calls of the default views, in the order a leader meets them."""
    quarters = common.data(periods.reporting_quarters)
    if quarters.empty:
        return
    quarter = int(quarters["quarter_index"].iloc[0])
    yield lambda: common.data(facts.headline, quarter, region_id=None)
    yield lambda: common.data(assessment.reported_points)
    yield lambda: common.data(assessment.reported_ranks)
    yield lambda: common.data(attention.findings, quarter, region_id=None,
                              shown_per_finding=attention.LISTED_PER_FINDING)
    yield lambda: common.data(attention.status_counts, quarter, region_id=None)
    yield lambda: common.data(facts.as_of_with_table, quarter, category=None, region_id=None,
                              row_limit=common.TABLE_ROWS_SHOWN)
    yield lambda: common.data(targets.targeted_status, None, None, rows_per_indicator=common.TABLE_ROWS_SHOWN)
    yield lambda: common.data(targets.targeted_summary, None, None, quarter // 4)
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


def warm_in_background() -> threading.Thread:
    """Warm the shared caches in a thread of their own (each query on its own cursor), so that the clerk's
    page does not wait for it."""
    thread = threading.Thread(target=warm_default_views, name="warm-default-views", daemon=True)
    # The page's own context, so that Streamlit's cache knows the thread (else it logs a warning per call).
    add_script_run_ctx(thread, get_script_run_ctx(suppress_warning=True))
    thread.start()
    return thread
