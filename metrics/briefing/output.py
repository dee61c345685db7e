"""The brief as a file: typeset in a format, and written whole or not at all."""

import os
import tempfile
from pathlib import Path

import duckdb

from metrics.briefing import compose, gather, images
from metrics.briefing.model import FORMATS, BriefError, Document


def renderer(fmt: str):
    """The typesetter of a format, imported on first use (WeasyPrint's import alone takes a second)."""
    if fmt == "docx":
        from metrics.briefing import docx
        return docx.render
    from metrics.briefing import pdf
    return pdf.render


def render(document: Document, fmt: str) -> bytes:
    """The document typeset as .docx or .pdf bytes."""
    return renderer(fmt)(document)


def check_writable(out: Path) -> None:
    """Fail before the work when the output's folder is missing or closed to us."""
    folder = out.resolve().parent
    if not folder.is_dir():
        raise BriefError(f"无法写入 {out}：目录 {folder} 不存在")
    if out.is_dir():
        raise BriefError(f"无法写入 {out}：这是一个目录")
    if not os.access(folder, os.W_OK):
        raise BriefError(f"无法写入 {out}：没有目录 {folder} 的写权限")


def write_atomically(data: bytes, out: Path) -> None:
    """Write to a temporary file beside out and rename it, so that no half-written brief remains."""
    check_writable(out)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(name, 0o644)
        os.replace(name, out)
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        raise BriefError(f"无法写入 {out}：{error.strerror}") from error


def brief_bytes(con: duckdb.DuckDBPyConnection, quarter_id: str, region: str | None, fmt: str) -> tuple[str, bytes]:
    """The file name and bytes of a brief, as the CLI writes it and 总览 serves it."""
    if fmt not in FORMATS:
        raise BriefError(f"未知的简报格式“{fmt}”（可选：docx、pdf）")
    gather.resolve(con, quarter_id, region)  # bad input fails before Chromium starts
    images.start_chart_server()  # Chromium boots while the typesetter is imported and the warehouse read
    typeset = renderer(fmt)
    document = compose.build_document(gather.gather(con, quarter_id, region))
    return f"{document.file_stem}.{fmt}", typeset(document)
