"""Warming after a publish: the default views' queries run once, then come from the cache; a failure stays quiet."""

import pytest

from metrics import facts
from metrics.store import queries
from ui import common, warming


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
    assert count == 11
    assert {"headline_facts", "period_facts", "attention_items", "quarter_status_counts", "targeted_status_rows",
            "targeted_status_summary", "region_comparison",
            "indicator_series", "quarter_series"} <= set(ran)
    ran.clear()
    assert warming.warm_default_views() == count
    assert ran == []  # every call now comes from the cache


def test_a_failing_step_stops_warming_quietly(ran, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(facts, "headline", broken)
    assert warming.warm_default_views() == 0


def test_warming_stops_when_its_time_is_spent(ran):
    assert warming.warm_default_views(budget_seconds=-1) == 0


def test_warming_in_the_background_fills_the_cache_the_pages_read(ran):
    warming.warm_in_background().join(timeout=60)
    assert "headline_facts" in ran
    ran.clear()
    assert warming.warm_default_views() == 11
    assert ran == []
