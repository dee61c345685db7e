"""The brief as Word: python-docx with real headings, tables and inline pictures, so that staff
can still edit it; the 公文 typefaces (model.typeface) and the metadata of the PDF."""

import datetime as dt
import io

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from metrics.briefing.model import SIZES, Document, Figure, Heading, Paragraph, Table, note_marks, typeface

RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_WIDTH_MM = 160
THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_font(font, name: str) -> None:
    """Latin and East Asian font on a style's or run's font, theme fonts removed (they win otherwise)."""
    font.name = name
    fonts = font.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    for attribute in THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)


def _styles(document) -> None:
    styles = document.styles
    _set_font(styles["Normal"].font, typeface("body"))
    styles["Normal"].font.size = Pt(SIZES["body"])
    for name, role, bold in (("Title", "title", True), ("Heading 1", "heading", False),
                             ("Heading 2", "subheading", True)):
        style = styles[name]
        _set_font(style.font, typeface(role))
        style.font.size = Pt(SIZES[role])
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(styles["Caption"].font, typeface("table"))
    styles["Caption"].font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    styles["Caption"].font.italic = False


def _page(document, header: str) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(28), Mm(24)
    section.left_margin, section.right_margin = Mm(26), Mm(24)
    heading = section.header.paragraphs[0]
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(header).font.size = Pt(8.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _page_field(footer.add_run())
    footer.add_run(" —")


def _page_field(run) -> None:
    """A PAGE field: Word fills in the page number."""
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _red_rule(paragraph) -> None:
    """A red line under the masthead, as a paragraph's bottom border."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "16"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _title_block(document, brief: Document) -> None:
    marking = document.add_paragraph().add_run(brief.marking)
    _set_font(marking.font, typeface("heading"))
    marking.font.size = Pt(12)
    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = masthead.add_run(brief.masthead)
    _set_font(run.font, typeface("title"))
    run.font.size, run.font.bold, run.font.color.rgb = Pt(26), True, RED
    _red_rule(masthead)
    document.add_paragraph(brief.title, style="Title")
    for text, size in ((brief.subtitle, SIZES["body"]), (brief.facts_line, SIZES["small"])):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(text).font.size = Pt(size)


def _table(document, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on every page
    for cell, column in zip(header.cells, table.columns, strict=True):
        cell.text = column
        cell.paragraphs[0].runs[0].font.bold = True
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
    for row in grid.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                _set_font(run.font, typeface("table"))
                run.font.size = Pt(SIZES["table"])


def _paragraph(document, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    if not block.small:
        paragraph.paragraph_format.first_line_indent = Pt(2 * SIZES["body"])  # two characters
    for text, numbers in block.runs:
        run = paragraph.add_run(text)
        if block.small:
            run.font.size = Pt(SIZES["small"])
        if numbers:
            paragraph.add_run(note_marks(numbers)).font.superscript = True


def _signature(document, brief: Document) -> None:
    """The issuer and the date at the right, four characters in from the margin (GB/T 9704)."""
    for text in (brief.issuer, brief.signed):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.right_indent = Pt(44)
        line.paragraph_format.space_after = Pt(0)
        line.add_run(text)
    document.paragraphs[-2].paragraph_format.space_before = Pt(24)


def _metadata(document, brief: Document) -> None:
    properties = document.core_properties
    properties.title = brief.full_title
    properties.author = properties.last_modified_by = brief.issuer
    # Word's core properties hold UTC (python-docx writes the time given with a Z).
    properties.created = properties.modified = brief.created.astimezone(dt.UTC).replace(tzinfo=None)
    properties.comments = ""


def render(brief: Document) -> bytes:
    document = new_document()
    _styles(document)
    _page(document, brief.header)
    _metadata(document, brief)
    _title_block(document, brief)
    _blocks(document, brief.blocks)
    _signature(document, brief)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _blocks(document, brief.appendix)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _blocks(document, blocks) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            _paragraph(document, block)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            document.add_picture(io.BytesIO(block.png), width=Mm(TEXT_WIDTH_MM))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.add_paragraph(block.caption, style="Caption")
        else:
            raise TypeError(f"未知的简报内容 {type(block).__name__}")
