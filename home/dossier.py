"""One village, one file (一村一档): everything the portal knows of a village, on one page.

The file is put together here, on the roof, because it reads every domain app; each app's
selectors give their part, scoped by the reader's `Scope` (an inspection visit the reader
may not know of yet is not in it). The number of queries does not grow with the village's
history: each part is a fixed number of queries (tests/portal/test_dossier.py counts them).
Above the parts, one timeline of everything that happened, newest first.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from firstsecretary import selectors as secretary_selectors
from firstsecretary.views import FIVE_LABELS
from inspections import selectors as inspection_selectors
from portal.scoping import Scope
from rectification import selectors as ledger_selectors
from villages import selectors as village_selectors
from villages.models import Village


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, which part of the file, what happened, where to
    read more (a URL, or "" when the line is all there is)."""

    on: date
    part: str
    text: str
    url: str = ""


@dataclass
class CaseFile:
    """One listing: the ledger row, its plan and tasks, its acceptance reviews, its
    supporters and the five ones."""

    case: object
    support: list = field(default_factory=list)
    five_ones: list = field(default_factory=list)

    def _names(self, kind):
        return "、".join(link.name for link in self.support if link.kind == kind)

    @property
    def county_leader(self):
        return self._names("county_leader")

    @property
    def township_leader(self):
        return self._names("township_contact")

    @property
    def plan(self):
        return self.case.plan if _has_plan(self.case) else None


@dataclass
class Dossier:
    village: Village
    ratings: list
    cases: list[CaseFile]
    postings: list
    activity: list
    visits: list
    circulars: list
    timeline: list[Entry]
    made_on: date
    # The village's activity venue (with standard_area and its funding rows), or None.
    venue: object = None

    @property
    def relapses(self):
        return sum(1 for item in self.cases if item.case.is_relapse)

    @property
    def interviews(self):
        """The visits' household interviews (群众知晓率), newest first: read with the
        visits, no query of their own."""
        # A visit without interviews raises RelatedObjectDoesNotExist, an AttributeError.
        return [visit.awareness for visit in self.visits if hasattr(visit, "awareness")]

    @property
    def awareness(self):
        """The villagers' awareness of their first secretary over every interview above."""
        checks = self.interviews
        return inspection_selectors.Awareness(
            asked=sum(check.households_asked for check in checks),
            aware=sum(check.households_aware for check in checks),
            visits=len(checks),
        )


def _day(value):
    """A date from a date or an aware datetime, in the portal's time zone."""
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def village_dossier(*, scope: Scope, village: Village, today: date | None = None) -> Dossier:
    """The file of `village` as the reader of `scope` may know it."""
    today = today or timezone.localdate()
    ratings = ledger_selectors.village_ratings(scope=scope, village=village)
    cases = ledger_selectors.village_cases(scope=scope, village=village)
    postings = secretary_selectors.village_postings(scope=scope, village=village)
    support = secretary_selectors.village_support(scope=scope, village=village)
    activity = village_selectors.village_activity(scope=scope, village=village, today=today)
    visits = inspection_selectors.village_visits(scope=scope, village=village)
    circulars = inspection_selectors.village_circulars(scope=scope, village=village)
    posted = any(p.assignment.actual_end is None for p in postings)
    files = []
    for case in cases:
        links = [link for link in support if link.case_id == case.pk]
        five = secretary_selectors.five_ones_in(links, posted=posted)
        files.append(CaseFile(case, links, [(FIVE_LABELS[kind], ok) for kind, ok in five]))
    venue = village_selectors.village_venue(scope=scope, village=village)
    timeline = _timeline(ratings, files, postings, activity, visits, circulars, today)
    timeline = _with_venue(timeline, venue)
    return Dossier(
        village,
        ratings,
        files,
        postings,
        activity,
        visits,
        circulars,
        timeline,
        made_on=today,
        venue=venue,
    )


def _with_venue(timeline, venue):
    """The timeline with the venue's works started and finished, still newest first."""
    if venue is None:
        return timeline
    entries = list(timeline)
    if venue.works_started_on:
        entries.append(
            Entry(venue.works_started_on, _("Activity venue"), _("Works on the venue started"))
        )
    if venue.works_finished_on:
        entries.append(
            Entry(venue.works_finished_on, _("Activity venue"), _("Works on the venue finished"))
        )
    return sorted(entries, key=lambda entry: entry.on, reverse=True)


def _timeline(ratings, files, postings, activity, visits, circulars, today):
    """Every dated fact of the parts, newest first; facts of the same day in the order of
    the file's parts (ratings, listings, secretaries, organisation life, inspections)."""
    entries = []
    add = entries.append
    for rating in ratings:
        add(
            Entry(
                _day(rating.rated_at),
                _("Rating"),
                _("Rated {stars} stars ({grade}) for {year}").format(
                    stars=rating.stars, grade=rating.get_grade_display(), year=rating.year
                ),
            )
        )
    for item in files:
        case = item.case
        url = case.get_absolute_url()
        for event in case.events.all():
            text = event.label
            if event.action == "listed" and case.is_relapse:
                text = _("Listed again on the ledger (relapse, listing {n})").format(n=case.listing)
            add(Entry(_day(event.at), _("Ledger"), f"{case.campaign.name}: {text}", url))
        plan = case.plan if _has_plan(case) else None
        for task in plan.tasks.all() if plan else ():
            if task.completed_on:
                add(
                    Entry(
                        task.completed_on,
                        _("Plan"),
                        _("Task done: {measure}").format(measure=task.measure),
                        url,
                    )
                )
        for review in case.acceptances.all():
            verdict = _("passed") if review.passed else _("failed")
            add(
                Entry(
                    review.reviewed_on,
                    _("Acceptance"),
                    _("Acceptance review: {total} points of {mark} needed, {verdict}").format(
                        total=review.total, mark=review.pass_mark, verdict=verdict
                    ),
                    url,
                )
            )
        for link in item.support:
            add(
                Entry(
                    _day(link.created_at),
                    _("Support"),
                    f"{link.get_kind_display()}: {link.name}",
                    url,
                )
            )
            for visit in link.visits.all():
                add(
                    Entry(
                        visit.visited_on,
                        _("Contact visit"),
                        _("{kind} {name}: {summary}").format(
                            kind=link.get_kind_display(), name=link.name, summary=visit.summary
                        ),
                        url,
                    )
                )
    for posting in postings:
        assignment = posting.assignment
        name = assignment.secretary.name
        add(
            Entry(
                assignment.started_on,
                _("First secretary"),
                _("{name} posted to the village by {unit}").format(
                    name=name, unit=assignment.secretary.unit.name
                ),
            )
        )
        if assignment.actual_end:
            add(
                Entry(
                    assignment.actual_end,
                    _("First secretary"),
                    _("{name}'s posting ended").format(name=name),
                )
            )
        for evaluation in posting.evaluations:
            add(
                Entry(
                    min(date(evaluation.year, 12, 31), today),
                    _("First secretary"),
                    _("{name} evaluated {grade} for {year}").format(
                        name=name, grade=evaluation.get_grade_display(), year=evaluation.year
                    ),
                )
            )
    for month in activity:
        if month.plan and month.plan.submitted_at:
            add(
                Entry(
                    _day(month.plan.submitted_at),
                    _("Organisation life"),
                    (
                        _("Activity plan for {month} submitted late")
                        if month.plan.late
                        else _("Activity plan for {month} submitted")
                    ).format(month=month.month.strftime("%Y-%m")),
                )
            )
        for record in month.records:
            add(
                Entry(
                    record.held_on,
                    _("Organisation life"),
                    f"{record.get_kind_display()}: {record.topic}",
                )
            )
    for visit in visits:
        add(
            Entry(
                visit.visited_on,
                _("Inspection"),
                _("Visited by {team} ({round})").format(team=visit.team.name, round=visit.round),
                reverse("visit_detail", args=[visit.pk]),
            )
        )
        for finding in visit.findings.all():
            url = finding.get_absolute_url()
            if finding.responded_at:
                add(
                    Entry(
                        _day(finding.responded_at),
                        _("Inspection"),
                        _("Finding answered: {text}").format(text=str(finding)),
                        url,
                    )
                )
            if finding.verified_at:
                add(
                    Entry(
                        _day(finding.verified_at),
                        _("Inspection"),
                        _("Finding verified: {text}").format(text=str(finding)),
                        url,
                    )
                )
    for circular in circulars:
        if circular.published_at:
            add(
                Entry(
                    _day(circular.published_at),
                    _("Circular"),
                    _("Named in circular {reference}").format(reference=circular.reference),
                    reverse("circular_detail", args=[circular.pk]),
                )
            )
    # A stable sort (also reversed): facts of one day keep the order they were added in.
    return sorted(entries, key=lambda entry: entry.on, reverse=True)


def _has_plan(case):
    """Whether the case has a plan (read by select_related: no query either way)."""
    try:
        case.plan  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True
