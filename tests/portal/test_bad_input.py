"""Bad input everywhere: every page that takes a POST refuses oversize, malformed and
out-of-scope input with a message in Chinese, saves nothing, and never shows a trace.

The pages are read from the URL conf: a URL whose view accepts POST and is neither in
FORMS (swept field by field) nor in NO_FIELDS (a button: nothing typed, only checked for
garbage) fails `test_every_page_that_takes_a_post_is_swept`. For a form the bad values
are made from its fields' types — 10,000 characters for text, letters and 30 digits and
-1 for numbers, 2026-13-45 for dates, made-up choices and ids — plus, where a field
chooses an object, one from another township or county. Each bad post is followed by the
good post it was made from, which must save: so "nothing saved" is the bad value's doing.

Below the forms: garbage on every page (GET and POST), the three Excel imports (bad files
at the upload, bad rows at the preview, nothing committed), and formulas in the exports.
Evidence files by content are in tests/rectification/test_evidence.py; here only the
task id of an evidence upload and the proof file of a finding's answer.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django import forms
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from firstsecretary.forms import (
    AssignForm,
    EndForm,
    EvaluationForm,
    SupportForm,
    WorkLogCorrectForm,
    WorkLogForm,
)
from firstsecretary.imports import ROSTER_IMPORT
from firstsecretary.models import (
    Assignment,
    ContactVisit,
    DispatchUnit,
    Evaluation,
    FirstSecretary,
    SupportLink,
    WorkLog,
)
from inspections.forms import AnswerForm, CircularForm, DrawForm, FindingForm, VerifyForm
from inspections.models import (
    AwarenessCheck,
    Circular,
    Finding,
    FindingReview,
    InspectionRound,
    Team,
    Visit,
)
from portal.choices import Role
from portal.models import ApiToken, Attachment, CalendarDay, GeneratedReport, ImportBatch, User
from rectification import services as case_services
from rectification.forms import (
    AcceptanceForm,
    PlanReviewForm,
    TaskForm,
    TaskProgressForm,
    TransitionForm,
)
from rectification.imports import ACCEPTANCE_IMPORT, LEDGER_IMPORT, RATING_IMPORT
from rectification.models import (
    Acceptance,
    AcceptanceCriterion,
    Campaign,
    Case,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)
from tests.conftest import COUNTY, JIMO, TOWNSHIP_A
from tests.factories import UserFactory
from villages import services as village_services
from villages.forms import ActivityItemForm, ActivityPlanForm, VenueForm, VenueFundingForm
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

# What must never reach a user: a trace, SQL, a database error's name.
LEAKS = ("Traceback", "SELECT ", "INSERT INTO", "IntegrityError", "DataError", "OperationalError")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Error messages as the pages show them: under a field, or in a red alert (the form's own
# errors, or a message after a button's redirect).
ERROR = re.compile(
    r'<div class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>(.*?)</div>', re.S
)


def shown_errors(html):
    texts = (re.sub(r"<[^>]+>", " ", match).strip() for match in ERROR.findall(html))
    return [text for text in texts if text]


def assert_no_leak(response):
    assert response.status_code != 500
    content_type = response.get("Content-Type", "")
    if response.streaming or not content_type.startswith(("text/", "application/json")):
        return  # a file download
    body = response.content.decode(errors="replace")
    for leak in LEAKS:
        assert leak not in body, leak


# --- The URL conf --------------------------------------------------------------------------


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or str(pattern.pattern).startswith("api/"):
                continue  # the admin is Django's; the API is fuzzed in test_api_fuzz.py
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if str(pattern.pattern).startswith("api/"):
                continue
            yield pattern.name, pattern.callback


# Function views say which methods they take only inside: these refuse a POST (405).
GET_ONLY_FUNCTIONS = {"healthz"}


def _takes_post(name, callback):
    view = getattr(callback, "view_class", None)
    if view is None:
        return name not in GET_ONLY_FUNCTIONS
    return "post" in view.http_method_names and hasattr(view, "post")


PAGES = dict(_walk(get_resolver().url_patterns))
POST_PAGES = sorted(name for name, callback in PAGES.items() if _takes_post(name, callback))


# --- The objects the forms are about ---------------------------------------------------------


@pytest.fixture
def world(
    db,
    county_admin,
    alice,
    bob,
    inspector,
    secretary,
    village_a,
    village_b,
    campaign,
    categories,
    list_case,
    unit,
    add_secretary,
    posted,
):
    """A township A (梅厂镇) with a case in every state a form needs, a roster, a round;
    and, for out-of-scope references, objects of township B and of another county."""
    villages = list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:8])
    editable = list_case(alice, villages[0])
    rectifying = list_case(alice, villages[1])
    accepting = list_case(alice, villages[2])
    reviewing = list_case(alice, villages[3])
    tasks = [{"measure": "选优配强书记", "owner": "镇党委", "due_on": date(2026, 12, 30)}]
    for case in (rectifying, accepting, reviewing):
        case_services.plan_save(
            case=case, acting_user=alice, version=1, goal="一年内转化", tasks=tasks
        )
        case_services.plan_submit(case=case, acting_user=alice)
    for case in (rectifying, accepting):
        case_services.plan_review(case=case, acting_user=county_admin, approve=True)
    case_services.case_transition(
        case=accepting, action="request_acceptance", acting_user=alice, comment="", on=None
    )
    # Another county, for a county administrator's out-of-scope references.
    jimo_town = Division.objects.create(
        code=f"{JIMO}001", name="通济街道", level="township", parent_id=JIMO
    )
    jimo_village = Village.objects.create(
        code=f"{JIMO}001001", name="即墨村", township=jimo_town, kind="village"
    )
    jimo_unit = DispatchUnit.objects.create(
        county_id=JIMO, name="即墨区财政局", level="county", kind="government"
    )
    jimo_inspector = UserFactory(username="jimo_inspector", role=Role.INSPECTOR, division_id=JIMO)
    county_category = Category.objects.create(name="村级组织阵地建设薄弱", division_id=COUNTY)
    jimo_category = Category.objects.create(name="即墨区自定问题", division_id=JIMO)
    # Not in use: an active item of the county's own would replace the national checklist
    # that the acceptance forms below are posted with.
    county_criterion = AcceptanceCriterion.objects.create(
        name="阵地建设达标", points=10, division_id=COUNTY, active=False
    )
    jimo_campaign = Campaign.objects.create(
        division_id=JIMO, year=2026, name="即墨区2026年度整顿", started_on=date(2026, 3, 1)
    )
    roster = add_secretary("王磊")
    # Yesterday's day of the secretary's log: still correctable (within 7 days).
    own_log = WorkLog.objects.create(
        assignment=posted.assignments.get(),
        date=timezone.localdate() - timedelta(days=1),
        households_visited=2,
        kind="visit",
        summary="走访",
    )
    inspection = InspectionRound.objects.create(
        county_id=COUNTY,
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
    )
    team = Team.objects.create(round=inspection, name="第一组")
    team.members.add(inspector)
    team.villages.add(villages[0], villages[1])  # a visit goes only to the team's villages
    visit = Visit.objects.create(
        round=inspection, team=team, village=villages[0], visited_on=date(2026, 10, 9), summary="查"
    )
    finding = Finding.objects.create(
        visit=visit,
        category=categories[0],
        description="三会一课记录不全",
        severity="serious",
        township_id=TOWNSHIP_A,
        deadline=date(2026, 12, 1),
        status="rectifying",
    )
    circular = Circular.objects.create(
        round=inspection, county_id=COUNTY, year=2026, number=1, title="通报", body="正文"
    )
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    return Objects(**locals())


class Objects:
    def __init__(self, **values):
        self.__dict__.update(values)


# --- The sweep's table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """A page's form: who may post it, a good post that saves, and what must not change."""

    persona: str
    url: object  # (world) -> path
    valid: object  # (world) -> a good POST that saves
    watch: object  # (world) -> querysets that a refused post leaves as they were
    # Forms whose fields the bad values are made from: (form class, prefix); default: the
    # view's form_class. A formset's first form is swept with its prefix ("items-0-").
    forms: tuple = ()
    out_of_scope: object = None  # (world) -> {field: an object's id the persona cannot see}
    # Hand-written bad posts: (label, {field: value}, expected status after redirects).
    extra: tuple = ()
    # Fields left alone, each with the reason.
    skip: dict = field(default_factory=dict)
    # What the good post answers: a redirect, or 200 where the page must show something
    # once (a new API token's key is never put in a URL that could be fetched again).
    saved_status: int = 302


def _items(**item):
    return {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **{f"items-0-{key}": value for key, value in item.items()},
    }


def _tasks(**task):
    return {
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        **{f"tasks-0-{key}": value for key, value in task.items()},
    }


def _funding(**row):
    return {
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "1000",
        **{f"funding-0-{key}": value for key, value in row.items()},
    }


PASSWORD = "Wuqing-demo-2026-bad-input"
NOT_STORED = "a password is hashed, never stored as typed; Django sets it no length"

FORMS = {
    "login": Form(
        persona="anonymous",
        url=lambda w: reverse("login"),
        valid=lambda w: {"username": "alice", "password": "correct-horse-battery"},
        watch=lambda w: [Session.objects.all()],
        skip={"password": NOT_STORED},
    ),
    "user_create": Form(
        persona="county_admin",
        url=lambda w: reverse("user_create"),
        valid=lambda w: {
            "username": "zhangsan",
            "display_name": "张三",
            "phone": "13800000000",
            "role": Role.TOWNSHIP_ORGANIZER,
            "division": TOWNSHIP_A,
            "village": "",
            "password": PASSWORD,
        },
        watch=lambda w: [User.objects.all()],
        out_of_scope=lambda w: {"division": JIMO},
        skip={"password": NOT_STORED},
    ),
    "user_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("user_edit", args=[w.alice.pk]),
        valid=lambda w: {
            "display_name": "李爱丽",
            "phone": "13800000001",
            "role": Role.TOWNSHIP_ORGANIZER,
            "division": TOWNSHIP_A,
            "village": "",
            "is_active": "on",
            "password": "",
        },
        watch=lambda w: [User.objects.all()],
        out_of_scope=lambda w: {"division": JIMO, "village": w.jimo_village.pk},
        skip={"password": NOT_STORED},
    ),
    "village_edit": Form(
        persona="alice",
        url=lambda w: reverse("village_edit", args=[w.villages[0].code]),
        valid=lambda w: {
            "households": 320,
            "population": 1100,
            "party_org_type": Village._meta.get_field("party_org_type").choices[0][0],
            "party_members": 35,
            "secretary_name": "王建国",
            "version": 1,
        },
        watch=lambda w: [Village.objects.filter(pk=w.villages[0].pk)],
    ),
    "activity_plan": Form(
        persona="alice",
        url=lambda w: reverse(
            "activity_plan",
            args=[w.villages[0].code, w.next_month.year, w.next_month.month],
        ),
        valid=lambda w: {
            "version": 1,
            "no_activity_reason": "",
            **_items(
                date=w.next_month.replace(day=10).isoformat(),
                kind=ActivityPlanItem._meta.get_field("kind").choices[0][0],
                topic="主题党日",
                place="村党群服务中心",
            ),
        },
        watch=lambda w: [ActivityPlan.objects.all(), ActivityPlanItem.objects.all()],
        forms=((ActivityPlanForm, ""), (ActivityItemForm, "items-0-")),
    ),
    "activity_record_create": Form(
        persona="alice",
        url=lambda w: reverse("activity_record_create"),
        valid=lambda w: {
            "village": w.villages[0].pk,
            "held_on": "2026-11-10",
            "kind": ActivityRecord._meta.get_field("kind").choices[0][0],
            "topic": "主题党日",
            "attendance": 25,
            "absentees": "",
            "minutes": "学习党章",
        },
        watch=lambda w: [ActivityRecord.objects.all()],
        out_of_scope=lambda w: {"village": w.village_b.pk},
    ),
    "case_create": Form(
        persona="alice",
        url=lambda w: reverse("case_create"),
        valid=lambda w: {
            "campaign": w.campaign.pk,
            "village": w.villages[5].pk,
            "categories": [c.pk for c in w.categories],
            "basic_situation": "党员32名",
            "problems": "班子不团结",
            "measures": "镇党委书记包村",
            "responsible_person": "李秀英",
            "township_leader": "王建军",
            "county_leader": "张立国",
            "identified_on": "2026-03-10",
            "deadline": "2026-12-31",
        },
        watch=lambda w: [Case.objects.all()],
        out_of_scope=lambda w: {
            "village": w.village_b.pk,
            "campaign": w.jimo_campaign.pk,
            "categories": [w.jimo_category.pk],
        },
    ),
    "case_edit": Form(
        persona="alice",
        url=lambda w: reverse("case_edit", args=[w.editable.pk]),
        valid=lambda w: {
            "categories": [c.pk for c in w.categories],
            "basic_situation": "党员30名",
            "problems": "班子软弱",
            "measures": "选派第一书记",
            "responsible_person": "李秀英",
            "township_leader": "王建军",
            "county_leader": "张立国",
            "deadline": "2026-12-31",
            "version": 1,
        },
        watch=lambda w: [Case.objects.all()],
        out_of_scope=lambda w: {"categories": [w.jimo_category.pk]},
    ),
    "case_acceptance": Form(
        persona="county_admin",
        url=lambda w: reverse("case_acceptance", args=[w.accepting.pk]),
        valid=lambda w: {
            "reviewed_on": "2026-11-20",
            "satisfaction": "92.5",
            "conclusion": "整顿到位",
            **{f"score_{c.pk}": c.points for c in AcceptanceForm().criteria},
        },
        watch=lambda w: [Acceptance.objects.all(), Case.objects.all()],
        # Its scores are fields made per active criterion: a form instance has them.
        forms=((lambda: AcceptanceForm(), ""),),
    ),
    "plan_edit": Form(
        persona="alice",
        url=lambda w: reverse("plan_edit", args=[w.editable.pk]),
        valid=lambda w: {
            "goal": "一年内转化",
            "version": 1,
            **_tasks(measure="规范三会一课", owner="村党支部", due_on="2026-12-30"),
        },
        watch=lambda w: [Plan.objects.all(), PlanTask.objects.all()],
        forms=((None, ""), (TaskForm, "tasks-0-")),
        out_of_scope=lambda w: {"tasks-0-assignee": w.bob.pk},
    ),
    "plan_review": Form(
        persona="county_admin",
        url=lambda w: reverse("plan_review", args=[w.reviewing.pk]),
        valid=lambda w: {"decision": "approve", "comment": "同意"},
        watch=lambda w: [Plan.objects.all(), Case.objects.all()],
        forms=((PlanReviewForm, ""),),
    ),
    "plan_pending": Form(
        persona="county_admin",
        url=lambda w: reverse("plan_pending"),
        valid=lambda w: {"ids": [str(w.reviewing.pk)], "decision": "approve", "comment": "同意"},
        watch=lambda w: [Plan.objects.all(), Case.objects.all()],
        extra=(
            ("no such plan", {"ids": ["999999999"]}, 200),
            ("returned without a reason", {"decision": "return", "comment": "  "}, 200),
        ),
    ),
    "case_batch": Form(
        persona="alice",
        url=lambda w: reverse("case_batch"),
        valid=lambda w: {
            "action": "apply",
            "ids": [str(w.rectifying.pk)],
            "comment": "整改任务已完成",
            "on": "2026-11-20",
            "query": "status=rectifying",
        },
        watch=lambda w: [Case.objects.all()],
        extra=(
            ("no such case", {"ids": ["999999999"]}, 200),
            (
                "all matching a filter that matches nothing",
                {"ids": [], "everything": "on", "query": "q=不存在"},
                200,
            ),
        ),
    ),
    "case_apply": Form(
        persona="alice",
        url=lambda w: reverse("case_apply", args=[w.rectifying.pk]),
        valid=lambda w: {"comment": "整改任务已完成", "on": "2026-11-20"},
        watch=lambda w: [Case.objects.all()],
        forms=((TransitionForm, ""),),
    ),
    "case_withdraw": Form(
        persona="alice",
        url=lambda w: reverse("case_withdraw", args=[w.accepting.pk]),
        valid=lambda w: {"comment": "补充材料", "on": "2026-11-20"},
        watch=lambda w: [Case.objects.all()],
        forms=((TransitionForm, ""),),
    ),
    "case_close": Form(
        persona="county_admin",
        url=lambda w: reverse("case_close", args=[w.accepting.pk]),
        # Only a transformed case closes: the good post is made after an acceptance.
        valid=lambda w: {"comment": "验收通过，予以销号", "on": "2026-11-21"},
        watch=lambda w: [Case.objects.all()],
        forms=((TransitionForm, ""),),
    ),
    "task_progress": Form(
        persona="alice",
        url=lambda w: reverse("task_progress", args=[w.rectifying.plan.tasks.get().pk]),
        valid=lambda w: {"progress": 60, "note": "已完成换届", "completed_on": ""},
        watch=lambda w: [PlanTask.objects.all()],
        forms=((TaskProgressForm, ""),),
    ),
    "case_evidence": Form(
        persona="alice",
        url=lambda w: reverse("case_evidence", args=[w.rectifying.pk]),
        valid=lambda w: {
            "file": SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4\n%%EOF\n"),
            "task": w.rectifying.plan.tasks.get().pk,
        },
        watch=lambda w: [Attachment.objects.all()],
        forms=(),
        extra=(
            ("task id that is not a number", {"task": "abc"}, 200),
            ("task id of no task", {"task": "999999999"}, 200),
            ("task id of 30 digits", {"task": "9" * 30}, 200),
            ("task of another case", {"task": "OTHER_TASK"}, 200),
        ),
    ),
    "campaign_create": Form(
        persona="county_admin",
        url=lambda w: reverse("campaign_create"),
        valid=lambda w: {
            "division": COUNTY,
            "year": 2027,
            "name": "武清区2027年度整顿",
            "started_on": "2027-03-01",
        },
        watch=lambda w: [Campaign.objects.all()],
        out_of_scope=lambda w: {"division": JIMO},
    ),
    "campaign_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("campaign_edit", args=[w.campaign.pk]),
        valid=lambda w: {"name": "武清区2026年度整顿（更正）", "started_on": "2026-03-02"},
        watch=lambda w: [Campaign.objects.values("name", "started_on")],
    ),
    "api_tokens": Form(
        persona="alice",
        url=lambda w: reverse("api_tokens"),
        valid=lambda w: {"name": "乡镇月报脚本"},
        watch=lambda w: [ApiToken.objects.all()],
        saved_status=200,
    ),
    "county_settings": Form(
        persona="county_admin",
        url=lambda w: reverse("county_settings"),
        valid=lambda w: {"document_abbreviation": "武组通"},
        watch=lambda w: [Division.objects.filter(pk=COUNTY).values("document_abbreviation")],
    ),
    "venue_create": Form(
        persona="alice",
        url=lambda w: reverse("venue_create"),
        valid=lambda w: {
            "village": w.villages[0].pk,
            "area": "230",
            "state": "meets",
            "works_started_on": "2025-04-01",
            "works_finished_on": "2025-09-30",
            "note": "新建党群服务中心",
            **_funding(source="county", year=2025, amount="25"),
        },
        watch=lambda w: [Venue.objects.all(), VenueFunding.objects.all()],
        forms=((VenueForm, ""), (VenueFundingForm, "funding-0-")),
        out_of_scope=lambda w: {"village": w.village_b.pk},
    ),
    "venue_edit": Form(
        persona="alice",
        url=lambda w: reverse("venue_edit", args=[w.villages[0].code]),
        valid=lambda w: {
            "version": 1,
            "area": "150",
            "state": "extending",
            "works_started_on": "2026-05-01",
            "note": "",
            **_funding(source="own", year=2026, amount="3.5"),
        },
        watch=lambda w: [Venue.objects.all(), VenueFunding.objects.all()],
        forms=((VenueForm, ""), (VenueFundingForm, "funding-0-")),
    ),
    "venue_standards": Form(
        persona="county_admin",
        url=lambda w: reverse("venue_standards"),
        valid=lambda w: {
            "venue_area_village": 220,
            "venue_area_gacha": 150,
            "venue_area_community": 300,
        },
        watch=lambda w: [Division.objects.filter(pk=COUNTY).values("venue_area_village")],
    ),
    "county_calendar": Form(
        persona="county_admin",
        url=lambda w: reverse("county_calendar"),
        valid=lambda w: {"day": "2099-02-07", "is_workday": "1", "note": "春节"},
        watch=lambda w: [CalendarDay.objects.all()],
    ),
    "category_create": Form(
        persona="county_admin",
        url=lambda w: reverse("category_create"),
        valid=lambda w: {
            "name": "集体经济薄弱",
            "group": Category._meta.get_field("group").choices[0][0],
            "order": 9,
            "active": "on",
        },
        watch=lambda w: [Category.objects.all()],
    ),
    "category_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("category_edit", args=[w.county_category.pk]),
        valid=lambda w: {
            "name": "村级组织阵地建设滞后",
            "group": Category._meta.get_field("group").choices[0][0],
            "order": 3,
            "active": "on",
        },
        watch=lambda w: [Category.objects.all()],
    ),
    "criterion_create": Form(
        persona="county_admin",
        url=lambda w: reverse("criterion_create"),
        valid=lambda w: {"name": "阵地建设达标", "points": 10, "order": 7},
        watch=lambda w: [AcceptanceCriterion.objects.all()],
    ),
    "criterion_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("criterion_edit", args=[w.county_criterion.pk]),
        valid=lambda w: {"name": "阵地建设全面达标", "points": 12, "order": 3},
        watch=lambda w: [AcceptanceCriterion.objects.all()],
    ),
    "rating_create": Form(
        persona="alice",
        url=lambda w: reverse("rating_create"),
        valid=lambda w: {"village": w.villages[0].pk, "year": 2026, "stars": 3},
        watch=lambda w: [VillageRating.objects.all()],
        out_of_scope=lambda w: {"village": w.village_b.pk},
    ),
    "secretary_create": Form(
        persona="county_admin",
        url=lambda w: reverse("secretary_create"),
        valid=lambda w: {
            "county": COUNTY,
            "name": "赵敏",
            "gender": "female",
            "birth_year": 1990,
            "education": "undergraduate",
            "unit": w.unit.pk,
            "position": "科员",
            "phone": "13900000000",
        },
        watch=lambda w: [FirstSecretary.objects.all()],
        out_of_scope=lambda w: {
            "county": JIMO,
            "unit": w.jimo_unit.pk,
            "user": w.jimo_inspector.pk,
        },
    ),
    "secretary_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("secretary_edit", args=[w.roster.pk]),
        valid=lambda w: {
            "county": COUNTY,
            "name": "王磊",
            "gender": "male",
            "birth_year": 1987,
            "education": "postgraduate",
            "unit": w.unit.pk,
            "position": "副科长",
            "phone": "13800000009",
        },
        watch=lambda w: [FirstSecretary.objects.all()],
        out_of_scope=lambda w: {"county": JIMO, "unit": w.jimo_unit.pk},
    ),
    "secretary_assign": Form(
        persona="county_admin",
        url=lambda w: reverse("secretary_assign", args=[w.roster.pk]),
        valid=lambda w: {
            "village": w.villages[6].pk,
            "started_on": "2026-11-01",
            "planned_end": "2028-10-31",
        },
        watch=lambda w: [Assignment.objects.all()],
        forms=((AssignForm, ""),),
        out_of_scope=lambda w: {"village": w.jimo_village.pk},
    ),
    "secretary_evaluate": Form(
        persona="county_admin",
        url=lambda w: reverse("secretary_evaluate", args=[w.posted.pk]),
        valid=lambda w: {"year": 2026, "grade": "excellent", "comment": "成效明显"},
        watch=lambda w: [Evaluation.objects.all()],
        forms=((EvaluationForm, ""),),
    ),
    "assignment_end": Form(
        persona="county_admin",
        url=lambda w: reverse("assignment_end", args=[w.posted.assignments.get().pk]),
        valid=lambda w: {"ended_on": "2026-11-20", "reason": "任期届满"},
        watch=lambda w: [Assignment.objects.all()],
        forms=((EndForm, ""),),
    ),
    "unit_create": Form(
        persona="county_admin",
        url=lambda w: reverse("unit_create"),
        valid=lambda w: {
            "county": COUNTY,
            "name": "区农业农村委",
            "level": DispatchUnit._meta.get_field("level").choices[0][0],
            "kind": DispatchUnit._meta.get_field("kind").choices[0][0],
        },
        watch=lambda w: [DispatchUnit.objects.all()],
        out_of_scope=lambda w: {"county": JIMO},
    ),
    "worklog": Form(
        persona="secretary",
        url=lambda w: reverse("worklog"),
        valid=lambda w: {
            "date": timezone.localdate().isoformat(),
            "on_site": "on",
            "households_visited": 6,
            "kind": WorkLog._meta.get_field("kind").choices[0][0],
            "summary": "走访农户",
        },
        watch=lambda w: [WorkLog.objects.all()],
        forms=((WorkLogForm, ""),),
    ),
    "worklog_edit": Form(
        persona="secretary",
        url=lambda w: reverse("worklog_edit", args=[w.own_log.pk]),
        valid=lambda w: {
            "on_site": "on",
            "households_visited": 4,
            "kind": WorkLog._meta.get_field("kind").choices[0][0],
            "summary": "补记走访情况",
        },
        watch=lambda w: [WorkLog.objects.all()],
        forms=((WorkLogCorrectForm, ""),),
        extra=(
            (
                "a PDF as a photo",
                {"photos": SimpleUploadedFile("照片.jpg", b"%PDF-1.4\n%%EOF\n")},
                200,
            ),
        ),
    ),
    "support_add": Form(
        persona="county_admin",
        url=lambda w: reverse("support_add", args=[w.editable.pk]),
        valid=lambda w: {
            "kind": "project",
            "name": "村集体光伏项目",
            "contact": "张经理",
            "amount": "5.0",
            "project_status": SupportLink._meta.get_field("project_status").choices[0][0],
            "mentor_village": "",
        },
        watch=lambda w: [SupportLink.objects.all()],
        forms=((SupportForm, ""),),
        out_of_scope=lambda w: {"mentor_village": w.jimo_village.pk},
    ),
    "contact_visit_add": Form(
        persona="alice",
        url=lambda w: reverse("contact_visit_add", args=[w.editable.pk]),
        valid=lambda w: {
            "supporter": SupportLink.objects.get_or_create(
                case=w.editable, kind="county_leader", defaults={"name": "张立国"}
            )[0].pk,
            "visited_on": w.editable.identified_on.isoformat(),
            "summary": "到村召开“两委”班子座谈会",
        },
        watch=lambda w: [ContactVisit.objects.all()],
        extra=(
            (
                "a PDF as a photo",
                {"photos": SimpleUploadedFile("照片.jpg", b"%PDF-1.4\n%%EOF\n")},
                200,
            ),
        ),
    ),
    "round_create": Form(
        persona="county_admin",
        url=lambda w: reverse("round_create"),
        valid=lambda w: {
            "county": COUNTY,
            "year": 2027,
            "quarter": 1,
            "kind": "random",
            "starts_on": "2027-01-05",
            "ends_on": "2027-01-30",
        },
        watch=lambda w: [InspectionRound.objects.all()],
        out_of_scope=lambda w: {"county": JIMO},
    ),
    "round_move": Form(
        persona="county_admin",
        url=lambda w: reverse("round_move", args=[w.inspection.pk]),
        valid=lambda w: {"to": "closed"},
        watch=lambda w: [InspectionRound.objects.all()],
        extra=(
            ("no such status", {"to": "no-such-status"}, 200),
            ("oversize status", {"to": "议" * 10_000}, 200),
        ),
    ),
    "round_draw": Form(
        persona="county_admin",
        url=lambda w: reverse("round_draw", args=[w.inspection.pk]),
        valid=lambda w: {"count": 1, "seed": "bad-input"},
        watch=lambda w: [Visit.objects.all(), InspectionRound.objects.all(), Team.objects.all()],
        forms=((DrawForm, ""),),
    ),
    "team_create": Form(
        persona="county_admin",
        url=lambda w: reverse("team_create", args=[w.inspection.pk]),
        valid=lambda w: {
            "name": "第二组",
            "leader": "张组长",
            "members": [w.inspector.pk],
            "villages": [w.villages[7].pk],
        },
        watch=lambda w: [Team.objects.all()],
        out_of_scope=lambda w: {
            "members": [w.jimo_inspector.pk],
            "villages": [w.jimo_village.pk],
        },
    ),
    "visit_create": Form(
        persona="inspector",
        url=lambda w: reverse("visit_create", args=[w.inspection.pk]),
        valid=lambda w: {
            "team": w.team.pk,
            "village": w.villages[1].pk,
            "visited_on": "2026-10-20",
            "summary": "查阅会议记录",
            "score": 80,
        },
        watch=lambda w: [Visit.objects.all()],
        out_of_scope=lambda w: {"village": w.jimo_village.pk},
    ),
    "visit_interviews": Form(
        persona="inspector",
        url=lambda w: reverse("visit_interviews", args=[w.visit.pk]),
        valid=lambda w: {"households_asked": 10, "households_aware": 7},
        watch=lambda w: [AwarenessCheck.objects.all()],
    ),
    "finding_create": Form(
        persona="inspector",
        url=lambda w: reverse("finding_create", args=[w.visit.pk]),
        valid=lambda w: {
            "category": w.categories[0].pk,
            "description": "组织生活不规范",
            "severity": "serious",
            "deadline": "2026-12-20",
        },
        watch=lambda w: [Finding.objects.all()],
        forms=((FindingForm, ""),),
        out_of_scope=lambda w: {"category": w.jimo_category.pk},
    ),
    "finding_answer": Form(
        persona="alice",
        url=lambda w: reverse("finding_answer", args=[w.finding.pk]),
        valid=lambda w: {"response": "已补齐会议记录"},
        watch=lambda w: [Finding.objects.all(), Attachment.objects.all()],
        forms=((AnswerForm, ""),),
        extra=(
            (
                "an executable named .pdf as proof",
                {"file": SimpleUploadedFile("整改.pdf", b"MZ\x90\x00 an executable")},
                200,
            ),
        ),
    ),
    "finding_verify": Form(
        persona="inspector",
        url=lambda w: reverse("finding_verify", args=[w.finding.pk]),
        valid=lambda w: {"decision": "send_back", "comment": "会议记录仍不完整"},
        watch=lambda w: [Finding.objects.all(), FindingReview.objects.all()],
        forms=((VerifyForm, ""),),
        extra=(("sent back without a reason", {"comment": "  "}, 200),),
    ),
    "finding_pending": Form(
        persona="inspector",
        url=lambda w: reverse("finding_pending"),
        valid=lambda w: {"ids": [str(w.finding.pk)], "comment": "经核查已整改到位"},
        watch=lambda w: [Finding.objects.all(), FindingReview.objects.all()],
        extra=(("no such finding", {"ids": ["999999999"]}, 200),),
    ),
    "circular_edit": Form(
        persona="county_admin",
        url=lambda w: reverse("circular_edit", args=[w.circular.pk]),
        valid=lambda w: {"title": "关于2026年第四季度督查情况的通报", "body": "各镇街党（工）委："},
        watch=lambda w: [Circular.objects.all()],
        forms=((CircularForm, ""),),
    ),
    "activity_submit_all": Form(
        persona="alice",
        url=lambda w: reverse("activity_submit_all"),
        valid=lambda w: {"month": w.next_month.strftime("%Y-%m"), "township": TOWNSHIP_A},
        watch=lambda w: [ActivityPlan.objects.all()],
        extra=(
            ("a month that is not one", {"month": "2026-13"}, 200),
            ("an oversize month", {"month": "议" * 10_000}, 200),
            ("no such township", {"township": "999999999"}, 404),
            ("a township id that is not a code", {"township": "abc' OR 1=1 --"}, 404),
            ("another township", {"township": "120114102"}, 404),
        ),
    ),
    "activity_urge": Form(
        persona="county_admin",
        url=lambda w: reverse("activity_urge"),
        valid=lambda w: {"month": w.next_month.strftime("%Y-%m"), "one": TOWNSHIP_A},
        watch=lambda w: [Urging.objects.all()],
        extra=(
            ("a month that is not one", {"month": "2026-13"}, 200),
            ("an oversize month", {"month": "议" * 10_000}, 200),
            ("a month not being prepared yet", {"month": "2099-01"}, 200),
            ("no such township", {"one": "999999999"}, 404),
            ("a township id that is not a code", {"one": "abc' OR 1=1 --"}, 404),
            ("another county", {"one": JIMO}, 404),
        ),
    ),
    "quarterly_report": Form(
        persona="county_admin",
        url=lambda w: reverse("quarterly_report"),
        valid=lambda w: {"year": 2026, "quarter": 3},
        watch=lambda w: [GeneratedReport.objects.all()],
        extra=(
            ("letters for a year", {"year": "二〇二六"}, 200),
            ("a fifth quarter", {"quarter": "5"}, 200),
            ("a year of 30 digits", {"year": "9" * 30}, 200),
            ("a negative quarter", {"quarter": "-1"}, 200),
        ),
    ),
}

# Buttons: nothing typed, the URL names the object. The access matrix posts them as every
# persona; here they get garbage too (test_garbage_never_reaches_a_trace).
NO_FIELDS = {
    "logout": "logs out",
    "set_language": "a language from a fixed list; an unknown one is ignored",
    "notifications_read_all": "marks the user's own notifications read",
    "notification_read": "marks one notification read",
    "notifications_read_selected": "ticks of the user's own notifications (test_bulk.py)",
    "plan_submit": "submits the plan as saved",
    "plan_withdraw": "takes a submitted plan back to draft",
    "support_remove": "removes one supporter",
    "api_token_revoke": "revokes one of the user's own tokens",
    "activity_copy": "copies last month's plan (the month is in the URL)",
    "activity_sit_in": "toggles the county's sit-in",
    "circular_draft": "drafts the circular from the round's findings",
    "circular_publish": "publishes a circular",
    "circular_acknowledge": "acknowledges a circular",
    # Imports: the upload pages are swept as forms of files below, the rest are buttons.
    "case_import": "a file: test_an_import_refuses_a_bad_file_at_upload",
    "rating_import": "a file: test_an_import_refuses_a_bad_file_at_upload",
    "secretary_import": "a file: test_an_import_refuses_a_bad_file_at_upload",
    "case_import_confirm": "a button: test_an_import_refuses_bad_rows_and_commits_nothing",
    "acceptance_import": "a file: test_an_import_refuses_a_bad_file_at_upload",
    "acceptance_import_confirm": "a button: test_an_import_refuses_bad_rows_and_commits_nothing",
    "rating_import_confirm": "a button: test_an_import_refuses_bad_rows_and_commits_nothing",
    "secretary_import_confirm": "a button: test_an_import_refuses_bad_rows_and_commits_nothing",
    # Exports: the list's filters in the query string; see test_exports_neutralise_formulas.
    "dashboard_export": "an export",
    "village_export": "an export",
    "venue_export": "an export",
    "case_export": "an export",
    "secretary_export": "an export",
    "presence_export": "an export",
    "activity_timeliness_export": "an export",
    "round_export": "an export",
    "visit_export": "an export",
    "finding_export": "an export",
    "rating_export": "an export",
}


def test_every_page_that_takes_a_post_is_swept():
    swept = set(FORMS) | set(NO_FIELDS)
    assert sorted(set(POST_PAGES) - swept) == [], "add these pages to FORMS or NO_FIELDS"
    assert sorted(swept - set(POST_PAGES)) == [], "these names no longer take a POST"
    assert not set(FORMS) & set(NO_FIELDS)


# --- Bad values, from the fields' types ------------------------------------------------------


def oversize(form_field):
    return "议" * max(10_000, (getattr(form_field, "max_length", None) or 0) + 1)


def bad_values(form_field):
    """(label, value) pairs a user (or a script) could type into this field."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return [("no such id", ["999999999"]), ("an id that is not one", ["abc"])]
    if isinstance(form_field, forms.ModelChoiceField):
        return [
            ("no such id", "999999999"),
            ("an id that is not one", "abc' OR 1=1 --"),
            ("an id of 30 digits", "9" * 30),
        ]
    if isinstance(form_field, forms.ChoiceField):
        return [("no such choice", "no-such-choice")]
    if isinstance(form_field, forms.DateField):
        return [("no such date", "2026-13-45"), ("letters for a date", "明年底")]
    if isinstance(form_field, (forms.IntegerField, forms.DecimalField)):
        return [("letters for a number", "十二"), ("30 digits", "9" * 30), ("negative", "-1")]
    if isinstance(form_field, (forms.BooleanField, forms.FileField)):
        return []
    if isinstance(form_field, forms.CharField):
        return [("oversize text", oversize(form_field))]
    raise AssertionError(f"no bad values for {type(form_field).__name__}")


def _form_fields(page, view_form_class):
    """{POST key: form field} of the page's forms."""
    found = {}
    for form, prefix in page.forms or ((None, ""),):
        form = form or view_form_class
        fields = form.base_fields if isinstance(form, type) else form().fields
        found.update({f"{prefix}{name}": f for name, f in fields.items()})
    return found


def bad_posts(page, world, url):
    """(label, post, expected status) for every field the good post fills, then the
    hand-written ones."""
    from django.urls import resolve

    valid = page.valid(world)
    view_form_class = getattr(resolve(url).func.view_class, "form_class", None)
    fields = _form_fields(page, view_form_class) if (page.forms or view_form_class) else {}
    for name, form_field in fields.items():
        # Only what the good post fills: a field the form drops (an edit's campaign) or a
        # formset's DELETE box is not input.
        if name in page.skip or name not in valid:
            continue
        for label, value in bad_values(form_field):
            yield f"{name}: {label}", {**valid, name: value}, 200
    for name, value in (page.out_of_scope(world) if page.out_of_scope else {}).items():
        yield f"{name}: out of scope", {**valid, name: value}, 200
    for label, overrides, status in page.extra:
        yield label, {**valid, **overrides}, status


def fingerprint(page, world):
    return [list(queryset.order_by("pk").values()) for queryset in page.watch(world)]


def _prepare(url_name, world):
    """What a good post needs beyond the world (a case to close is transformed, a plan to
    submit has an activity); and the ids a hand-written bad post names by a placeholder."""
    if url_name == "case_close":
        case_services.acceptance_record(
            case=world.accepting,
            acting_user=world.county_admin,
            reviewed_on=date(2026, 11, 20),
            scores={str(c.pk): c.points for c in AcceptanceForm().criteria},
            satisfaction=95,
            conclusion="通过",
        )
    if url_name == "activity_submit_all":
        village_services.activity_plan_save(
            acting_user=world.alice,
            village=world.villages[0],
            month=world.next_month,
            version=1,
            items=[
                {
                    "date": world.next_month.replace(day=10),
                    "kind": ActivityPlanItem._meta.get_field("kind").choices[0][0],
                    "topic": "主题党日",
                    "place": "",
                    "instructor_attends": False,
                }
            ],
            no_activity=False,
            no_activity_reason="",
        )
    if url_name == "venue_edit":
        Venue.objects.get_or_create(
            village=world.villages[0], defaults={"area": 180, "state": "below"}
        )
    if url_name == "case_evidence":
        other = world.accepting.plan.tasks.get()
        return {"OTHER_TASK": str(other.pk)}
    return {}


def _resolve(post, replacements):
    return {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in post.items()}


def _fresh_files(post):
    """An uploaded file is read once: give each post its own copy."""
    return {
        k: SimpleUploadedFile(v.name, (v.seek(0), v.read())[1]) if hasattr(v, "read") else v
        for k, v in post.items()
    }


@pytest.mark.parametrize("url_name", sorted(FORMS))
def test_a_form_refuses_bad_input_in_chinese_and_saves_nothing(client, persona, world, url_name):
    page = FORMS[url_name]
    user = persona(page.persona)
    if user is not None:
        client.force_login(user)
    replacements = _prepare(url_name, world)
    url = page.url(world)
    before = fingerprint(page, world)
    tried = 0
    for label, post, status in bad_posts(page, world, url):
        response = client.post(url, _fresh_files(_resolve(post, replacements)), follow=True)
        tried += 1
        where = f"{url_name} with {label}"
        assert response.status_code == status, where
        assert_no_leak(response)
        assert fingerprint(page, world) == before, f"{where}: something was saved"
        if status == 200:
            errors = shown_errors(response.content.decode())
            assert errors, f"{where}: no error shown"
            assert all(CJK.search(error) for error in errors), f"{where}: {errors}"
    assert tried >= 1
    # The good post the bad ones were made from does save: the bad value was the reason.
    good = client.post(url, _fresh_files(_resolve(page.valid(world), replacements)))
    assert good.status_code == page.saved_status, (url_name, shown_errors(good.content.decode()))
    assert fingerprint(page, world) != before, f"{url_name}: the good post saved nothing"
    if url_name not in ("login",) and page.saved_status == 302:
        follow = client.get(good["Location"])
        assert not shown_errors(follow.content.decode()), url_name


# --- Garbage on every page: a query string and a body no form would send ---------------------

GARBAGE_QUERY = {
    "page": "-1",
    "year": "二〇二六",
    "month": "2026-13",
    "township": "abc' OR 1=1 --",
    "campaign": "abc",
    "area": "9" * 30,
    "status": "no-such-status",
    "q": "议" * 2000,
    "ordering": "-no_such_field",
    # PostgreSQL refuses a NUL in a string: it must be refused as input before it.
    "village": "郭罗庄村委会\x00",
    "unit": "\x00",
}
GARBAGE_POST = {
    **GARBAGE_QUERY,
    "quarter": "9" * 30,
    "to": "no-such-status",
    "count": "-5",
    "task": "abc",
    "seed": "议" * 10_000,
    "comment": "议" * 10_000,
    "decision": "maybe",
    "language": "xx-no-such",
    "next": "https://evil.example/",
}


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_garbage_never_reaches_a_trace(client, superuser, village_a, alice, url_name):
    from tests.portal.test_access_matrix import URL_OBJECT, _objects

    kwargs = _objects(village_a, alice)[URL_OBJECT[url_name]] if url_name in URL_OBJECT else {}
    url = reverse(url_name, kwargs=kwargs)
    for user in (superuser, alice):
        client.force_login(user)
        assert_no_leak(client.get(url, GARBAGE_QUERY))
        response = client.post(
            f"{url}?{'&'.join(f'{k}={v}' for k, v in GARBAGE_QUERY.items())}", GARBAGE_POST
        )
        assert_no_leak(response)
        if response.status_code in (301, 302):
            assert not response["Location"].startswith("https://evil.example")


# --- Imports -------------------------------------------------------------------------------------


def _workbook(headers, rows, pad=0):
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    if pad:  # a real workbook, made large by an incompressible part it does not use
        with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("xl/media/padding.bin", bytes(range(256)) * (pad // 256 + 1))
    return data.getvalue()


def _zip(**members):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return data.getvalue()


@dataclass(frozen=True)
class Import:
    persona: str
    spec: object
    form: object  # (world) -> the upload form's other fields
    good: object  # (world) -> a row that imports
    bad: object  # (world) -> [(label, row, the column its error is on)]
    watch: object  # the model the import writes


def _ledger_row(place, **overrides):
    values = {
        "village": place.code,
        "village_name": place.name,
        "categories": "组织制度形同虚设、不开展组织活动",
        "basic_situation": "党员32名",
        "problems": "“三会一课”落实不到位",
        "measures": "镇党委书记包村",
        "responsible_person": "李秀英",
        "township_leader": "王建军",
        "county_leader": "张立国",
        "identified_on": "2026-03-10",
        "deadline": "2026-12-31",
        **overrides,
    }
    return [values[column.key] for column in LEDGER_IMPORT.columns]


def _roster_row(**overrides):
    values = {
        "name": "赵敏",
        "gender": "女",
        "birth_year": 1990,
        "education": "大学本科",
        "unit": "区财政局",
        "position": "科员",
        "phone": "13900000000",
        "village": "",
        "started_on": "",
        "planned_end": "",
        **overrides,
    }
    return [values[column.key] for column in ROSTER_IMPORT.columns]


def _applied(w):
    """A case of village A awaiting its acceptance review: what an acceptance row names."""
    case, _created = Case.objects.get_or_create(
        campaign=w.campaign,
        village=w.village_a,
        defaults={
            "problems": "班子软弱",
            "responsible_person": "李秀英",
            "identified_on": date(2026, 3, 10),
            "deadline": date(2026, 12, 31),
            "status": "acceptance_requested",
        },
    )
    return case


def _acceptance_row(w, **overrides):
    values = {
        "case": _applied(w).pk,
        "village": "",
        "village_name": "",
        "result": "通过",
        "total": 86,
        "satisfaction": 92.5,
        "reviewed_on": "2026-11-18",
        "conclusion": "达到转化标准",
        **overrides,
    }
    return [values[column.key] for column in ACCEPTANCE_IMPORT.columns]


def _townships_a(n):
    return list(Village.objects.filter(township_id=TOWNSHIP_A).order_by("code")[:n])


LONG = "议" * 10_000

IMPORTS = {
    "case_import": Import(
        persona="alice",
        spec=LEDGER_IMPORT,
        form=lambda w: {"campaign": w.campaign.pk},
        good=lambda w: _ledger_row(_townships_a(1)[0]),
        bad=lambda w: [
            ("no such date", _ledger_row(_townships_a(2)[1], deadline="2026-13-45"), "deadline"),
            ("oversize text", _ledger_row(_townships_a(3)[2], problems=LONG), "problems"),
            (
                "oversize name",
                _ledger_row(_townships_a(4)[3], responsible_person=LONG),
                "responsible_person",
            ),
            ("another township's village", _ledger_row(w.village_b), "village"),
            ("no such village", _ledger_row(w.village_b, village="120114999999"), "village"),
            ("a code with letters", _ledger_row(w.village_b, village="12011410100X"), "village"),
            (
                "no such category",
                _ledger_row(_townships_a(5)[4], categories="不存在的问题类别"),
                "categories",
            ),
        ],
        watch=Case,
    ),
    "rating_import": Import(
        persona="alice",
        spec=RATING_IMPORT,
        form=lambda w: {},
        good=lambda w: [w.village_a.code, w.village_a.name, 2026, 3],
        bad=lambda w: [
            ("letters for stars", [w.village_a.code, "", 2025, "十二"], "stars"),
            ("stars out of range", [w.village_a.code, "", 2024, 11], "stars"),
            ("a year of 30 digits", [w.village_a.code, "", "9" * 30, 3], "year"),
            ("another township's village", [w.village_b.code, "", 2026, 3], "village"),
            ("no such village", ["120114999999", "", 2026, 3], "village"),
        ],
        watch=VillageRating,
    ),
    "acceptance_import": Import(
        persona="county_admin",
        spec=ACCEPTANCE_IMPORT,
        form=lambda w: {},
        good=lambda w: _acceptance_row(w),
        bad=lambda w: [
            ("letters for a score", _acceptance_row(w, total="八十六"), "total"),
            ("a score of 30 digits", _acceptance_row(w, total="9" * 30), "total"),
            ("no such result", _acceptance_row(w, result="大概通过"), "result"),
            ("no such date", _acceptance_row(w, reviewed_on="2026-13-45"), "reviewed_on"),
            ("oversize conclusion", _acceptance_row(w, conclusion=LONG), "conclusion"),
            ("no such case", _acceptance_row(w, case=999999999), "case"),
            (
                "another county's village",
                _acceptance_row(w, case="", village=f"{JIMO}001001"),
                "village",
            ),
        ],
        watch=Acceptance,
    ),
    "secretary_import": Import(
        persona="county_admin",
        spec=ROSTER_IMPORT,
        form=lambda w: {"county": COUNTY},
        good=lambda w: _roster_row(),
        bad=lambda w: [
            ("letters for a year", _roster_row(name="甲", birth_year="八八年"), "birth_year"),
            ("oversize name", _roster_row(name=LONG), "name"),
            ("oversize phone", _roster_row(name="乙", phone=LONG), "phone"),
            ("no such gender", _roster_row(name="丙", gender="未知"), "gender"),
            (
                "no such date",
                _roster_row(
                    name="丁",
                    village=w.village_a.code,
                    started_on="2026-13-45",
                    planned_end="2028-02-28",
                ),
                "started_on",
            ),
            (
                "another county's village",
                _roster_row(
                    name="戊",
                    village=f"{JIMO}001001",
                    started_on="2026-03-01",
                    planned_end="2028-02-28",
                ),
                "village",
            ),
        ],
        watch=FirstSecretary,
    ),
}

NOT_WORKBOOKS = {
    "a PNG renamed .xlsx": ("图.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "text renamed .xlsx": ("名单.xlsx", "村代码,名称\n120114101001,梅厂村\n".encode()),
    "a zip that is no workbook": ("压缩包.xlsx", _zip(readme__txt="不是工作簿")),
    "a Word file renamed .xlsx": (
        "文档.xlsx",
        _zip(**{"[Content_Types].xml": "<Types/>", "word__document.xml": "<w:document/>"}),
    ),
    "an executable renamed .xlsx": ("程序.xlsx", b"MZ\x90\x00" + b"\x00" * 64),
    "an empty file": ("空.xlsx", b""),
    "a CSV": ("名单.csv", "村代码,名称\n".encode()),
}


@pytest.fixture
def import_world(db, alice, county_admin, campaign, unit, village_a, village_b):
    jimo_town = Division.objects.create(
        code=f"{JIMO}001", name="通济街道", level="township", parent_id=JIMO
    )
    Village.objects.create(code=f"{JIMO}001001", name="即墨村", township=jimo_town, kind="village")
    return Objects(**locals())


@pytest.mark.parametrize("url_name", sorted(IMPORTS))
def test_an_import_refuses_a_bad_file_at_upload(client, persona, import_world, settings, url_name):
    page, w = IMPORTS[url_name], import_world
    client.force_login(persona(page.persona))
    settings.IMPORT_MAX_MB = 1
    oversize = _workbook(page.spec.headers, [page.good(w)], pad=1024 * 1024)
    files = {**NOT_WORKBOOKS, "a workbook over the size limit": ("大.xlsx", oversize)}
    for label, (name, content) in files.items():
        response = client.post(
            reverse(url_name), {**page.form(w), "file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 200, label
        assert_no_leak(response)
        errors = shown_errors(response.content.decode())
        assert errors and all(CJK.search(e) for e in errors), (label, errors)
        assert response.context["form"].errors["file"], label
        assert not ImportBatch.objects.exists(), f"{label}: the file was kept"
    # The same workbook under the limit is taken.
    settings.IMPORT_MAX_MB = 2
    response = client.post(
        reverse(url_name), {**page.form(w), "file": SimpleUploadedFile("好.xlsx", oversize)}
    )
    assert response.status_code == 302 and ImportBatch.objects.count() == 1


def _upload(client, url_name, form, content):
    response = client.post(
        reverse(url_name), {**form, "file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302, shown_errors(response.content.decode())
    return ImportBatch.objects.latest("pk"), client.get(response["Location"])


@pytest.mark.parametrize("url_name", sorted(IMPORTS))
def test_an_import_refuses_bad_rows_and_commits_nothing(client, persona, import_world, url_name):
    page, w = IMPORTS[url_name], import_world
    client.force_login(persona(page.persona))
    confirm = url_name + "_confirm"
    before = page.watch.objects.count()
    # Not the template: wrong headers, or no rows at all.
    for label, content in (
        ("wrong headers", _workbook(["村代码", "名称", "备注"], [page.good(w)[:3]])),
        ("no rows", _workbook(page.spec.headers, [])),
    ):
        batch, preview = _upload(client, url_name, page.form(w), content)
        file_errors = preview.context["preview"].file_errors
        assert file_errors and all(CJK.search(e) for e in file_errors), label
        assert_no_leak(client.post(reverse(confirm, args=[batch.pk])))
        assert page.watch.objects.count() == before, label
    # Good and bad rows: every bad row marked on its cell, in Chinese; nothing written.
    bad = page.bad(w)
    content = _workbook(page.spec.headers, [page.good(w)] + [row for _label, row, _key in bad])
    batch, preview = _upload(client, url_name, page.form(w), content)
    assert_no_leak(preview)
    html = preview.content.decode()
    rows = {row.line: row for row in preview.context["preview"].rows}
    for line, (label, _row, key) in enumerate(bad, start=3):
        message = rows[line].errors.get(key)
        assert message and CJK.search(message), f"{label}: {rows[line].errors}"
        assert escape(message) in html, label
    response = client.post(reverse(confirm, args=[batch.pk]))
    assert response.status_code == 200 and "未保存任何数据" in response.content.decode()
    assert page.watch.objects.count() == before
    # The good row alone imports: the bad ones were the reason.
    batch, preview = _upload(
        client, url_name, page.form(w), _workbook(page.spec.headers, [page.good(w)])
    )
    assert preview.context["preview"].ok
    assert client.post(reverse(confirm, args=[batch.pk])).status_code == 302
    assert page.watch.objects.count() == before + 1


# --- Exports: text that Excel would run is written as text ------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点击")', "+1+1", "-2", "@SUM(A1)"]


def _export_case(w, value):
    Case.objects.filter(pk=w.case.pk).update(problems=value)
    return "case_export"


def _export_visit(w, value):
    Visit.objects.filter(pk=w.visit.pk).update(summary=value)
    return "visit_export"


def _export_finding(w, value):
    Finding.objects.filter(pk=w.finding.pk).update(description=value)
    return "finding_export"


def _export_secretary(w, value):
    FirstSecretary.objects.filter(pk=w.secretary.pk).update(position=value)
    return "secretary_export"


def _export_village(w, value):
    Village.objects.filter(pk=w.case.village_id).update(secretary_name=value)
    return "village_export"


EXPORTS = {
    "ledger": _export_case,
    "visits": _export_visit,
    "findings": _export_finding,
    "roster": _export_secretary,
    "villages": _export_village,
}


@pytest.fixture
def export_world(db, county_admin, case_a, categories, add_secretary):
    inspection = InspectionRound.objects.create(
        county_id=COUNTY,
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
    )
    team = Team.objects.create(round=inspection, name="第一组")
    visit = Visit.objects.create(
        round=inspection, team=team, village=case_a.village, visited_on=date(2026, 10, 9)
    )
    finding = Finding.objects.create(
        visit=visit,
        category=categories[0],
        description="记录不全",
        severity="serious",
        township_id=TOWNSHIP_A,
        deadline=date(2026, 12, 1),
    )
    return Objects(case=case_a, visit=visit, finding=finding, secretary=add_secretary("王磊"))


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_exports_neutralise_formulas(client, county_admin, export_world, export, formula):
    url_name = EXPORTS[export](export_world, formula)
    client.force_login(county_admin)
    response = client.post(reverse(url_name))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells, f"{formula} is not in the {export} workbook"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
