"""Excel imports with a preview: upload, see every error by row and cell, then confirm.

An app registers an `ImportSpec` (columns, how to read each cell, how to check a row,
how to commit the rows through its services). Nothing is written until the user
confirms, and then all rows are written or none: the commit runs in one transaction and
any refusal rolls it back.

The workbook is bounded at upload, before anything reads it (`scan`), so that a small
file cannot hold a worker: the zip's directory and every part's unzipped size and
compression ratio before anything is unzipped; then every XML part streamed through
expat, counting rows (blank ones included), columns, cells and characters, and stopping
at the first limit passed. A file beyond a limit is refused at the upload form, with the
limit and the figure. Its rows are then read once, by a streamed expat reader of the
first sheet (`read_rows`), and kept as ImportLines (each row's cell texts, its errors and
its key): in the request for a file of up to IMPORT_SYNC_MAX_ROWS rows, by a worker with a
progress bar for a larger one (up to IMPORT_MAX_ROWS). The rows are checked CHUNK at a
time, one query per chunk for what they name, so that neither memory nor the number of
queries per row grows with the file. The preview pages through the lines; the
confirmation checks them again against the database as it is then, a chunk at a time,
writes each chunk through the app's bulk services in one transaction (every row or none),
and never opens the file again.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import IO, Any, cast
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Field, Min, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from portal import bulkwrite
from portal.choices import ImportStatus
from portal.excel import DATE_FORMAT, HEADER_FILL, HEADER_FONT, print_setup
from portal.exceptions import ItemRefused
from portal.models import ImportBatch, ImportLine, User
from portal.queue import send
from portal.uploads import MB, check_zip_directory, megabytes

logger = logging.getLogger(__name__)

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
    # What makes two rows the same record (the spec's check sets it): a later row with the
    # same key, anywhere in the file, is marked as repeating the first.
    key: str = ""


@dataclass
class ImportPreview:
    """A page of a checked batch's rows, with the batch's file errors and error count."""

    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    batch: ImportBatch | None = None
    page: Any = None

    @property
    def ok(self):
        if self.batch is None:
            return not self.file_errors and not any(row.errors for row in self.rows)
        return (
            self.batch.status == ImportStatus.CHECKED
            and not self.file_errors
            and not self.batch.error_count
            and self.batch.row_count > 0
        )

    @property
    def error_count(self):
        if self.batch is None:
            return len(self.file_errors) + sum(len(row.errors) for row in self.rows)
        return self.batch.error_count


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
    # The cell where a row repeating an earlier one (same ImportRow.key) is marked.
    key_column: str = "village"
    # The URL name of the batch's preview: where the uploader is told to look once a worker
    # has checked or written a large file.
    preview_url: str = ""

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
        self.sheet_rows = 0  # rows of every part, blank ones included

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
        self.sheet_rows += 1
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


# --- Reading the rows: one streamed pass over the first sheet ---------------------------------

# Excel's built-in number formats that show a date (openpyxl's list, and the Chinese
# locale's 年月日 formats, which openpyxl reads as plain numbers).
_DATE_FORMAT_IDS = frozenset(
    (14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58)
)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


class _Stop(Exception):
    """The rows wanted were read: the rest of the sheet is not parsed."""


def _xml(archive, name):
    # Small parts (the workbook, its relationships, the styles) that passed the scan at
    # upload: no DTD, bounded sizes.
    from xml.etree import ElementTree

    return ElementTree.fromstring(archive.read(name))


def _local(tag):
    return tag[tag.rfind("}") + 1 :]


def _relationships(archive, part):
    folder, _sep, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels not in archive.namelist():
        return {}
    found = {}
    for rel in _xml(archive, rels):
        target = rel.get("Target", "")
        if not target.startswith("/"):
            target = f"{folder}/{target}" if folder else target
        parts = []
        for piece in target.lstrip("/").split("/"):
            if piece == "..":
                parts = parts[:-1]
            elif piece and piece != ".":
                parts.append(piece)
        found[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], "/".join(parts))
    return found


class _Book:
    """Where the first sheet, the shared texts and the styles are, and which cell styles
    show dates: what reading a row's cells needs, found from the workbook's parts."""

    def __init__(self, archive):
        main = next(
            (t for kind, t in _relationships(archive, "").values() if kind == "officeDocument"),
            "xl/workbook.xml",
        )
        workbook = _xml(archive, main)
        rels = _relationships(archive, main)
        by_kind = dict(rels.values())
        self.sheet = None
        self.epoch_1904 = False
        for element in workbook.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.epoch_1904 = element.get("date1904") in ("1", "true")
            elif tag == "sheet" and self.sheet is None:
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                self.sheet = rels.get(rid, (None, None))[1]
        if self.sheet not in archive.namelist():
            _refuse(_("This is not an Excel workbook (.xlsx)."))
        self.strings_part = by_kind.get("sharedStrings")
        self.date_styles = self._date_styles(archive, by_kind.get("styles"))

    @staticmethod
    def _date_styles(archive, part):
        from openpyxl.styles.numbers import is_date_format

        if not part or part not in archive.namelist():
            return frozenset()
        styles = _xml(archive, part)
        custom, dates = {}, set()
        for element in styles.iter():
            if _local(element.tag) == "numFmt":
                custom[element.get("numFmtId")] = element.get("formatCode", "")
        for element in styles:
            if _local(element.tag) != "cellXfs":
                continue
            for index, xf in enumerate(x for x in element if _local(x.tag) == "xf"):
                number_format = xf.get("numFmtId", "0")
                if number_format in custom:
                    if is_date_format(custom[number_format]):
                        dates.add(index)
                elif number_format.isdigit() and int(number_format) in _DATE_FORMAT_IDS:
                    dates.add(index)
        return frozenset(dates)

    def strings(self, archive):
        """The shared texts, streamed (a phonetic guide, <rPh>, is not the cell's text)."""
        if not self.strings_part or self.strings_part not in archive.namelist():
            return []
        texts: list[str] = []
        state = {"parts": None, "depth_rph": 0, "capture": False}

        def start(name, attrs):
            tag = name[name.rfind("}") + 1 :]
            if tag == "si":
                state["parts"] = []
            elif tag == "rPh":
                state["depth_rph"] += 1
            elif tag == "t":
                state["capture"] = not state["depth_rph"]

        def end(name):
            tag = name[name.rfind("}") + 1 :]
            if tag == "si":
                texts.append("".join(state["parts"] or ()))
            elif tag == "rPh":
                state["depth_rph"] -= 1
            elif tag == "t":
                state["capture"] = False

        def data(content):
            if state["capture"]:
                state["parts"].append(content)

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = data
        with archive.open(self.strings_part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        return texts


class _SheetReader:
    """The first sheet's rows as cell texts, streamed through expat: [line, [text, …]] as
    they are parsed, a chunk of the file at a time, so that memory does not grow with the
    sheet. Numbers read as the portal writes them (3, not 3.0), date cells as 2026-03-10."""

    def __init__(self, book, strings, limits):
        self.book, self.strings, self.limits = book, strings, limits
        self.epoch = CALENDAR_MAC_1904 if book.epoch_1904 else CALENDAR_WINDOWS_1900
        self.out: list[list[Any]] = []
        self.line = 0
        self.row: dict[int, str] | None = None
        self.column = 0
        self.kind = self.style = None
        self.buffer: list[str] = []
        self.capture = False
        self.tags: dict[str, str] = {}

    def _tag(self, name):
        tag = self.tags.get(name)
        if tag is None:
            tag = self.tags[name] = name[name.rfind("}") + 1 :]
        return tag

    def start(self, name, attrs):
        tag = self.tags.get(name) or self._tag(name)
        if tag == "c":
            ref = attrs.get("r")
            match = _CELL_REF.fullmatch(ref) if ref else None
            self.column = _column_number(match[1]) if match else self.column + 1
            self.kind, self.style = attrs.get("t"), attrs.get("s")
            self.buffer = []
        elif tag == "v" or tag == "t":
            self.capture = True
        elif tag == "row":
            ref = attrs.get("r")
            self.line = int(ref) if ref and ref.isdigit() else self.line + 1
            if self.line > self.limits.sheet_rows:
                raise _Stop
            self.row, self.column = {}, 0
        elif tag == "rPh" or tag == "f":
            self.capture = False

    def end(self, name):
        tag = self.tags.get(name) or self._tag(name)
        if tag == "c":
            if self.buffer and self.row is not None and self.column <= self.limits.columns:
                self.row[self.column] = self._value("".join(self.buffer))
        elif tag == "v" or tag == "t":
            self.capture = False
        elif tag == "row":
            row = self.row or {}
            width = max(row, default=0)
            self.out.append([self.line, [row.get(i, "") for i in range(1, width + 1)]])
            self.row = None

    def data(self, content):
        if self.capture:
            self.buffer.append(content)

    def _value(self, raw):
        kind = self.kind
        if kind == "s":
            try:
                return text(self.strings[int(raw)])
            except (ValueError, IndexError):
                return ""
        if kind in ("inlineStr", "str", "e"):
            return raw.strip()
        if kind == "b":
            return "True" if raw.strip() == "1" else "False"
        if kind == "d":
            return raw.strip()[:10]
        try:
            number: int | float = int(raw)
        except ValueError:
            try:
                number = float(raw)
            except ValueError:
                return raw.strip()
        if (
            self.style is not None
            and self.style.isdigit()
            and int(self.style) in (self.book.date_styles)
        ):
            try:
                return text(from_excel(number, self.epoch))
            except (ValueError, OverflowError, TypeError):
                pass
        return text(number)

    def rows(self, archive):
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.data
        with archive.open(self.book.sheet) as stream:
            try:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                    yield from self.out
                    self.out.clear()
                parser.Parse(b"", True)
            except _Stop:
                pass
            except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
                _refuse(_damaged(self.book.sheet))
        yield from self.out
        self.out.clear()


def _sheet_rows(handle, limits):
    """The first sheet's rows ([line, [text, …]]), once the file has passed the scan."""
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except _BROKEN:
        _refuse(_("This is not an Excel workbook (.xlsx)."))
    with archive:
        try:
            book = _Book(archive)
            strings = book.strings(archive)
        except ValidationError:
            raise
        except (*_BROKEN, expat.ExpatError):
            _refuse(_("This is not an Excel workbook (.xlsx)."))
        yield from _SheetReader(book, strings, limits).rows(archive)


def scan(handle: IO[bytes], limits: Limits | None = None) -> int:
    """Bound an uploaded workbook before anything reads it (raises ValidationError at the
    first limit passed, before unzipping what the zip's directory already refuses); returns
    the number of rows in its sheets, blank ones included."""
    limits = limits or Limits.from_settings()
    check_zip_directory(handle)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        _refuse(_("This is not an Excel workbook (.xlsx)."))
    with archive:
        _check_members(archive, limits)
        scanned = _Scan(limits)
        for info in archive.infolist():
            if _looks_like_xml(archive, info):
                scanned.part(archive, info)
    return scanned.sheet_rows


def read_rows(
    spec: ImportSpec, handle: IO[bytes], limits: Limits | None = None
) -> Iterator[list[Any]]:
    """The data rows of a workbook that passed `scan`, as [line, [text, …]] with one text
    per column of the spec, streamed. Raises RowsRefused for a file that is not the
    template, has no rows or more than IMPORT_MAX_ROWS (the file errors of the preview)."""
    limits = limits or Limits.from_settings()
    rows = _sheet_rows(handle, limits)
    found: list[str] = []
    positions, first_line, matched = None, 0, 0
    for first_line, values in rows:
        header = [_header_key(value) for value in values]
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
        raise RowsRefused(errors)
    count = 0
    for line, values in rows:
        cells = [values[i] if i is not None and i < len(values) else "" for i in positions]
        if not any(cells):
            continue
        count += 1
        if count > limits.rows:
            rows.close()
            raise RowsRefused(
                [_("More than {limit} rows: split the file.").format(limit=limits.rows)]
            )
        yield [line, cells]
    if not count:
        raise RowsRefused([_("The file has no rows to import.")])


class RowsRefused(Exception):
    """The file is readable but not importable as a whole: the messages say why."""

    def __init__(self, messages):
        super().__init__(messages)
        self.messages = messages


def read_workbook(
    spec: ImportSpec, handle: IO[bytes], limits: Limits | None = None
) -> tuple[list[list[Any]], list[str]]:
    """Bound and read a whole workbook: (rows, file_errors). For a small file (the tests,
    the upload of one county's rows): a large one is read in chunks by `batch_check`."""
    scan(handle, limits)
    try:
        return list(read_rows(spec, handle, limits)), []
    except RowsRefused as refused:
        return [], refused.messages


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


# --- Upload, check, preview and commit ----------------------------------------------------------

# Rows checked and written together: one query per chunk for what the rows name (villages,
# cases), whatever the size of the file, and memory that does not grow with it.
CHUNK = 2000
# Rows per page of the preview.
PAGE_ROWS = 100


def _background(rows: int) -> bool:
    return rows > settings.IMPORT_SYNC_MAX_ROWS


@transaction.atomic
def batch_create(
    *,
    spec: ImportSpec,
    upload: UploadedFile,
    context: dict[str, Any],
    scope_code: str,
    acting_user: User,
) -> ImportBatch:
    """Bound an uploaded workbook and keep it. A small one (IMPORT_SYNC_MAX_ROWS rows at
    most) is read and checked now; a larger one by a worker, whose progress the preview
    shows.

    Raises ValidationError for a file refused whole (beyond a limit, damaged, not a
    workbook): then nothing is kept.
    """
    sheet_rows = scan(upload)
    upload.seek(0)
    batch = ImportBatch.objects.create(
        kind=spec.kind,
        file=upload,
        original_name=(upload.name or "")[:200],
        context=context,
        scope_code=scope_code,
        uploaded_by=acting_user,
        # Until it is read: the rows of the sheet, less the header.
        row_count=max(sheet_rows - 1, 0),
    )
    if _background(sheet_rows - 1):
        transaction.on_commit(partial(send, "portal.tasks.check_import", (batch.pk,)))
        return batch
    upload.seek(0)
    _read_and_check(spec, batch, upload, {"acting_user": acting_user, **context})
    return batch


def batch_check(*, batch_id: int) -> ImportBatch | None:
    """Read and check a kept workbook (what the worker runs), with its progress.
    Idempotent: a batch already checked is left as it is; one a dead worker left half-read
    is read again from the start."""
    batch = ImportBatch.objects.select_related("uploaded_by").filter(pk=batch_id).first()
    if batch is None or batch.status not in (ImportStatus.QUEUED, ImportStatus.CHECKING):
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING, progress=0)
    spec = get(batch.kind)
    try:
        with batch.file.open("rb") as handle:
            _read_and_check(
                spec, batch, handle, {"acting_user": batch.uploaded_by, **batch.context}
            )
    except Exception:
        logger.exception("import %s could not be checked", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            file_errors=[_("The file could not be checked. Please upload it again.")],
        )
    batch.refresh_from_db()
    if batch.status == ImportStatus.CHECKED:
        _tell(
            spec,
            batch,
            "checked",
            _("{file} was checked: {rows} rows, {errors} errors.").format(
                file=batch.original_name, rows=batch.row_count, errors=batch.error_count
            ),
        )
    return batch


def _tell(spec, batch, step, title):
    """The uploader of a large file, who may have left the preview, is told it is his turn:
    to confirm, to correct the file, or that it was imported."""
    from django.urls import reverse

    from portal.notifications import notify

    notify(
        users=[batch.uploaded_by],
        key=f"import-{batch.pk}-{step}",
        title=title[:200],  # the notification's limit; the whole of it in the body
        body=title if len(title) > 200 else "",
        url=reverse(spec.preview_url, args=[batch.pk]) if spec.preview_url else "",
    )


def _progress(batch, done, total):
    ImportBatch.objects.filter(pk=batch.pk).update(progress=min(99, done * 100 // max(total, 1)))


def _read_and_check(spec, batch, handle, context):
    """Read the rows, check them a chunk at a time against the database and keep them as
    ImportLines with their errors: memory holds one chunk, never the file."""
    batch.lines.all().delete()
    total, done, errors = batch.row_count, 0, 0
    file_errors: list[str] = []
    rows = read_rows(spec, handle)
    try:
        while chunk := list(islice(rows, CHUNK)):
            checked = _check_chunk(spec, batch, chunk, context)
            bulkwrite.insert_rows(
                ImportLine,
                [
                    {
                        "batch_id": batch.pk,
                        "number": row.line,
                        "cells": cells,
                        "errors": row.errors,
                        "key": row.key,
                        "has_errors": bool(row.errors),
                    }
                    for row, (_line, cells) in zip(checked, chunk, strict=True)
                ],
            )
            done += len(chunk)
            errors += sum(len(row.errors) for row in checked)
            if _background(total):
                _progress(batch, done, total)
    except (RowsRefused, ValidationError) as refused:
        # Not the template, no rows, too many, or a sheet damaged past the scan.
        batch.lines.all().delete()
        file_errors, done, errors = list(refused.messages), 0, 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.CHECKED,
        progress=100,
        row_count=done,
        error_count=errors + len(file_errors),
        file_errors=file_errors,
    )
    batch.refresh_from_db()


def _check_chunk(spec, batch, chunk, context):
    """Parse and check a chunk of rows ([line, cells]); a row repeating an earlier one
    (by the key the spec's check gave it) is marked, whether that one is in this chunk or
    an earlier one (one query)."""
    rows = [_read_row(spec, line, cells, context) for line, cells in chunk]
    spec.check(rows, context)
    keyed = [row for row in rows if row.key]
    first = dict(
        ImportLine.objects.filter(
            batch=batch, key__in={row.key for row in keyed}, number__lt=rows[0].line
        )
        .values("key")
        .annotate(first=Min("number"))
        .values_list("key", "first")
    )
    for row in keyed:
        if row.key in first:
            row.errors.setdefault(
                spec.key_column, _("Same as line {line}.").format(line=first[row.key])
            )
        else:
            first[row.key] = row.line
    return rows


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


def preview(
    spec: ImportSpec, batch: ImportBatch, *, page: int = 1, errors_only: bool = False
) -> ImportPreview:
    """A page of the batch's rows with what the last check found (PAGE_ROWS a page)."""
    from django.core.paginator import Paginator

    result = ImportPreview(file_errors=list(batch.file_errors or []), batch=batch)
    lines = batch.lines.order_by("number")
    if errors_only:
        lines = lines.filter(has_errors=True)
    result.page = Paginator(lines, PAGE_ROWS).get_page(page)
    keys = [column.key for column in spec.columns]
    result.rows = [
        ImportRow(
            line=line.number,
            cells=dict(zip(keys, line.cells, strict=False)),
            errors=line.errors,
        )
        for line in result.page.object_list
    ]
    return result


def commit(spec: ImportSpec, batch: ImportBatch, context: dict[str, Any]) -> int:
    """Check the batch's rows again, a chunk at a time, and write each chunk through the
    services, all in one transaction: every row or none. A row found wrong now, or refused
    by a service, rolls everything back; its errors are kept and the batch says which line.
    Returns the rows written (0 when refused)."""
    total = batch.row_count
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING, progress=0)
    refused: list[ImportRow] = []
    message = None
    written = 0
    try:
        with transaction.atomic():
            last = 0
            while chunk := list(
                batch.lines.filter(number__gt=last)
                .order_by("number")
                .values_list("number", "cells")[:CHUNK]
            ):
                last = chunk[-1][0]
                rows = _check_chunk(spec, batch, chunk, context)
                refused = [row for row in rows if row.errors]
                if refused:
                    message = _line_error(refused[0], refused[0].errors.values())
                    raise _Refused
                try:
                    written += spec.commit(rows, context)
                except ItemRefused as error:
                    row = rows[error.index]
                    row.errors[""] = " ".join(error.messages)
                    refused, message = [row], _line_error(row, error.messages)
                    raise _Refused from None
                except ValidationError as error:  # refused by a service, no row named
                    message = " ".join(error.messages)
                    raise _Refused from None
                if _background(total):
                    _progress(batch, written, total)
    except _Refused:
        pass
    if message is not None:
        if refused:
            _keep_errors(batch, refused)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.CHECKED,
            progress=100,
            error_count=1  # the refusal itself, and the errors the rows now have
            + sum(
                len(errors)
                for errors in batch.lines.filter(has_errors=True).values_list("errors", flat=True)
            ),
            file_errors=[_("Nothing was imported: {error}").format(error=message)],
        )
        batch.refresh_from_db()
        return 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.COMMITTED,
        progress=100,
        committed_at=timezone.now(),
        rows_written=written,
    )
    batch.refresh_from_db()
    return written


def _line_error(row, messages):
    return _("line {line}: {errors}").format(line=row.line, errors=" ".join(messages))


class _Refused(Exception):
    pass


def _keep_errors(batch, rows):
    lines = {line.number: line for line in batch.lines.filter(number__in=[r.line for r in rows])}
    for row in rows:
        lines[row.line].errors, lines[row.line].has_errors = row.errors, True
    ImportLine.objects.bulk_update(lines.values(), ["errors", "has_errors"])


def batch_commit(*, batch_id: int) -> ImportBatch | None:
    """Write a checked batch (what the worker runs for a large one). Idempotent: only a
    batch waiting to be written is written, once."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .filter(pk=batch_id, status=ImportStatus.COMMITTING, committed_at__isnull=True)
            .first()
        )
        if batch is None:
            return ImportBatch.objects.filter(pk=batch_id).first()
        uploaded_by = batch.uploaded_by
    spec = get(batch.kind)
    try:
        commit(spec, batch, {"acting_user": uploaded_by, **batch.context})
    except Exception:
        logger.exception("import %s could not be written", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.CHECKED,
            progress=100,
            file_errors=[
                _(
                    "Nothing was imported: the import could not be completed. Please try "
                    "again or contact the administrator."
                )
            ],
        )
    batch.refresh_from_db()
    if batch.status == ImportStatus.COMMITTED:
        title = _("{file} was imported: {rows} rows.").format(
            file=batch.original_name, rows=batch.rows_written
        )
        _tell(spec, batch, "committed", title)
    else:
        _tell(spec, batch, "refused", " ".join(batch.file_errors))
    return batch


def commit_start(*, spec: ImportSpec, batch: ImportBatch, context: dict[str, Any]) -> int | None:
    """Confirm a checked batch: written now when small (rows written, 0 when refused);
    handed to a worker when large (None), the preview showing its progress."""
    if not _background(batch.row_count):
        return commit(spec, batch, context)
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.COMMITTING, progress=0
    )
    if updated:
        transaction.on_commit(partial(send, "portal.tasks.commit_import", (batch.pk,)))
    batch.refresh_from_db()
    return None


def error_workbook(spec: ImportSpec, batch: ImportBatch, handle: IO[bytes]) -> int:
    """The rows with errors, as the template's columns and an error column saying what is
    wrong with each cell, to correct and upload again; dates as date cells. Written a
    chunk at a time (write-only). Returns the number of rows."""
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(spec.title)[:31])
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.column_dimensions[get_column_letter(len(spec.columns) + 1)].width = 60
    header = []
    for title in (*spec.headers, _("Errors"), _("Line")):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    labels = {column.key: str(column.header) for column in spec.columns}
    dates = {i for i, column in enumerate(spec.columns) if column.parse is parse_date}
    count, last = 0, 0
    lines = batch.lines.filter(has_errors=True).order_by("number")
    while chunk := list(
        lines.filter(number__gt=last).values_list("number", "cells", "errors")[:CHUNK]
    ):
        last = chunk[-1][0]
        for number, cells, errors in chunk:
            values: list[Any] = []
            for i, raw in enumerate(cells):
                value: Any = raw
                if i in dates and raw:
                    try:
                        day = parse_date(raw)
                        value = WriteOnlyCell(sheet, value=datetime.datetime(*day.timetuple()[:3]))
                        value.number_format = DATE_FORMAT
                    except CellError:
                        value = raw
                values.append(value)
            said = [
                _("{column}: {message}").format(column=labels[key], message=message)
                if key in labels
                else message
                for key, message in errors.items()
            ]
            values.append("；".join(said))
            values.append(number)
            sheet.append(values)
            count += 1
    workbook.save(handle)
    return count


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
