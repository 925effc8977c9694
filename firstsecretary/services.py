"""Writes of the first-secretary app: the roster, postings, work logs, evaluations and
each case's supporters. Database constraints back the two rules that matter most (one
active posting per secretary, one active first secretary per village); the services
check them first so that a refusal reads as a sentence, not an IntegrityError."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firstsecretary.choices import SupportAction, SupportKind
from firstsecretary.models import (
    Assignment,
    DispatchUnit,
    Evaluation,
    FirstSecretary,
    SupportLink,
    WorkLog,
)
from portal.choices import Role
from portal.constraints import service_transaction
from portal.notifications import handoff, next_actors, place
from portal.permissions import Actions, allowed, require
from portal.roles import Perm
from portal.scoping import Scope
from rectification.choices import CaseStatus
from rectification.models import Case
from rectification.services import case_open
from villages.models import Division, Village

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence
    from decimal import Decimal
    from typing import Any

    from django.core.files.uploadedfile import UploadedFile

    from firstsecretary.models import WorkLogPhoto
    from portal.models import User
    from portal.notifications import Actors


def _county_in_scope(user, county):
    if county is None or county.level != "county":
        raise ValidationError({"county": _("Choose a county inside your area.")})
    if not Division.objects.visible_to(Scope.of(user)).filter(pk=county.pk).exists():
        raise ValidationError({"county": _("Choose a county inside your area.")})


# --- The roster ----------------------------------------------------------------------------------


@service_transaction
def unit_save(
    *,
    acting_user: User,
    county: Division,
    name: str,
    level: str,
    kind: str,
    unit: DispatchUnit | None = None,
) -> DispatchUnit:
    """Add or rename a dispatching unit of the county's roster."""
    require(acting_user, Perm.SECRETARY_MANAGE)
    _county_in_scope(acting_user, county)
    unit = unit or DispatchUnit()
    unit.county, unit.name, unit.level, unit.kind = county, name, level, kind
    unit.full_clean()
    unit.save()
    return unit


SECRETARY_FIELDS = ("name", "gender", "birth_year", "education", "unit", "position", "phone")


@service_transaction
def secretary_save(
    *,
    acting_user: User,
    county: Division,
    secretary: FirstSecretary | None = None,
    user: User | None = None,
    **fields: Any,
) -> FirstSecretary:
    """Add a first secretary to the county's roster, or correct their record."""
    require(acting_user, Perm.SECRETARY_MANAGE)
    _county_in_scope(acting_user, county)
    if set(fields) - set(SECRETARY_FIELDS):
        raise TypeError(f"unknown fields {sorted(set(fields) - set(SECRETARY_FIELDS))}")
    if fields.get("unit") is not None and fields["unit"].county_id != county.pk:
        raise ValidationError({"unit": _("The unit is on another county's roster.")})
    if user is not None and user.role != Role.FIRST_SECRETARY:
        raise ValidationError({"user": _("Link a portal user whose role is first secretary.")})
    secretary = secretary or FirstSecretary()
    secretary.county = county
    secretary.user = user
    for name, value in fields.items():
        setattr(secretary, name, value)
    secretary.full_clean()
    secretary.save()
    _follow_posting(secretary)
    return secretary


def _follow_posting(secretary):
    """A first secretary's portal user sees exactly the village of the active posting."""
    if secretary.user_id is None:
        return
    active = secretary.assignments.filter(actual_end__isnull=True).select_related("village").first()
    user = secretary.user
    user.village = active.village if active else None
    if active:
        user.division_id = active.village.township_id
    user.save(update_fields=["village", "division"])


# --- Postings ------------------------------------------------------------------------------------


def _active_elsewhere(secretary, village):
    errors = {}
    mine = Assignment.objects.filter(secretary=secretary, actual_end__isnull=True).first()
    if mine is not None:
        errors["secretary"] = _(
            "{name} is already posted to {village}; end that posting first."
        ).format(name=secretary.name, village=mine.village)
    theirs = (
        Assignment.objects.filter(village=village, actual_end__isnull=True)
        .select_related("secretary")
        .first()
    )
    if theirs is not None:
        errors["village"] = _("{village} already has a first secretary, {name}.").format(
            village=village, name=theirs.secretary.name
        )
    return errors


@transaction.atomic
def assignment_start(
    *,
    acting_user: User,
    secretary: FirstSecretary,
    village: Village,
    started_on: datetime.date,
    planned_end: datetime.date,
) -> Assignment:
    """Post a secretary of the roster to a village of the area."""
    require(acting_user, Perm.SECRETARY_MANAGE)
    if (
        not FirstSecretary.objects.visible_to(Scope.of(acting_user))
        .filter(pk=secretary.pk)
        .exists()
    ):
        raise Http404
    if not Village.objects.visible_to(Scope.of(acting_user)).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("This village is outside your area.")})
    errors = _active_elsewhere(secretary, village)
    if errors:
        raise ValidationError(errors)
    assignment = Assignment(
        secretary=secretary, village=village, started_on=started_on, planned_end=planned_end
    )
    assignment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        # Someone else posted at the same moment: the constraint decided.
        raise ValidationError(
            _active_elsewhere(secretary, village) or _("Please try again.")
        ) from None
    _follow_posting(secretary)
    # The secretary starts logging from his village; the township receives him.
    told: tuple[tuple[Actors, str], ...] = (
        ({"secretary": True}, reverse("worklog")),
        ({"organizers": True}, reverse("village_detail", args=[village.code])),
    )
    for whom, url in told:
        handoff(
            acting_user=acting_user,
            to=next_actors(village.code, **whom),
            key=f"posting-started:{assignment.pk}",
            title=gettext_lazy("{name} is posted to {place} as first secretary"),
            name=secretary.name,
            place=place(village),
            url=url,
        )
    return assignment


@transaction.atomic
def assignment_end(
    *, acting_user: User, assignment: Assignment, ended_on: datetime.date, reason: str
) -> Assignment:
    """Recall a secretary (or close a posting at its term); the posting stays as history."""
    require(acting_user, Perm.SECRETARY_MANAGE)
    try:
        assignment = (
            Assignment.objects.visible_to(Scope.of(acting_user))
            .select_for_update()
            .get(pk=assignment.pk)
        )
    except Assignment.DoesNotExist:
        raise Http404 from None
    if assignment.actual_end is not None:
        raise ValidationError(_("This posting has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason the posting ends.")})
    if ended_on < assignment.started_on:
        raise ValidationError({"ended_on": _("A posting cannot end before it started.")})
    assignment.actual_end = ended_on
    assignment.end_reason = reason
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    _follow_posting(assignment.secretary)
    # The township is left without its first secretary: it is the one to act.
    handoff(
        acting_user=acting_user,
        to=next_actors(assignment.village_id, organizers=True),
        key=f"posting-ended:{assignment.pk}",
        title=gettext_lazy("{name}'s posting to {place} as first secretary has ended"),
        body=reason,
        name=assignment.secretary.name,
        place=place(assignment.village),
        url=reverse("village_detail", args=[assignment.village_id]),
    )
    return assignment


# --- Work logs and evaluations -----------------------------------------------------------------


def active_assignment_of(user: User) -> Assignment | None:
    """The posting a first secretary's portal user logs against, or None."""
    secretary = getattr(user, "first_secretary", None)
    if secretary is None:
        return None
    return secretary.assignments.filter(actual_end__isnull=True).select_related("village").first()


@transaction.atomic
def worklog_save(
    *,
    acting_user: User,
    date: datetime.date,
    on_site: bool,
    households_visited: int,
    kind: str,
    summary: str,
    photos: Sequence[UploadedFile] = (),
) -> WorkLog:
    """Record (or correct, within CORRECTION_DAYS) a day of the secretary's own active
    posting, with its photos: all saved or, if one is refused, none."""
    require(acting_user, Perm.WORKLOG_WRITE)
    assignment = active_assignment_of(acting_user)
    if assignment is None:
        raise ValidationError(_("You have no active posting to log against."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("A day in the future cannot be logged.")})
    if date < assignment.started_on:
        raise ValidationError(
            {
                "date": _("The posting started on {day}.").format(
                    day=assignment.started_on.isoformat()
                )
            }
        )
    if not on_site and households_visited:
        raise ValidationError(
            {
                "households_visited": _(
                    "Households are visited in the village: tick 'in the village'."
                )
            }
        )
    existing = WorkLog.objects.filter(assignment=assignment, date=date).first()
    if existing is not None:
        _check_correctable(acting_user, existing)
    log, _created = WorkLog.objects.update_or_create(
        assignment=assignment,
        date=date,
        defaults={
            "on_site": on_site,
            "households_visited": households_visited,
            "kind": kind,
            "summary": summary,
        },
    )
    log.full_clean(validate_constraints=False)
    if photos:
        worklog_photos_add(acting_user=acting_user, log=log, uploads=photos)
    return log


# A day of the work log can be corrected by its author for this many days after it.
CORRECTION_DAYS = 7


def _check_correctable(user, log):
    if log.assignment.secretary.user_id != user.pk:
        raise PermissionDenied(_("Only the first secretary who wrote a day can correct it."))
    if (timezone.localdate() - log.date).days > CORRECTION_DAYS:
        raise ValidationError(
            _("A day of the work log can be corrected within {days} days only.").format(
                days=CORRECTION_DAYS
            )
        )


def worklog_correctable(user: User, log: WorkLog) -> bool:
    """Whether `user` may still correct `log` (the edit link shows only then)."""
    try:
        _check_correctable(user, log)
    except (PermissionDenied, ValidationError):
        return False
    return True


@transaction.atomic
def worklog_correct(
    *,
    acting_user: User,
    log: WorkLog,
    on_site: bool,
    households_visited: int,
    kind: str,
    summary: str,
    photos: Sequence[UploadedFile] = (),
) -> WorkLog:
    """Correct a day of the log: by its author, within CORRECTION_DAYS days of the day."""
    require(acting_user, Perm.WORKLOG_WRITE)
    _check_correctable(acting_user, log)
    if not on_site and households_visited:
        raise ValidationError(
            {
                "households_visited": _(
                    "Households are visited in the village: tick 'in the village'."
                )
            }
        )
    log.on_site, log.households_visited, log.kind, log.summary = (
        on_site,
        households_visited,
        kind,
        summary,
    )
    log.full_clean(validate_constraints=False)
    log.save()
    if photos:
        worklog_photos_add(acting_user=acting_user, log=log, uploads=photos)
    return log


# --- Photos of a day -------------------------------------------------------------------------

PHOTOS_PER_LOG = 6
PHOTO_LONG_SIDE = 1600
# Decoding is refused above this many pixels (a small file can claim a huge picture).
PHOTO_MAX_PIXELS = 50_000_000
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132


def _taken_at(image):
    """The EXIF DateTimeOriginal (else DateTime) as an aware datetime, or None."""
    import datetime

    exif = image.getexif()
    raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def _resized(upload):
    """(JPEG or PNG bytes without EXIF, width, height, taken_at, extension, perceptual hash)."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    from firstsecretary.similarity import photo_hash

    error = ValidationError({"photos": _("The photo could not be read; take it again.")})
    try:
        with Image.open(upload) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photos": _("The photo has too many pixels.")})
            taken_at = _taken_at(image)
            kind = image.format
            image.load()
            # Turned as the phone held it, then shrunk; a new image carries no EXIF.
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, "PNG", optimize=True)
                extension = ".png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=85)
                extension = ".jpg"
            # Of the picture as kept, so a photo uploaded twice hashes alike (请核实).
            phash = photo_hash(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise error from None
    return out.getvalue(), image.width, image.height, taken_at, extension, phash


@transaction.atomic
def worklog_photos_add(
    *, acting_user: User, log: WorkLog, uploads: Sequence[UploadedFile]
) -> list[WorkLogPhoto]:
    """Add photos to a day of the author's log (within the correction days): JPEG or PNG,
    bounded in size before being read, resized and stripped of EXIF (GPS included)."""
    from django.core.files.base import ContentFile

    from firstsecretary.models import WorkLogPhoto
    from portal.attachments import check_upload

    require(acting_user, Perm.WORKLOG_WRITE)
    _check_correctable(acting_user, log)
    if log.photos.count() + len(uploads) > PHOTOS_PER_LOG:
        raise ValidationError(
            {"photos": _("A day holds at most {n} photos.").format(n=PHOTOS_PER_LOG)}
        )
    added = []
    for upload in uploads:
        try:
            kind = check_upload(upload)
        except ValidationError as error:
            raise ValidationError({"photos": error.message_dict["file"]}) from None
        if kind not in ("jpeg", "png"):
            raise ValidationError({"photos": _("Only JPEG and PNG photos are accepted.")})
        content, width, height, taken_at, extension, phash = _resized(upload)
        photo = WorkLogPhoto(
            log=log,
            original_name=(upload.name or "")[-200:],
            taken_at=taken_at,
            width=width,
            height=height,
            phash=phash,
        )
        photo.image.save(f"{log.date:%Y%m%d}{extension}", ContentFile(content), save=False)
        photo.save()
        added.append(photo)
    return added


@transaction.atomic
def evaluation_set(
    *, acting_user: User, secretary: FirstSecretary, year: int, grade: str, comment: str = ""
) -> Evaluation:
    """The county's yearly evaluation (excellent / competent / basically / incompetent)."""
    require(acting_user, Perm.SECRETARY_MANAGE)
    scope = Scope.of(acting_user)
    if (
        not FirstSecretary.objects.visible_to(scope)
        .filter(pk=secretary.pk, county__code__startswith=scope.prefix or "")
        .exists()
    ):
        raise Http404
    evaluation, _created = Evaluation.objects.update_or_create(
        secretary=secretary,
        year=year,
        defaults={"grade": grade, "comment": comment, "evaluated_by": acting_user},
    )
    evaluation.full_clean(validate_constraints=False)
    return evaluation


# --- Supporters of a case ------------------------------------------------------------------------


def support_actions(*, user: User, case: Case) -> Actions:
    """What `user` may do with the supporters of `case` now (SupportAction.ADD): the county
    links supporters to a case until it is closed. The case page's supporters' card offers
    it; `support_add` enforces it."""
    return allowed(user, {SupportAction.ADD: (Perm.SUPPORT_MANAGE, case_open(case))})


def support_link_actions(*, user: User, link: SupportLink) -> Actions:
    """What `user` may do with one support link now (SupportAction.REMOVE): the same rule,
    on the link's case. The card's "Remove" and the API's `available_actions`."""
    return allowed(user, {SupportAction.REMOVE: (Perm.SUPPORT_MANAGE, case_open(link.case))})


@transaction.atomic
def support_add(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    name: str,
    contact: str = "",
    amount: Decimal | None = None,
    project_status: str = "",
    mentor_village: Village | None = None,
) -> SupportLink:
    """Add a supporter to a case; an excellent village secretary mentors a limited number."""
    require(acting_user, Perm.SUPPORT_MANAGE)
    try:
        case = Case.objects.visible_to(Scope.of(acting_user)).select_for_update().get(pk=case.pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if not case_open(case):
        raise ValidationError(_("A closed case can no longer be edited."))
    errors = {}
    if kind == SupportKind.PROJECT and not project_status:
        errors["project_status"] = _("Give the project's status.")
    if kind != SupportKind.PROJECT and (amount is not None or project_status):
        errors["amount"] = _("Only a development project has an amount and a status.")
    if kind == SupportKind.MENTOR:
        if mentor_village is None:
            errors["mentor_village"] = _("Give the mentor's own village.")
        elif mentor_village.pk == case.village_id:
            errors["mentor_village"] = _("A village cannot mentor itself.")
        else:
            limit = settings.MENTOR_MAX_VILLAGES
            mentoring = (
                SupportLink.objects.filter(kind=SupportKind.MENTOR, mentor_village=mentor_village)
                .exclude(case__status=CaseStatus.CLOSED)
                .select_for_update()
                .count()
            )
            if mentoring >= limit:
                errors["mentor_village"] = _(
                    "The secretary of {village} already mentors {count} villages, the most "
                    "allowed ({limit})."
                ).format(village=mentor_village, count=mentoring, limit=limit)
    elif mentor_village is not None:
        errors["mentor_village"] = _("Only a mentor has a village of their own here.")
    if errors:
        raise ValidationError(errors)
    link = SupportLink(
        case=case,
        kind=kind,
        name=name,
        contact=contact,
        amount=amount,
        project_status=project_status,
        mentor_village=mentor_village,
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def support_remove(*, acting_user: User, link: SupportLink) -> None:
    """Take a supporter off a case, as long as the case is not closed (as `support_add`)."""
    require(acting_user, Perm.SUPPORT_MANAGE)
    links = SupportLink.objects.visible_to(Scope.of(acting_user)).select_related("case")
    current = links.filter(pk=link.pk).first()
    if current is None:
        raise Http404
    if not case_open(current.case):
        raise ValidationError(_("A closed case can no longer be edited."))
    current.delete()


def may_review_trust(user: User) -> bool:
    """Whether `user` sees the work-log signals (请核实): everyone who reads secretaries' work
    but the first secretaries themselves, for whom they would read as verdicts."""
    return user.is_authenticated and user.role != Role.FIRST_SECRETARY
