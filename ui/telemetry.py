"""Prometheus figures for GET /metrics.

Page runs and their durations are counted here, in the server's process, and failed sign-ins by the sign-in
route. Loads, rollbacks, live sessions and the warehouse version are read at each scrape, because the CLI
changes them from other processes.
"""

import contextlib
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, Info
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

from metrics import accounts, store
from metrics.paths import resolve_db

REGISTRY = CollectorRegistry()
PAGE_RUNS = Histogram("dashboard_page_run_seconds", "Page script runs and their duration, by page", ["page"],
                      buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=REGISTRY)
# The snapshot whose default views this server has warmed (ui/warming.py), and the cached calls page runs had to
# compute themselves: after a warm, the default views compute none.
WARMED = Info("dashboard_warmed", "The warehouse snapshot whose default views this server has warmed",
              registry=REGISTRY)
COLD_CALLS = Counter("dashboard_page_cold_calls", "Data calls a page run computed itself, not found in the cache",
                     registry=REGISTRY)
FAILED_SIGN_INS = Counter("dashboard_failed_sign_ins", "Refused sign-ins (wrong, unknown, throttled, store down)",
                          registry=REGISTRY)


@contextlib.contextmanager
def page_run(page: str) -> Iterator[None]:
    """Count one run of a page and its duration (also when it stops or reruns early)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        PAGE_RUNS.labels(page).observe(time.perf_counter() - start)


class StoreCollector:
    """Figures read from the warehouse and the accounts store at scrape time; a store that cannot be read
    leaves its figures out (GET /healthz says why)."""

    def collect(self):
        db = resolve_db()
        with contextlib.suppress(store.WarehouseError):
            con = store.open_reader(db)
            try:
                history = store.run(con, "load_history")
            finally:
                con.close()
            kinds = history["kind"]
            loads = CounterMetricFamily("dashboard_loads", "Loads recorded in the warehouse, by kind", labels=["kind"])
            for kind, count in kinds[~kinds.isin(["seed", "rollback"])].value_counts().sort_index().items():
                loads.add_metric([kind], int(count))
            yield loads
            yield CounterMetricFamily("dashboard_rollbacks", "Rollbacks recorded in the warehouse",
                                      value=int((kinds == "rollback").sum()))
            yield InfoMetricFamily("dashboard_warehouse", "The warehouse snapshot current now",
                                   value={"version": store.version_id(db)})
            yield GaugeMetricFamily("dashboard_warehouse_last_load_id", "The newest load id in the warehouse",
                                    value=int(history["load_id"].max()))
        with contextlib.suppress(accounts.AccountError):
            live = accounts.live_sessions(accounts.accounts_path(db))
            yield GaugeMetricFamily("dashboard_live_sessions", "Sign-in sessions neither ended nor expired",
                                    value=len(live))


REGISTRY.register(StoreCollector())
