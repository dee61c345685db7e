"""What every check uses: the problems of one table, gathered by row and column; cell text as typed; a close
known name to suggest; the progress callback."""

import difflib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from metrics.exporting import FORMULA_STARTS
from metrics.ingest.files import PROBLEM_COLUMNS, ROW, Table, problems_frame

Progress = Callable[[float, str], None]
EMPTY = "必填项为空"


def problem_lines(errors: pd.DataFrame) -> list[str]:
    """One line per problem, as the CLI prints them: '第3行 地区“华荣区”：未知地区…'."""
    lines = []
    for row, column, value, problem in errors.itertuples(index=False):
        if pd.isna(row):
            lines.append(f"文件：{problem}")
            continue
        where = f"{column}“{value}”" if value else column
        lines.append(f"第{row}行 {where}：{problem}" if where else f"第{row}行：{problem}")
    return lines


def suggestion(text: str, known: list[str]) -> str:
    """' ，是否为“华容区”？' when a known name is close to what was typed, else ''."""
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.5)
    return f"，是否为“{close[0]}”？" if close else ""


class Problems:
    """Problems of one table, gathered check by check; each names the file's row and column."""

    def __init__(self, table: Table):
        self.table = table
        self.frames: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, key: str | None, message, shown: pd.Series | None = None) -> None:
        """message: a text, a Series of texts, or a function of the shown cell (called per distinct cell)."""
        if not mask.any():
            return
        cells = self.table.cells
        if shown is None:
            shown = cell_text(self.table, key) if key else pd.Series("", index=cells.index, dtype="str")
        shown = shown[mask]
        if callable(message):
            message = mapped(shown, message)
        elif isinstance(message, pd.Series):
            message = message[mask]
        self.frames.append(
            pd.DataFrame(
                {
                    ROW: cells.loc[mask, ROW].astype("Int64"),
                    "column": self.table.column_label(key) if key else "",
                    "value": shown.astype("str"),
                    "problem": message,
                    "_at": list(self.table.headers).index(key)
                    if key in self.table.headers
                    else len(cells.columns),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """By row, and within a row from left to right as the columns stand in the file."""
        if not self.frames:
            return problems_frame([])
        frame = pd.concat(self.frames, ignore_index=True)
        return frame.sort_values([ROW, "_at"], kind="stable")[PROBLEM_COLUMNS].reset_index(drop=True)


_EXPORT_ESCAPE = re.compile("^'(?=[" + re.escape("".join(FORMULA_STARTS)) + "])")


def mapped(series: pd.Series, function) -> pd.Series:
    """function applied once per distinct value (files repeat names, periods, units); NA stays None."""
    codes, distinct = pd.factorize(series)
    results = np.empty(len(distinct) + 1, dtype=object)
    results[:-1] = [function(value) for value in distinct]
    results[-1] = None  # code -1: a missing value
    return pd.Series(results[codes], index=series.index, dtype=object)


def cell_text(table: Table, key: str) -> pd.Series:
    """Free text as typed, less outer spaces and the apostrophe our exports put before formulas."""
    if key in table.cells:
        text = table.cells[key].str.strip()
        if text.str.startswith("'").any():
            text = text.str.replace(_EXPORT_ESCAPE, "", regex=True)
        return text
    return pd.Series("", index=table.cells.index, dtype="str")
