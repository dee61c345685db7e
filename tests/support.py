"""Helpers the tests share (fixtures are in conftest.py)."""

from pathlib import Path

from metrics import exporting
from metrics.warehouse import open_reader

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def export_text(db: Path) -> str:
    """The warehouse's `python -m metrics export` text, to compare states byte for byte."""
    con = open_reader(db)
    try:
        return exporting.to_csv_text(exporting.observations_frame(con))
    finally:
        con.close()
