"""Checks of the reference data a file may add, new regions and new indicators, against what the warehouse
holds (Catalog)."""

import re
from collections.abc import Callable, Iterable

import duckdb
import numpy as np
import pandas as pd

from metrics.ingest.files import ROW, Table, problems_frame
from metrics.ingest.normalise import clean, match_key
from metrics.ingest.validation.checks import EMPTY, suggestion
from metrics.store import queries

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
REGION_COLUMNS = [ROW, "region_id", "name", "level", "parent_id", "sort_order"]
INDICATOR_COLUMNS = [
    ROW, "indicator_id", "name", "unit", "kind", "temporal", "better", "category", "definition", "owner",
    "notice_item",
]  # fmt: skip
# What a file must give unchanged for an indicator the warehouse holds (notice_item may be added later).
INDICATOR_KEPT = ("name", "unit", "kind", "temporal", "better", "category", "definition", "owner")


class Catalog:
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


def _check_id(text: str) -> str | None:
    return None if ID_PATTERN.fullmatch(text) else ID_RULE


class _Rows:
    """A reference table checked one row at a time (start, problem, finish) against the rows of its kind that the
    warehouse holds (existing, indexed by the code in column id_key; noun, 地区 or 指标, names the kind): every
    row's problems, and the row of each code and name given so far, so that a repeat names the row it repeats.
    kept: what of a stored row a file must give unchanged, as a tuple."""

    def __init__(self, table: Table, existing: pd.DataFrame, id_key: str, noun: str,
                 kept: Callable[[pd.Series], tuple]):
        self.table, self.existing, self.id_key, self.noun, self.kept = table, existing, id_key, noun, kept
        self.ids: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.problems: list[tuple] = []
        self.row, self.cell, self.row_problems = None, {}, []

    def start(self, record: dict, keys: Iterable[str]) -> dict[str, str]:
        """Begin the record's row; its cells of keys, cleaned."""
        self.row, self.row_problems = record[ROW], []
        self.cell = {key: clean(record.get(key, "")) for key in keys}
        return self.cell

    def problem(self, key: str, message: str) -> None:
        self.row_problems.append((self.row, self.table.column_label(key), self.cell[key], message))

    def finish(self, name: str, given: tuple) -> bool:
        """End the row, named name (as matched): a code the warehouse holds must come with what it holds (given,
        the row's values of kept). Whether the row is new and without problems."""
        code = self.cell[self.id_key]
        if code in self.existing.index:
            stored = self.existing.loc[code]
            if self.kept(stored) != given:
                self.problem(self.id_key, f"{self.noun}编码“{code}”已存在(“{stored['name']}”)，"
                                          f"已有{self.noun}不能通过载入修改")
        self.ids.setdefault(code, self.row)
        self.names.setdefault(name, self.row)
        self.problems += self.row_problems
        return not self.row_problems and code not in self.existing.index


def validate_regions(table: Table, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New regions (a township under its district); an existing one must be given unchanged."""
    existing = catalog.regions.set_index("region_id")
    rows = _Rows(table, existing, "region_id", "地区",
                 lambda stored: (match_key(stored["name"]), stored.level, stored.parent_id))
    problem = rows.problem
    levels = dict(zip(existing.index, existing.level, strict=True))
    new = []
    next_order = int(existing.sort_order.max()) + 1 if len(existing) else 0
    for record in table.cells.to_dict("records"):
        cell = rows.start(record, ("region_id", "name", "level", "parent", "sort_order"))
        for key in ("region_id", "name", "level", "parent"):
            if not cell[key]:
                problem(key, EMPTY)
        region_id, name, level = cell["region_id"], match_key(cell["name"]), cell["level"]
        if region_id and (message := _check_id(region_id)):
            problem("region_id", message)
        if region_id in rows.ids:
            problem("region_id", f"与第{rows.ids[region_id]}行重复(同一地区编码)")
        name_owner = catalog.region_by_key.get(name)
        name_taken = name_owner in existing.index and name_owner != region_id
        if name_taken:
            problem("name", f"地区名称“{cell['name']}”已被地区编码“{name_owner}”使用")
        elif name and name in rows.names:
            problem("name", f"与第{rows.names[name]}行重复(同一地区名称)")
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
        if rows.finish(name, (name, level, parent_id)):
            if order is None:
                order, next_order = next_order, next_order + 1
            new.append((rows.row, region_id, cell["name"], level, parent_id, order))
            levels[region_id] = level
            catalog.add_regions(pd.DataFrame({"region_id": [region_id], "name": [cell["name"]]}))
    return pd.DataFrame(new, columns=REGION_COLUMNS), problems_frame(rows.problems)


def _vocabulary_code(field: str, text: str) -> str | None:
    for code, words in INDICATOR_VOCABULARY[field].items():
        if text.lower() == code or text in words:
            return code
    return None


def validate_indicators(table: Table, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New plain (not derived) indicators; an existing one must be given unchanged."""
    rows = _Rows(table, catalog.indicators, "indicator_id", "指标",
                 lambda stored: tuple(clean(stored[key]) for key in INDICATOR_KEPT))
    problem = rows.problem
    new = []
    fields = [column for column in INDICATOR_COLUMNS if column != ROW]
    for record in table.cells.to_dict("records"):
        cell = rows.start(record, fields)
        for key in fields:
            if key != "notice_item" and not cell[key]:
                problem(key, EMPTY)
        indicator_id, name_key = cell["indicator_id"], match_key(cell["name"])
        if indicator_id and (message := _check_id(indicator_id)):
            problem("indicator_id", message)
        if indicator_id in rows.ids:
            problem("indicator_id", f"与第{rows.ids[indicator_id]}行重复(同一指标编码)")
        if name_key and name_key in rows.names:
            problem("name", f"与第{rows.names[name_key]}行重复(同一指标名称)")
        codes = {}
        for field, vocabulary in INDICATOR_VOCABULARY.items():
            codes[field] = _vocabulary_code(field, cell[field])
            if cell[field] and codes[field] is None:
                choices = "、".join(f"{words[0]}({code})" for code, words in vocabulary.items())
                problem(field, f"无法识别的取值“{cell[field]}”：应为 {choices} 之一")
        if codes["kind"] == "rate" and cell["unit"] and cell["unit"] != "%":
            problem("unit", "比率类指标的单位应为%")
        values = {**cell, **codes}
        if indicator_id not in catalog.indicators.index and name_key in catalog.indicator_by_name:
            problem(
                "name", f"指标名称“{cell['name']}”已被指标编码“{catalog.indicator_by_name[name_key]}”使用"
            )
        if rows.finish(name_key, tuple(values[key] for key in INDICATOR_KEPT)):
            new.append((rows.row, *(values[key] or None for key in fields)))
    return pd.DataFrame(new, columns=INDICATOR_COLUMNS), problems_frame(rows.problems)
