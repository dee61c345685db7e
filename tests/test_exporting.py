"""Exports are safe to open in a spreadsheet: formulas neutralised, numbers untouched."""

import pandas as pd
from support import export_text

from metrics import ingest
from metrics.exporting import neutralise_formulas, to_csv_text


def test_formula_like_text_gets_an_apostrophe_and_numbers_stay():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)", "-abc", "-3.5", "+1", "普通文字",
                     "'; drop table observations; --"],
            "value": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["text"].tolist() == ["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd", "'@SUM(A1)", "'-abc", "-3.5",
                                     "+1", "普通文字", "'; drop table observations; --"]
    assert safe["value"].tolist() == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def test_csv_text_is_neutralised():
    text = to_csv_text(pd.DataFrame({"source": ["=1+1"], "value": ["-5"]}))
    assert text == "source,value\n'=1+1,-5\n"


def test_rows_that_tie_on_end_date_export_in_one_fixed_order(fresh_db):
    # A quarter and its last month end on the same day; the export orders them by period id.
    rows = [f"one_window_items,{region},{period},{n},,季报"
            for n, (region, period) in enumerate((r, p) for p in ("2031Q1", "2031-03") for r in ("华容区", "鄂城区"))]
    validation = ingest.check_file(fresh_db, write(fresh_db.parent / "tie.csv",
                                                   "指标编码,地区,期间,数值,限定,来源\n" + "\n".join(rows) + "\n"))
    ingest.apply(fresh_db, validation, user="测试")
    exports = {export_text(fresh_db) for _ in range(5)}
    assert len(exports) == 1
    tied = [line.split(",")[2:4] for line in exports.pop().splitlines() if "2031" in line]
    assert tied == [["鄂城区", "2031-03"], ["鄂城区", "2031Q1"], ["华容区", "2031-03"], ["华容区", "2031Q1"]]


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path
