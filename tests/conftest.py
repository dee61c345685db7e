"""Fixtures that build real warehouses from the seed, as the product does."""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
import streamlit as st
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest
from support import APP, TWO_QUARTERS_CSV, follow_ups_done, load_text, seeded_warehouse, walked_warehouse

from metrics import accounts
from metrics.accounts import users
from metrics.store.warehouse import open_reader
from scripts import cluster  # PostgreSQL, app servers and nginx as `make cluster` starts them

# Files whose tests kill processes, start clusters, generate large warehouses or hundreds of small ones, or draw
# charts through kaleido's Chromium; with the browser tests, those on PostgreSQL and those whose fixtures below start
# a browser or a server, they are what `make test-fast` leaves out (tests of other files that do the same carry the
# slow mark themselves).
SLOW_MODULES = {
    "test_faults", "test_cluster", "test_shared_catalog", "test_load_test", "test_bench_scale",
    "test_concurrent_load", "test_hostile_uploads", "test_claims_property", "test_slides",
}
SLOW_FIXTURES = {
    "briefs",  # test_briefing's PDF and Word briefs, their charts drawn by kaleido's Chromium
    "mailbox",  # test_notify's SMTP server
}


def _uses_postgres(item) -> bool:
    """Asks for the server, directly or as a fixture's "postgres" parameter (test_auth's store)."""
    params = getattr(item, "callspec", None) and item.callspec.params.values()
    return "postgres_server" in item.fixturenames or "postgres" in (params or ())


def pytest_collection_modifyitems(items):
    for item in items:
        if (item.path.stem in SLOW_MODULES or item.get_closest_marker("browser") or _uses_postgres(item)
                or SLOW_FIXTURES.intersection(item.fixturenames)):
            item.add_marker(pytest.mark.slow)
    # The slow files first: on both cores (make test) the quick ones then fill the gaps, instead of a long file
    # starting last and running alone.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """argon2 at its lowest cost inside the test processes: its default takes 0.2 s of a core per hash or
    check, and the suite makes thousands. Hashes still verify either way (each names its own cost); the
    servers and CLI commands the tests start keep the product's cost."""
    product_hasher = users.HASHER
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users.dummy_hash.cache_clear()
    yield
    users.HASHER = product_hasher
    users.dummy_hash.cache_clear()
@pytest.fixture(autouse=True)
def changes_followed_up(monkeypatch):
    """A test's page changes have their follow-ups (file merge, audit copy) done before its settings are undone
    (this fixture is torn down before monkeypatch): none of them writes into the next test's stores."""
    yield
    follow_ups_done()


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """A warehouse built once from data/seed/; tests must not write to it."""
    return seeded_warehouse(tmp_path_factory.mktemp("seed") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def two_quarters_db(tmp_path_factory) -> Path:
    """The seed with 2024Q3 values for every district and 2024Q4 values for three; read only."""
    db = seeded_warehouse(tmp_path_factory.mktemp("two_quarters") / "warehouse.duckdb")
    load_text(db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)
    return db


@pytest.fixture(scope="session")
def walk_db(tmp_path_factory) -> Path:
    """The seed after the walk of issue #24 (support.walked_warehouse), its accounts store beside it; read only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("METRICS_ACCOUNTS", raising=False)
        patch.delenv("METRICS_ACCOUNTS_URL", raising=False)
        return walked_warehouse(tmp_path_factory.mktemp("walk"))


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL for the whole run (Debian's postgresql package), started on first use."""
    # Not under pytest's tmp_path: that is private to root, and the server runs as the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="metrics-pg-"))
    directory.chmod(0o755)
    server = cluster.start_postgres(directory / "postgres")
    yield server
    server.stop()
    shutil.rmtree(directory)


@pytest.fixture
def postgres_store(postgres_server) -> accounts.PostgresStore:
    """An accounts store in a new, empty PostgreSQL database of this test's own."""
    return accounts.PostgresStore(postgres_server.create_database(f"test_{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def seed_con(seed_db):
    con = open_reader(seed_db)
    yield con
    con.close()


@pytest.fixture
def fresh_db(tmp_path) -> Path:
    """A warehouse of this test's own, equal to a build from the seed, free to change."""
    return seeded_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A copy of data/seed/ this test may edit before building from it."""
    target = tmp_path / "seed"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "seed", target)
    return target


@pytest.fixture
def app(seed_db, monkeypatch, tmp_path):
    monkeypatch.setenv("METRICS_ACCOUNTS", str(tmp_path / "accounts.duckdb"))
    monkeypatch.setenv("METRICS_VIEW_LOGIN", "open")

    def open_page(page: str | None = None, db: Path = seed_db, expect_error: bool = False,
                  **state) -> AppTest:
        """A fresh session on a page of db's warehouse, widget values set before the first run.

        AppTest (Streamlit 1.67) runs a page file on its own on a rerun when a pages/ folder
        exists, skipping app.py and its sidebar; so each state gets a fresh session whose first
        run goes through app.py, instead of a widget change and a rerun.
        """
        monkeypatch.setenv("METRICS_DB", str(db))
        st.cache_data.clear()
        st.cache_resource.clear()
        test = AppTest.from_file(APP, default_timeout=30)
        for key, value in state.items():
            test.session_state[key] = value
        test.run()
        if page:
            test.switch_page(page)
            test.run()
        assert not test.exception, [e.value for e in test.exception]
        assert bool(test.error) == expect_error, [e.value for e in test.error]
        return test

    return open_page
