"""The Excel toolkit every export uses: streamed (write-only) workbooks, safe cells.

A cell whose text begins with `=`, `+`, `-` or `@` would be read by Excel as a formula
(CSV/formula injection: a village name like `=HYPERLINK(...)`). Such text is written as
a string with Excel's own "quote prefix" flag, so it shows exactly as typed and is never
evaluated, not even when a user edits the cell.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TITLE_FONT = Font(bold=True, size=14)


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how to read the value off a row object."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 14


def _cell(ws, value, font=None, fill=None):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=str(value) if _is_lazy(value) else value)
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    return cell


def _is_lazy(value):
    return type(value).__name__ == "__proxy__"


class XlsxTable:
    """A one-sheet workbook in write-only mode: title row, header row, then data rows."""

    def __init__(self, *, sheet_title, title, columns):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=str(sheet_title)[:31])
        self.columns = columns
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        # Freeze the title and header rows so they stay in view while scrolling.
        self.sheet.freeze_panes = "A3"
        self.sheet.append([_cell(self.sheet, str(title), font=TITLE_FONT)])
        self.sheet.append(
            [_cell(self.sheet, str(c.header), font=HEADER_FONT, fill=HEADER_FILL) for c in columns]
        )
        last = get_column_letter(len(columns))
        self._filter_ref = f"A2:{last}"
        self.rows = 0

    def append(self, obj):
        self.sheet.append([_cell(self.sheet, column.value(obj)) for column in self.columns])
        self.rows += 1

    def save(self, fileobj):
        self.sheet.auto_filter.ref = f"{self._filter_ref}{self.rows + 2}"
        self.workbook.save(fileobj)

