"""Writes of divisions and villages: the official code import and village edits."""

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from portal.exceptions import StaleEditError
from villages.choices import VILLAGE_CODE_LENGTH, DivisionLevel, VillageKind
from villages.models import Division, Village

BATCH_SIZE = 2000


class DivisionImportError(Exception):
    """Bad input to the division import; the message names the file and line."""


@dataclass(frozen=True)
class _Source:
    filename: str
    columns: tuple
    level: str | None  # None: the villages file
    code_length: int
    parent_column: str | None
    parent_length: int | None


SOURCES = (
    _Source("provinces.csv", ("code", "name"), DivisionLevel.PROVINCE, 2, None, None),
    _Source(
        "cities.csv", ("code", "name", "provinceCode"), DivisionLevel.CITY, 4, "provinceCode", 2
    ),
    _Source(
        "areas.csv",
        ("code", "name", "cityCode", "provinceCode"),
        DivisionLevel.COUNTY,
        6,
        "cityCode",
        4,
    ),
    _Source(
        "streets.csv",
        ("code", "name", "areaCode", "provinceCode", "cityCode"),
        DivisionLevel.TOWNSHIP,
        9,
        "areaCode",
        6,
    ),
    _Source(
        "villages.csv",
        ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"),
        None,
        VILLAGE_CODE_LENGTH,
        "streetCode",
        9,
    ),
)


@dataclass
class ImportResult:
    """What an import wrote, by level."""

    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(self.created.values()) + sum(self.updated.values())


COMMUNITY_ENDINGS = ("社区", "居委会", "居民委员会", "生活区", "社区）", "社区)")


def village_kind_from_name(name):
    """The committee's kind, read off the end of its official name.

    The ending decides: 东沟社区村民委员会 is a village committee, 巴润宝拉格嘎查社区 a
    community; a name with 嘎查 that ends otherwise is a gacha.
    """
    if name.endswith(COMMUNITY_ENDINGS):
        return VillageKind.COMMUNITY
    if "嘎查" in name:
        return VillageKind.GACHA
    return VillageKind.VILLAGE


def _is_code(value, length):
    return len(value) == length and value.isascii() and value.isdigit()


def _open(directory, filename):
    """The file, plain or gzipped, as binary lines."""
    plain = directory / filename
    packed = directory / f"{filename}.gz"
    if plain.is_file():
        return plain, open(plain, "rb")
    if packed.is_file():
        return packed, gzip.open(packed, "rb")
    raise DivisionImportError(_("{file}: file not found (nor {file}.gz).").format(file=plain))


def _decoded(path, handle):
    """Decode line by line, so that a bad byte is reported on its own line."""
    try:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise DivisionImportError(
                    _("{file}, line {line}: not UTF-8 text.").format(file=path, line=number)
                ) from None
    except (OSError, EOFError) as error:  # a truncated or corrupt .gz
        raise DivisionImportError(
            _("{file}: unreadable ({error}).").format(file=path, error=error)
        ) from None


def _rows(directory, source, prefix):
    """Checked rows of one file on the prefix's path: (line, code, name, parent code)."""
    path, handle = _open(directory, source.filename)
    with handle:
        reader = csv.reader(_decoded(path, handle))
        try:
            header = next(reader, None)
            if header is None:
                raise DivisionImportError(_("{file}: the file is empty.").format(file=path))
            if tuple(header) != source.columns:
                raise DivisionImportError(
                    _("{file}, line 1: the columns are {found}, expected {expected}.").format(
                        file=path, found=",".join(header), expected=",".join(source.columns)
                    )
                )
            parent_at = (
                source.columns.index(source.parent_column) if source.parent_column else None
            )
            seen = {}
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                code = row[0].strip()
                # Keep the rows under the prefix and the ancestors on its path.
                if not (code.startswith(prefix) or prefix.startswith(code)):
                    continue
                if len(row) != len(source.columns):
                    raise DivisionImportError(
                        _("{file}, line {line}: {found} values, expected {expected}.").format(
                            file=path, line=line, found=len(row), expected=len(source.columns)
                        )
                    )
                if not _is_code(code, source.code_length):
                    raise DivisionImportError(
                        _(
                            "{file}, line {line}: malformed code {code!r} "
                            "(expected {length} digits)."
                        ).format(file=path, line=line, code=code, length=source.code_length)
                    )
                if code in seen:
                    raise DivisionImportError(
                        _(
                            "{file}, line {line}: code {code} is listed again "
                            "(first on line {first})."
                        ).format(file=path, line=line, code=code, first=seen[code])
                    )
                seen[code] = line
                name = row[1].strip()
                if not name:
                    raise DivisionImportError(
                        _("{file}, line {line}: the name is empty.").format(file=path, line=line)
                    )
                parent = row[parent_at].strip() if parent_at is not None else None
                if parent is not None and code[: source.parent_length] != parent:
                    raise DivisionImportError(
                        _(
                            "{file}, line {line}: code {code} does not lie under "
                            "its parent {parent}."
                        ).format(file=path, line=line, code=code, parent=parent)
                    )
                yield path, line, code, name, parent
        except csv.Error as error:
            raise DivisionImportError(
                _("{file}, line {line}: unreadable ({error}).").format(
                    file=path, line=reader.line_num, error=error
                )
            ) from None


def divisions_import(*, source_dir, prefix=""):
    """Upsert the official divisions and villages whose code starts with `prefix`.

    Files are read province → village, checked row by row and written in batches of bulk
    upserts, all inside one transaction: on the first bad row everything is rolled back
    and the error names the file and line. Memory stays flat whatever the file size.
    """
    directory = Path(source_dir)
    prefix = (prefix or "").strip()
    if prefix and (not _is_code(prefix, len(prefix)) or len(prefix) > VILLAGE_CODE_LENGTH):
        raise DivisionImportError(
            _("The prefix {prefix!r} is not a division code (up to 12 digits).").format(
                prefix=prefix
            )
        )
    if not directory.is_dir():
        raise DivisionImportError(_("{dir}: no such directory.").format(dir=directory))
    # Every file must be there before anything is read: no half-run for a missing file.
    for source in SOURCES:
        _open(directory, source.filename)[1].close()

    result = ImportResult()
    known = set()  # codes imported so far, or found in the database, as parents
    with transaction.atomic():
        for source in SOURCES:
            label = source.level or "village"
            result.created[label] = result.updated[label] = 0
            batch = []
            for row in _rows(directory, source, prefix):
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    _write_batch(source, batch, known, result)
                    batch = []
            if batch:
                _write_batch(source, batch, known, result)
        if result.total == 0:
            raise DivisionImportError(
                _("No division or village in {dir} has a code starting with {prefix}.").format(
                    dir=directory, prefix=prefix
                )
            )
    return result


def _write_batch(source, batch, known, result):
    """Check the batch's parents exist, then upsert it: three queries at most."""
    missing = {parent for *_row, parent in batch if parent is not None and parent not in known}
    if missing:
        known.update(Division.objects.filter(code__in=missing).values_list("code", flat=True))
    for path, line, code, _name, parent in batch:
        if parent is not None and parent not in known:
            raise DivisionImportError(
                _("{file}, line {line}: {code} names parent {parent}, which is absent.").format(
                    file=path, line=line, code=code, parent=parent
                )
            )
    codes = [code for _path, _line, code, _name, _parent in batch]
    if source.level:
        model = Division
        objects = [
            Division(code=code, name=name, level=source.level, parent_id=parent)
            for _path, _line, code, name, parent in batch
        ]
        update_fields = ["name", "level", "parent"]
    else:
        model = Village
        objects = [
            Village(code=code, name=name, township_id=parent, kind=village_kind_from_name(name))
            for _path, _line, code, name, parent in batch
        ]
        update_fields = ["name", "township", "kind"]
    existing = model.objects.filter(code__in=codes).count()
    model.objects.bulk_create(
        objects,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=update_fields,
    )
    label = source.level or "village"
    result.created[label] += len(codes) - existing
    result.updated[label] += existing
    if source.level:
        known.update(codes)


# --- Village edits -------------------------------------------------------------------------


@transaction.atomic
def village_update(*, village, acting_user, version, **fields):
    """Update a village's basic facts, refusing a form loaded before someone else's save."""
    locked = Village.objects.visible_to(acting_user).select_for_update().get(pk=village.pk)
    if locked.version != version:
        raise StaleEditError(
            _("{name} was modified by {user} at {time}; reload the page and edit again.").format(
                name=locked.name,
                user=locked.updated_by or _("someone else"),
                time=_local(locked.updated_at),
            )
        )
    allowed = {
        "households", "population", "party_org_type", "party_members", "secretary_name",
    }
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"village_update cannot change {name}")
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_by = acting_user
    locked.full_clean()
    locked.save()
    return locked


def _local(moment):
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
