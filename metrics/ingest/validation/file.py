"""A whole file in one pass: each table checked by its kind, the file-wide checks, and the Validation that says
what loading it would change."""

import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from metrics.ingest.files import ROW, ParsedFile, Table, problems_frame
from metrics.ingest.validation.checks import Problems, Progress
from metrics.ingest.validation.observations import (
    CONFLICT_COLUMNS,
    OBSERVATION_COLUMNS,
    PERIOD_COLUMNS,
    parts_above_wholes,
    stored_rows,
    validate_observations,
)
from metrics.ingest.validation.reference import (
    INDICATOR_COLUMNS,
    REGION_COLUMNS,
    Catalog,
    validate_indicators,
    validate_regions,
)
from metrics.store import engine, queries

# C0 controls other than tab, line feed and carriage return, and DEL: no spreadsheet shows them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Validation:
    """What a file would change, or why it cannot be loaded."""

    file_name: str
    sha256: str
    kinds: tuple[str, ...]
    rows_total: int
    rows: pd.DataFrame  # observations, normalised
    regions: pd.DataFrame  # regions the warehouse does not have yet
    indicators: pd.DataFrame  # indicators the warehouse does not have yet
    periods: pd.DataFrame  # calendar periods the rows name that the warehouse does not have yet
    errors: pd.DataFrame  # row_number, column, value, problem (metrics.ingest.files.PROBLEM_HEADERS)
    conflicts: pd.DataFrame  # stored rows the file would change: old beside new (observations.CONFLICT_HEADERS)
    unchanged: int  # rows stored already exactly as in the file

    @property
    def ok(self) -> bool:
        return self.errors.empty


def _no_progress(fraction: float, text: str) -> None:
    """Callers that show no progress pass nothing."""


def validate(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, progress: Progress | None = None
) -> Validation:
    """Every problem of the file in one pass, and what loading it would insert and change."""
    progress = progress or _no_progress
    catalog = Catalog(con)
    errors = [parsed.problems]
    regions = pd.DataFrame(columns=REGION_COLUMNS)
    indicators = pd.DataFrame(columns=INDICATOR_COLUMNS)
    rows = pd.DataFrame(columns=OBSERVATION_COLUMNS)
    periods = pd.DataFrame(columns=PERIOD_COLUMNS)
    conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
    unchanged = 0
    for table in parsed.tables:
        progress(0.1, f"正在校验“{table.sheet or parsed.file_name}”")
        if table.kind == "regions":
            regions, table_errors = validate_regions(table, catalog)
            catalog.add_regions(regions)
        elif table.kind == "indicators":
            indicators, table_errors = validate_indicators(table, catalog)
            catalog.add_indicators(indicators)
        else:
            rows, periods, table_errors = validate_observations(table, catalog, progress)
            cursor = engine.cursor(con)
            try:
                queries.register_frame(cursor, "staged_observations", rows)
                progress(0.8, "正在核对已有数据")
                table_errors = pd.concat([table_errors, parts_above_wholes(cursor, table, rows, catalog)])
                conflicts, unchanged = stored_rows(cursor, catalog)
            finally:
                cursor.close()
        errors.append(table_errors)
        errors.append(_control_characters(table))
    progress(1.0, "校验完成")
    return Validation(
        file_name=parsed.file_name,
        sha256=parsed.sha256,
        kinds=tuple(table.kind for table in parsed.tables),
        rows_total=sum(len(table.cells) for table in parsed.tables),
        rows=rows,
        regions=regions,
        indicators=indicators,
        periods=periods,
        errors=_sorted(errors),
        conflicts=conflicts,
        unchanged=unchanged,
    )


def _control_characters(table: Table) -> pd.DataFrame:
    """Cells with invisible control characters: no spreadsheet shows them, and Excel files cannot hold them."""
    problems = Problems(table)
    for key in table.headers:
        text = table.cells[key]
        control = text.str.contains(_CONTROL_CHARACTERS)
        if control.any():
            # The value shown names the character, which would otherwise be invisible.
            shown = text.str.replace(_CONTROL_CHARACTERS, lambda found: f"\\x{ord(found[0]):02x}", regex=True)
            problems.add(control, key, "含有不可见的控制字符，请删除", shown)
    return problems.frame()


def _sorted(errors: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in errors if not frame.empty]
    if not frames:
        return problems_frame([])
    frame = pd.concat(frames, ignore_index=True)
    # File-wide problems first, then by row; within a row, in the order the checks ran.
    order = frame[ROW].fillna(0).to_numpy()
    return frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
