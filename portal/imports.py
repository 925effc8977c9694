"""Excel imports with a preview: upload, see every error by row and cell, then confirm.

An app registers an `ImportSpec` (columns, how to read each cell, how to check a row,
how to commit the rows through its services). Nothing is written until the user
confirms, and then all rows are written or none: the commit runs in one transaction and
any refusal rolls it back. The file is read again at confirmation, so what is committed
is what was checked against the database as it is then.
"""

import datetime
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from portal.excel import HEADER_FILL, HEADER_FONT

REGISTRY = {}


class CellError(ValueError):
    """A cell that cannot be read; the message is shown in that cell of the preview."""


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: Any  # lazy translated header, as in the template
    parse: Callable = None  # (text, context) -> value; raises CellError
    required: bool = False
    example: Any = ""
    width: int = 16
    # The model field's limit: a longer cell is marked in the preview, not refused at commit.
    max_length: int | None = None


@dataclass
class ImportRow:
    line: int
    cells: dict  # key -> text as in the file
    data: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # key -> message; "" for the whole row


@dataclass
class ImportPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def error_count(self):
        return len(self.file_errors) + sum(len(row.errors) for row in self.rows)


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    title: Any
    permission: str
    columns: list
    # (rows, context) -> None: adds errors to rows (duplicates, scope, database checks).
    check: Callable
    # (rows, context) -> count: writes through the services; raises ValidationError.
    commit: Callable
    # Extra form fields' values the import needs (e.g. the campaign), as context keys.
    context_keys: tuple = ()
    done_url: str = "home"

    @property
    def headers(self):
        return [str(column.header) for column in self.columns]


def register(spec):
    REGISTRY[spec.kind] = spec
    return spec


def get(kind):
    return REGISTRY[kind]


def field_max_length(model, name):
    """The max_length of a model's field, for an ImportColumn's max_length."""
    return model._meta.get_field(name).max_length


# --- Reading cells ---------------------------------------------------------------------------


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(raw, context=None):
    match = DATE_PATTERN.match(raw)
    if not match:
        raise CellError(_("Not a date: write it as 2026-12-31."))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("Not a date: write it as 2026-12-31.")) from None


def parse_int(low, high):
    def parse(raw, context=None):
        if not re.fullmatch(r"-?\d+", raw):
            raise CellError(_("Not a whole number."))
        value = int(raw)
        if not low <= value <= high:
            raise CellError(_("Must be between {low} and {high}.").format(low=low, high=high))
        return value

    return parse


# --- Preview and commit ----------------------------------------------------------------------


def read(spec, handle, context):
    """Read and check an uploaded workbook: an ImportPreview with every error found."""
    preview = ImportPreview()
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        preview.file_errors.append(_("This is not an Excel workbook (.xlsx)."))
        return preview
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [text(value) for value in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        if header != spec.headers:
            preview.file_errors.append(
                _("The columns are “{found}”; the template's are “{expected}”.").format(
                    found="、".join(header), expected="、".join(spec.headers)
                )
            )
            return preview
        limit = settings.IMPORT_MAX_ROWS
        for line, values in enumerate(rows, start=2):
            cells = [text(value) for value in values[: len(spec.columns)]]
            if not any(cells):
                continue
            if len(preview.rows) >= limit:
                preview.file_errors.append(
                    _("More than {limit} rows: split the file.").format(limit=limit)
                )
                preview.rows = []
                return preview
            cells += [""] * (len(spec.columns) - len(cells))
            preview.rows.append(_read_row(spec, line, cells, context))
    finally:
        workbook.close()
    if not preview.rows:
        preview.file_errors.append(_("The file has no rows to import."))
        return preview
    spec.check(preview.rows, context)
    return preview


def _read_row(spec, line, cells, context):
    row = ImportRow(line=line, cells=dict(zip((c.key for c in spec.columns), cells, strict=True)))
    for column, raw in zip(spec.columns, cells, strict=True):
        if not raw:
            if column.required:
                row.errors[column.key] = _("Required.")
            row.data[column.key] = None
            continue
        try:
            if column.max_length and len(raw) > column.max_length:
                raise CellError(
                    _("At most {limit} characters; this cell has {count}.").format(
                        limit=column.max_length, count=len(raw)
                    )
                )
            row.data[column.key] = column.parse(raw, context) if column.parse else raw
        except CellError as error:
            row.errors[column.key] = str(error)
    return row


def commit(spec, handle, context):
    """Check the file again and write every row, or none: (preview, rows written)."""
    preview = read(spec, handle, context)
    if not preview.ok:
        return preview, 0
    try:
        with transaction.atomic():
            written = spec.commit(preview.rows, context)
    except ValidationError as error:
        preview.file_errors.append(
            _("Nothing was imported: {error}").format(error=" ".join(error.messages))
        )
        return preview, 0
    return preview, written


def template(spec):
    """The workbook to fill in: the header row and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(spec.title)[:31]
    sheet.append(spec.headers)
    sheet.append([str(column.example) for column in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = column.width
    sheet.freeze_panes = "A2"
    return workbook
