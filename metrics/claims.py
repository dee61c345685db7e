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


class ScoreCheck(enum.StrEnum):
    """A score against the scheme's rules (metrics.assessment.scoring): in score_table, how a unit's points stand
    beside the points reported for it; in reported_check, how a reported score came out when checked (AGREES,
    DIFFERS or UNCHECKABLE). Codes in data and code; metrics.formatting.SCORE_CHECK_NAMES words them."""

    NO_RULE = "no_rule"
    NO_DATA = "no_data"  # no value of the period to score
    UNDECIDED = "undecided"  # a bound that leaves the points open
    NO_REPORTED_POINTS = "no_reported_points"  # points computed, but none reported to compare them with
    AGREES = "agrees"
    DIFFERS = "differs"
    UNCHECKABLE = "uncheckable"  # not every unit has a value of the quarter: the reported score stands unchecked


class PointsSource(enum.StrEnum):
    """Where the points a what-if counts for a unit come from (metrics.assessment.scoring.what_if): computed by the
    rules, reported by the province, or neither. Codes in data and code; metrics.formatting.POINTS_SOURCE_NAMES
    words them."""

    COMPUTED = "computed"
    COMPUTED_ASSUMED = "computed_assumed"  # computed on a part of the rule the rubric does not state
    REPORTED = "reported"
    NONE = "none"


# The qualifiers of a value (an exact or approximate figure) rather than a bound ('≥ 50%'): only values are
# compared, changed and ranked as numbers.
POINT_QUALIFIERS = ("exact", "approx")

# The build loads the notice's figures as load 1 (sql/load_seed.sql); every later load is a file someone sent.
NOTICE_LOAD_ID = 1


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
                   better: str, qualifiers: tuple[str, str] = ("exact", "exact")) -> Change:
    """The change from earlier to current; no amount where either is missing or either is a bound (qualifiers:
    current's and earlier's; '≥ 50%' to 60% is no change anyone can state), as sql/views.sql's exact_change."""
    comparable = all(qualifier in POINT_QUALIFIERS for qualifier in qualifiers)
    amount = None if _is_missing(current) or _is_missing(earlier) or not comparable else current - earlier
    return Change(amount, unit, kind, better)


def is_from_notice(load_id) -> bool:
    """Whether an observation is one of the notice's figures (its source is then the notice's item)."""
    return not _is_missing(load_id) and int(load_id) == NOTICE_LOAD_ID


def status_in_quarter(status: str, is_current: bool) -> str:
    """The status a surface states for the chosen quarter: the value's own where it is of that quarter, else
    not_reported: the value shown beside it is of an earlier quarter, whose status says nothing of this one's."""
    return status if is_current else Status.NOT_REPORTED


def rank_move(rank: float | None, earlier_rank: float | None) -> Change:
    """A rank's movement: a smaller number is the better place. A place the data leave open (decided_rank
    gives None) moves nowhere."""
    return change_between(rank, earlier_rank, "名", "rank", "lower")


@dataclass(frozen=True)
class Place:
    """A unit's place among others in competition order (equal values share a place, the next is skipped):
    best and worst are equal where the values decide it, else the range the bounds among them leave open."""

    best: int
    worst: int


# What each qualifier says of the true value, as an interval (low, low is open, high, high is open): a point for
# an exact or approximate value (the rules compare and change those as values, sql/views.sql), a half line for
# a bound ('≥ 50%' may be anything from 50 up).
_INTERVALS = {
    "exact": lambda v: (v, False, v, False),
    "approx": lambda v: (v, False, v, False),
    "at_least": lambda v: (v, False, math.inf, True),
    "all_at_least": lambda v: (v, False, math.inf, True),
    "more_than": lambda v: (v, True, math.inf, True),
    "at_most": lambda v: (-math.inf, True, v, False),
}


def has_better_direction(better: str) -> bool:
    """Whether one value of the indicator is better than another: only then is there a rank to claim."""
    return better in ("higher", "lower")


def _goodness(value: float, qualifier: str, better: str) -> tuple[float, bool, float, bool]:
    """The interval of the value's possible goodness (larger is better)."""
    low, low_open, high, high_open = _INTERVALS.get(qualifier, lambda _: (-math.inf, True, math.inf, True))(value)
    return (low, low_open, high, high_open) if better == "higher" else (-high, high_open, -low, low_open)


def places(values: list[float], qualifiers: list[str], better: str) -> list[Place | None]:
    """Each value's place among the values (one indicator, one quarter): None for all where the indicator has no
    better direction (the highest value is not the first), and None for a bound whose place the others leave
    open ('≥ 50%' beside 93% may be first or second); a point value beside such a bound gets the range of its
    possible places (第2–3名)."""
    if not has_better_direction(better):
        return [None] * len(values)
    spans = [_goodness(value, qualifier, better) for value, qualifier in zip(values, qualifiers, strict=True)]
    result = []
    for position, (low, _, high, high_open) in enumerate(spans):
        others = spans[:position] + spans[position + 1:]
        # Surely ahead: its lowest possible value is above this one's highest; possibly ahead: its highest is.
        surely = sum(o_low > high or (o_low == high and (o_open or high_open)) for o_low, o_open, _, _ in others)
        possibly = sum(o_high > low for _, _, o_high, _ in others)
        place = Place(1 + surely, 1 + possibly)
        is_point = qualifiers[position] in POINT_QUALIFIERS
        result.append(place if is_point or place.best == place.worst else None)
    return result


def decided_rank(best: float | None, worst: float | None) -> float | None:
    """A place as one number where the data decide it, else None (no place, or a range)."""
    return None if _is_missing(best) or best != worst else best
