"""Check an uploaded file against the warehouse before anything is written, listing every problem."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from metrics import engine, queries
from metrics.exporting import FORMULA_STARTS
from metrics.formatting import (
    BETTER_NAMES,
    KIND_NAMES,
    QUALIFIER_LABEL,
    TEMPORAL_NAMES,
    evidence_text,
    plain_number,
    value_text,
)
from metrics.normalise import (
    UnreadableValue,
    clean,
    match_key,
    parse_period,
    parse_value,
    qualifier_code,
)
from metrics.uploads import ERROR_COLUMNS, ROW, ParsedFile, Table, problems_frame

Progress = Callable[[float, str], None]

EMPTY = "必填项为空"
# C0 controls other than tab, line feed and carriage return, and DEL: no spreadsheet shows them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
ID_RULE = "编码只能由小写字母、数字、下划线或连字符组成，并以字母开头"
REGION_LEVELS = ("市", "市本级", "区", "功能区", "乡镇街道", "乡镇街道汇总", "机关", "村(社区)")
# A township hangs under a district; the other levels may hang under any region.
PARENT_LEVELS = {"乡镇街道": ("区", "功能区"), "村(社区)": ("乡镇街道",)}
INDICATOR_VOCABULARY = {
    "kind": {
        "rate": ("比率", "比例"),
        "count": ("数量", "计数"),
        "rank": ("名次", "排名"),
        "score": ("得分", "分数"),
        "duration": ("时长",),
    },
    "temporal": {"stock": ("存量", "时点"), "flow": ("流量", "累计"), "level": ("水平",)},
    "better": {
        "higher": ("越高越好", "越大越好"),
        "lower": ("越低越好", "越小越好"),
        "none": ("无", "不适用"),
    },
}
OBSERVATION_COLUMNS = [
    "行",
    "indicator_id",
    "region_id",
    "period_id",
    "value",
    "qualifier",
    "source",
    "evidence",
]
CONFLICT_COLUMNS = [
    "行",
    "指标",
    "地区",
    "期间",
    "原数值",
    "新数值",
    "原限定",
    "新限定",
    "原来源",
    "新来源",
    "原依据",
    "新依据",
]
REGION_COLUMNS = ["行", "region_id", "name", "level", "parent_id", "sort_order"]
INDICATOR_COLUMNS = [
    "行", "indicator_id", "name", "unit", "kind", "temporal", "better", "category", "definition", "owner",
    "notice_item",
]  # fmt: skip
PERIOD_COLUMNS = ["period_id", "grain", "start_date", "end_date", "label"]


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
    errors: pd.DataFrame  # 行/列/值/问题
    conflicts: pd.DataFrame  # stored rows the file would change: old beside new
    unchanged: int  # rows stored already exactly as in the file

    @property
    def ok(self) -> bool:
        return self.errors.empty

    @property
    def staged_rows(self) -> pd.DataFrame:
        return staged_rows(self.rows)


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


def _no_progress(fraction: float, text: str) -> None:
    """Callers that show no progress pass nothing."""


def suggestion(text: str, known: list[str]) -> str:
    """' ，是否为“华容区”？' when a known name is close to what was typed, else ''."""
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.5)
    return f"，是否为“{close[0]}”？" if close else ""


class _Problems:
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
            shown = _text(self.table, key) if key else pd.Series("", index=cells.index, dtype="str")
        shown = shown[mask]
        if callable(message):
            message = _mapped(shown, message)
        elif isinstance(message, pd.Series):
            message = message[mask]
        self.frames.append(
            pd.DataFrame(
                {
                    "行": cells.loc[mask, ROW].astype("Int64"),
                    "列": self.table.column_label(key) if key else "",
                    "值": shown.astype("str"),
                    "问题": message,
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
        return frame.sort_values(["行", "_at"], kind="stable")[ERROR_COLUMNS].reset_index(drop=True)


_EXPORT_ESCAPE = re.compile("^'(?=[" + re.escape("".join(FORMULA_STARTS)) + "])")


def _mapped(series: pd.Series, function) -> pd.Series:
    """function applied once per distinct value (files repeat names, periods, units); NA stays None."""
    codes, distinct = pd.factorize(series)
    results = np.empty(len(distinct) + 1, dtype=object)
    results[:-1] = [function(value) for value in distinct]
    results[-1] = None  # code -1: a missing value
    return pd.Series(results[codes], index=series.index, dtype=object)


def _text(table: Table, key: str) -> pd.Series:
    """Free text as typed, less outer spaces and the apostrophe our exports put before formulas."""
    if key in table.cells:
        text = table.cells[key].str.strip()
        if text.str.startswith("'").any():
            text = text.str.replace(_EXPORT_ESCAPE, "", regex=True)
        return text
    return pd.Series("", index=table.cells.index, dtype="str")


class _Catalog:
    """The warehouse's reference data, plus what the file itself adds, by the names people type."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.regions = queries.run(con, "ingest_regions")
        self.indicators = queries.run(con, "ingest_indicators").set_index("indicator_id", drop=False)
        self.periods = queries.run(con, "ingest_periods")
        self.region_by_key = {
            match_key(n): r for n, r in zip(self.regions.name, self.regions.region_id, strict=True)
        }
        self.region_by_key.update({match_key(r).lower(): r for r in self.regions.region_id})
        self.indicator_by_name = {
            match_key(n): i for n, i in zip(self.indicators.name, self.indicators.indicator_id, strict=True)
        }
        self.derived_ids = set(self.indicators.indicator_id[self.indicators.is_derived.astype(bool)])
        self.ratio_operand_ids = set(self.indicators.indicator_id[self.indicators.is_ratio_operand.astype(bool)])
        self.period_by_key = {match_key(p).upper(): p for p in self.periods.period_id}
        self.period_by_key.update(
            {match_key(label): p for label, p in zip(self.periods.label, self.periods.period_id, strict=True)}
        )

    def add_regions(self, regions: pd.DataFrame) -> None:
        for region_id, name in zip(regions.region_id, regions.name, strict=True):
            self.region_by_key[match_key(name)] = region_id
            self.region_by_key[region_id] = region_id

    def add_indicators(self, indicators: pd.DataFrame) -> None:
        extra = indicators.assign(formula=None, is_derived=False, is_ratio_operand=False, max_points=np.nan).set_index(
            "indicator_id", drop=False
        )
        self.indicators = pd.concat([self.indicators, extra[self.indicators.columns]])
        self.indicator_by_name.update(
            {match_key(n): i for n, i in zip(indicators.name, indicators.indicator_id, strict=True)}
        )

    def region_for(self, text: str) -> str | None:
        return self.region_by_key.get(match_key(text)) or self.region_by_key.get(match_key(text).lower())

    def unit_of(self, indicator_id: str) -> str | None:
        return self.indicators.at[indicator_id, "unit"]

    def kind_of(self, indicator_id: str) -> str | None:
        return self.indicators.at[indicator_id, "kind"]

    def max_points_of(self, indicator_id: str) -> float | None:
        cap = self.indicators.at[indicator_id, "max_points"]
        return None if pd.isna(cap) else float(cap)

    def region_names(self) -> list[str]:
        return [name for name in self.region_by_key if not name.isascii()]

    def indicator_name(self, indicator_id: str) -> str:
        return self.indicators.at[indicator_id, "name"]


def validate(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, progress: Progress | None = None
) -> Validation:
    """Every problem of the file in one pass, and what loading it would insert and change."""
    progress = progress or _no_progress
    catalog = _Catalog(con)
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
            regions, table_errors = _validate_regions(table, catalog)
            catalog.add_regions(regions)
        elif table.kind == "indicators":
            indicators, table_errors = _validate_indicators(table, catalog)
            catalog.add_indicators(indicators)
        else:
            rows, periods, table_errors = _validate_observations(table, catalog, progress)
            cursor = engine.cursor(con)
            try:
                queries.register_frame(cursor, "staged_observations", staged_rows(rows))
                progress(0.8, "正在核对已有数据")
                table_errors = pd.concat([table_errors, _parts_above_wholes(cursor, table, rows, catalog)])
                conflicts, unchanged = _stored_rows(cursor, catalog)
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
    problems = _Problems(table)
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
    order = frame["行"].fillna(0).to_numpy()
    return frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _run(cursor: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A named query on this cursor, which alone sees the staged rows registered on it."""
    return cursor.execute(queries.query_text(name)).df()


def staged_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Observation rows as the SQL over staged rows reads them: the file's row number as row_number."""
    return rows.rename(columns={"行": "row_number"})


# ---------------------------------------------------------------- observations


def _validate_observations(table: Table, catalog: _Catalog, progress: Progress):
    problems = _Problems(table)
    cells = table.cells
    indicator_key = "indicator_name" if "indicator_name" in cells else "indicator_id"
    indicator_id = _resolve_indicators(table, catalog, problems, indicator_key)
    region_id = _resolve_regions(table, catalog, problems)
    progress(0.3, "正在识别期间")
    period_id, new_periods = _resolve_periods(table, catalog, problems)
    progress(0.45, "正在读取数值")
    value, qualifier, value_ok = _read_values(table, indicator_id, catalog, problems)
    source = _text(table, "source")
    if "source" in cells:
        problems.add(source == "", "source", EMPTY)
    evidence = _text(table, "evidence")

    derived = _mapped(indicator_id, catalog.derived_ids.__contains__).fillna(False).astype(bool)
    problems.add(derived, indicator_key, "该指标由其他指标计算得出，不能载入")

    progress(0.6, "正在检查取值范围")
    checked = indicator_id.notna() & value_ok & ~derived
    _check_ranges(value, indicator_id, checked, catalog, problems)

    keyed = indicator_id.notna() & region_id.notna() & period_id.notna()
    _check_duplicates(table, [indicator_id, region_id, period_id], keyed, problems)
    usable = (keyed & value_ok & ~derived & (source != "")).to_numpy()
    rows = pd.DataFrame(
        {
            "行": cells[ROW].to_numpy("int64")[usable],
            "indicator_id": indicator_id.to_numpy()[usable],
            "region_id": region_id.to_numpy()[usable],
            "period_id": period_id.to_numpy()[usable],
            "value": value.to_numpy()[usable],
            "qualifier": qualifier.to_numpy()[usable],
            "source": source.to_numpy()[usable],
            "evidence": evidence.where(evidence != "").to_numpy()[usable],
        }
    ).astype({column: "str" for column in OBSERVATION_COLUMNS[1:] if column != "value"})
    new_periods = new_periods[new_periods.period_id.isin(rows.period_id.unique())].reset_index(drop=True)
    return rows, new_periods, problems.frame()


def _resolve_indicators(
    table: Table, catalog: _Catalog, problems: _Problems, indicator_key: str
) -> pd.Series:
    """The indicator_id of each row, from its id or its name; None where neither names a known one."""
    ids = _text(table, "indicator_id")
    names = _text(table, "indicator_name")
    known_ids = list(catalog.indicators.indicator_id)
    known_names = list(catalog.indicators.name)
    by_id = _mapped(ids, lambda text: text if text in catalog.indicators.index else None)
    by_name = _mapped(names, lambda text: catalog.indicator_by_name.get(match_key(text)))
    problems.add((ids == "") & (names == ""), indicator_key, EMPTY)
    problems.add(
        (ids != "") & by_id.isna(), "indicator_id", lambda t: f"未知指标编码“{t}”" + suggestion(t, known_ids)
    )
    unknown_name = (names != "") & by_name.isna() & (ids == "")
    problems.add(unknown_name, "indicator_name", lambda t: f"未知指标“{t}”" + suggestion(t, known_names))
    disagree = by_id.notna() & (names != "") & (by_name != by_id)
    pairs = (names + "\t" + ids).where(disagree)
    problems.add(
        disagree, "indicator_name", _mapped(pairs, lambda pair: _disagreement(*pair.split("\t"), catalog))
    )
    return by_id.where(ids != "", by_name).where(~disagree, None)


def _disagreement(name: str, indicator_id: str, catalog: _Catalog) -> str:
    actual = catalog.indicator_name(indicator_id)
    return f"指标名称“{name}”与指标编码“{indicator_id}”不符，该编码的指标是“{actual}”"


def _resolve_regions(table: Table, catalog: _Catalog, problems: _Problems) -> pd.Series:
    """The region_id of each row from its region column, which may hold a name or an id."""
    key = "region" if "region" in table.cells else "region_id"
    written = _text(table, "region").where(_text(table, "region") != "", _text(table, "region_id"))
    region_id = _mapped(written, catalog.region_for)
    problems.add(written == "", key, EMPTY, written)
    names = catalog.region_names()
    unknown = (written != "") & region_id.isna()
    problems.add(unknown, key, lambda t: f"未知地区“{t}”" + suggestion(match_key(t), names), written)
    return region_id


def _resolve_periods(table: Table, catalog: _Catalog, problems: _Problems) -> tuple[pd.Series, pd.DataFrame]:
    """The period_id of each row: a stored period by id or label, else a calendar one to create."""
    written = _text(table, "period")
    new: dict[str, tuple] = {}

    def resolve(text: str) -> str:
        known = catalog.period_by_key.get(match_key(text).upper()) or catalog.period_by_key.get(
            match_key(text)
        )
        if known:
            return known
        try:
            period = parse_period(text)
        except UnreadableValue as error:
            return error
        if period.period_id not in catalog.period_by_key:
            new[period.period_id] = (
                period.period_id,
                period.grain,
                period.start_date,
                period.end_date,
                period.label,
            )
        return period.period_id

    found = _mapped(written, resolve)
    unreadable = found.map(lambda result: isinstance(result, UnreadableValue))
    if "period" in table.cells:
        problems.add(unreadable, "period", found.map(str))
    return found.where(~unreadable, None), pd.DataFrame(list(new.values()), columns=PERIOD_COLUMNS)


def _read_values(table: Table, indicator_id: pd.Series, catalog: _Catalog, problems: _Problems):
    """Numbers and qualifiers; plain numbers in bulk, the rest ('3427万条以上', '97.47%') one by one."""
    written = _text(table, "value")
    value = pd.to_numeric(written.where(written != ""), errors="coerce").astype("float64")
    value = value.where(np.isfinite(value))
    in_text = pd.Series(None, index=written.index, dtype=object)
    unit_in_text = pd.Series("", index=written.index, dtype=object)
    slow = value.isna() & (written != "")
    if slow.any():
        parsed = _mapped(written[slow], _parse_or_error)
        unreadable = parsed.map(lambda p: isinstance(p, UnreadableValue))
        read = parsed[~unreadable]
        value[read.index] = [p.value for p in read]
        in_text[read.index] = [p.qualifier for p in read]
        unit_in_text[read.index] = [p.unit for p in read]
        problems.add(
            unreadable.reindex(written.index, fill_value=False),
            "value",
            parsed.map(str).reindex(written.index),
        )
    if "value" in table.cells:
        problems.add(written == "", "value", EMPTY)

    qualifier, qualifier_ok = _read_qualifiers(table, in_text, problems)
    unit_ok = _check_units(table, indicator_id, unit_in_text, catalog, problems)
    value_ok = value.notna() & qualifier_ok & unit_ok
    return value, qualifier, value_ok


def _parse_or_error(text: str):
    try:
        return parse_value(text)
    except UnreadableValue as error:
        return error


def _read_qualifiers(table: Table, in_text: pd.Series, problems: _Problems) -> tuple[pd.Series, pd.Series]:
    written = _text(table, "qualifier")
    code = _mapped(written, lambda text: qualifier_code(text) if text else None)
    unknown = (written != "") & code.isna()
    problems.add(
        unknown,
        "qualifier",
        lambda t: (
            f"无法识别的限定“{t}”：应为 精确、以上、超过、以内、约、均达…以上 或其代码(exact、at_least…)"
        ),
    )
    # A qualifier column of 'exact' beside '3427万条以上' contradicts it; an empty one does not.
    clash = code.notna() & in_text.notna() & (code != in_text)
    problems.add(clash, "qualifier", lambda t: f"限定“{t}”与数值中的限定不一致")
    qualifier = code.where(code.notna(), in_text).fillna("exact")
    return qualifier, ~(unknown | clash)


def _check_units(table: Table, indicator_id: pd.Series, unit_in_text: pd.Series, catalog: _Catalog, problems):
    expected = _mapped(indicator_id, catalog.unit_of)
    ok = pd.Series(True, index=indicator_id.index)
    for key, written in (("unit", _text(table, "unit")), ("value", unit_in_text)):
        given = _mapped(written, match_key)
        wrong = (given != "") & expected.notna() & (given != _mapped(expected, match_key))
        pairs = (given + "\t" + expected.fillna("")).where(wrong)
        problems.add(
            wrong, key, _mapped(pairs, lambda pair: "单位“{}”与指标单位“{}”不符".format(*pair.split("\t")))
        )
        ok &= ~wrong
    return ok


def _check_ranges(
    value: pd.Series, indicator_id: pd.Series, checked: pd.Series, catalog: _Catalog, problems
) -> None:
    kind = _mapped(indicator_id, catalog.kind_of).where(checked)
    cap = _mapped(indicator_id, catalog.max_points_of).astype("float64")
    problems.add((kind == "rate") & ((value < 0) | (value > 100)), "value", "比率应在0到100之间")
    problems.add((kind == "count") & (value < 0), "value", "数量不能为负数")
    problems.add((kind == "duration") & (value < 0), "value", "时长不能为负数")
    problems.add(
        (kind == "rank") & ((value < 1) | (value != np.floor(value))), "value", "名次应为不小于1的整数"
    )
    over = (kind == "score") & cap.notna() & ((value < 0) | (value > cap))
    problems.add(over, "value", _mapped(cap.where(over), lambda c: f"得分应在0到满分{plain_number(c)}之间"))
    problems.add((kind == "score") & cap.isna() & (value < 0), "value", "得分不能为负数")


def _check_duplicates(table: Table, keys: list[pd.Series], keyed: pd.Series, problems: _Problems) -> None:
    """Rows repeating an earlier row's indicator, region and period; the message names that row."""
    combined = np.zeros(len(keyed), dtype="int64")
    for key in keys:
        codes, distinct = pd.factorize(key)
        combined = combined * (len(distinct) + 1) + codes + 1
    frame = pd.DataFrame({"key": combined, "row": table.cells[ROW].to_numpy("int64")})[keyed.to_numpy()]
    repeated = frame.key.duplicated(keep="first")
    if not repeated.any():
        return
    first_row = frame.groupby("key").row.transform("min")
    messages = (
        first_row[repeated].map(lambda row: f"与第{row}行重复(同一指标、地区、期间)").reindex(keyed.index)
    )
    indicator = _text(table, "indicator_name").where(
        _text(table, "indicator_name") != "", _text(table, "indicator_id")
    )
    region = _text(table, "region").where(_text(table, "region") != "", _text(table, "region_id"))
    shown = indicator + "/" + region + "/" + _text(table, "period")
    problems.add(repeated.reindex(keyed.index, fill_value=False), None, messages, shown)


def _parts_above_wholes(cursor, table: Table, rows: pd.DataFrame, catalog: _Catalog) -> pd.DataFrame:
    if not rows["indicator_id"].isin(catalog.ratio_operand_ids).any():
        return problems_frame([])  # a file without a ratio's operand has no part to put above a whole
    found = _run(cursor, "ingest_parts_above_wholes")
    if found.empty:
        return problems_frame([])
    value_text = dict(zip(table.cells[ROW].astype("int64"), _text(table, "value"), strict=True))
    records = []
    for item in found.itertuples():
        row = item.part_row_number if not pd.isna(item.part_row_number) else item.whole_row_number
        records.append(
            (
                int(row),
                table.column_label("value"),
                value_text[int(row)],
                f"部分大于整体：“{catalog.indicator_name(item.part_id)}”{plain_number(item.part_value)} 大于 "
                f"“{catalog.indicator_name(item.whole_id)}”{plain_number(item.whole_value)}",
            )
        )
    return problems_frame(records)


def _stored_rows(cursor, catalog: _Catalog) -> tuple[pd.DataFrame, int]:
    """The staged rows that would change a stored one (as conflicts), and how many are stored unchanged."""
    stored = _run(cursor, "ingest_stored_rows")
    unchanged = int(stored["count_unchanged"].iloc[0]) if len(stored) else 0
    return _conflicts(stored[stored["is_changed"]].reset_index(drop=True), catalog), unchanged


def _conflicts(changed: pd.DataFrame, catalog: _Catalog) -> pd.DataFrame:
    region_names = dict(zip(catalog.regions.region_id, catalog.regions.name, strict=True))
    return pd.DataFrame(
        {
            "行": changed.row_number.astype("int64"),
            "指标": changed.indicator_id.map(catalog.indicator_name),
            "地区": changed.region_id.map(region_names),
            "期间": changed.period_id,
            "原数值": changed.old_value,
            "新数值": changed.new_value,
            "原限定": changed.old_qualifier,
            "新限定": changed.new_qualifier,
            "原来源": changed.old_source,
            "新来源": changed.new_source,
            "原依据": changed.old_evidence,
            "新依据": changed.new_evidence,
        },
        columns=CONFLICT_COLUMNS,
    )


# ---------------------------------------------------------------- reference data


def _check_id(text: str) -> str | None:
    return None if ID_PATTERN.fullmatch(text) else ID_RULE


def _validate_regions(table: Table, catalog: _Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New regions (a township under its district); an existing one must be given unchanged."""
    problems: list[tuple] = []
    existing = catalog.regions.set_index("region_id")
    levels = dict(zip(existing.index, existing.level, strict=True))
    file_ids: dict[str, int] = {}
    file_names: dict[str, int] = {}
    new = []
    next_order = int(existing.sort_order.max()) + 1 if len(existing) else 0
    for record in table.cells.to_dict("records"):
        row = record[ROW]
        cell = {
            key: clean(record.get(key, "")) for key in ("region_id", "name", "level", "parent", "sort_order")
        }
        row_problems = []

        def problem(key: str, message: str, cell=cell, row=row, row_problems=row_problems) -> None:
            row_problems.append((row, table.column_label(key), cell[key], message))

        for key in ("region_id", "name", "level", "parent"):
            if not cell[key]:
                problem(key, EMPTY)
        region_id, name, level = cell["region_id"], match_key(cell["name"]), cell["level"]
        if region_id and (message := _check_id(region_id)):
            problem("region_id", message)
        if region_id in file_ids:
            problem("region_id", f"与第{file_ids[region_id]}行重复(同一地区编码)")
        name_owner = catalog.region_by_key.get(name)
        name_taken = name_owner in existing.index and name_owner != region_id
        if name_taken:
            problem("name", f"地区名称“{cell['name']}”已被地区编码“{name_owner}”使用")
        elif name and name in file_names:
            problem("name", f"与第{file_names[name]}行重复(同一地区名称)")
        if level and level not in REGION_LEVELS:
            problem("level", f"未知级别“{level}”：应为 {'、'.join(REGION_LEVELS)} 之一")
        parent_id = catalog.region_by_key.get(match_key(cell["parent"])) or catalog.region_by_key.get(
            match_key(cell["parent"]).lower()
        )
        if cell["parent"] and parent_id is None:
            problem(
                "parent",
                f"未知上级地区“{cell['parent']}”" + suggestion(cell["parent"], catalog.region_names()),
            )
        elif parent_id and level in PARENT_LEVELS and levels.get(parent_id) not in PARENT_LEVELS[level]:
            problem("parent", f"{level}的上级应为{'或'.join(PARENT_LEVELS[level])}")
        order = None
        if cell["sort_order"]:
            try:
                order = int(cell["sort_order"])
            except ValueError:
                problem("sort_order", f"排序“{cell['sort_order']}”不是整数")
        if region_id in existing.index:
            stored = existing.loc[region_id]
            if (match_key(stored["name"]), stored.level, stored.parent_id) != (name, level, parent_id):
                problem(
                    "region_id", f"地区编码“{region_id}”已存在(“{stored['name']}”)，已有地区不能通过载入修改"
                )
        file_ids.setdefault(region_id, row)
        file_names.setdefault(name, row)
        problems += row_problems
        if not row_problems and region_id not in existing.index:
            if order is None:
                order, next_order = next_order, next_order + 1
            new.append((row, region_id, cell["name"], level, parent_id, order))
            levels[region_id] = level
            catalog.add_regions(pd.DataFrame({"region_id": [region_id], "name": [cell["name"]]}))
    return pd.DataFrame(new, columns=REGION_COLUMNS), problems_frame(problems)


def _vocabulary_code(field: str, text: str) -> str | None:
    for code, words in INDICATOR_VOCABULARY[field].items():
        if text.lower() == code or text in words:
            return code
    return None


def _validate_indicators(table: Table, catalog: _Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New plain (not derived) indicators; an existing one must be given unchanged."""
    problems: list[tuple] = []
    existing = catalog.indicators
    file_ids: dict[str, int] = {}
    file_names: dict[str, int] = {}
    new = []
    fields = [column for column in INDICATOR_COLUMNS if column != "行"]
    for record in table.cells.to_dict("records"):
        row = record[ROW]
        cell = {key: clean(record.get(key, "")) for key in fields}
        row_problems = []

        def problem(key: str, message: str, cell=cell, row=row, row_problems=row_problems) -> None:
            row_problems.append((row, table.column_label(key), cell[key], message))

        for key in fields:
            if key != "notice_item" and not cell[key]:
                problem(key, EMPTY)
        indicator_id, name_key = cell["indicator_id"], match_key(cell["name"])
        if indicator_id and (message := _check_id(indicator_id)):
            problem("indicator_id", message)
        if indicator_id in file_ids:
            problem("indicator_id", f"与第{file_ids[indicator_id]}行重复(同一指标编码)")
        if name_key and name_key in file_names:
            problem("name", f"与第{file_names[name_key]}行重复(同一指标名称)")
        codes = {}
        for field, vocabulary in INDICATOR_VOCABULARY.items():
            codes[field] = _vocabulary_code(field, cell[field])
            if cell[field] and codes[field] is None:
                choices = "、".join(f"{words[0]}({code})" for code, words in vocabulary.items())
                problem(field, f"无法识别的取值“{cell[field]}”：应为 {choices} 之一")
        if codes["kind"] == "rate" and cell["unit"] and cell["unit"] != "%":
            problem("unit", "比率类指标的单位应为%")
        values = {**cell, **codes}
        if indicator_id in existing.index:
            stored = existing.loc[indicator_id]
            compared = ("name", "unit", "kind", "temporal", "better", "category", "definition", "owner")
            if any(clean(stored[key]) != values[key] for key in compared):
                problem(
                    "indicator_id",
                    f"指标编码“{indicator_id}”已存在(“{stored['name']}”)，已有指标不能通过载入修改",
                )
        elif name_key in catalog.indicator_by_name:
            problem(
                "name", f"指标名称“{cell['name']}”已被指标编码“{catalog.indicator_by_name[name_key]}”使用"
            )
        file_ids.setdefault(indicator_id, row)
        file_names.setdefault(name_key, row)
        problems += row_problems
        if not row_problems and indicator_id not in existing.index:
            new.append((row, *(values[key] or None for key in fields)))
    return pd.DataFrame(new, columns=INDICATOR_COLUMNS), problems_frame(problems)


# ---------------------------------------------------------------- what the page shows


def preview(con: duckdb.DuckDBPyConnection, validation: Validation) -> dict[str, pd.DataFrame]:
    """A validated file as a reader checks it, by name and in words, never by code: the rows it
    writes (观测值), the stored rows it changes (修改), the regions and indicators it adds."""
    catalog = _Catalog(con)
    indicators = pd.concat([catalog.indicators[["indicator_id", "name", "unit", "kind"]],
                            validation.indicators[["indicator_id", "name", "unit", "kind"]]])
    indicators = indicators.set_index("indicator_id")
    region_names = dict(zip(catalog.regions.region_id, catalog.regions.name, strict=True))
    region_names |= dict(zip(validation.regions.region_id, validation.regions.name, strict=True))
    period_labels = dict(zip(catalog.periods.period_id, catalog.periods.label, strict=True))
    period_labels |= dict(zip(validation.periods.period_id, validation.periods.label, strict=True))
    rows = validation.rows
    named = indicators.reindex(rows["indicator_id"])
    observations = pd.DataFrame({
        "行": rows["行"],
        "指标": named["name"].to_numpy(),
        "地区": rows["region_id"].map(region_names),
        "期间": rows["period_id"].map(period_labels),
        "数值": [value_text(v, u, q, k) for v, u, q, k in
               zip(rows["value"], named["unit"], rows["qualifier"], named["kind"], strict=True)],
        "限定": rows["qualifier"].map(QUALIFIER_LABEL),
        "来源": rows["source"],
        "依据": [evidence_text(evidence, False) for evidence in rows["evidence"]],
    })
    conflicts = validation.conflicts.assign(
        期间=validation.conflicts["期间"].map(lambda period: period_labels.get(period, period)),
        原限定=validation.conflicts["原限定"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
        新限定=validation.conflicts["新限定"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
        原依据=[evidence_text(evidence, False) for evidence in validation.conflicts["原依据"]],
        新依据=[evidence_text(evidence, False) for evidence in validation.conflicts["新依据"]],
    )
    regions = pd.DataFrame({
        "行": validation.regions["行"],
        "编码": validation.regions["region_id"],
        "名称": validation.regions["name"],
        "级别": validation.regions["level"],
        "上级": validation.regions["parent_id"].map(lambda parent: region_names.get(parent, parent)),
        "排序": validation.regions["sort_order"],
    })
    new_indicators = pd.DataFrame({
        "行": validation.indicators["行"],
        "编码": validation.indicators["indicator_id"],
        "名称": validation.indicators["name"],
        "单位": validation.indicators["unit"],
        "类型": validation.indicators["kind"].map(KIND_NAMES),
        "时间属性": validation.indicators["temporal"].map(TEMPORAL_NAMES),
        "方向": validation.indicators["better"].map(BETTER_NAMES),
        "类别": validation.indicators["category"],
        "定义(口径)": validation.indicators["definition"],
        "责任单位": validation.indicators["owner"],
        "通报条目": validation.indicators["notice_item"],
    })
    return {"观测值": observations, "修改": conflicts, "新增地区": regions, "新增指标": new_indicators}
