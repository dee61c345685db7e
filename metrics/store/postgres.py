"""PostgreSQL through DuckDB's postgres extension: one attached database per URL and process, and URLs shown
without their password.

Loading the extension costs about a tenth of a second, too much for every session lookup, so each process keeps
one in-memory DuckDB database with the URL attached and hands out a new connection (cursor) per use; each
connection's transaction runs on a PostgreSQL connection of its own.
"""

import re
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

from metrics.store import engine

CATALOG = "pg"  # the name the attached database goes by in DuckDB
_ATTACHED: dict[str, duckdb.DuckDBPyConnection] = {}
_ATTACHING = threading.Lock()
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class Unreachable(Exception):
    """PostgreSQL could not be attached; the message never holds the password."""


def redacted(url: str) -> str:
    """The URL with its password (in the user part, a password= parameter or a key=value string) as ***."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql") and parts.password is not None:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        url = urlunsplit(parts._replace(netloc=netloc))
    return _KEYWORD_PASSWORD.sub(r"\1***", url)


def scrubbed(text: str, url: str) -> str:
    """An error text with the URL, and its password wherever it appears alone, replaced by the redacted form."""
    text = text.replace(url, redacted(url))
    password = urlsplit(url).password
    return text.replace(password, "***") if password else _KEYWORD_PASSWORD.sub(r"\1***", text)


def connect(url: str) -> duckdb.DuckDBPyConnection:
    """A new connection to this process's DuckDB database that has url attached, with it as the default catalog."""
    with _ATTACHING:
        database = _ATTACHED.get(url)
        if database is None:
            database = engine.connect(Path(":memory:"), extensions=("postgres",))
            # ATTACH takes no bound parameters; the URL is the operator's configuration, quoted as a literal.
            literal = "'" + url.replace("'", "''") + "'"
            try:
                database.execute(f"attach {literal} as {CATALOG} (type postgres)")
            except duckdb.Error as error:
                database.close()
                raise Unreachable(scrubbed(str(error), url)) from None
            _ATTACHED[url] = database
    cursor = database.cursor()
    cursor.execute(f"use {CATALOG}")
    return cursor

