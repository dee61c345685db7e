"""Checks of observation rows: each row's indicator, region, period and value resolved against the catalog,
ranges, repeated rows, parts above wholes, and the stored rows the file would change."""


import duckdb
import numpy as np
import pandas as pd

from metrics.formatting import plain_number
from metrics.ingest.files import ROW, ROW_HEADER, Table, problems_frame
from metrics.ingest.normalise import UnreadableValue, match_key, parse_period, parse_value, qualifier_code
from metrics.ingest.validation.checks import EMPTY, Problems, Progress, cell_text, mapped, suggestion
from metrics.ingest.validation.reference import Catalog
from metrics.store import queries

OBSERVATION_COLUMNS = [
    ROW,
    "indicator_id",
    "region_id",
    "period_id",
    "value",
    "qualifier",
    "source",
    "evidence",
]
# A stored row the file would change, old beside new; each key under the word a page, a CSV file and a terminal
# show it by.
CONFLICT_HEADERS = {
    ROW: ROW_HEADER,
    "indicator": "指标",
    "region": "地区",
    "period": "期间",
    "old_value": "原数值",
    "new_value": "新数值",
    "old_qualifier": "原限定",
    "new_qualifier": "新限定",
    "old_source": "原来源",
    "new_source": "新来源",
    "old_evidence": "原依据",
    "new_evidence": "新依据",
}
CONFLICT_COLUMNS = list(CONFLICT_HEADERS)
PERIOD_COLUMNS = ["period_id", "grain", "start_date", "end_date", "label"]


def _run(cursor: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A named query on this cursor, which alone sees the staged rows registered on it."""
    return cursor.execute(queries.query_text(name)).df()


def validate_observations(table: Table, catalog: Catalog, progress: Progress):
    problems = Problems(table)
    cells = table.cells
    indicator_key = "indicator_name" if "indicator_name" in cells else "indicator_id"
    indicator_id = _resolve_indicators(table, catalog, problems, indicator_key)
    region_id = _resolve_regions(table, catalog, problems)
    progress(0.3, "正在识别期间")
    period_id, new_periods = _resolve_periods(table, catalog, problems)
    progress(0.45, "正在读取数值")
    value, qualifier, value_ok = _read_values(table, indicator_id, catalog, problems)
    source = cell_text(table, "source")
    if "source" in cells:
        problems.add(source == "", "source", EMPTY)
    evidence = cell_text(table, "evidence")

    derived = mapped(indicator_id, catalog.derived_ids.__contains__).fillna(False).astype(bool)
    problems.add(derived, indicator_key, "该指标由其他指标计算得出，不能载入")

    progress(0.6, "正在检查取值范围")
    checked = indicator_id.notna() & value_ok & ~derived
    _check_ranges(value, indicator_id, checked, catalog, problems)

    keyed = indicator_id.notna() & region_id.notna() & period_id.notna()
    _check_duplicates(table, [indicator_id, region_id, period_id], keyed, problems)
    usable = (keyed & value_ok & ~derived & (source != "")).to_numpy()
    rows = pd.DataFrame(
        {
            ROW: cells[ROW].to_numpy("int64")[usable],
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
    table: Table, catalog: Catalog, problems: Problems, indicator_key: str
) -> pd.Series:
    """The indicator_id of each row, from its id or its name; None where neither names a known one."""
    ids = cell_text(table, "indicator_id")
    names = cell_text(table, "indicator_name")
    known_ids = list(catalog.indicators.indicator_id)
    known_names = list(catalog.indicators.name)
    by_id = mapped(ids, lambda text: text if text in catalog.indicators.index else None)
    by_name = mapped(names, lambda text: catalog.indicator_by_name.get(match_key(text)))
    problems.add((ids == "") & (names == ""), indicator_key, EMPTY)
    problems.add(
        (ids != "") & by_id.isna(), "indicator_id", lambda t: f"未知指标编码“{t}”" + suggestion(t, known_ids)
    )
    unknown_name = (names != "") & by_name.isna() & (ids == "")
    problems.add(unknown_name, "indicator_name", lambda t: f"未知指标“{t}”" + suggestion(t, known_names))
    disagree = by_id.notna() & (names != "") & (by_name != by_id)
    pairs = (names + "\t" + ids).where(disagree)
    problems.add(
        disagree, "indicator_name", mapped(pairs, lambda pair: _disagreement(*pair.split("\t"), catalog))
    )
    return by_id.where(ids != "", by_name).where(~disagree, None)


def _disagreement(name: str, indicator_id: str, catalog: Catalog) -> str:
    actual = catalog.indicator_name(indicator_id)
    return f"指标名称“{name}”与指标编码“{indicator_id}”不符，该编码的指标是“{actual}”"


def _resolve_regions(table: Table, catalog: Catalog, problems: Problems) -> pd.Series:
    """The region_id of each row from its region column, which may hold a name or an id."""
    key = "region" if "region" in table.cells else "region_id"
    written = cell_text(table, "region").where(cell_text(table, "region") != "", cell_text(table, "region_id"))
    region_id = mapped(written, catalog.region_for)
    problems.add(written == "", key, EMPTY, written)
    names = catalog.region_names()
    unknown = (written != "") & region_id.isna()
    problems.add(unknown, key, lambda t: f"未知地区“{t}”" + suggestion(match_key(t), names), written)
    return region_id


def _resolve_periods(table: Table, catalog: Catalog, problems: Problems) -> tuple[pd.Series, pd.DataFrame]:
    """The period_id of each row: a stored period by id or label, else a calendar one to create."""
    written = cell_text(table, "period")
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

    found = mapped(written, resolve)
    unreadable = found.map(lambda result: isinstance(result, UnreadableValue))
    if "period" in table.cells:
        problems.add(unreadable, "period", found.map(str))
    return found.where(~unreadable, None), pd.DataFrame(list(new.values()), columns=PERIOD_COLUMNS)


def _read_values(table: Table, indicator_id: pd.Series, catalog: Catalog, problems: Problems):
    """Numbers and qualifiers; plain numbers in bulk, the rest ('3427万条以上', '97.47%') one by one."""
    written = cell_text(table, "value")
    value = pd.to_numeric(written.where(written != ""), errors="coerce").astype("float64")
    value = value.where(np.isfinite(value))
    in_text = pd.Series(None, index=written.index, dtype=object)
    unit_in_text = pd.Series("", index=written.index, dtype=object)
    slow = value.isna() & (written != "")
    if slow.any():
        parsed = mapped(written[slow], _parse_or_error)
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


def _read_qualifiers(table: Table, in_text: pd.Series, problems: Problems) -> tuple[pd.Series, pd.Series]:
    written = cell_text(table, "qualifier")
    code = mapped(written, lambda text: qualifier_code(text) if text else None)
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


def _check_units(table: Table, indicator_id: pd.Series, unit_in_text: pd.Series, catalog: Catalog, problems):
    expected = mapped(indicator_id, catalog.unit_of)
    ok = pd.Series(True, index=indicator_id.index)
    for key, written in (("unit", cell_text(table, "unit")), ("value", unit_in_text)):
        given = mapped(written, match_key)
        wrong = (given != "") & expected.notna() & (given != mapped(expected, match_key))
        pairs = (given + "\t" + expected.fillna("")).where(wrong)
        problems.add(
            wrong, key, mapped(pairs, lambda pair: "单位“{}”与指标单位“{}”不符".format(*pair.split("\t")))
        )
        ok &= ~wrong
    return ok


def _check_ranges(
    value: pd.Series, indicator_id: pd.Series, checked: pd.Series, catalog: Catalog, problems
) -> None:
    kind = mapped(indicator_id, catalog.kind_of).where(checked)
    cap = mapped(indicator_id, catalog.max_points_of).astype("float64")
    problems.add((kind == "rate") & ((value < 0) | (value > 100)), "value", "比率应在0到100之间")
    problems.add((kind == "count") & (value < 0), "value", "数量不能为负数")
    problems.add((kind == "duration") & (value < 0), "value", "时长不能为负数")
    problems.add(
        (kind == "rank") & ((value < 1) | (value != np.floor(value))), "value", "名次应为不小于1的整数"
    )
    over = (kind == "score") & cap.notna() & ((value < 0) | (value > cap))
    problems.add(over, "value", mapped(cap.where(over), lambda c: f"得分应在0到满分{plain_number(c)}之间"))
    problems.add((kind == "score") & cap.isna() & (value < 0), "value", "得分不能为负数")


def _check_duplicates(table: Table, keys: list[pd.Series], keyed: pd.Series, problems: Problems) -> None:
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
    indicator = cell_text(table, "indicator_name").where(
        cell_text(table, "indicator_name") != "", cell_text(table, "indicator_id")
    )
    region = cell_text(table, "region").where(cell_text(table, "region") != "", cell_text(table, "region_id"))
    shown = indicator + "/" + region + "/" + cell_text(table, "period")
    problems.add(repeated.reindex(keyed.index, fill_value=False), None, messages, shown)


def parts_above_wholes(cursor, table: Table, rows: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    if not rows["indicator_id"].isin(catalog.ratio_operand_ids).any():
        return problems_frame([])  # a file without a ratio's operand has no part to put above a whole
    found = _run(cursor, "ingest_parts_above_wholes")
    if found.empty:
        return problems_frame([])
    value_text = dict(zip(table.cells[ROW].astype("int64"), cell_text(table, "value"), strict=True))
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


def stored_rows(cursor, catalog: Catalog) -> tuple[pd.DataFrame, int]:
    """The staged rows that would change a stored one (as conflicts), and how many are stored unchanged."""
    stored = _run(cursor, "ingest_stored_rows")
    unchanged = int(stored["count_unchanged"].iloc[0]) if len(stored) else 0
    return _conflicts(stored[stored["is_changed"]].reset_index(drop=True), catalog), unchanged


def _conflicts(changed: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    region_names = dict(zip(catalog.regions.region_id, catalog.regions.name, strict=True))
    return pd.DataFrame(
        {
            ROW: changed.row_number.astype("int64"),
            "indicator": changed.indicator_id.map(catalog.indicator_name),
            "region": changed.region_id.map(region_names),
            "period": changed.period_id,
            "old_value": changed.old_value,
            "new_value": changed.new_value,
            "old_qualifier": changed.old_qualifier,
            "new_qualifier": changed.new_qualifier,
            "old_source": changed.old_source,
            "new_source": changed.new_source,
            "old_evidence": changed.old_evidence,
            "new_evidence": changed.new_evidence,
        },
        columns=CONFLICT_COLUMNS,
    )


def conflict_table(conflicts: pd.DataFrame) -> pd.DataFrame:
    """Conflicts as users see them in a CSV file: headed 行, 指标, 地区, 期间, 原数值, 新数值…"""
    return conflicts.rename(columns=CONFLICT_HEADERS)
