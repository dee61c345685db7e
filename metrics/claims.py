"""Claims: typed facts about an (indicator, unit, quarter) that every surface words through
metrics.formatting. A surface never decides for itself whether a change is 持平 or a rank rose."""

import enum
import math
from dataclasses import dataclass

import pandas as pd


class Direction(enum.StrEnum):
    """How a change reads, given the indicator's better direction."""

    BETTER = "better"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    CHANGED = "changed"  # the indicator has no better direction: the change is neither


class Status(enum.StrEnum):
    """A value against its target, as sql/views.sql (target_status) states it, and what a unit without a value
    of the quarter stands at. Codes in data and code; metrics.formatting.STATUS_NAMES words them."""

    MET = "met"
    MISSED = "missed"
    UNDECIDED = "undecided"  # a bound that does not prove the target met, nor missed
    NO_TARGET = "no_target"
    NO_DATA = "no_data"  # a quarterly milestone that no value answers yet
    NOT_REPORTED = "not_reported"


# The build loads the notice's figures as load 1 (sql/load_seed.sql); every later load is a file someone sent.
NOTICE_LOAD_ID = 1
NOTICE_NAME = "鄂州市数据局巡察整改进展通报（2024-07-26）"


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Change:
    """A value's change from an earlier one (环比, 同比, a what-if's baseline): current minus earlier,
    None where the two cannot be compared (one is missing, or a bound)."""

    amount: float | None
    unit: str
    kind: str | None
    better: str

    @property
    def direction(self) -> Direction | None:
        if _is_missing(self.amount):
            return None
        if round(self.amount, 6) == 0:
            return Direction.UNCHANGED
        if self.better not in ("higher", "lower"):
            return Direction.CHANGED
        return Direction.BETTER if (self.amount > 0) == (self.better == "higher") else Direction.WORSE

    @property
    def is_rank(self) -> bool:
        return self.kind == "rank"


def change_between(current: float | None, earlier: float | None, unit: str, kind: str | None,
                   better: str) -> Change:
    """The change from earlier to current; no amount where either is missing."""
    amount = None if _is_missing(current) or _is_missing(earlier) else current - earlier
    return Change(amount, unit, kind, better)


def is_from_notice(load_id) -> bool:
    """Whether an observation is one of the notice's figures (its source is then the notice's item)."""
    return not _is_missing(load_id) and int(load_id) == NOTICE_LOAD_ID


def status_in_quarter(status: str, is_current: bool) -> str:
    """The status a surface states for the chosen quarter: the value's own where it is of that quarter, else
    not_reported: the value shown beside it is of an earlier quarter, whose status says nothing of this one's."""
    return status if is_current else Status.NOT_REPORTED


def rank_move(rank: float | None, earlier_rank: float | None) -> Change:
    """A rank's movement: a smaller number is the better place."""
    return change_between(rank, earlier_rank, "名", "rank", "lower")
