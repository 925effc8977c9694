"""Excel imports with a preview: upload, see every error by row and cell, then confirm.

An app registers an `ImportSpec` (columns, how to read each cell, how to check a row,
how to commit the rows through its services). Nothing is written until the user
confirms, and then all rows are written or none: the commit runs in one transaction and
any refusal rolls it back.

The workbook is read once, at upload (`batch_create`), and bounded before and while it is
read, so that a small file cannot hold a worker (`read_workbook`): the zip's directory
and every part's unzipped size and compression ratio before anything is unzipped; then
every XML part streamed through expat, counting rows (blank ones included), columns,
cells and characters, and stopping at the first limit passed; only then openpyxl, in
read-only mode and told how many rows and columns to read. A file beyond a limit is
refused at the upload form, with the limit and the figure. What was read (each row's
cell texts) is kept on the ImportBatch: the preview and the confirmation check those
texts against the database as it is then, and never open the file again.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, cast
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Field, Model
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from portal.excel import DATE_FORMAT, HEADER_FILL, HEADER_FONT, print_setup
from portal.models import ImportBatch, User
from portal.uploads import MB, check_zip_directory, megabytes

REGISTRY: dict[str, ImportSpec] = {}


class CellError(ValueError):
    """A cell that cannot be read; the message is shown in that cell of the preview."""


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: Any  # lazy translated header, as in the template
    parse: Callable[..., Any] | None = None  # (text, context) -> value; raises CellError
    required: bool = False
    example: Any = ""
    width: int = 16
    # The model field's limit: a longer cell is marked in the preview, not refused at commit.
    max_length: int | None = None
    # Older headers of the same column, still accepted (a template downloaded last year).
    aliases: tuple = ()

    def accepts(self, header):
        return header in {_header_key(str(h)) for h in (self.header, *self.aliases)}


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
    # user -> {key: value}: the template's example row in the user's own area (a village he
    # may import for, a dispatching unit of his county), over each column's `example`.
    examples: Callable | None = None

    @property
    def headers(self):
        return [str(column.header) for column in self.columns]


def register(spec: ImportSpec) -> ImportSpec:
    REGISTRY[spec.kind] = spec
    return spec


def get(kind: str) -> ImportSpec:
    return REGISTRY[kind]


def field_max_length(model: type[Model], name: str) -> int | None:
    """The max_length of a model's field, for an ImportColumn's max_length."""
    return cast(Field, model._meta.get_field(name)).max_length


# --- Reading cells ---------------------------------------------------------------------------


def text(value: object) -> str:
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
_SPACES = re.compile(r"\s+")


def digits(raw: str) -> str:
    """A code or a number as typed with a Chinese input method: full-width digits and
    letters (１２０１…) made ASCII (NFKC), and every space (full-width ones too) removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw))


def parse_date(raw: str, context: dict[str, Any] | None = None) -> datetime.date:
    match = DATE_PATTERN.match(digits(raw))
    if not match:
        raise CellError(_("Not a date: write it as 2026-12-31."))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("Not a date: write it as 2026-12-31.")) from None


def parse_int(low: int, high: int) -> Callable[..., int]:
    def parse(raw, context=None):
        raw = digits(raw)
        if not re.fullmatch(r"-?\d+", raw):
            raise CellError(_("Not a whole number."))
        value = int(raw)
        if not low <= value <= high:
            raise CellError(_("Must be between {low} and {high}.").format(low=low, high=high))
        return value

    return parse


# --- Reading the workbook, once and bounded ---------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded workbook is read at most (settings IMPORT_MAX_*)."""

    upload_mb: int
    unzipped_mb: int
    part_mb: int
    zip_ratio: int  # for a part above 1 MB unzipped
    rows: int  # rows with data
    sheet_rows: int  # rows of a sheet, blank ones and the declared range included
    columns: int
    cells: int
    cell_chars: int

    @classmethod
    def from_settings(cls):
        return cls(
            upload_mb=settings.IMPORT_MAX_MB,
            unzipped_mb=settings.IMPORT_MAX_UNZIPPED_MB,
            part_mb=settings.IMPORT_MAX_PART_MB,
            zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
            sheet_rows=settings.IMPORT_MAX_SHEET_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cells=settings.IMPORT_MAX_CELLS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )

    @property
    def elements(self):
        # XML elements in all parts: a cell is <c>, <v> and perhaps <f> or <is><t>; the
        # allowance covers styles, theme and relationships.
        return 4 * self.cells + 20000


# Parts that are archives themselves: a workbook never needs one to be imported.
NESTED_ARCHIVES = (
    ".zip", ".xlsx", ".xlsm", ".xlsb", ".xltx", ".docx", ".docm", ".pptx", ".jar", ".gz",
    ".tgz", ".bz2", ".xz", ".7z", ".rar", ".cab",
)  # fmt: skip
_CHUNK = 64 * 1024
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,10})")
# The ways a file that passed the checks can still fail inside openpyxl or zipfile.
_BROKEN = (
    InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError,
    IndexError, ValueError, TypeError, AttributeError, SyntaxError,
)  # fmt: skip


def _refuse(message):
    raise ValidationError(message)


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _damaged(name):
    return _(
        "The workbook is damaged (part {name}): open it in Excel or WPS, save it again and "
        "upload that."
    ).format(name=name[:80])


def _check_members(archive, limits):
    """The zip's directory: names, methods, unzipped sizes and ratios, before unzipping."""
    seen = set()
    total = 0
    for info in archive.infolist():
        name, lowered = info.filename, info.filename.lower()
        parts = name.split("/")
        if (
            name in seen
            or name.startswith("/")
            or any(char in name for char in "\\:\x00")
            or ".." in parts
        ):
            _refuse(
                _(
                    "A part of the workbook has an unusual name ({name}): open it in Excel "
                    "or WPS, save it again and upload that."
                ).format(name=name[:80])
            )
        seen.add(name)
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            _refuse(
                _(
                    "A part of the workbook ({name}) is encrypted or compressed in an unusual "
                    "way: open it in Excel or WPS, save it again and upload that."
                ).format(name=name[:80])
            )
        if lowered.endswith(NESTED_ARCHIVES):
            _refuse(
                _(
                    "The workbook contains another archive ({name}); files inside files are "
                    "not accepted."
                ).format(name=name[:80])
            )
        if lowered.endswith("vbaproject.bin"):
            _refuse(_("The workbook contains macros; upload an .xlsx without macros."))
        total += info.file_size
    if total > limits.unzipped_mb * MB:
        _refuse(
            _("The workbook unpacks to {size} MB; at most {limit} MB are accepted.").format(
                size=megabytes(total), limit=limits.unzipped_mb
            )
        )
    for info in archive.infolist():
        if info.file_size > limits.part_mb * MB:
            _refuse(
                _(
                    "A part of the workbook ({name}) unpacks to {size} MB; at most {limit} MB "
                    "are accepted for one part."
                ).format(
                    name=info.filename[:80], size=megabytes(info.file_size), limit=limits.part_mb
                )
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.zip_ratio:
            _refuse(
                _(
                    "A part of the workbook ({name}) is compressed {ratio:,.0f} times; at most "
                    "{limit} times is accepted (a compression bomb)."
                ).format(name=info.filename[:80], ratio=ratio, limit=limits.zip_ratio)
            )


class _Scan:
    """Stream every XML part through expat, counting, and refuse at the first limit passed.

    Nothing is kept but counters: a part is never held whole, whatever it declares."""

    def __init__(self, limits):
        self.limits = limits
        self.elements = 0
        self.max_elements = limits.elements
        self.cells = 0
        self.texts = 0

    def part(self, archive, info):
        self.rows = self.last_row = self.row_cells = 0
        self.cell = None  # the cell (or shared text) whose characters are being counted
        self.chars = self.run = 0
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        # Excel never writes a DTD: entities are how an XML file expands (billion laughs).
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.CharacterDataHandler = self._data
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
            # Not XML, or unzipping gives other bytes than the directory declares (its
            # size or checksum): zipfile never unzips more than the declared size.
            _refuse(_damaged(info.filename))

    def _doctype(self, *args):
        _refuse(
            _(
                "The workbook contains a document type declaration, which Excel and WPS "
                "never write; it is not accepted."
            )
        )

    def _start(self, name, attrs):
        # Called for every element: kept cheap (no end handler; a cell's characters are
        # counted from its start to the next cell's).
        self.run = 0
        self.elements += 1
        limits = self.limits
        tag = name[name.rfind("}") + 1 :]
        if tag == "c":
            self._cell(attrs.get("r", ""))
        elif tag == "row":
            self._row(attrs.get("r"))
        elif tag == "si":
            self.texts += 1
            if self.texts > limits.cells:
                _refuse(
                    _("The workbook has more than {limit} different texts.").format(
                        limit=limits.cells
                    )
                )
            self.cell, self.chars = "", 0
        elif tag == "dimension":
            self._dimension(attrs.get("ref", ""))
        if self.elements > self.max_elements:
            _refuse(
                _(
                    "The workbook has more than {limit} XML elements; it is not an ordinary "
                    "spreadsheet."
                ).format(limit=limits.elements)
            )

    def _row(self, ref):
        limits = self.limits
        self.rows += 1
        self.cell = None
        if ref is None:
            self.last_row += 1
        elif ref.isascii() and ref.isdigit() and len(ref) <= 10:
            self.last_row = int(ref)
        else:
            _refuse(_damaged("row"))
        self.row_cells = 0
        if self.rows > limits.sheet_rows or self.last_row > limits.sheet_rows:
            _refuse(
                _(
                    "The sheet has more than {limit} rows, blank rows included: delete the "
                    "empty rows below the data, or split the file."
                ).format(limit=limits.sheet_rows)
            )

    def _cell(self, ref):
        limits = self.limits
        self.cells += 1
        self.row_cells += 1
        match = _CELL_REF.fullmatch(ref)
        column = _column_number(match[1]) if match else self.row_cells
        if self.cells > limits.cells:
            _refuse(_("The workbook has more than {limit} cells.").format(limit=limits.cells))
        if column > limits.columns or self.row_cells > limits.columns:
            _refuse(
                _(
                    "Row {row} of the sheet reaches column {column}; at most {limit} "
                    "columns are accepted."
                ).format(
                    row=self.last_row,
                    column=max(column, self.row_cells),
                    limit=limits.columns,
                )
            )
        self.cell, self.chars = ref or str(self.last_row), 0

    def _dimension(self, ref):
        limits = self.limits
        last = ref.rpartition(":")[2]
        match = _CELL_REF.fullmatch(last)
        if match and int(match[2]) > limits.sheet_rows:
            _refuse(
                _(
                    "The sheet declares {rows:,} rows ({ref}); at most {limit} are "
                    "accepted, blank rows included."
                ).format(rows=int(match[2]), ref=ref[:40], limit=limits.sheet_rows)
            )
        if match and _column_number(match[1]) > limits.columns:
            _refuse(
                _(
                    "The sheet declares {columns:,} columns ({ref}); at most {limit} are accepted."
                ).format(
                    columns=_column_number(match[1]),
                    ref=ref[:40],
                    limit=limits.columns,
                )
            )

    def _data(self, text):
        self.run += len(text)
        if self.cell is not None:
            self.chars += len(text)
        if max(self.chars, self.run) > self.limits.cell_chars:
            if self.cell:
                _refuse(
                    _("Cell {cell} has more than {limit} characters.").format(
                        cell=self.cell[:20], limit=self.limits.cell_chars
                    )
                )
            _refuse(
                _("A text in the workbook has more than {limit} characters.").format(
                    limit=self.limits.cell_chars
                )
            )


def _looks_like_xml(archive, info):
    """A part openpyxl might parse as XML, whatever its name; a nested zip is refused."""
    if info.is_dir():
        return False
    try:
        with archive.open(info) as stream:
            head = stream.read(64)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        _refuse(_damaged(info.filename))
    if head.startswith(b"PK\x03\x04"):
        _refuse(
            _(
                "The workbook contains another archive ({name}); files inside files are "
                "not accepted."
            ).format(name=info.filename[:80])
        )
    lowered = info.filename.lower()
    return (
        lowered.endswith((".xml", ".rels"))
        or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        or head.lstrip()[:1] == b"<"
        or (head and not head.lstrip())
    )


def _bounded_rows(handle, limits):
    """The first sheet's rows as values, from openpyxl, once the file has passed the scan."""
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except _BROKEN:
        _refuse(_("This is not an Excel workbook (.xlsx)."))
    sheet = None
    try:
        sheet = workbook.worksheets[0]
        # Told where to stop: openpyxl fills gaps between rows with blank ones.
        yield from sheet.iter_rows(
            max_row=limits.sheet_rows, max_col=limits.columns, values_only=True
        )
    except _BROKEN:
        _refuse(_damaged(getattr(sheet, "title", "workbook")))
    finally:
        workbook.close()


def read_workbook(
    spec: ImportSpec, handle: IO[bytes], limits: Limits | None = None
) -> tuple[list[list[Any]], list[str]]:
    """Read an uploaded workbook once, within the limits: (rows, file_errors).

    Each row is [line, [text, …]] with one text per column of the spec. A file beyond a
    limit, damaged, or no workbook at all raises ValidationError, and is read no further;
    the wrong columns, too many rows or none are file errors for the preview.
    """
    limits = limits or Limits.from_settings()
    check_zip_directory(handle)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        _refuse(_("This is not an Excel workbook (.xlsx)."))
    with archive:
        _check_members(archive, limits)
        scan = _Scan(limits)
        for info in archive.infolist():
            if _looks_like_xml(archive, info):
                scan.part(archive, info)
    rows = _bounded_rows(handle, limits)
    found: list[str] = []
    positions, first_line, matched = None, 0, 0
    for first_line, values in enumerate(rows, start=1):
        header = [_header_key(text(value)) for value in values]
        positions = _positions(spec, header)
        if positions is not None:
            break
        # The row most like the header row, to name what it lacks.
        known = sum(any(c.accepts(h) for h in header if h) for c in spec.columns)
        if (not found and any(header)) or known > matched:
            found, matched = header, known
        if first_line >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        rows.close()
        while found and not found[-1]:
            found.pop()
        errors = [
            _("The columns are “{found}”; the template's are “{expected}”.").format(
                found="、".join(found), expected="、".join(spec.headers)
            )
        ]
        if matched:
            missing = [
                str(c.header)
                for c in spec.columns
                if c.required and not any(c.accepts(h) for h in found if h)
            ]
            errors.append(
                _("Columns the import needs are missing: {columns}.").format(
                    columns="、".join(missing)
                )
            )
        return [], errors
    read: list[list[Any]] = []
    for line, values in enumerate(rows, start=first_line + 1):
        cells = [text(values[i]) if i is not None and i < len(values) else "" for i in positions]
        if not any(cells):
            continue
        if len(read) >= limits.rows:
            rows.close()
            return [], [_("More than {limit} rows: split the file.").format(limit=limits.rows)]
        read.append([line, cells])
    if not read:
        return [], [_("The file has no rows to import.")]
    return read, []


# The header row is looked for in the first rows: an exported list has its title (merged
# over the columns) and group headers above it.
HEADER_SEARCH_ROWS = 10


def _header_key(header):
    # A header wrapped on two lines in Excel (Alt+Enter), or padded with spaces.
    return _SPACES.sub("", header)


def _positions(spec, header):
    """Where each of the spec's columns is in a row of headers, or None when the row is not
    the header row (a required column is missing). Other columns (an export's 序号, status
    or dates of its own) are ignored; an optional column left out reads as empty."""
    positions = []
    for column in spec.columns:
        index = next((i for i, h in enumerate(header) if h and column.accepts(h)), None)
        if index is None and column.required:
            return None
        positions.append(index)
    return positions


# --- Upload, preview and commit ----------------------------------------------------------------


@transaction.atomic
def batch_create(
    *,
    spec: ImportSpec,
    upload: UploadedFile,
    context: dict[str, Any],
    scope_code: str,
    acting_user: User,
) -> ImportBatch:
    """Read an uploaded workbook once and keep the file with what was read.

    Raises ValidationError for a file refused whole (beyond a limit, damaged, not a
    workbook): then nothing is kept.
    """
    rows, file_errors = read_workbook(spec, upload)
    upload.seek(0)
    return ImportBatch.objects.create(
        kind=spec.kind,
        file=upload,
        original_name=(upload.name or "")[:200],
        context=context,
        scope_code=scope_code,
        uploaded_by=acting_user,
        rows=rows,
        file_errors=file_errors,
    )


def preview(spec: ImportSpec, batch: ImportBatch, context: dict[str, Any]) -> ImportPreview:
    """The batch's rows, parsed and checked against the database as it is now.

    Reads what was kept at upload, never the file."""
    result = ImportPreview(file_errors=list(batch.file_errors or []))
    rows = batch.rows
    if rows is None or any(len(cells) != len(spec.columns) for _line, cells in rows):
        result.file_errors.append(
            _("This file was uploaded before the portal kept what it read: upload it again.")
        )
    if result.file_errors or rows is None:
        return result
    result.rows = [_read_row(spec, line, cells, context) for line, cells in rows]
    if not result.rows:
        result.file_errors.append(_("The file has no rows to import."))
        return result
    spec.check(result.rows, context)
    return result


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


def commit(
    spec: ImportSpec, batch: ImportBatch, context: dict[str, Any]
) -> tuple[ImportPreview, int]:
    """Check the batch's rows again and write every row, or none: (preview, rows written)."""
    result = preview(spec, batch, context)
    if not result.ok:
        return result, 0
    try:
        with transaction.atomic():
            written = spec.commit(result.rows, context)
    except ValidationError as error:
        result.file_errors.append(
            _("Nothing was imported: {error}").format(error=" ".join(error.messages))
        )
        return result, 0
    return result, written


def template(spec: ImportSpec, user: User | None = None) -> Workbook:
    """The workbook to fill in: the header row and one example row, in `user`'s own area.

    The example's dates are typed dates and its numbers numbers, as in the exports."""
    examples = spec.examples(user) if spec.examples and user is not None else {}
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook has its one sheet
    sheet.title = str(spec.title)[:31]
    sheet.append(spec.headers)
    sheet.append([_example(examples.get(column.key, column.example)) for column in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        example = sheet.cell(row=2, column=index)
        if isinstance(example.value, datetime.date):
            example.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    print_setup(sheet, title_rows=1)
    return workbook


def _example(value):
    if isinstance(value, (int, float, datetime.date)):
        return value
    return str(value)
