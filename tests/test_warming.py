"""Warming after a publish: the default views' queries run once, then come from the cache; a failure stays quiet."""

import pytest

from metrics import facts
from metrics.store import queries, warehouse
from ui import common, telemetry, warming


@pytest.fixture
def ran(two_quarters_db, monkeypatch):
    """The named queries run, in order, against the two-quarter warehouse with empty caches."""
    monkeypatch.setenv("METRICS_DB", str(two_quarters_db))
    common.clear_caches()
    names = []
    real_run = queries.run

    def recording(con, name, **params):
        names.append(name)
        return real_run(con, name, **params)

    monkeypatch.setattr(queries, "run", recording)
    yield names
    common.clear_caches()


def test_warming_runs_the_default_views_once(ran):
    count = warming.warm_default_views()
    assert count == 15
    assert {"cockpit_matrix", "cockpit_tile_series", "headline_facts", "period_facts",
            "attention_items", "quarter_status_counts", "targeted_status_rows",
            "targeted_status_summary", "region_comparison",
            "indicator_series", "quarter_series"} <= set(ran)
    ran.clear()
    assert warming.warm_default_views() == count
    assert ran == []  # every call now comes from the cache


def test_a_failing_step_stops_warming_quietly(ran, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(facts, "headline", broken)
    assert warming.warm_default_views() == 3  # the sidebar's three calls; nothing after the failing one
    assert "headline_facts" not in ran and "period_facts" not in ran


def test_warming_stops_when_its_time_is_spent(ran):
    assert warming.warm_default_views(budget_seconds=-1) == 0


def test_a_new_snapshot_is_warmed_once_and_again_when_a_page_wakes_the_warmer(ran, two_quarters_db, monkeypatch):
    warms = []
    monkeypatch.setattr(warming, "warm_default_views", lambda: warms.append(1))
    version = warming.warm_if_new(None)
    assert version == warehouse.version_id(two_quarters_db) and len(warms) == 1
    assert warming.warm_if_new(version) == version and len(warms) == 1  # nothing new: nothing done
    warming.wake()  # a page changed data and emptied the caches
    assert warming.warm_if_new(version) == version and len(warms) == 2
    assert warming.warm_if_new("snapshot-0") == version and len(warms) == 3
    assert telemetry.WARMED.collect()[0].samples[0].labels == {"version": version}
