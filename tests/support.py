"""Helpers the tests share (fixtures are in conftest.py)."""

from pathlib import Path

from metrics import exporting, ingest
from metrics.warehouse import open_reader

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def export_text(db: Path) -> str:
    """The warehouse's `python -m metrics export` text, to compare states byte for byte."""
    con = open_reader(db)
    try:
        return exporting.to_csv_text(exporting.observations_frame(con))
    finally:
        con.close()


# 2024Q3 for every district and zone, 2024Q4 for three of them: what a second and a third quarter
# of reports look like, loaded through the product's own loader.
TWO_QUARTERS_CSV = """指标名称,地区,期间,数值,限定,来源,依据
综合窗口可办事项占比(一窗通办),华容区,2024Q3,98.1,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q3,91.2,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),梁子湖区,2024Q3,95.5,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2024Q3,95,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q3,82.3,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q3,100,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.6,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q4,89.5,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q4,84,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q4,100,,2024年第四季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q3,3,,2024年第三季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q4,5,,2024年第四季度报表,
监管行为推送数据量,鄂州市,2024Q3,36000000,,2024年第三季度报表,
监管行为推送数据量,鄂州市,2024Q4,39000000,,2024年第四季度报表,
"""


def load_text(db: Path, name: str, text: str) -> ingest.LoadResult:
    """Validate and load a CSV text as a user's file would be, refusing it on any problem."""
    con = open_reader(db)
    try:
        validation = ingest.validate(con, ingest.read_upload(name, text.encode("utf-8")))
    finally:
        con.close()
    assert validation.ok, validation.errors.to_dict("records")
    return ingest.apply(db, validation, user="测试")
