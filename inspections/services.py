"""Writes of the inspections app: rounds and teams, the random draw, visits, findings and
their life cycle (open → rectifying → verified), circulars and acknowledgements."""

from __future__ import annotations

import random
import secrets
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.choices import FindingAction, FindingStatus, RoundStatus
from inspections.docx import chinese_date
from inspections.models import (
    Acknowledgement,
    AwarenessCheck,
    Circular,
    Finding,
    FindingReview,
    InspectionRound,
    Team,
    Visit,
)
from portal.attachments import attachment_add, check_upload
from portal.choices import Role
from portal.constraints import service_transaction
from portal.exceptions import TransitionError
from portal.models import User
from portal.notifications import handoff, next_actors, place
from portal.permissions import Actions, allowed, require
from portal.roles import Perm
from portal.scoping import Scope
from portal.workdays import calendar_for
from rectification.choices import CaseStatus
from rectification.models import Case
from villages.models import Division, Village
from villages.organs import issuer
from villages.selectors import urged_and_late

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.core.files.uploadedfile import UploadedFile

    from rectification.models import Category

ROUND_MOVES: dict[str, tuple[str, ...]] = {
    RoundStatus.PLANNED: (RoundStatus.ACTIVE,),
    RoundStatus.ACTIVE: (RoundStatus.CLOSED,),
    RoundStatus.CLOSED: (),
}


def _lock(model, obj, user):
    try:
        return model.objects.visible_to(Scope.of(user)).select_for_update().get(pk=obj.pk)
    except model.DoesNotExist:
        raise Http404 from None


# --- Rounds and teams -----------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    acting_user: User,
    county: Division,
    year: int,
    quarter: int,
    kind: str,
    starts_on: date,
    ends_on: date,
) -> InspectionRound:
    require(acting_user, Perm.ROUND_MANAGE)
    if (
        county.level != "county"
        or not Division.objects.visible_to(Scope.of(acting_user)).filter(pk=county.pk).exists()
    ):
        raise ValidationError({"county": _("Choose a county inside your area.")})
    inspection = InspectionRound(
        county=county,
        year=year,
        quarter=quarter,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
    )
    inspection.full_clean()
    inspection.save()
    return inspection


@transaction.atomic
def round_move(*, acting_user: User, inspection: InspectionRound, to: str) -> InspectionRound:
    """planned → active → closed; nothing else."""
    require(acting_user, Perm.ROUND_MANAGE)
    inspection = _lock(InspectionRound, inspection, acting_user)
    if to not in ROUND_MOVES[inspection.status]:
        raise TransitionError(
            _("A round that is “{status}” cannot become “{to}”.").format(
                status=inspection.get_status_display(), to=RoundStatus(to).label
            )
        )
    inspection.status = to
    inspection.save(update_fields=["status"])
    return inspection


@service_transaction
def team_save(
    *,
    acting_user: User,
    inspection: InspectionRound,
    name: str,
    leader: str = "",
    members: Iterable[User] = (),
    team: Team | None = None,
) -> Team:
    """A team of inspector users of the county."""
    require(acting_user, Perm.ROUND_MANAGE)
    inspection = _lock(InspectionRound, inspection, acting_user)
    allowed = set(
        User.objects.visible_to(Scope.of(acting_user))
        .filter(role=Role.INSPECTOR, is_active=True)
        .values_list("pk", flat=True)
    )
    strangers = [str(m) for m in members if m.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "members": _("Not inspectors of this county: {names}").format(
                    names="、".join(strangers)
                )
            }
        )
    team = team or Team(round=inspection)
    team.name, team.leader = name, leader
    team.full_clean()
    team.save()
    team.members.set(members)
    return team


@transaction.atomic
def team_assign(*, acting_user: User, team: Team, villages: Iterable[Village]) -> Team:
    """Give a team the villages it is to visit (by hand)."""
    require(acting_user, Perm.ROUND_MANAGE)
    team = _lock(Team, team, acting_user)
    county = team.round.county_id
    outside = [v.name for v in villages if not v.code.startswith(county)]
    if outside:
        raise ValidationError(
            {"villages": _("Not in the round's county: {names}").format(names="、".join(outside))}
        )
    team.villages.set(villages)
    return team


def draw_candidates(inspection: InspectionRound) -> list[Village]:
    """The villages a random draw chooses from: those with an open case in the county,
    in code order, so that a seed always gives the same villages."""
    return list(
        Village.objects.filter(
            code__startswith=inspection.county_id,
            cases__isnull=False,
        )
        .exclude(cases__status=CaseStatus.CLOSED)
        .distinct()
        .order_by("code")
    )


@transaction.atomic
def draw_villages(
    *, acting_user: User, inspection: InspectionRound, count: int, seed: str = ""
) -> list[Village]:
    """Draw `count` villages at random and deal them to the teams in turn; the seed is
    recorded (a new one if none is given) so the draw can be repeated and checked."""
    require(acting_user, Perm.ROUND_MANAGE)
    inspection = _lock(InspectionRound, inspection, acting_user)
    teams = list(inspection.teams.order_by("name"))
    if not teams:
        raise ValidationError(_("Add the teams before drawing the villages."))
    candidates = draw_candidates(inspection)
    if count < 1 or count > len(candidates):
        raise ValidationError(
            {"count": _("Draw between 1 and {n} villages.").format(n=len(candidates))}
        )
    seed = seed or secrets.token_hex(8)
    drawn = random.Random(seed).sample(candidates, count)
    for team in teams:
        team.villages.clear()
    for index, village in enumerate(drawn):
        teams[index % len(teams)].villages.add(village)
    inspection.draw_seed = seed
    inspection.save(update_fields=["draw_seed"])
    return drawn


# --- Visits and findings ------------------------------------------------------------------------


def _on_team(user, team):
    return team.members.filter(pk=user.pk).exists()


def round_active(inspection: InspectionRound) -> bool:
    """Visits are recorded while the round is under way."""
    return inspection.status == RoundStatus.ACTIVE


def may_record_visits(user: User, inspection: InspectionRound) -> bool:
    """Whether `user` records visits in this round: an inspector on one of its teams. The
    visit form answers 403 to anyone else, before they fill it in for nothing."""
    return user.has_role_perm(Perm.INSPECT) and inspection.teams.filter(members=user).exists()


@transaction.atomic
def visit_record(
    *,
    acting_user: User,
    team: Team,
    village: Village,
    visited_on: date,
    unannounced: bool,
    summary: str,
    score: int | None = None,
) -> Visit:
    """An inspector of the team records a visit to a village on the team's list. A village
    off the list is refused: the list is the round's plan, which the county department
    sets (by hand or by the recorded draw); a visit elsewhere would be a plan nobody made."""
    require(acting_user, Perm.INSPECT)
    team = _lock(Team, team, acting_user)
    if not _on_team(acting_user, team):
        raise PermissionDenied(_("Only members of the team record its visits."))
    inspection = team.round
    if not round_active(inspection):
        raise ValidationError(_("Visits are recorded while the round is under way."))
    if not village.code.startswith(inspection.county_id):
        raise ValidationError({"village": _("Not in the round's county.")})
    if not team.villages.filter(pk=village.pk).exists():
        raise ValidationError(
            {
                "village": _(
                    "{village} is not on this team's list of villages to visit; the county "
                    "organization department decides which villages a team visits."
                ).format(village=village.name)
            }
        )
    visit = Visit(
        round=inspection,
        team=team,
        village=village,
        visited_on=visited_on,
        unannounced=unannounced,
        summary=summary,
        score=score,
        recorded_by=acting_user,
    )
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def finding_add(
    *,
    acting_user: User,
    visit: Visit,
    category: Category,
    description: str,
    severity: str,
    deadline: date | None = None,
    within_workdays: int | None = None,
    case: Case | None = None,
) -> Finding:
    """A problem found on the visit, for the village's township to rectify by a deadline:
    a date, or a number of working days after the visit (限N个工作日内整改), counted on
    China's holiday arrangement as the village's county knows it (portal.workdays)."""
    require(acting_user, Perm.INSPECT)
    visit = _lock(Visit, visit, acting_user)
    if not _on_team(acting_user, visit.team):
        raise PermissionDenied(_("Only members of the team record its findings."))
    if within_workdays is not None:
        if within_workdays < 1:
            raise ValidationError({"within_workdays": _("At least one working day.")})
        deadline = calendar_for(visit.village_id).add(visit.visited_on, within_workdays)
    if deadline is None:
        raise ValidationError(
            {"deadline": _("Give a deadline, or a number of working days after the visit.")}
        )
    if deadline < visit.visited_on:
        raise ValidationError({"deadline": _("The deadline cannot precede the visit.")})
    if case is None:
        case = (
            Case.objects.filter(village=visit.village)
            .exclude(status=CaseStatus.CLOSED)
            .order_by("-campaign__year")
            .first()
        )
    elif case.village_id != visit.village_id:
        raise ValidationError({"case": _("That case is another village's.")})
    finding = Finding(
        visit=visit,
        category=category,
        description=description,
        severity=severity,
        township_id=visit.village.township_id,
        deadline=deadline,
        case=case,
    )
    finding.full_clean()
    finding.save()
    handoff(
        acting_user=acting_user,
        to=next_actors(visit.village_id, organizers=True, secretary=True),
        key=f"finding-recorded:{finding.pk}",
        title=gettext_lazy("{place}: a problem found by the inspection, to rectify by {deadline}"),
        body=description,
        place=place(visit.village),
        deadline=chinese_date(deadline),
        url=reverse("finding_detail", args=[finding.pk]),
    )
    return finding


@transaction.atomic
def awareness_record(
    *, acting_user: User, visit: Visit, households_asked: int, households_aware: int
) -> AwarenessCheck:
    """The visit's household interviews (群众知晓率): how many households were asked whether
    they know their village's first secretary, and how many did. Recorded again, it
    replaces the visit's tally; it counts for the secretary posted there on the visit's day."""
    from firstsecretary.models import Assignment

    require(acting_user, Perm.INSPECT)
    visit = _lock(Visit, visit, acting_user)
    if not _on_team(acting_user, visit.team):
        raise PermissionDenied(_("Only members of the team record its household interviews."))
    posting = (
        Assignment.objects.filter(village=visit.village, started_on__lte=visit.visited_on)
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=visit.visited_on))
        .order_by("-started_on")
        .first()
    )
    check = AwarenessCheck.objects.filter(visit=visit).first() or AwarenessCheck(visit=visit)
    check.secretary_id = posting.secretary_id if posting else None
    check.households_asked = households_asked
    check.households_aware = households_aware
    check.recorded_by = acting_user
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def finding_answer(
    *, acting_user: User, finding: Finding, response: str, upload: UploadedFile | None = None
) -> Finding:
    """The township answers with its rectification, and optionally an evidence file (type
    checked by content before anything is written); the finding is then being rectified."""
    require(acting_user, Perm.FINDING_ANSWER)
    finding = _lock(Finding, finding, acting_user)
    if not finding_open(finding):
        raise TransitionError(_("A verified finding is closed."))
    if not response.strip():
        raise ValidationError({"response": _("Say what was done.")})
    if upload is not None:
        check_upload(upload)
    finding.response = response
    finding.responded_at = timezone.now()
    finding.status = FindingStatus.RECTIFYING
    finding.save(update_fields=["response", "responded_at", "status"])
    if upload is not None:
        attachment_add(
            record=finding,
            scope_code=finding.visit.village_id,
            upload=upload,
            acting_user=acting_user,
        )
    # The team that found it judges the answer; answering again before the verdict is one
    # answer, after a send-back a new one.
    visit = finding.visit
    handoff(
        acting_user=acting_user,
        to=next_actors(
            visit.village_id,
            users=visit.team.members.filter(role=Role.INSPECTOR).values_list("pk", flat=True),
        ),
        key=f"finding-answered:{finding.pk}:{finding.reviews.count()}",
        title=gettext_lazy("{place}: the township answered a finding: please verify"),
        body=response,
        place=place(visit.village),
        url=reverse("finding_detail", args=[finding.pk]),
    )
    return finding


def is_inspector_of(user: User, inspection: InspectionRound) -> bool:
    """Whether `user` is an inspector on one of the round's teams: who judges its findings."""
    if not user.has_role_perm(Perm.INSPECT):
        return False
    # A list prefetches its rounds' teams with their members (selectors.with_teams):
    # answered from memory, one lookup for the whole page instead of one per finding.
    teams = getattr(inspection, "_prefetched_objects_cache", {}).get("teams")
    if teams is not None:
        return any(member.pk == user.pk for team in teams for member in team.members.all())
    return Team.objects.filter(round_id=inspection.pk, members=user).exists()


def finding_open(finding: Finding) -> bool:
    """A finding is answered (and answered again) until it is verified: then it is closed."""
    return finding.status != FindingStatus.VERIFIED


def finding_answered(finding: Finding) -> bool:
    """The township has answered and the verdict is pending: something to verify or send
    back."""
    return finding.status == FindingStatus.RECTIFYING


def finding_actions(*, user: User, finding: Finding) -> Actions:
    """What `user` may do with `finding` now (FindingAction names): the township answers an
    open finding; an inspector of its round verifies or sends back an answered one. What
    the finding's page offers and the API's `available_actions` lists; the services
    enforce the same rules."""
    verdict = finding_answered(finding) and is_inspector_of(user, finding.visit.round)
    return allowed(
        user,
        {
            FindingAction.ANSWER: (Perm.FINDING_ANSWER, finding_open(finding)),
            FindingAction.VERIFY: (Perm.INSPECT, verdict),
            FindingAction.SEND_BACK: (Perm.INSPECT, verdict),
        },
    )


def _answered_finding(acting_user, finding):
    """The finding, locked, if `acting_user` is one of its round's inspectors and the
    township has answered it: only then is there something to verify or send back."""
    require(acting_user, Perm.INSPECT)
    finding = _lock(Finding, finding, acting_user)
    if not is_inspector_of(acting_user, finding.visit.round):
        raise PermissionDenied(_("Only the round's inspectors verify its findings."))
    if not finding_answered(finding):
        raise TransitionError(_("Only a finding the township has answered can be verified."))
    return finding


def _review(finding, acting_user, verified, comment):
    review = FindingReview(
        finding=finding, verified=verified, comment=comment.strip(), reviewed_by=acting_user
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def finding_verify(*, acting_user: User, finding: Finding, comment: str = "") -> Finding:
    """An inspector of the round verifies the rectification (核实销号): the finding is closed;
    the verdict and its comment are kept among the finding's reviews."""
    finding = _answered_finding(acting_user, finding)
    finding.status = FindingStatus.VERIFIED
    finding.verified_at = timezone.now()
    finding.verified_by = acting_user
    finding.save(update_fields=["status", "verified_at", "verified_by"])
    _review(finding, acting_user, True, comment)
    handoff(
        acting_user=acting_user,
        to=next_actors(finding.visit.village_id, organizers=True, secretary=True),
        key=f"finding-verified:{finding.pk}",
        title=gettext_lazy("{place}: the finding's rectification is verified and closed"),
        body=comment,
        place=place(finding.visit.village),
        url=reverse("finding_detail", args=[finding.pk]),
    )
    return finding


@transaction.atomic
def finding_send_back(*, acting_user: User, finding: Finding, comment: str) -> Finding:
    """An inspector of the round finds the rectification wanting and sends it back to the
    township (退回重新整改): the finding is open again until the township answers anew. The
    reason is required, kept among the reviews and sent to the township's organizers."""
    # Who may and whether it can come first: a stranger learns nothing from the message.
    finding = _answered_finding(acting_user, finding)
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the rectification is sent back.")})
    finding.status = FindingStatus.OPEN
    finding.save(update_fields=["status"])
    review = _review(finding, acting_user, False, comment)
    handoff(
        acting_user=acting_user,
        to=next_actors(finding.visit.village_id, organizers=True, secretary=True),
        key=f"finding-sent-back:{review.pk}",
        title=gettext_lazy("{place}: a finding was sent back for re-rectification"),
        body=review.comment,
        place=place(finding.visit.village),
        url=reverse("finding_detail", args=[finding.pk]),
    )
    return finding


# --- Circulars ------------------------------------------------------------------------------


def draft_body(inspection: InspectionRound) -> str:
    """The circular's text from the round's findings, grouped by township; dates written as
    an official document writes them (2026年10月8日)."""
    findings = (
        Finding.objects.filter(visit__round=inspection)
        .select_related("visit__village", "township", "category")
        .order_by("township__code", "visit__village__code", "pk")
    )
    lines = [
        _(
            "From {start} to {end}, the {organ} inspected the rectification of weak and lax "
            "village Party organisations. The problems found are circulated as follows, "
            "township by township; each township is to rectify them by the deadlines given "
            "and report."
        ).format(
            start=chinese_date(inspection.starts_on),
            end=chinese_date(inspection.ends_on),
            # 区委组织部 for a district, 县委组织部 for a county: a Chinese institution's name.
            organ=issuer(inspection.county),
        ),
        "",
    ]
    township = None
    for finding in findings:
        if finding.township_id != township:
            township = finding.township_id
            lines.append(f"{finding.township.name}：")
        lines.append(
            _("  {village}: {description} ({category}; rectify by {deadline})").format(
                village=finding.visit.village.name,
                description=finding.description,
                category=finding.category.name,
                deadline=chinese_date(finding.deadline),
            )
        )
    if township is None:
        lines.append(_("No problems were found in this round."))
    # The quarter's monthly activity plans: townships urged (催报) and late all the same.
    quarter = [date(inspection.year, 3 * inspection.quarter - 2 + n, 1) for n in range(3)]
    late = urged_and_late(county_code=inspection.county_id, months=quarter)
    if late:
        lines += [
            "",
            _("Townships urged and still late with their monthly activity plans: {names}.").format(
                names="、".join(township.name for township in late)
            ),
        ]
    return "\n".join(lines)


@service_transaction
def circular_draft(*, acting_user: User, inspection: InspectionRound, title: str = "") -> Circular:
    """Draft the round's circular with the county's next number for the year."""
    require(acting_user, Perm.ROUND_MANAGE)
    inspection = _lock(InspectionRound, inspection, acting_user)
    if hasattr(inspection, "circular"):
        return inspection.circular
    # Two rounds of one county drafted at once must not take one number. The county's row is
    # the lock: locking the year's circulars locks nothing when there are none yet (and Django
    # drops FOR UPDATE from an aggregate), so both drafts took 〔year〕1号 and one was a 500.
    Division.objects.select_for_update().filter(pk=inspection.county_id).first()
    taken = Circular.objects.filter(county_id=inspection.county_id, year=inspection.year)
    number = (taken.aggregate(n=Max("number"))["n"] or 0) + 1
    circular = Circular(
        round=inspection,
        county_id=inspection.county_id,
        year=inspection.year,
        number=number,
        title=title
        or _(
            "Circular on the inspection of the rectification of weak and lax "
            "village Party organisations, quarter {quarter} of {year}"
        ).format(quarter=inspection.quarter, year=inspection.year),
        body=draft_body(inspection),
    )
    circular.full_clean()
    circular.save()
    return circular


@transaction.atomic
def circular_update(*, acting_user: User, circular: Circular, title: str, body: str) -> Circular:
    require(acting_user, Perm.ROUND_MANAGE)
    circular = _lock(Circular, circular, acting_user)
    if circular.published_at is not None:
        raise TransitionError(_("A published circular can no longer be changed."))
    circular.title, circular.body = title, body
    circular.full_clean()
    circular.save(update_fields=["title", "body"])
    return circular


@transaction.atomic
def circular_publish(*, acting_user: User, circular: Circular) -> Circular:
    """Publish the circular and tell every township organizer of the county."""
    require(acting_user, Perm.ROUND_MANAGE)
    circular = _lock(Circular, circular, acting_user)
    if circular.published_at is not None:
        return circular
    circular.published_at = timezone.now()
    circular.save(update_fields=["published_at"])
    handoff(
        acting_user=acting_user,
        to=next_actors(circular.county_id, organizers=True),
        key=f"circular:{circular.pk}",
        title=gettext_lazy("Circular {reference} published: please read and acknowledge"),
        body=circular.title,
        reference=circular.reference,
        url=reverse("circular_detail", args=[circular.pk]),
    )
    return circular


@transaction.atomic
def circular_acknowledge(*, acting_user: User, circular: Circular) -> Acknowledgement:
    """A township organizer acknowledges the published circular for their township."""
    require(acting_user, Perm.FINDING_ANSWER)
    circular = _lock(Circular, circular, acting_user)
    if circular.published_at is None:
        raise ValidationError(_("The circular has not been published yet."))
    township = acting_user.division
    if township is None or township.level != "township":
        raise PermissionDenied(_("A township acknowledges the circular."))
    acknowledgement, _created = Acknowledgement.objects.get_or_create(
        circular=circular, township=township, defaults={"by": acting_user}
    )
    return acknowledgement
