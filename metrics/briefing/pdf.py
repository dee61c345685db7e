"""The brief as PDF: HTML and CSS typeset by WeasyPrint (Pango), which embeds subsets of Debian's
CFF-outline Noto CJK fonts; ReportLab cannot ("postscript outlines are not supported"). The 公文 typefaces
(model.typeface) and the metadata (title, author, created) are the Word file's."""

import string
import tempfile
from html import escape
from pathlib import Path

import weasyprint

from metrics.briefing.model import SIZES, Document, Figure, Heading, Paragraph, Table, note_marks, typeface

SHORT_CELL = 10
# A paragraph's text may break after every BREAK_EVERY characters: an appendix holds whole texts
# without a space (a 20,000-letter 依据), which would run off the page.
BREAK_EVERY = 60
CSS = string.Template("""
@page {
    size: A4 portrait;
    margin: 28mm 24mm 24mm 26mm;
    @top-center { content: element(running); vertical-align: bottom; padding-bottom: 3mm;
                  border-bottom: 0.5pt solid #888; }
    @bottom-center { content: "— " counter(page) " —"; font-family: "${table}"; font-size: 9pt; }
}
@page :first { @top-center { content: none; border: none; } }
html { font-family: "${body}"; font-size: ${body_size}pt; line-height: 1.35; color: #111; }
.running { position: running(running); font-size: 8.5pt; color: #555; font-family: "${table}"; }
.marking { font-family: "${heading}"; font-size: 12pt; margin: 0 0 3mm 0; }
.masthead { font-family: "${title}"; font-weight: bold; color: #c00000; font-size: 26pt; text-align: center;
            letter-spacing: 4pt; margin: 0; }
.rule { border: none; border-top: 2pt solid #c00000; margin: 4mm 0 6mm 0; }
.title { font-family: "${title}"; font-weight: bold; font-size: ${title_size}pt; text-align: center;
         margin: 0 0 2mm 0; }
.subtitle { text-align: center; font-family: "${subheading}"; margin: 0; }
.facts { text-align: center; font-size: 9pt; color: #444; margin: 1mm 0 6mm 0; }
h1 { font-family: "${heading}"; font-weight: normal; font-size: ${heading_size}pt; margin: 4mm 0 1.5mm 0;
     page-break-after: avoid; }
h2 { font-family: "${subheading}"; font-weight: bold; font-size: ${subheading_size}pt; margin: 3mm 0 1.5mm 0;
     page-break-after: avoid; }
.signature { margin: 8mm 4em 0 0; text-align: right; page-break-inside: avoid; }
.signature p { margin: 0; text-align: right; }
.appendix { page-break-before: always; }
p { margin: 0 0 1mm 0; text-align: justify; }
p.body { text-indent: 2em; }
p.small { font-size: ${small_size}pt; color: #333; line-height: 1.5; }
sup { font-size: 6.5pt; line-height: 0; color: #444; }
table { width: 100%; border-collapse: collapse; font-family: "${table}"; font-size: ${table_size}pt; line-height: 1.4;
        margin: 1mm 0 3mm 0; }
thead { display: table-header-group; }
th { background: #eef1f5; font-weight: bold; white-space: nowrap; }
td.short { white-space: nowrap; }
td { overflow-wrap: anywhere; }
th, td { border: 0.5pt solid #9aa3ad; padding: 0.4mm 1.2mm; vertical-align: top; text-align: left; }
tr { page-break-inside: avoid; }
figure { margin: 2mm 0 4mm 0; page-break-inside: avoid; }
figure img { width: 62%; display: block; margin: 0 auto; }  /* the body of 3号 text keeps to 2–3 pages */
figcaption { font-size: ${small_size}pt; color: #333; text-align: center; margin-top: 1mm; }
""")


def css() -> str:
    """The stylesheet with the typefaces installed here (model.typeface) and the sizes of GB/T 9704 (model.SIZES)."""
    return CSS.substitute({**{role: typeface(role) for role in ("title", "body", "heading", "subheading", "table")},
                           **{f"{role}_size": size for role, size in SIZES.items()}})


def _notes(numbers: tuple[int, ...]) -> str:
    return f"<sup>{note_marks(numbers)}</sup>" if numbers else ""


def _breakable(text: str) -> str:
    """Escaped text with a <wbr> after every BREAK_EVERY characters."""
    return "<wbr>".join(escape(text[start:start + BREAK_EVERY]) for start in range(0, len(text), BREAK_EVERY))


def _cell(text: str) -> str:
    """A cell; a short one (a value, a status, a change) never breaks across lines."""
    return f'<td class="short">{escape(text)}</td>' if len(text) <= SHORT_CELL else f"<td>{escape(text)}</td>"


def _block(block, images: Path) -> str:
    """HTML of one block; a figure's PNG is written into images and linked (a data: URI of the
    same PNG costs WeasyPrint's HTML parser the better part of a second per brief)."""
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        text = "".join(_breakable(text) + _notes(numbers) for text, numbers in block.runs)
        return f'<p class="{"small" if block.small else "body"}">{text}</p>'
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(column)}</th>" for column in block.columns)
        body = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Figure):
        path = images / f"figure-{len(list(images.iterdir())) + 1}.png"
        path.write_bytes(block.png)
        return (f'<figure><img src="{path.as_uri()}" alt="{escape(block.caption)}">'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    raise TypeError(f"未知的简报内容 {type(block).__name__}")


def html(document: Document, images: Path) -> str:
    body = "\n".join(_block(block, images) for block in document.blocks)
    appendix = "\n".join(_block(block, images) for block in document.appendix)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(document.full_title)}</title>
<meta name="author" content="{escape(document.issuer)}">
<meta name="dcterms.created" content="{document.created.isoformat(timespec='seconds')}">
</head>
<body>
<div class="running">{escape(document.header)}</div>
<p class="marking">{escape(document.marking)}</p>
<p class="masthead">{escape(document.masthead)}</p>
<hr class="rule">
<p class="title">{escape(document.title)}</p>
<p class="subtitle">{escape(document.subtitle)}</p>
<p class="facts">{escape(document.facts_line)}</p>
{body}
<div class="signature"><p>{escape(document.issuer)}</p><p>{escape(document.signed)}</p></div>
<div class="appendix">
{appendix}
</div>
</body></html>"""


def render(document: Document) -> bytes:
    with tempfile.TemporaryDirectory(prefix="brief-images-") as folder:
        stylesheet = weasyprint.CSS(string=css())
        return weasyprint.HTML(string=html(document, Path(folder))).write_pdf(stylesheets=[stylesheet])
