"""Writes of divisions and villages: the code import, village edits, monthly activity plans."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.constraints import service_transaction
from portal.exceptions import StaleEditError, TransitionError
from portal.models import CalendarDay
from portal.months import add_months, month_end, month_start
from portal.permissions import require
from portal.roles import Perm
from portal.scoping import Scope
from portal.workdays import package_holds
from villages.choices import (
    VENUE_AREA_FIELDS,
    VILLAGE_CODE_LENGTH,
    DivisionLevel,
    VenueState,
    VillageKind,
)
from villages.deadlines import CountyDeadlines
from villages.models import (
    ActivityPlan,
    ActivityPlanItem,
    ActivityRecord,
    Division,
    Urging,
    Venue,
    VenueFunding,
    Village,
)
from villages.selectors import standard_areas

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

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


def village_kind_from_name(name: str) -> str:
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
            parent_at = source.columns.index(source.parent_column) if source.parent_column else None
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


def divisions_import(*, source_dir: str | Path, prefix: str = "") -> ImportResult:
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
    known: set[str] = set()  # codes imported so far, or found in the database, as parents
    # A village is "added" (and owes no report for months already due) only where its
    # township already had villages: a first import of a region adds none of them.
    settled = set(
        Village.objects.filter(code__startswith=prefix)
        .values_list("township_id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        for source in SOURCES:
            label = source.level or "village"
            result.created[label] = result.updated[label] = 0
            batch = []
            for row in _rows(directory, source, prefix):
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    _write_batch(source, batch, known, result, settled)
                    batch = []
            if batch:
                _write_batch(source, batch, known, result, settled)
        if result.total == 0:
            raise DivisionImportError(
                _("No division or village in {dir} has a code starting with {prefix}.").format(
                    dir=directory, prefix=prefix
                )
            )
    return result


def _write_batch(source, batch, known, result, settled):
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
    today = timezone.localdate()  # kept on insert only: added_on is not in update_fields
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
            Village(
                code=code,
                name=name,
                township_id=parent,
                kind=village_kind_from_name(name),
                added_on=today if parent in settled else None,
            )
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
def village_update(*, village: Village, acting_user: User, version: int, **fields: Any) -> Village:
    """Update a village's basic facts, refusing a form loaded before someone else's save."""
    locked = (
        Village.objects.visible_to(Scope.of(acting_user)).select_for_update().get(pk=village.pk)
    )
    if locked.version != version:
        raise StaleEditError(
            _("{name} was modified by {user} at {time}; reload the page and edit again.").format(
                name=locked.name,
                user=locked.updated_by or _("someone else"),
                time=_local(locked.updated_at),
            )
        )
    allowed = {
        "households",
        "population",
        "party_org_type",
        "party_members",
        "secretary_name",
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


# --- Monthly activity plans (每月25日前上报下月活动计划) -------------------------------------


def _village_in_scope(user, village):
    if not Village.objects.visible_to(Scope.of(user)).filter(pk=village.pk).exists():
        raise Http404


@transaction.atomic
def activity_plan_save(
    *,
    acting_user: User,
    village: Village,
    month: date,
    version: int,
    items: Sequence[dict[str, Any]],
    no_activity: bool = False,
    no_activity_reason: str = "",
) -> ActivityPlan:
    """Save a village's plan for a month: its activities, or "no activity, because …"."""
    require(acting_user, Perm.ACTIVITY_WRITE)
    _village_in_scope(acting_user, village)
    month = month_start(month)
    plan, _created = ActivityPlan.objects.select_for_update().get_or_create(
        village=village, month=month
    )
    if plan.version != version:
        raise StaleEditError(
            _("This plan was changed by {user} at {time}; reload the page.").format(
                user=plan.updated_by or _("someone else"),
                time=timezone.localtime(plan.updated_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    following = add_months(month, 1)
    errors = {}
    for index, item in enumerate(items):
        if not month <= item["date"] < following:
            errors[f"items-{index}-date"] = _("{day} is not in {month}.").format(
                day=item["date"].isoformat(), month=month.strftime("%Y-%m")
            )
    if no_activity and items:
        errors["no_activity"] = _("A plan with activities cannot also say there are none.")
    if no_activity and not no_activity_reason.strip():
        errors["no_activity_reason"] = _("Say why there is no activity this month.")
    if errors:
        raise ValidationError(errors)
    plan.items.all().delete()
    ActivityPlanItem.objects.bulk_create(ActivityPlanItem(plan=plan, **item) for item in items)
    plan.no_activity = no_activity
    plan.no_activity_reason = no_activity_reason if no_activity else ""
    plan.version += 1
    plan.updated_by = acting_user
    plan.full_clean()
    plan.save()
    return plan


def _submit(plan, user, now, deadlines):
    if plan.submitted_at is not None:
        return False
    if not plan.no_activity and not plan.items.exists():
        raise ValidationError(
            _("{village}: add at least one activity, or say there is none this month.").format(
                village=plan.village
            )
        )
    plan.submitted_at = now
    plan.submitted_by = user
    # The county's own due day: the 25th, or the next working day where it moves (顺延).
    plan.late = now >= deadlines.due_by(plan.month, plan.village_id)
    plan.save(update_fields=["submitted_at", "submitted_by", "late", "updated_at"])
    return True


@transaction.atomic
def activity_plan_submit(
    *, acting_user: User, plan: ActivityPlan, now: datetime | None = None
) -> ActivityPlan:
    """Report the plan to the county; the first submission decides whether it was on time."""
    require(acting_user, Perm.ACTIVITY_WRITE)
    try:
        plan = (
            ActivityPlan.objects.visible_to(Scope.of(acting_user))
            .select_for_update()
            .get(pk=plan.pk)
        )
    except ActivityPlan.DoesNotExist:
        raise Http404 from None
    if plan.submitted_at is not None:
        raise TransitionError(_("This plan has already been submitted."))
    _submit(plan, acting_user, now or timezone.now(), CountyDeadlines([plan.village_id]))
    return plan


@transaction.atomic
def activity_plans_submit_all(
    *, acting_user: User, township: Division, month: date, now: datetime | None = None
) -> int:
    """Submit every draft of the township's villages for the month; returns how many."""
    require(acting_user, Perm.ACTIVITY_WRITE)
    drafts = (
        ActivityPlan.objects.visible_to(Scope.of(acting_user))
        .filter(village__township=township, month=month_start(month), submitted_at__isnull=True)
        .select_related("village")
        .select_for_update()
    )
    now = now or timezone.now()
    deadlines = CountyDeadlines([township.code])
    return sum(_submit(plan, acting_user, now, deadlines) for plan in drafts)


@transaction.atomic
def activity_plan_copy_previous(
    *, acting_user: User, village: Village, month: date
) -> ActivityPlan:
    """Start a month's plan from the previous month's activities, moved one month on."""
    require(acting_user, Perm.ACTIVITY_WRITE)
    _village_in_scope(acting_user, village)
    month = month_start(month)
    previous = ActivityPlan.objects.filter(village=village, month=add_months(month, -1)).first()
    if previous is None or not previous.items.exists():
        raise ValidationError(_("Last month has no activities to copy."))
    plan = ActivityPlan.objects.filter(village=village, month=month).first()
    if plan is not None and plan.submitted_at is not None:
        raise TransitionError(_("This plan has already been submitted."))
    last_day = month_end(month).day
    items = [
        {
            "date": month.replace(day=min(item.date.day, last_day)),
            "kind": item.kind,
            "topic": item.topic,
            "place": item.place,
            "instructor_attends": item.instructor_attends,
        }
        for item in previous.items.all()
    ]
    return activity_plan_save(
        acting_user=acting_user,
        village=village,
        month=month,
        version=plan.version if plan else 1,
        items=items,
    )


@transaction.atomic
def activity_record_save(
    *,
    acting_user: User,
    village: Village,
    held_on: date,
    kind: str,
    topic: str,
    attendance: int,
    absentees: str = "",
    instructor_present: bool = False,
    minutes: str = "",
    planned: ActivityPlanItem | None = None,
) -> ActivityRecord:
    """Record an activity that was held (三会一课, 主题党日 …)."""
    require(acting_user, Perm.ACTIVITY_WRITE)
    _village_in_scope(acting_user, village)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An activity cannot be recorded before it is held.")})
    if planned is not None and planned.plan.village_id != village.pk:
        raise ValidationError({"planned": _("That planned activity is another village's.")})
    record = ActivityRecord(
        village=village,
        held_on=held_on,
        kind=kind,
        topic=topic,
        attendance=attendance,
        absentees=absentees,
        instructor_present=instructor_present,
        minutes=minutes,
        planned=planned,
        recorded_by=acting_user,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def activity_record_sit_in(
    *, acting_user: User, record: ActivityRecord, sat_in: bool = True
) -> None:
    """The county marks that it sat in on an activity (区委组织部列席抽查)."""
    require(acting_user, Perm.ACTIVITY_SIT_IN)
    updated = (
        ActivityRecord.objects.visible_to(Scope.of(acting_user))
        .filter(pk=record.pk)
        .update(county_sat_in=sat_in)
    )
    if not updated:
        raise Http404


# --- Urging townships before the 25th (催报) ---------------------------------------------------


def _organ_of(township):
    from villages.organs import issuer

    county = Division.objects.filter(code=township.code[:6]).first()
    return issuer(county) if county is not None else _("The county's organization department")


@service_transaction
def township_urge(
    *, acting_user: User, township: Division, month: date, now: datetime | None = None
) -> tuple[Urging, bool]:
    """Urge a township to file a month's activity plans: its organizers are told, the urging
    is logged. Once a day per township and month: a second urging the same day adds
    nothing. Returns (urging, created)."""
    from portal.choices import Role
    from portal.models import User
    from portal.notifications import notify
    from villages.selectors import urging_board

    require(acting_user, Perm.ACTIVITY_URGE)
    # The township's row is the lock: two clicks at once make one urging, one notice.
    township = (
        Division.objects.visible_to(Scope.of(acting_user))
        .select_for_update()
        .filter(pk=township.pk, level=DivisionLevel.TOWNSHIP)
        .first()
    )
    if township is None:
        raise Http404
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = month_start(month)
    if month > add_months(today.replace(day=1), 1):
        raise ValidationError(
            {
                "month": _("The plans for {month} are not being prepared yet.").format(
                    month=month.strftime("%Y-%m")
                )
            }
        )
    existing = Urging.objects.filter(township=township, month=month, urged_on=today).first()
    if existing is not None:
        return existing, False
    (row,) = urging_board(
        scope=Scope.of(acting_user), month=month, townships=[township], today=today
    )
    if row.complete:
        raise ValidationError(
            _("{township} has filed every plan for {month}: there is nothing to urge.").format(
                township=township.name, month=month.strftime("%Y-%m")
            )
        )
    urging = Urging(
        township=township, month=month, urged_by=acting_user, urged_at=now, urged_on=today
    )
    urging.full_clean()
    urging.save()
    organizers = User.objects.filter(
        role=Role.TOWNSHIP_ORGANIZER, is_active=True, division_id=township.code
    )
    due = CountyDeadlines([township.code]).due_date(month, township.code)
    notify(
        users=organizers,
        key=f"urging:{township.code}:{month:%Y-%m}:{today.isoformat()}",
        title=_("{organ} urges you to file the activity plans for {month}/{year}").format(
            organ=_organ_of(township), year=month.year, month=month.month
        ),
        body=_(
            "{missing} of {expected} villages have not filed yet ({drafts} drafts not "
            "submitted); the plans are due by {due}."
        ).format(
            missing=row.missing,
            expected=row.expected,
            drafts=row.drafts,
            due=due.isoformat(),
        ),
        url=f"{reverse('activity_township')}?township={township.code}&month={month:%Y-%m}",
    )
    return urging, True


# --- A county's own settings -----------------------------------------------------------------


def user_county(user: User | AnonymousUser) -> Division | None:
    """The county a user works in (their division or its ancestor at county level), or None
    for a user above or outside any county."""
    division = getattr(user, "division", None)
    while division is not None and division.level != DivisionLevel.COUNTY:
        if division.level in (DivisionLevel.PROVINCE, DivisionLevel.CITY):
            return None
        division = division.parent
    return division


@transaction.atomic
def county_settings_update(
    *,
    county: Division,
    acting_user: User,
    document_abbreviation: str,
    due_day_rule: str = "",
    visit_gap_days: int | None = None,
) -> Division:
    """Set the county's abbreviation in its circulars' numbers (武组通; empty: derived), its
    rule for a due day that is not a working day (empty: unchanged) and the days a contact
    may go without visiting a listed village (None: unchanged)."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    locked = (
        Division.objects.visible_to(Scope.of(acting_user))
        .select_for_update()
        .filter(pk=county.pk, level=DivisionLevel.COUNTY)
        .first()
    )
    if locked is None:
        raise Http404
    locked.document_abbreviation = document_abbreviation.strip()
    if due_day_rule:
        locked.due_day_rule = due_day_rule
    if visit_gap_days is not None:
        locked.visit_gap_days = visit_gap_days
    locked.full_clean()
    locked.save(update_fields=["document_abbreviation", "due_day_rule", "visit_gap_days"])
    return locked


def _county_in_scope(acting_user, county):
    if (
        not Division.objects.visible_to(Scope.of(acting_user))
        .filter(pk=county.pk, level=DivisionLevel.COUNTY)
        .exists()
    ):
        raise Http404


@transaction.atomic
def calendar_day_add(
    *, acting_user: User, county: Division, day: date, is_workday: bool, note: str = ""
) -> CalendarDay:
    """Enter one day of a year's official holiday arrangement for the county, when the
    `chinesecalendar` package does not hold that year yet: a holiday, or a make-up working
    day (调休). Entering a day again replaces it."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    _county_in_scope(acting_user, county)
    if package_holds(day.year):
        raise ValidationError(
            {
                "day": _(
                    "The official arrangement for {year} is already known to the portal: "
                    "nothing to enter."
                ).format(year=day.year)
            }
        )
    entered, _created = CalendarDay.objects.update_or_create(
        county_code=county.code,
        day=day,
        defaults={"is_workday": is_workday, "note": note.strip(), "entered_by": acting_user},
    )
    entered.full_clean()
    return entered


@transaction.atomic
def calendar_day_remove(*, acting_user: User, county: Division, day_id: int) -> None:
    """Take back a day the county entered by mistake."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    _county_in_scope(acting_user, county)
    deleted, _kinds = CalendarDay.objects.filter(county_code=county.code, pk=day_id).delete()
    if not deleted:
        raise Http404


# --- Activity venues (活动场所) ---------------------------------------------------------------


@transaction.atomic
def venue_save(
    *,
    acting_user: User,
    village: Village,
    version: int | None,
    area: Decimal,
    state: str,
    works_started_on: date | None = None,
    works_finished_on: date | None = None,
    note: str = "",
    funding: Sequence[dict[str, Any]] = (),
) -> Venue:
    """Enter or correct a village's venue and its funding rows (source, year, amount; the
    rows given replace the old ones). `version` None: a new entry; else the version the form
    was loaded at. A venue declared up to standard must reach the standard area of its
    village's kind where it is; works under way have started and not finished."""
    require(acting_user, Perm.VILLAGE_CHANGE)
    locked_village = (
        Village.objects.visible_to(Scope.of(acting_user))
        .select_for_update()
        .select_related("township")
        .filter(pk=village.pk)
        .first()
    )
    if locked_village is None:
        raise Http404
    venue = Venue.objects.select_for_update().filter(village=locked_village).first()
    if venue is None:
        if version is not None:
            raise StaleEditError(_("The venue was removed; reload the page and enter it again."))
        venue = Venue(village=locked_village)
    elif version is None:
        raise ValidationError(
            {"village": _("{name} has a venue already: edit it.").format(name=locked_village.name)}
        )
    elif version != venue.version:
        raise StaleEditError(
            _("The venue of {name} was modified by {user} at {time}; reload the page.").format(
                name=locked_village.name,
                user=venue.updated_by or _("someone else"),
                time=_local(venue.updated_at),
            )
        )
    else:
        venue.version += 1
    venue.area, venue.state, venue.note = area, state, note.strip()
    venue.works_started_on, venue.works_finished_on = works_started_on, works_finished_on
    venue.updated_by = acting_user
    errors: dict[str, str] = {}
    standard = standard_areas(locked_village.township)[locked_village.kind]
    if state == VenueState.MEETS and area is not None and area < standard:
        errors["area"] = _(
            "A venue up to standard has at least {standard} m² here; this one has {area} m²."
        ).format(standard=standard, area=area)
    if state in (VenueState.EXTENDING, VenueState.BUILDING):
        if works_started_on is None:
            errors["works_started_on"] = _("Works under way have a start date.")
        if works_finished_on is not None:
            errors["works_finished_on"] = _(
                "Works that have finished are not under way: set the state the venue is in now."
            )
    today = timezone.localdate()
    for name, day in (
        ("works_started_on", works_started_on),
        ("works_finished_on", works_finished_on),
    ):
        if day is not None and day > today and name not in errors:
            errors[name] = _("This date is in the future.")
    seen = set()
    for row in funding:
        key = (row["source"], row["year"])
        if key in seen:
            errors["funding"] = _("Each source is entered once per year.")
        seen.add(key)
    if errors:
        raise ValidationError(errors)
    venue.full_clean()
    venue.save()
    venue.funding.all().delete()
    funding_rows = [VenueFunding(venue=venue, **row) for row in funding]
    for funding_row in funding_rows:
        funding_row.full_clean(exclude=["venue"])
    VenueFunding.objects.bulk_create(funding_rows)
    return venue


@transaction.atomic
def venue_standards_update(
    *, acting_user: User, division: Division, **areas: int | None
) -> Division:
    """Set the standard venue area by village kind for a province's or a county's villages
    (empty: the nearest area above decides, else the default)."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    locked = (
        Division.objects.visible_to(Scope.of(acting_user))
        .select_for_update()
        .filter(
            pk=division.pk,
            level__in=[DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY],
        )
        .first()
    )
    if locked is None:
        raise Http404
    fields = list(VENUE_AREA_FIELDS.values())
    for name, value in areas.items():
        if name not in fields:
            raise ValueError(f"venue_standards_update cannot change {name}")
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=fields)
    return locked
