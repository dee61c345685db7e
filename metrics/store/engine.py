"""DuckDB connections as the product opens them: with a memory limit and a spill directory from configuration.

Every connection, reader or writer, warehouse version or accounts store, is opened here, so that a
page or a load that needs more than the limit spills to disk instead of growing without bound.
"""

import weakref
from pathlib import Path

import duckdb
import duckdb_ext

from metrics import config

# The duckdb-ext-* wheels (pyproject.toml) put the extensions here; nothing is ever downloaded.
EXTENSION_DIRECTORY = Path(next(iter(duckdb_ext.__path__))) / "extensions"
# DuckDB's own names for the extensions the wheels ship (sqlite and postgres are the scanners).
EXTENSIONS = {"ducklake": "ducklake", "sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}


def spill_directory(path: Path) -> Path:
    """<file>.tmp beside the database file, or under $METRICS_TEMP_DIR when set (one directory per
    file, so that two databases never share spill files)."""
    spill_root = config.TEMP_DIR.value()
    return Path(spill_root) / f"{path.name}.tmp" if spill_root else path.with_name(f"{path.name}.tmp")


def memory_limit() -> str:
    """$METRICS_MEMORY_LIMIT (metrics.config): per database a process opens; the dashboard holds the current
    version (and, briefly, the one before)."""
    return config.MEMORY_LIMIT.value()


def settings(path: Path) -> dict[str, str]:
    """memory_limit and temp_directory (spill_directory)."""
    return {"memory_limit": memory_limit(), "temp_directory": str(spill_directory(path))}


def sql_text(value: Path | str) -> str:
    """A path as an SQL string literal (ATTACH takes no bound parameters; paths come from configuration)."""
    return "'" + str(value).replace("'", "''") + "'"


def connect(path: Path, *, read_only: bool = False, in_memory: bool = False,
            extensions: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """A connection with the product's settings (in_memory: path only names the spill directory);
    extensions (keys of EXTENSIONS) are loaded from the installed wheels, and DuckDB may neither
    install nor autoload any other."""
    config = settings(path) | {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                               "extension_directory": str(EXTENSION_DIRECTORY)}
    if extensions:
        # DuckDB checks an extension's signature by hashing its 50 MB at every load: 0.2 s of each process
        # that opens a warehouse (a 10-row load takes 2 s). The files are installed by pip beside duckdb's
        # own Python code and are trusted as much; no other file is ever loaded, since the names are the
        # fixed ones of EXTENSIONS and nobody runs SQL of their own.
        config["allow_unsigned_extensions"] = "true"
    con = duckdb.connect(":memory:" if in_memory else str(path), read_only=read_only, config=config)
    for name in extensions:
        con.execute(f"load {EXTENSIONS[name]}")  # a fixed name from EXTENSIONS, never user input
    return con


# What each cursor of a warehouse reads: its catalog and search path, which DuckDB keeps per cursor
# and does not pass on to the cursors made from it. Kept here rather than asked of the cursor, since a
# cursor shared by threads may be given no statement of its own (DuckDB: a cursor per thread).
_READS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reading(con: duckdb.DuckDBPyConnection, catalog: str, search_path: str) -> duckdb.DuckDBPyConnection:
    """con, set to read catalog (a name the product chose) and to look names up along search_path."""
    con.execute(f"use {catalog}")
    con.execute(f"set search_path = '{search_path}'")
    _READS[con] = (catalog, search_path)
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor of con's database that reads what con reads."""
    new = con.cursor()
    read = _READS.get(con)
    return reading(new, *read) if read else new
