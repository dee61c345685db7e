"""Exports are safe to open in a spreadsheet: formulas neutralised, numbers untouched."""

import pandas as pd

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
