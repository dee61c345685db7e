"""The reporting quarter, the one period every page compares in (see reporting_periods in
sql/views.sql): which quarters hold data, their labels, and how complete each one is."""

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics.store import queries

QUARTER_ID = re.compile(r"^(\d{4})Q([1-4])$")
QUARTER_NAMES = ("一", "二", "三", "四")
TIME_RULE = ("每个数值归入一个报告季度：季度数值归入该季度；时点数值（截至某日）归入该日所在季度；"
             "年度、月度和“…以来”的累计数值归入其截止日所在季度。")


def quarter_index(quarter_id: str) -> int | None:
    """'2024Q3' → 8098 (year × 4 + quarter − 1); None for anything else."""
    match = QUARTER_ID.match(quarter_id or "")
    if not match:
        return None
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


def quarter_label(index: int) -> str:
    """8098 → '2024年第三季度'."""
    return f"{index // 4}年第{QUARTER_NAMES[index % 4]}季度"


def link_label(quarter_id: str) -> str:
    """A quarter a link names, whether or not it has data: '2024年第二季度', or the text itself in quotes."""
    index = quarter_index(quarter_id)
    return f"报告期“{quarter_id}”" if index is None else quarter_label(index)


def short_label(index: int) -> str:
    """8098 → '24Q3', where a long label does not fit."""
    return f"{index // 4 % 100:02d}Q{index % 4 + 1}"


def quarter_id(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def reporting_quarters(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarters that hold data, newest first, with how many districts reported in each."""
    return queries.run(con, "reporting_quarters")


@dataclass(frozen=True)
class Completeness:
    """The newest quarter in which every district and zone reported, and the one after it."""

    complete_label: str | None
    next_label: str | None
    next_reported: int
    count_units: int

    def text(self) -> str:
        complete = self.complete_label or "无（尚无各区均已报送的季度）"
        if self.next_label is None:
            return f"最近完整数据期：{complete}"
        return f"最近完整数据期：{complete}；{self.next_label} {self.next_reported}/{self.count_units} 单位已报送"


def completeness(quarters: pd.DataFrame) -> Completeness:
    """From reporting_quarters: the latest complete quarter and how far the next one has come."""
    if quarters.empty:
        return Completeness(None, None, 0, 0)
    units = int(quarters["count_units"].iloc[0])
    complete = quarters[(quarters["count_reported"] >= units) & (units > 0)]
    newest = int(quarters["quarter_index"].max())
    if complete.empty:
        return Completeness(None, quarter_label(newest), int(quarters["count_reported"].iloc[0]), units)
    complete_index = int(complete["quarter_index"].max())
    if complete_index == newest:
        return Completeness(quarter_label(complete_index), None, 0, units)
    after = quarters[quarters["quarter_index"] == complete_index + 1]
    reported = int(after["count_reported"].iloc[0]) if len(after) else 0
    return Completeness(quarter_label(complete_index), quarter_label(complete_index + 1), reported, units)
