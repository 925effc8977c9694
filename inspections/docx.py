"""The circular as a Word document laid out as an official document (公文), GB/T 9704-2012.

The document is Chinese whatever the reader's language: the organ's names, the recipients
and the dates are written as the standard has them, not translated.

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); the
issuing organ's red heading (版头, 中共天津市武清区委组织部 in 小标宋); the document number
with the organ's abbreviation (武组通〔2026〕1号) over a red separator line, drawn as the
paragraph's bottom border (a true line, not characters); the title in 2号小标宋; the main
recipients (主送); the body in 3号仿宋 with two-character first-line indents and a fixed
28 pt line spacing; the organ and the date in Chinese (2026年8月3日) at the foot; page
numbers "— 1 —" at the foot. Fonts are set for East Asian text too (w:eastAsia), so that
Word and WPS do not fall back on a Western font; a machine without 方正小标宋简体 or
仿宋_GB2312 shows its nearest Song or FangSong face.
"""

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from villages.organs import organ

RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"
FANGSONG = "仿宋_GB2312"  # the body (3号仿宋)
XIAOBIAOSONG = "方正小标宋简体"  # the heading and the title (小标宋)
SIZE_3 = 16  # 三号, in points
SIZE_2 = 22  # 二号


def chinese_date(day):
    """2026年8月3日: the date as written in an official document (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(circular):
    """武组通〔2026〕1号."""
    return circular.reference


def main_recipients(county):
    """各镇党委、各街道党工委: the Party committees of the county's townships, by kind."""
    names = list(county.children.values_list("name", flat=True))
    kinds = [
        ("镇", "各镇党委"),
        ("乡", "各乡党委"),
        ("苏木", "各苏木党委"),
        ("街道", "各街道党工委"),
    ]
    found = [label for suffix, label in kinds if any(name.endswith(suffix) for name in names)]
    return "、".join(found or ["各乡镇（街道）党（工）委"])


def _fonts(run, font):
    run.font.name = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)


def _run(paragraph, text, *, size=SIZE_3, bold=False, colour=None, font=FANGSONG):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _fonts(run, font)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _paragraph(document, *, align=None, indent=False, before=0, after=0):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)  # 22 lines a page, as GB/T 9704 sets for 3号 type
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Pt(2 * SIZE_3)  # two characters
    return paragraph


# The elements of a paragraph's properties that come after its border (ECMA-376 CT_PPr).
_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _red_rule(paragraph):
    """The separator under the number: the paragraph's bottom border, red, 1.5 pt."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", RED_HEX)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # Word refuses a paragraph whose properties are out of the schema's order: the border
    # goes before the spacing, the indents and the alignment.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDER)


def _page_numbers(section):
    """— 1 — at the foot of each page (4号 Song, between em dashes)."""
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", size=14, font="宋体")
    run = _run(footer, "", size=14, font="宋体")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _run(footer, " —", size=14, font="宋体")


def circular_document(circular):
    county = circular.county
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    normal.font.name = FANGSONG
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_numbers(section)

    # 版头: the organ's name in red, then the number over the red line.
    head = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=24, after=24)
    head.paragraph_format.line_spacing = Pt(60)
    _run(head, organ(county), size=36, colour=RED, font=XIAOBIAOSONG)
    number = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _run(number, document_number(circular))
    _red_rule(number)
    _paragraph(document)  # one blank line under the red line

    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, after=SIZE_3)
    title.paragraph_format.line_spacing = Pt(36)
    _run(title, circular.title, size=SIZE_2, font=XIAOBIAOSONG)

    recipients = _paragraph(document)
    _run(recipients, main_recipients(county) + "：")
    for line in circular.body.splitlines():
        _run(_paragraph(document, indent=bool(line.strip())), line.strip())

    when = timezone.localtime(circular.published_at or timezone.now()).date()
    _paragraph(document)
    _paragraph(document)
    for text in (organ(county), chinese_date(when)):
        foot = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT)
        foot.paragraph_format.right_indent = Pt(4 * SIZE_3)  # 右空四字
        _run(foot, text)
    return document
