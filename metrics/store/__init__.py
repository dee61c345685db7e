"""The warehouse: DuckDB over a DuckLake catalog, its versions, its named queries and its journal.

Pages and ui/ use only what this module exports; the modules inside are the store's own.
"""

from metrics.store.queries import run
from metrics.store.warehouse import (
    WarehouseError,
    is_usable,
    missing_files_text,
    open_reader,
    open_version,
    page_failure_text,
    version_id,
)

__all__ = ["WarehouseError", "is_usable", "missing_files_text", "open_reader", "open_version", "page_failure_text",
           "run", "version_id"]
