"""The circular as a Word document in the layout of an official document (公文).

Red issuing-organ line, the number 〔year〕n号 centred under it, a red rule, the title in
a larger bold face, the body in 仿宋-style size 3 (16 pt) with first-line indents, and
the issuing organ and date at the foot. Fonts fall back on the reader's machine.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

RED = RGBColor(0xC0, 0x00, 0x00)


def _run(paragraph, text, *, size, bold=False, colour=None, font="仿宋"):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def circular_document(circular):
    document = Document()
    organ = _("{county} Party Committee Organization Department").format(
        county=circular.county.name
    )
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        head, _("{organ} document").format(organ=organ), size=26, bold=True, colour=RED, font="宋体"
    )
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, circular.reference, size=16)
    rule = document.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(rule, "━" * 24, size=12, colour=RED)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, circular.title, size=22, bold=True, font="宋体")
    for line in circular.body.splitlines():
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _run(paragraph, line.strip(), size=16)
    when = circular.published_at or timezone.now()
    for text in (organ, timezone.localtime(when).strftime("%Y年%-m月%-d日")):
        foot = document.add_paragraph()
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(foot, text, size=16)
    return document
