"""The reporting calendar: who owes which quarterly figure, when it is due, and who is late.

Rules (reporting_rules, set by the bureau) say how often an indicator is reported, from which
region levels, and how many days after the quarter it is due. today is always passed in, so that
tests and the reminder job decide 逾期 for a day they name, not for the clock.
"""

import datetime as dt
import enum

import duckdb
import pandas as pd

from metrics import attention, ledger, periods
from metrics.ingest import review
from metrics.store import queries


class State(enum.StrEnum):
    """Where an expected report stands (sql/queries/reporting_status.sql), as a code; STATE_NAMES words it."""

    REPORTED = "reported"
    PENDING = "pending"  # filed, awaiting review
    RETURNED = "returned"
    DUE = "due"  # not yet filed, before the due date
    OVERDUE = "overdue"


# In the order pages and `python -m metrics remind` list them.
STATE_NAMES = {State.REPORTED: "已报", State.PENDING: "待审核", State.RETURNED: "已退回", State.DUE: "未报",
               State.OVERDUE: "逾期"}
# Marks any CJK font draws: ↩ and the like are emoji, drawn as a box where no colour-emoji font is installed.
STATE_MARK = {state: f"{mark} {STATE_NAMES[state]}" for state, mark in (
    (State.REPORTED, "√"), (State.PENDING, "…"), (State.RETURNED, "←"), (State.DUE, "○"), (State.OVERDUE, "×"))}


def status(con: duckdb.DuckDBPyConnection, quarter_index: int, today: dt.date) -> pd.DataFrame:
    """One row per indicator and unit a rule expects for the quarter, with its state and due date."""
    return queries.run(con, "reporting_status", quarter_index=quarter_index, today=today)


def closing(con: duckdb.DuckDBPyConnection, quarter_index: int, today: dt.date) -> str | None:
    """Whether the quarter's reporting is over, as the sentence that says why: every figure the rules expect
    reported and published (已报), or the last due date of the quarter passed (the day after it, as 逾期 reads
    it); None while neither, or when no rule expects anything of the quarter."""
    frame = status(con, quarter_index, today)
    if frame.empty:
        return None
    label = periods.quarter_label(quarter_index)
    owed = frame[frame["state"] != State.REPORTED]
    if owed.empty:
        return f"{label}各单位数据已报齐（{len(frame)} 项）"
    deadline = frame["due_date"].max()
    if today > deadline.date():
        return f"{label}报送已于 {deadline:%Y-%m-%d} 截止，{len(frame) - len(owed)} 项已报，{len(owed)} 项未报"
    return None


def matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Units down, indicators across, each cell the state with its mark; '—' where not expected."""
    if frame.empty:
        return pd.DataFrame()
    table = frame.pivot_table(index=["region_order", "region_name"], columns="indicator_name", values="state",
                              aggfunc="first", sort=False)
    table = table.sort_index(level="region_order").droplevel("region_order")
    table = table.apply(lambda column: column.map(lambda state: STATE_MARK.get(state, "—")))
    return table.reset_index().rename(columns={"region_name": "单位"}).rename_axis(columns=None)


def outstanding(frame: pd.DataFrame) -> pd.DataFrame:
    """The 催报 list: per unit, what it still owes and by when, the overdue first."""
    owed = frame[~frame["state"].isin([State.REPORTED, State.PENDING])]
    rows = []
    for (_, region_name), group in owed.groupby(["region_order", "region_name"], sort=True):
        rows.append({
            "单位": region_name,
            "逾期指标": "、".join(group.loc[group["state"] == State.OVERDUE, "indicator_name"]),
            "待报指标": "、".join(group.loc[group["state"].isin([State.DUE, State.RETURNED]), "indicator_name"]),
            "截止日期": group["due_date"].min().strftime("%Y-%m-%d"),
            "项数": len(group),
        })
    table = pd.DataFrame(rows, columns=["单位", "逾期指标", "待报指标", "截止日期", "项数"])
    return table.sort_values("逾期指标", key=lambda column: column == "", kind="stable").reset_index(drop=True)


def digest(con: duckdb.DuckDBPyConnection, quarter_index: int, today: dt.date) -> dict:
    """What needs someone this quarter, as JSON data for `python -m metrics remind` and the 提醒
    panel: report counts and the 催报 list, submissions awaiting review, 整改 items past their
    deadline, and values of the quarter that miss their target."""
    frame = status(con, quarter_index, today)
    counts = frame["state"].value_counts()
    pending = review.submissions(con)
    overdue = ledger.working_ledger(con, today)
    missed = attention.findings(con, quarter_index)
    missed = missed[missed["finding"] == "below_target"]
    return {
        "period": periods.quarter_id(quarter_index),
        "period_label": periods.quarter_label(quarter_index),
        "today": today.isoformat(),
        "counts": {name: int(counts.get(state, 0)) for state, name in STATE_NAMES.items()},
        "outstanding": outstanding(frame).to_dict("records"),
        "awaiting_review": int((pending["status"] == "pending").sum()),
        "overdue_problems": [f"问题{row.problem_no}：{row.title}（{row.owner_name}）"
                             for row in overdue[overdue["is_overdue"].fillna(False)].itertuples()],
        "missed_targets": [f"{row.region_name} {row.indicator_name}" for row in missed.itertuples()],
    }


def detail_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Every expected report as a row a clerk reads: unit, indicator, due date, state."""
    return pd.DataFrame({
        "单位": frame["region_name"],
        "指标": frame["indicator_name"],
        "截止日期": frame["due_date"].dt.strftime("%Y-%m-%d"),
        "状态": frame["state"].map(STATE_NAMES),
    })


def rule_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The reporting rules behind the quarter's expectations, once per indicator."""
    rules = frame.drop_duplicates("indicator_id")
    return pd.DataFrame({"指标": rules["indicator_name"], "本期截止日期": rules["due_date"].dt.strftime("%Y-%m-%d"),
                         "依据": rules["basis"]})


def reminders(con: duckdb.DuckDBPyConnection, quarter_index: int, today: dt.date,
              regions: tuple[str, ...] = (), reviewer: bool = False) -> list[str]:
    """What one user should act on, one line each: reports of their regions (every region when none
    is given) due or overdue, submissions awaiting review (for a reviewer), their 整改 items past
    the deadline, and the quarter's values in their regions that miss a target."""
    frame = status(con, quarter_index, today)
    problems = ledger.working_ledger(con, today)
    missed = attention.findings(con, quarter_index)
    missed = missed[missed["finding"] == "below_target"]
    if regions:
        frame = frame[frame["region_name"].isin(regions)]
        problems = problems[problems["owner_name"].isin(regions)]
        missed = missed[missed["region_name"].isin(regions)]
    lines = [f"{row.region_name} {row.indicator_name} 已逾期（截止 {row.due_date:%Y-%m-%d}）"
             for row in frame[frame["state"] == State.OVERDUE].itertuples()]
    lines += [f"{row.region_name} {row.indicator_name} 待报（截止 {row.due_date:%Y-%m-%d}）"
              for row in frame[frame["state"].isin([State.DUE, State.RETURNED])].itertuples()]
    if reviewer:
        waiting = int((review.submissions(con)["status"] == "pending").sum())
        if waiting:
            lines.append(f"{waiting} 份报送待审核")
    lines += [f"整改问题{row.problem_no}已过时限（{row.owner_name}）"
              for row in problems[problems["is_overdue"].fillna(False)].itertuples()]
    lines += [f"{row.region_name} {row.indicator_name} 本期未达标" for row in missed.itertuples()]
    return lines
