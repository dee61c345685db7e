"""需关注: what a leader should look at first in a quarter, each finding as one plain sentence."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics import queries
from metrics.formatting import delta_text, target_text, value_text

# A district this many percentage points under 市本级 on a rate is flagged even when it meets its
# target: the notice's own spread (临空经济区 81.9% against 市本级 100%) is what leaders asked about.
REFERENCE_GAP_POINTS = 10.0
WORSE_SHOWN = 5


@dataclass(frozen=True)
class Finding:
    """One line of 需关注, and where to read more: the page and the indicator, unit and quarter."""

    finding: str
    text: str
    page: str
    indicator_id: str
    region_id: str


def findings(con: duckdb.DuckDBPyConnection, quarter_index: int) -> pd.DataFrame:
    """Rows of sql/queries/attention_items.sql for the quarter, the largest gaps first."""
    return queries.run(con, "attention_items", quarter_index=quarter_index, reference_gap=REFERENCE_GAP_POINTS)


def _sentence(row) -> str:
    """below_target, below_reference or worse as one sentence."""
    value = value_text(row.value, row.unit, row.qualifier, row.kind)
    if row.finding == "below_target":
        return (f"{row.region_name} {row.indicator_name} {value}，未达到目标"
                f"（{target_text(row.target_value, row.target_comparator, row.unit, row.kind)}）")
    if row.finding == "below_reference":
        gap = delta_text(row.reference_value, row.value, row.unit, row.kind).lstrip("+")
        return (f"{row.region_name} {row.indicator_name} {value}，低于{row.reference_name}"
                f"（{value_text(row.reference_value, row.unit, kind=row.kind)}）{gap}")
    change = delta_text(row.value, row.reference_value, row.unit, row.kind)
    return f"{row.region_name} {row.indicator_name} {value}，较{row.reference_name}{change}"


ICONS = {"below_target": ":material/cancel:", "below_reference": ":material/south:",
         "worse": ":material/trending_down:", "not_reported": ":material/schedule:"}
PAGE_OF = {"below_target": "districts", "below_reference": "districts", "worse": "trends",
           "not_reported": "districts"}


def summary(frame: pd.DataFrame) -> list[Finding]:
    """The findings as sentences: every miss and every wide gap, the largest worsenings, and
    who has not reported (one line per unit)."""
    worse = frame[frame["finding"] == "worse"].head(WORSE_SHOWN)
    missing = frame[frame["finding"] == "not_reported"]
    kept = pd.concat([frame[frame["finding"].isin(["below_target", "below_reference"])], worse])
    result = [Finding(row.finding, _sentence(row), PAGE_OF[row.finding], row.indicator_id, row.region_id)
              for row in kept.itertuples()]
    for region_id, rows in missing.groupby("region_id", sort=False):
        first = rows.iloc[0]
        names = "、".join(rows["indicator_name"])
        result.append(Finding("not_reported", f"{first['region_name']} 本季度未报送：{names}", "districts",
                              first["indicator_id"], region_id))
    return result
