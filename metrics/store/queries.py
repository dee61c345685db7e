"""Named SQL files run with bound parameters; the file name is the only thing chosen by code."""

import functools
import re

import duckdb
import pandas as pd
import pyarrow as pa

from metrics.paths import SQL_DIR
from metrics.store import engine

QUERY_DIR = SQL_DIR / "queries"
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@functools.cache
def query_text(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if path.parent != QUERY_DIR or not path.is_file():
        raise KeyError(f"no named query {name!r}")
    return path.read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run sql/queries/<name>.sql on a fresh cursor and return the result."""
    cursor = engine.cursor(con)
    try:
        return cursor.execute(query_text(name), params).df()
    finally:
        cursor.close()


def run_in_transaction(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Like run, but on the connection itself, so that the statement joins its open transaction."""
    return con.execute(query_text(name), params).df()


def run_script(con: duckdb.DuckDBPyConnection, text: str, params: dict | None = None) -> None:
    """Run a file of statements, binding to each statement the parameters it names."""
    params = params or {}
    for statement in split_statements(text):
        used = {name: params[name] for name in _PARAMETER.findall(statement)}
        con.execute(statement, used)


def split_statements(text: str) -> list[str]:
    """Statements separated by a semicolon at the end of a line (our SQL files keep to that)."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";\n") if part.strip().rstrip(";")]


def register_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Make frame readable as the table name on con (this cursor only), handed over as Arrow: DuckDB
    reads a registered pandas frame's string columns value by value (10^6 staged rows: 1.3 s to register
    and 0.5 s a query), an Arrow table's in place (0.01 s and 0.1 s)."""
    con.register(name, pa.Table.from_pandas(frame, preserve_index=False))
