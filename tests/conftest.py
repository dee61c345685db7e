"""Fixtures that build real warehouses from the seed, as the product does."""

import shutil
from pathlib import Path

import pytest

from metrics.build import build
from metrics.warehouse import open_reader


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """A warehouse built once from data/seed/; tests must not write to it."""
    db = tmp_path_factory.mktemp("seed") / "warehouse.duckdb"
    build(db)
    return db


@pytest.fixture
def seed_con(seed_db):
    con = open_reader(seed_db)
    yield con
    con.close()


@pytest.fixture
def fresh_db(tmp_path) -> Path:
    """A warehouse of this test's own, built from the seed, free to change."""
    db = tmp_path / "warehouse.duckdb"
    build(db)
    return db


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A copy of data/seed/ this test may edit before building from it."""
    target = tmp_path / "seed"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "seed", target)
    return target
