"""The Excel toolkit every export uses: streamed (write-only) workbooks, safe cells.

A cell whose text begins with `=`, `+`, `-` or `@` would be read by Excel as a formula
(CSV/formula injection: a village name like `=HYPERLINK(...)`). Such text is written as
a string with Excel's own "quote prefix" flag, so it shows exactly as typed and is never
evaluated, not even when a user edits the cell.

Dates are written as dates, numbers as numbers, never as text: an official sorts, filters
and sums them in Excel or WPS. A date shows in the long Chinese form 2026年3月10日
(`DATE_FORMAT`, Excel's own built-in Chinese date format, numFmt 31 in a Chinese Excel,
and the way dates are written in official documents, GB/T 9704 and GB/T 15835), so that
the cell reads the same as the paper ledger and needs no explanation of its order.

Every sheet is set up for printing as a ledger is filed: A4 landscape, every column on
the page width (as many pages down as needed), the title and header rows repeated on each
page, and wider left and top margins for binding.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="top", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TITLE_FONT = Font(bold=True, size=14)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
# Inches, as Excel keeps them: 2.5 cm on the binding side (left) and top, 1.5 cm elsewhere.
BINDING_MARGINS = {
    "left": 1.0,
    "top": 1.0,
    "right": 0.6,
    "bottom": 0.6,
    "header": 0.4,
    "footer": 0.3,
}


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how to read the value off a row object."""

    header: Any
    value: Callable[..., Any] | None  # None: the 序号 column, numbered by the writer
    width: int = 14
    wrap: bool = False  # long text: wrapped in its cell


def _cell(ws, value, font=None, fill=None, alignment=None):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=str(value) if _is_lazy(value) else value)
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def _needs_cell(value):
    """Whether a value must go through _cell (a formula trigger, a time zone, lazy text);
    anything else is appended as it is, which is several times faster in write-only mode."""
    if isinstance(value, str):
        return value.startswith(FORMULA_TRIGGERS)
    if isinstance(value, datetime.date):
        return True  # a date cell carries its Chinese number format
    return _is_lazy(value)


def _is_lazy(value):
    return type(value).__name__ == "__proxy__"


def row_values(columns: list[Column], obj: Any) -> list[Any]:
    """The row of `obj` under `columns` (no 序号: the writer numbers the rows) as plain data,
    lazy text made text: to be written elsewhere with XlsxTable.append_values (a report
    built in parts, by other processes)."""
    values = []
    for column in columns:
        assert column.value is not None, "only the writer's 序号 column reads no value"
        value = column.value(obj)
        values.append(str(value) if _is_lazy(value) else value)
    return values


class XlsxTable:
    """A one-sheet workbook in write-only mode, laid out like a paper form: a title row,
    optional group headers merged over their columns, the header row (frozen, with an
    autofilter), then one row per object, optionally numbered (序号)."""

    def __init__(self, *, sheet_title, title, columns, groups=None, numbered=False, workbook=None):
        # A table may be one sheet of a larger workbook (the quarterly report).
        self.workbook = workbook or Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=str(sheet_title)[:31])
        self.numbered = numbered
        self.columns = ([Column(_number_header(), None, 6)] if numbered else []) + list(columns)
        for index, column in enumerate(self.columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        last = get_column_letter(len(self.columns))
        header_row = 3 if groups else 2
        # Keep the title and headers in view while scrolling. Write-only sheets write their
        # view with the first row: it must be set before anything is appended.
        self.sheet.freeze_panes = f"A{header_row + 1}"
        print_setup(self.sheet, title_rows=header_row)
        self.sheet.append([_cell(self.sheet, str(title), font=TITLE_FONT, alignment=CENTRED)])
        self.sheet.merged_cells.add(f"A1:{last}1")
        if groups:
            row, start = [], 1
            if numbered:
                row.append(_cell(self.sheet, "", fill=HEADER_FILL))
                start = 2
            for label, span in groups:
                row.append(
                    _cell(
                        self.sheet,
                        str(label),
                        font=HEADER_FONT,
                        fill=HEADER_FILL,
                        alignment=CENTRED,
                    )
                )
                row.extend(_cell(self.sheet, None, fill=HEADER_FILL) for _ in range(span - 1))
                if span > 1:
                    end = start + span - 1
                    self.sheet.merged_cells.add(
                        f"{get_column_letter(start)}2:{get_column_letter(end)}2"
                    )
                start += span
            assert start - 1 == len(self.columns), "groups must span every column"
            self.sheet.append(row)
        self.sheet.append(
            [
                _cell(
                    self.sheet, str(c.header), font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTRED
                )
                for c in self.columns
            ]
        )
        self.header_row = header_row
        self._last = last
        self.rows = 0

    def append(self, obj):
        first = 1 if self.numbered else 0
        self.append_values([column.value(obj) for column in self.columns[first:]])

    def append_values(self, values):
        self.rows += 1
        cells = [self.rows] if self.numbered else []
        for column, value in zip(self.columns[len(cells) :], values, strict=True):
            if column.wrap or _needs_cell(value):
                value = _cell(self.sheet, value, alignment=WRAPPED if column.wrap else None)
            cells.append(value)
        self.sheet.append(cells)

    def close(self):
        """Finish the sheet (its autofilter covers the rows written)."""
        first, last_row = self.header_row, self.header_row + self.rows
        self.sheet.auto_filter.ref = f"A{first}:{self._last}{last_row}"

    def save(self, fileobj):
        self.close()
        self.workbook.save(fileobj)


def print_setup(sheet: Worksheet, *, title_rows: int) -> Worksheet:
    """A4 landscape, fit to the page width, rows 1..title_rows on every page, margins for
    binding. Works on write-only and ordinary sheets alike."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    # openpyxl gives every sheet its pageSetUpPr; its stubs say it may be None.
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.print_options.horizontalCentered = True
    for side, inches in BINDING_MARGINS.items():
        setattr(sheet.page_margins, side, inches)
    if title_rows:
        sheet.print_title_rows = f"1:{title_rows}"
    return sheet


def month_label(month: datetime.date) -> str:
    """A month as a heading reads it: 2026年3月 (in English, March 2026)."""
    from django.utils.formats import date_format

    return date_format(month, "YEAR_MONTH_FORMAT")


def _number_header():
    from django.utils.translation import gettext

    return gettext("No.")
