"""Checks of the reference data a file may add, new regions and new indicators, against what the warehouse
holds (Catalog)."""

import re

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


def validate_regions(table: Table, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def validate_indicators(table: Table, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New plain (not derived) indicators; an existing one must be given unchanged."""
    problems: list[tuple] = []
    existing = catalog.indicators
    file_ids: dict[str, int] = {}
    file_names: dict[str, int] = {}
    new = []
    fields = [column for column in INDICATOR_COLUMNS if column != ROW]
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
