"""The brief as a document: its sections built from a brief's data, its summary and its charts."""

import datetime as dt

import pandas as pd

from metrics import facts, periods
from metrics.briefing import images
from metrics.briefing.gather import BriefData
from metrics.briefing.model import (
    BUREAU,
    TITLE,
    Document,
    Figure,
    Heading,
    Notes,
    Paragraph,
    Table,
    file_stem,
    inert_document,
    scheme_of_year,
    value_of,
)
from metrics.briefing.summary import assessment_note, summary_clauses
from metrics.claims import POINT_QUALIFIERS, Change, ScoreCheck, Status, has_better_direction, status_in_quarter
from metrics.formatting import (
    BOUND_PLACES,
    NO_CHANGE,
    NO_DIRECTION_ORDER,
    SCORE_CHECK_NAMES,
    STATUS_MARK,
    STATUS_NAMES,
    judged_change_words,
    place_text,
    points_fraction,
    rank_text,
    target_text,
)


def _headline_table(headline: pd.DataFrame, notes: Notes) -> Table:
    rows = []
    for _, row in headline.iterrows():
        period = row["period_label"] + ("" if row["is_current"] else "（非本期）")
        previous, year_ago = (
            judged_change_words(Change(row[column], row["unit"], row["kind"], row["better"])) if row["is_current"]
            else NO_CHANGE for column in ("change_vs_previous", "change_vs_year_ago"))
        status = status_in_quarter(row["status"], row["is_current"])
        rows.append((row["indicator_name"], row["region_name"], value_of(row), period,
                     target_text(row["target_value"], row["target_comparator"], row["unit"], row["kind"]),
                     STATUS_MARK[status], previous, year_ago, notes.mark(row)))
    return Table(("指标", "地区", "数值", "期间", "目标", "状态", "环比", "同比", "注"), tuple(rows))


def _comparison_blocks(data: BriefData, notes: Notes, figure: Figure | None) -> list:
    if data.comparison is None:
        return [Paragraph(((f"{data.quarter_label}没有各区（功能区）报送的可比指标，不作区域排名。", ()),))]
    districts, missing, references = facts.split_comparison(data.comparison)
    ranked = has_better_direction(data.comparison["better"].iloc[0])
    rows = [((place_text(row["district_rank"], row["district_rank_worst"]) or "—",) if ranked else ())
            + (row["region_name"], value_of(row), row["period_label"], STATUS_MARK[row["status"]],
               notes.mark(row)) for _, row in districts.iterrows()]
    rows += [(("—",) if ranked else ())
             + (row["region_name"], STATUS_NAMES[Status.NOT_REPORTED], data.quarter_label, "—", "")
             for _, row in missing.iterrows()]
    rows += [(("参照",) if ranked else ()) + (row["region_name"], value_of(row), row["period_label"],
                                              STATUS_MARK[row["status"]], notes.mark(row))
             for _, row in references.iterrows()]
    columns = ("单位", "数值", "期间", "状态", "注")
    if not ranked:
        return [figure, Table(columns, tuple(rows)), Paragraph(((NO_DIRECTION_ORDER, ()),), small=True)]
    bounded = not districts["qualifier"].isin(POINT_QUALIFIERS).all()
    return [figure, Table(("名次", *columns), tuple(rows)), *([Paragraph(((BOUND_PLACES, ()),), small=True)]
                                                               if bounded else [])]


def _assessment_blocks(data: BriefData, notes: Notes) -> list:
    """The reported scores and ranks of every period up to the quarter, each scheme named with its year."""
    checks = data.checks.set_index(["scheme", "item", "period"])["status"]
    rows = [(scheme_of_year(row), row["item_name"], row["period_label"],
             points_fraction(row["points"], row["max_points"]),
             SCORE_CHECK_NAMES.get(checks.get((row["scheme_id"], row["item_id"], row["period_id"])), "—"),
             notes.mark(assessment_note(row, "points"))) for row in data.points.to_dict("records")]
    rows += [(scheme_of_year(row), "全省排名", row["period_label"], rank_text(int(row["rank"])), "—",
              notes.mark(assessment_note(row, "rank"))) for row in data.ranks.to_dict("records")]
    if not rows:
        return [Paragraph((("截至本期没有省级考核的上报得分或排名。", ()),))]
    return [Table(("考核", "项目", "期间", "得分/名次", "按规则核对", "注"), tuple(rows))]


def _stake_blocks(data: BriefData, notes: Notes) -> list:
    """Points at stake per unit by the scheme's rules, and the assumptions behind them (an appendix)."""
    blocks = [Heading("（一）提分空间", 2)]
    if data.stake.empty:
        blocks.append(Paragraph((("截至本期没有可按规则计分的数值。", ()),)))
    for (scheme_name, item_name), rows in data.stake.groupby(["scheme_name", "item_name"], sort=False):
        blocks.append(Paragraph(((f"{scheme_name} · {item_name}", ()),), small=True))
        blocks.append(Table(("单位", "期间", "现值", "按规则计分", "距下一档", "注"), tuple(
            (row["region"], row["period_label"], value_of(row),
             SCORE_CHECK_NAMES[ScoreCheck.UNDECIDED] if pd.isna(row["computed_points"])
             else points_fraction(row["computed_points"], row["max_points"]),
             row["action"], notes.mark(row)) for row in rows.to_dict("records"))))
    latest = data.points.groupby(["scheme_id", "item_id"]).tail(1)
    assumptions = dict.fromkeys(
        [*(f"{row.item_name}：{row.rule_partial_note}" for row in latest.itertuples()
           if row.rule_is_partial and isinstance(row.rule_partial_note, str)),
         *(note for note in data.stake["assumption"] if note),
         *(f"{row.item_name}（{row.period_label}）：{row.caveat}" for row in data.checks.itertuples()
           if row.caveat and row.period in set(latest["period_id"]))])
    blocks.append(Heading("（二）计分假设与说明", 2))
    blocks += [Paragraph(((f"{number}. {text}", ()),), small=True) for number, text in
               enumerate(assumptions, start=1)] or [Paragraph((("无。", ()),), small=True)]
    return blocks


def _ledger_blocks(problems: pd.DataFrame) -> list:
    by_status = "、".join(f"“{status}”{count}个" for status, count in problems["status"].value_counts().items())
    by_category = "、".join(f"{category}{count}个"
                            for category, count in problems["category"].value_counts(sort=False).items())
    return [Paragraph(((f"通报列出问题{len(problems)}个，整改状态为{by_status}；按类别分，{by_category}。"
                        "通报没有给出各问题的整改时限，因此无法列出逾期或临近到期的事项。", ()),))]


def _reporting_blocks(data: BriefData) -> list:
    held = data.quarters[data.quarters["quarter_index"] == data.quarter_index].iloc[0]
    rows = tuple((row.region_name, "已报送" if row.count_indicators else "未报送", f"{row.count_indicators}项")
                 for row in data.units.itertuples())
    missing = data.findings[data.findings["finding"] == "not_reported"]
    lines = [f"{data.quarter_label}：{int(held['count_reported'])}/{int(held['count_units'])}个区（功能区）有数值；"
             f"{periods.completeness(data.quarters).text()}。"]
    lines += [f"{region_name}未报送：{'、'.join(unit_rows['indicator_name'])}（其他单位本期已报送）。"
              for region_name, unit_rows in missing.groupby("region_name", sort=False)]
    return [*(Paragraph(((line, ()),)) for line in lines), Table(("单位", "本期报送", "有数值的指标"), rows)]


# The appendices, each named in the body's 附件 line and headed 附件N on the pages after the signature.
APPENDICES = ("重点指标趋势图", "省级考核提分空间与计分说明", "数据来源")


def build_document(data: BriefData, pngs: list[bytes] | None = None,
                   created: dt.datetime | None = None) -> Document:
    """The brief as headings, paragraphs, tables and figures: a body of the summary and the tables a
    meeting reads, signed by the bureau, then the appendices (trend charts, scoring detail, sources).
    pngs: the PNGs of images.chart_figures in order (drawn through images.chart_images when not given);
    created: when it is made (now when not given)."""
    figures = images.chart_figures(data)
    if pngs is None:
        pngs = images.chart_images([figure for figure, _ in figures])
    placed = [Figure(png, f"图{number}  {caption}")
              for number, ((_, caption), png) in enumerate(zip(figures, pngs, strict=True), start=1)]
    ranking, trends = (placed[:1], placed[1:]) if data.comparison is not None else ([None], placed)
    notes = Notes()
    clauses = summary_clauses(data)
    scope = f"{data.region_name} · " if data.region_name else ""
    blocks = [
        Heading("一、总体情况"),
        *(Paragraph(((clause.text, notes.refs(clause.sources)),)) for clause in clauses),
        Heading("二、核心指标"),
        _headline_table(data.headline, notes),
        Paragraph((("环比为较上一季度、同比为较上年同季度的变化，比率以百分点计；“—”为无可比数值。"
                    "非本期的指标列其最近一期数值并注明期间。", ()),), small=True),
        Heading("三、区域对比"),
        *_comparison_blocks(data, notes, ranking[0]),
        Paragraph(((f"重点指标趋势图见附件1（{len(trends)}幅）。" if trends else
                    "截至本期，没有跨两个季度以上的核心指标数值，不作趋势图。", ()),)),
        Heading("四、省级考核"), *_assessment_blocks(data, notes),
        Heading("五、整改情况"), *_ledger_blocks(data.problems),
        Heading("六、报送情况"), *_reporting_blocks(data),
        Paragraph(((f"附件：{'　'.join(f'{number}. {name}' for number, name in enumerate(APPENDICES, start=1))}",
                    ()),)),
    ]
    # The documents the notes cite by item ('通报二、4 …'), named as the warehouse stores them.
    notice = f"{data.status['documents']}的条目（以“通报”开头）、" if data.status.get("documents") else ""
    appendix = [
        Heading(f"附件1　{APPENDICES[0]}"),
        *(trends or [Paragraph((("截至本期，没有跨两个季度以上的核心指标数值，不作趋势图。", ()),))]),
        Heading(f"附件2　{APPENDICES[1]}"), *_stake_blocks(data, notes),
        Heading(f"附件3　{APPENDICES[2]}"),
        Paragraph(((f"注号对应下表，每个来源一个注号。“来源”为{notice}载入文件所注的来源，"
                    "或以“计算：”开头，列出算式所用数字的出处。", ()),), small=True),
        notes.table(),
    ]
    bounded = data.long_texts.table
    blocks = [bounded(block) if isinstance(block, Table) else block for block in blocks if block is not None]
    appendix = [bounded(block) if isinstance(block, Table) else block for block in appendix]
    appendix += data.long_texts.blocks()
    as_of = data.facts[data.facts["is_current"]]["end_date"].max()
    as_of_text = f"{as_of.year}年{as_of.month}月{as_of.day}日" if pd.notna(as_of) else "本期无数值"
    status = data.status
    return inert_document(Document(
        masthead=BUREAU,
        title=TITLE,
        subtitle=f"{scope}{data.quarter_label}",
        facts_line=f"数据截至：{as_of_text}　数据版本：第{status['load_id']}次载入（{status['loaded_at']:%Y-%m-%d}）",
        header=f"{BUREAU}　{TITLE}　{scope}{data.quarter_label}",
        blocks=tuple(blocks),
        appendix=tuple(appendix),
        created=created or dt.datetime.now().astimezone(),
        file_stem=file_stem(data.quarter_index, data.region_name),
    ))
