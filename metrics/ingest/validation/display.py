"""A validated file as a reader checks it on the page, by name and in words."""


import duckdb
import pandas as pd

from metrics.formatting import BETTER_NAMES, KIND_NAMES, QUALIFIER_LABEL, TEMPORAL_NAMES, evidence_text, value_text
from metrics.ingest.files import ROW, ROW_HEADER
from metrics.ingest.validation.file import Validation
from metrics.ingest.validation.observations import CONFLICT_HEADERS
from metrics.ingest.validation.reference import Catalog


def preview(con: duckdb.DuckDBPyConnection, validation: Validation) -> dict[str, pd.DataFrame]:
    """A validated file as a reader checks it, by name and in words, never by code: the rows it
    writes (观测值), the stored rows it changes (修改), the regions and indicators it adds."""
    catalog = Catalog(con)
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
        ROW_HEADER: rows[ROW],
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
        period=validation.conflicts["period"].map(lambda period: period_labels.get(period, period)),
        old_qualifier=validation.conflicts["old_qualifier"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
        new_qualifier=validation.conflicts["new_qualifier"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
        old_evidence=[evidence_text(evidence, False) for evidence in validation.conflicts["old_evidence"]],
        new_evidence=[evidence_text(evidence, False) for evidence in validation.conflicts["new_evidence"]],
    ).rename(columns=CONFLICT_HEADERS)
    regions = pd.DataFrame({
        ROW_HEADER: validation.regions[ROW],
        "编码": validation.regions["region_id"],
        "名称": validation.regions["name"],
        "级别": validation.regions["level"],
        "上级": validation.regions["parent_id"].map(lambda parent: region_names.get(parent, parent)),
        "排序": validation.regions["sort_order"],
    })
    new_indicators = pd.DataFrame({
        ROW_HEADER: validation.indicators[ROW],
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
