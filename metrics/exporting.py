"""The long CSV form of observations and the indicator catalog."""

import io

import duckdb
import pandas as pd

from metrics.formatting import plain_number
from metrics.store import queries

EXPORT_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "region",
    "period",
    "value",
    "unit",
    "qualifier",
    "source",
    "evidence",
    "period_label",
    "load_id",
]


def observations_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = queries.run(con, "export_observations")
    frame["value"] = frame["value"].map(plain_number)
    frame["load_id"] = frame["load_id"].astype("Int64")
    return frame[EXPORT_COLUMNS]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def neutralised(cell):
    """Text that a spreadsheet would run as a formula, with a leading apostrophe; anything else as is.

    Numbers, and text that reads as a number such as "-3.5", stay as they are. Loading strips the
    apostrophe again (normalise.clean), so what the product writes loads back unchanged.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _is_number(cell):
        return "'" + cell
    return cell


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of the frame neutralised."""
    text_columns = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{c: frame[c].map(neutralised) for c in text_columns})


def to_csv_text(frame: pd.DataFrame) -> str:
    """UTF-8 CSV text with a header; numbers written exactly, formulas neutralised."""
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook, one sheet per frame: a bold header row, then values only — text that a
    spreadsheet would run as a formula neutralised as in every CSV export."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([neutralised(str(column)) for column in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([None if pd.isna(value) else neutralised(value) for value in row])
        for number, column in enumerate(frame.columns, start=1):
            width = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))], default=8)
            sheet.column_dimensions[sheet.cell(row=1, column=number).column_letter].width = min(60, 2 * width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
