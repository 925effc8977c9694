"""Writes of divisions and villages: the official code import and village edits."""

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


def village_kind_from_name(name):
    """The committee's kind, read off the end of its official name."""
    if "嘎查" in name:
        return VillageKind.GACHA
    if "社区" in name or "居委会" in name or "居民委员会" in name or name.endswith("生活区"):
        return VillageKind.COMMUNITY
    return VillageKind.VILLAGE


def _open(directory, filename):
    plain = directory / filename
    packed = directory / f"{filename}.gz"
    if plain.is_file():
        return plain, open(plain, encoding="utf-8-sig", newline="")
    if packed.is_file():
        return packed, io.TextIOWrapper(gzip.open(packed), encoding="utf-8-sig", newline="")
    raise DivisionImportError(
        _("{file}: file not found (nor {file}.gz).").format(file=plain)
    )


def _read(directory, source, prefix):
    """Rows of one file that lie on the prefix's path: (line, code, name, parent code)."""
    path, handle = _open(directory, source.filename)
    rows = []
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DivisionImportError(
                _("{file}: the file is empty.").format(file=path)
            ) from None
        except (UnicodeDecodeError, OSError, EOFError, csv.Error) as error:
            raise DivisionImportError(
                _("{file}, line 1: unreadable ({error}).").format(file=path, error=error)
            ) from None
        if tuple(header) != source.columns:
            raise DivisionImportError(
                _("{file}, line 1: the columns are {found}, expected {expected}.").format(
                    file=path, found=",".join(header), expected=",".join(source.columns)
                )
            )
        code_at = 0
        parent_at = source.columns.index(source.parent_column) if source.parent_column else None
        try:
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                code = row[code_at].strip()
                # Keep the rows under the prefix and the ancestors on its path.
                if not (code.startswith(prefix) or prefix.startswith(code)):
                    continue
                if len(row) != len(source.columns):
                    raise DivisionImportError(
                        _("{file}, line {line}: {found} values, expected {expected}.").format(
                            file=path, line=line, found=len(row), expected=len(source.columns)
                        )
                    )
                if len(code) != source.code_length or not code.isdigit():
                    raise DivisionImportError(
                        _(
                            "{file}, line {line}: malformed code {code!r} "
                            "(expected {length} digits)."
                        ).format(file=path, line=line, code=code, length=source.code_length)
                    )
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
                rows.append((line, code, name, parent))
        except (UnicodeDecodeError, OSError, EOFError, csv.Error) as error:
            raise DivisionImportError(
                _("{file}, line {line}: unreadable ({error}).").format(
                    file=path, line=reader.line_num, error=error
                )
            ) from None
    return path, rows


def divisions_import(*, source_dir, prefix=""):
    """Upsert the official divisions and villages whose code starts with `prefix`.

    Everything is read and checked before anything is written, then written in one
    transaction with bulk upserts: bad input leaves the database as it was.
    """
    directory = Path(source_dir)
    prefix = (prefix or "").strip()
    if prefix and (not prefix.isdigit() or len(prefix) > VILLAGE_CODE_LENGTH):
        raise DivisionImportError(
            _("The prefix {prefix!r} is not a division code (up to 12 digits).").format(
                prefix=prefix
            )
        )
    if not directory.is_dir():
        raise DivisionImportError(_("{dir}: no such directory.").format(dir=directory))

    parsed = [(source, *_read(directory, source, prefix)) for source in SOURCES]

    # Every parent must be in the files being imported or already in the database.
    known = set()
    existing_parents = set(
        Division.objects.filter(code__in=_parent_codes(parsed)).values_list("code", flat=True)
    )
    for _source, path, rows in parsed:
        for line, code, _name, parent in rows:
            if parent is not None and parent not in known and parent not in existing_parents:
                raise DivisionImportError(
                    _("{file}, line {line}: {code} names parent {parent}, which is absent.").format(
                        file=path, line=line, code=code, parent=parent
                    )
                )
            known.add(code)
    if not any(rows for _source, _path, rows in parsed):
        raise DivisionImportError(
            _("No division or village in {dir} has a code starting with {prefix}.").format(
                dir=directory, prefix=prefix
            )
        )
    result = ImportResult()
    with transaction.atomic():
        for source, _path, rows in parsed:
            label = source.level or "village"
            codes = [code for _line, code, _name, _parent in rows]
            model = Division if source.level else Village
            before = _count_existing(model, codes)
            if source.level:
                objects = [
                    Division(code=code, name=name, level=source.level, parent_id=parent)
                    for _line, code, name, parent in rows
                ]
                update_fields = ["name", "level", "parent"]
            else:
                objects = [
                    Village(
                        code=code, name=name, township_id=parent, kind=village_kind_from_name(name)
                    )
                    for _line, code, name, parent in rows
                ]
                update_fields = ["name", "township", "kind"]
            model.objects.bulk_create(
                objects,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=update_fields,
            )
            result.created[label] = len(codes) - before
            result.updated[label] = before
    return result


def _parent_codes(parsed):
    return {parent for _s, _p, rows in parsed for *_rest, parent in rows if parent is not None}


def _count_existing(model, codes):
    count = 0
    for start in range(0, len(codes), 10000):
        count += model.objects.filter(code__in=codes[start : start + 10000]).count()
    return count


# --- Village edits -------------------------------------------------------------------------


class StaleEditError(ValidationError):
    """The record was changed by someone else since the form was loaded."""


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
