"""需关注: what a leader should look at first in a quarter, each finding as one plain sentence."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics.claims import Status, change_between
from metrics.formatting import delta_text, judged_change_words, target_text, value_text
from metrics.store import queries

# A district this many percentage points under 市本级 on a rate is flagged even when it meets its
# target: the notice's own spread (临空经济区 81.9% against 市本级 100%) is what leaders asked about.
REFERENCE_GAP_POINTS = 10.0
WORSE_SHOWN = 5
# Findings of each kind the 总览 lists; the rest are counted (a province has hundreds in a quarter).
LISTED_PER_FINDING = 20
FINDING_NAMES = {"below_target": "未达标", "below_reference": "明显低于市本级", "worse": "较上期变差",
                 "not_reported": "未报送"}


@dataclass(frozen=True)
class Finding:
    """One line of 需关注, and where to read more: the page and the indicator, unit and quarter."""

    finding: str
    text: str
    page: str
    indicator_id: str
    region_id: str


def findings(con: duckdb.DuckDBPyConnection, quarter_index: int, region_id: str | None = None,
             shown_per_finding: int | None = None) -> pd.DataFrame:
    """Rows of sql/queries/attention_items.sql for the quarter (of one unit, if given), the largest gaps
    first: of each finding the first shown_per_finding (all when None), with how many there are
    (finding_count)."""
    return queries.run(con, "attention_items", quarter_index=quarter_index, reference_gap=REFERENCE_GAP_POINTS,
                       region_id=region_id, shown_per_finding=shown_per_finding)


@dataclass(frozen=True)
class Standing:
    """How the quarter's values stand: the count of each status, and the units without a value (未报送) by name."""

    counts: dict[str, int]
    unreported: tuple[str, ...]


def status_counts(con: duckdb.DuckDBPyConnection, quarter_index: int, region_id: str | None = None) -> Standing:
    """How many of the quarter's values (of every unit and indicator, or of one unit) stand at each status (met,
    missed, undecided, no_target: metrics.claims.Status), and how many are not_reported and of which units: the
    same rows findings reads, so that the counts and 需关注 agree. 总览's cards and the brief's count sentence
    both state this."""
    counts = queries.run(con, "quarter_status_counts", quarter_index=quarter_index, region_id=region_id)
    unreported = counts.loc[counts["status"] == Status.NOT_REPORTED, "region_names"]
    return Standing({row.status: int(row.count) for row in counts.itertuples()},
                    tuple(unreported.iloc[0]) if len(unreported) else ())


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
    change = judged_change_words(change_between(row.value, row.reference_value, row.unit, row.kind, row.better,
                                                (row.qualifier, row.reference_qualifier)))
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


def unlisted(frame: pd.DataFrame) -> str | None:
    """What summary does not list, by finding: '另有 12 项未达标、40 项较上期变差未列出', or None."""
    counts = frame.groupby("finding", sort=False).agg(rows=("finding", "size"), count=("finding_count", "first"))
    shown = {"worse": WORSE_SHOWN}
    left = [(name, int(row["count"]) - min(int(row["rows"]), shown.get(name, int(row["rows"]))))
            for name, row in counts.iterrows()]
    parts = [f"{count} 项{FINDING_NAMES[name]}" for name, count in left if count > 0]
    return f"另有 {'、'.join(parts)}未列出" if parts else None


@dataclass(frozen=True)
class Listing:
    """需关注 as 总览 shows it: the findings' lines, and what they leave unlisted (unlisted)."""

    findings: list[Finding]
    unlisted: str | None


def listing(con: duckdb.DuckDBPyConnection, quarter_index: int, region_id: str | None = None,
            shown_per_finding: int | None = None) -> Listing:
    """The quarter's findings worded (summary) with what is left unlisted: made once per snapshot and choice
    (ui.common.data), not on every run of 总览."""
    found = findings(con, quarter_index, region_id, shown_per_finding)
    return Listing(summary(found), unlisted(found))

