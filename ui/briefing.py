"""生成简报 on 总览: the CLI's brief (metrics.briefing) for the sidebar's quarter and region.

A brief takes seconds, so it is made on a click inside the script run, with a spinner, and then
offered for download. A download button whose data is a callable would run it on Streamlit's event
loop, outside the session, and hold up every other session while Chromium draws the charts."""

import streamlit as st

from metrics import briefing, periods
from ui import common

LABELS = {"docx": "Word", "pdf": "PDF"}
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
MADE = "brief_made"


def _brief(quarter_id: str, region_id: str | None, fmt: str) -> tuple[str, bytes]:
    """File name and bytes, cached per warehouse version, quarter, region and format."""
    return common.data(briefing.brief_bytes, quarter_id, region_id, fmt)


def buttons(quarter_index: int, region_id: str | None) -> None:
    """A 生成简报 button per format; the brief made last, while it is still the sidebar's choice,
    as a download button beside them."""
    quarter_id = periods.quarter_id(quarter_index)
    wanted = (common.current_version(), quarter_id, region_id)
    columns = st.columns([1, 1, 3], vertical_alignment="center")
    for column, fmt in zip(columns, briefing.FORMATS, strict=False):
        if column.button(f"生成简报（{LABELS[fmt]}）", key=f"brief-{fmt}", icon=":material/description:",
                         help="按左侧选择的报告期和地区生成季度简报：总体情况、核心指标、区域对比与趋势图、"
                              "省级考核、整改情况、报送情况和数据来源"):
            with st.spinner("正在生成简报（绘图约需数秒）…"):
                try:
                    _brief(quarter_id, region_id, fmt)
                except briefing.BriefError as error:
                    st.error(f"无法生成简报：{error}", icon=":material/error:")
                    return
            st.session_state[MADE] = (*wanted, fmt)
    made = st.session_state.get(MADE)
    if made and tuple(made[:3]) == wanted:
        fmt = made[3]
        name, data = _brief(quarter_id, region_id, fmt)
        columns[2].download_button(f"下载 {name}", data=data, file_name=name, mime=MIME[fmt], on_click="ignore",
                                   icon=":material/download:", key="brief-download", type="primary")
