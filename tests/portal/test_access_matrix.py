"""Every URL of the URL conf × every persona × GET and POST: the status each must get.

The URLs are read from the URL conf, not listed by hand: a new URL with no rule in
RULES fails `test_every_url_has_an_access_rule`, and a URL with a parameter that no
object builder in OBJECTS can fill fails too. Expected codes follow from the rule:
anonymous → login (pages) or 403 (API); a role without the permission → 403; an object
outside the persona's scope → 404; otherwise success — and never a 500.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary, SupportLink, WorkLog
from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from portal.models import Attachment, GeneratedReport, ImportBatch, Notification
from portal.roles import Perm
from rectification.models import Campaign, Case, Category, Plan, PlanTask, VillageRating
from tests.conftest import PERSONAS
from villages.models import ActivityPlan, ActivityRecord, Village

ANY = "any logged-in user"
NOT_ALLOWED = "method not allowed"


@dataclass(frozen=True)
class Rule:
    """Who may GET and POST a URL. `obj` names the object builder for its parameters."""

    read: object = ANY  # ANY, a Perm, or NOT_ALLOWED
    write: object = NOT_ALLOWED  # POST
    patch: object = NOT_ALLOWED
    obj: str | None = None
    api: bool = False
    public: dict | None = None  # fixed codes for everyone, by method
    # An object of one person (a notification): everyone else gets 404.
    owner: str | None = None
    # Where a service refuses more finely than the role (e.g. only a round's own team may
    # verify its findings): {persona: {method: code}}.
    overrides: dict | None = None
    # A county's object that its townships and villages see too (a campaign).
    seen_from_below: bool = False


RULES = {
    "home": Rule(),
    "dashboard": Rule(),
    "dashboard_print": Rule(),
    "dashboard_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "login": Rule(
        public={
            "GET": {"anonymous": 200, "*": 302},
            "POST": {"anonymous": 200, "*": 302},
            "PATCH": {"anonymous": 405, "*": 302},
        }
    ),
    "logout": Rule(public={"GET": {"*": 405}, "POST": {"*": 302}, "PATCH": {"*": 405}}),
    "set_language": Rule(public={"GET": {"*": 302}, "POST": {"*": 302}, "PATCH": {"*": 302}}),
    "healthz": Rule(public={"GET": {"*": 200}, "POST": {"*": 405}, "PATCH": {"*": 405}}),
    "user_list": Rule(read=Perm.USER_MANAGE),
    "user_create": Rule(read=Perm.USER_MANAGE, write=Perm.USER_MANAGE),
    "user_edit": Rule(read=Perm.USER_MANAGE, write=Perm.USER_MANAGE, obj="user"),
    "report_list": Rule(),
    "report_detail": Rule(obj="report"),
    "report_download": Rule(obj="report"),
    "township_list": Rule(),
    "village_list": Rule(),
    "village_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "village_detail": Rule(obj="village"),
    "village_edit": Rule(read=Perm.VILLAGE_CHANGE, write=Perm.VILLAGE_CHANGE, obj="village"),
    "case_list": Rule(),
    "case_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "case_create": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE),
    "case_detail": Rule(obj="case"),
    "case_edit": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE, obj="case"),
    "case_apply": Rule(read=NOT_ALLOWED, write=Perm.CASE_APPLY, obj="case"),
    "case_withdraw": Rule(read=NOT_ALLOWED, write=Perm.CASE_APPLY, obj="case"),
    "case_close": Rule(read=NOT_ALLOWED, write=Perm.CASE_ACCEPT, obj="case"),
    "case_acceptance": Rule(read=Perm.CASE_ACCEPT, write=Perm.CASE_ACCEPT, obj="case"),
    "plan_edit": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE, obj="case"),
    "plan_submit": Rule(read=NOT_ALLOWED, write=Perm.CASE_CHANGE, obj="case"),
    "plan_review": Rule(read=NOT_ALLOWED, write=Perm.PLAN_APPROVE, obj="case"),
    "case_import": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE),
    "case_import_template": Rule(read=Perm.CASE_CHANGE),
    "case_import_preview": Rule(read=Perm.CASE_CHANGE, obj="ledger_import"),
    "case_import_confirm": Rule(read=NOT_ALLOWED, write=Perm.CASE_CHANGE, obj="ledger_import"),
    "rating_import": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE),
    "rating_import_template": Rule(read=Perm.CASE_CHANGE),
    "rating_import_preview": Rule(read=Perm.CASE_CHANGE, obj="rating_import"),
    "rating_import_confirm": Rule(read=NOT_ALLOWED, write=Perm.CASE_CHANGE, obj="rating_import"),
    "case_evidence": Rule(read=NOT_ALLOWED, write=Perm.TASK_UPDATE, obj="case"),
    "attachment_download": Rule(obj="attachment"),
    "campaign_list": Rule(),
    "campaign_create": Rule(read=Perm.CAMPAIGN_MANAGE, write=Perm.CAMPAIGN_MANAGE),
    "category_create": Rule(read=Perm.CATEGORY_MANAGE, write=Perm.CATEGORY_MANAGE),
    "category_edit": Rule(
        read=Perm.CATEGORY_MANAGE, write=Perm.CATEGORY_MANAGE, obj="county_category"
    ),
    "secretary_list": Rule(),
    "secretary_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "secretary_create": Rule(read=Perm.SECRETARY_MANAGE, write=Perm.SECRETARY_MANAGE),
    "secretary_import": Rule(read=Perm.SECRETARY_MANAGE, write=Perm.SECRETARY_MANAGE),
    "secretary_import_template": Rule(read=Perm.SECRETARY_MANAGE),
    "secretary_import_preview": Rule(read=Perm.SECRETARY_MANAGE, obj="roster_import"),
    "secretary_import_confirm": Rule(
        read=NOT_ALLOWED, write=Perm.SECRETARY_MANAGE, obj="roster_import"
    ),
    "secretary_detail": Rule(obj="secretary", seen_from_below=False),
    "secretary_edit": Rule(
        read=Perm.SECRETARY_MANAGE, write=Perm.SECRETARY_MANAGE, obj="secretary"
    ),
    "secretary_assign": Rule(read=NOT_ALLOWED, write=Perm.SECRETARY_MANAGE, obj="secretary"),
    "secretary_evaluate": Rule(read=NOT_ALLOWED, write=Perm.SECRETARY_MANAGE, obj="secretary"),
    "assignment_end": Rule(read=NOT_ALLOWED, write=Perm.SECRETARY_MANAGE, obj="assignment"),
    "unit_create": Rule(read=Perm.SECRETARY_MANAGE, write=Perm.SECRETARY_MANAGE),
    "worklog": Rule(read=Perm.WORKLOG_WRITE, write=Perm.WORKLOG_WRITE),
    "presence": Rule(),
    "presence_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "support_overview": Rule(),
    "support_add": Rule(read=NOT_ALLOWED, write=Perm.SUPPORT_MANAGE, obj="case"),
    "support_remove": Rule(read=NOT_ALLOWED, write=Perm.SUPPORT_MANAGE, obj="support"),
    "unit-list": Rule(api=True, write=Perm.SECRETARY_MANAGE),
    "unit-detail": Rule(api=True, obj="unit", seen_from_below=True),
    "secretary-list": Rule(api=True, write=Perm.SECRETARY_MANAGE),
    "secretary-detail": Rule(api=True, obj="secretary"),
    "assignment-list": Rule(api=True, write=Perm.SECRETARY_MANAGE),
    "assignment-detail": Rule(api=True, obj="assignment"),
    "assignment-end": Rule(
        api=True, obj="assignment", read=NOT_ALLOWED, write=Perm.SECRETARY_MANAGE
    ),
    "worklog-list": Rule(api=True, write=Perm.WORKLOG_WRITE),
    "worklog-detail": Rule(api=True, obj="worklog"),
    "support-list": Rule(api=True, write=Perm.SUPPORT_MANAGE),
    "support-detail": Rule(api=True, obj="support"),
    "activity_township": Rule(),
    "activity_plan": Rule(read=Perm.ACTIVITY_WRITE, write=Perm.ACTIVITY_WRITE, obj="village_month"),
    "activity_copy": Rule(read=NOT_ALLOWED, write=Perm.ACTIVITY_WRITE, obj="village_month"),
    "activity_submit_all": Rule(read=NOT_ALLOWED, write=Perm.ACTIVITY_WRITE),
    "activity_records": Rule(),
    "activity_record_create": Rule(read=Perm.ACTIVITY_WRITE, write=Perm.ACTIVITY_WRITE),
    "activity_sit_in": Rule(read=NOT_ALLOWED, write=Perm.ACTIVITY_SIT_IN, obj="record"),
    "activity_timeliness": Rule(),
    "activity_timeliness_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "notifications": Rule(),
    "notifications_read_all": Rule(read=NOT_ALLOWED, write=ANY),
    "notification_read": Rule(read=NOT_ALLOWED, write=ANY, obj="notification", owner="alice"),
    "activity-plan-list": Rule(api=True, write=Perm.ACTIVITY_WRITE),
    "activity-plan-detail": Rule(api=True, obj="activity_plan"),
    "activity-plan-submit": Rule(
        api=True, obj="activity_plan", read=NOT_ALLOWED, write=Perm.ACTIVITY_WRITE
    ),
    "activity-record-list": Rule(api=True, write=Perm.ACTIVITY_WRITE),
    "activity-record-detail": Rule(api=True, obj="record"),
    "activity-record-sit-in": Rule(
        api=True, obj="record", read=NOT_ALLOWED, write=Perm.ACTIVITY_SIT_IN
    ),
    "timeliness-api": Rule(api=True),
    "round-list": Rule(api=True, write=Perm.ROUND_MANAGE),
    "round-detail": Rule(api=True, obj="round", seen_from_below=True),
    "round-move": Rule(api=True, obj="round", read=NOT_ALLOWED, write=Perm.ROUND_MANAGE),
    "round-draw": Rule(api=True, obj="round", read=NOT_ALLOWED, write=Perm.ROUND_MANAGE),
    "visit-list": Rule(api=True, write=Perm.INSPECT),
    "visit-detail": Rule(api=True, obj="visit"),
    "finding-list": Rule(api=True, write=Perm.INSPECT),
    "finding-detail": Rule(api=True, obj="finding"),
    "finding-answer": Rule(api=True, obj="finding", read=NOT_ALLOWED, write=Perm.FINDING_ANSWER),
    "finding-verify": Rule(
        api=True,
        obj="finding",
        read=NOT_ALLOWED,
        write=Perm.INSPECT,
        overrides={"inspector": {"POST": 403}, "superuser": {"POST": 403}},
    ),
    "circular-list": Rule(api=True),
    "circular-detail": Rule(api=True, obj="circular", seen_from_below=True),
    "circular-publish": Rule(api=True, obj="circular", read=NOT_ALLOWED, write=Perm.ROUND_MANAGE),
    "circular-acknowledge": Rule(
        api=True,
        obj="circular",
        read=NOT_ALLOWED,
        write=Perm.FINDING_ANSWER,
        seen_from_below=True,
    ),
    "round_list": Rule(),
    "round_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "quarterly_report": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "round_create": Rule(read=Perm.ROUND_MANAGE, write=Perm.ROUND_MANAGE),
    "round_detail": Rule(obj="round", seen_from_below=True),
    "round_move": Rule(read=NOT_ALLOWED, write=Perm.ROUND_MANAGE, obj="round"),
    "round_draw": Rule(read=NOT_ALLOWED, write=Perm.ROUND_MANAGE, obj="round"),
    "team_create": Rule(read=Perm.ROUND_MANAGE, write=Perm.ROUND_MANAGE, obj="round"),
    "visit_create": Rule(read=Perm.INSPECT, write=Perm.INSPECT, obj="round", seen_from_below=True),
    "circular_draft": Rule(read=NOT_ALLOWED, write=Perm.ROUND_MANAGE, obj="round"),
    "visit_list": Rule(),
    "visit_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "visit_detail": Rule(obj="visit"),
    "finding_create": Rule(read=NOT_ALLOWED, write=Perm.INSPECT, obj="visit"),
    "finding_list": Rule(),
    "finding_export": Rule(read=NOT_ALLOWED, write=Perm.REPORT_EXPORT),
    "finding_detail": Rule(obj="finding"),
    "finding_answer": Rule(read=NOT_ALLOWED, write=Perm.FINDING_ANSWER, obj="finding"),
    "finding_verify": Rule(
        read=NOT_ALLOWED,
        write=Perm.INSPECT,
        obj="finding",
        # Not on the round's team: the service refuses, whatever the role allows.
        overrides={"inspector": {"POST": 403}, "superuser": {"POST": 403}},
    ),
    "circular_list": Rule(),
    "circular_detail": Rule(obj="circular", seen_from_below=True),
    "circular_edit": Rule(read=NOT_ALLOWED, write=Perm.ROUND_MANAGE, obj="circular"),
    "circular_publish": Rule(read=NOT_ALLOWED, write=Perm.ROUND_MANAGE, obj="circular"),
    "circular_acknowledge": Rule(
        read=NOT_ALLOWED, write=Perm.FINDING_ANSWER, obj="circular", seen_from_below=True
    ),
    "circular_docx": Rule(obj="circular", seen_from_below=True),
    "screening": Rule(),
    "rating_create": Rule(read=Perm.CASE_CHANGE, write=Perm.CASE_CHANGE),
    "task_progress": Rule(read=NOT_ALLOWED, write=Perm.TASK_UPDATE, obj="task"),
    "api-root": Rule(api=True),
    "campaign-list": Rule(api=True),
    "campaign-detail": Rule(api=True, obj="campaign", seen_from_below=True),
    "category-list": Rule(api=True),
    "category-detail": Rule(api=True, obj="category"),
    "case-list": Rule(api=True, write=Perm.CASE_CHANGE),
    "case-detail": Rule(api=True, obj="case", patch=Perm.CASE_CHANGE),
    "case-apply": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.CASE_APPLY),
    "case-withdraw": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.CASE_APPLY),
    "case-close": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.CASE_ACCEPT),
    "case-acceptance": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.CASE_ACCEPT),
    "case-events": Rule(api=True, obj="case"),
    "case-evidence": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.TASK_UPDATE),
    "case-plan": Rule(api=True, obj="case"),
    "case-plan-submit": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.CASE_CHANGE),
    "case-plan-review": Rule(api=True, obj="case", read=NOT_ALLOWED, write=Perm.PLAN_APPROVE),
    "task-list": Rule(api=True),
    "task-detail": Rule(api=True, obj="task"),
    "task-progress": Rule(api=True, obj="task", read=NOT_ALLOWED, write=Perm.TASK_UPDATE),
    "rating-list": Rule(api=True, write=Perm.CASE_CHANGE),
    "rating-detail": Rule(api=True, obj="rating"),
    "division-list": Rule(api=True),
    "division-detail": Rule(api=True, obj="division"),
    "village-list": Rule(api=True),
    "village-detail": Rule(api=True, obj="village", patch=Perm.VILLAGE_CHANGE),
    "api_schema": Rule(api=True),
    "api_docs": Rule(api=True),
}


def _objects(village_a, alice):
    """The objects URLs are tested on: all in township A (梅厂镇), each with its code."""
    report = GeneratedReport.objects.create(
        kind="villages.village_list",
        title="村（社区）名单",
        scope_code=alice.division_id,
        requested_by=alice,
        status="done",
    )
    report.file.save("villages.xlsx", ContentFile(b"PK test"), save=True)
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="2026年度整顿", started_on=date(2026, 3, 1)
    )
    case = Case.objects.create(
        campaign=campaign,
        village=village_a,
        problems="班子不团结",
        responsible_person="李秀英",
        identified_on=date(2026, 3, 10),
        deadline=date(2026, 12, 31),
    )
    plan = Plan.objects.create(case=case, status="approved")
    task = PlanTask.objects.create(
        plan=plan, measure="选优配强书记", owner="镇党委", due_on=date(2026, 6, 30)
    )
    rating = VillageRating.objects.create(village=village_a, year=2026, stars=3, grade=3)
    batches = {
        kind: ImportBatch.objects.create(
            kind=kind,
            file=ContentFile(b"not a workbook", name="upload.xlsx"),
            original_name="upload.xlsx",
            context={"campaign": campaign.pk},
            scope_code=alice.division_id,
            uploaded_by=alice,
        )
        for kind in ("rectification.ledger", "rectification.ratings")
    }
    attachment = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        scope_code=village_a.code,
        file=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"),
        original_name="会议记录.pdf",
        kind="pdf",
        size=17,
        uploaded_by=alice,
    )
    county_category = Category.objects.create(name="村级组织阵地建设薄弱", division_id="120114")
    unit = DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )
    # Posted to a village of township A that is not the first secretary's own.
    other_village = Village.objects.filter(township_id=village_a.township_id).exclude(
        pk=village_a.pk
    )[0]
    posted = FirstSecretary.objects.create(
        county_id="120114",
        name="王磊",
        gender="male",
        birth_year=1988,
        education="undergraduate",
        unit=unit,
    )
    posting = Assignment.objects.create(
        secretary=posted,
        village=other_village,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    log = WorkLog.objects.create(
        assignment=posting,
        date=date(2026, 4, 1),
        households_visited=8,
        kind="visit",
        summary="走访农户",
    )
    link = SupportLink.objects.create(case=case, kind="enterprise", name="武清区某建材公司")
    roster_batch = ImportBatch.objects.create(
        kind="firstsecretary.roster",
        file=ContentFile(b"not a workbook", name="roster.xlsx"),
        original_name="roster.xlsx",
        context={"county": "120114"},
        scope_code=alice.division_id,
        uploaded_by=alice,
    )
    record = ActivityRecord.objects.create(
        village=village_a,
        held_on=date(2026, 4, 10),
        kind="theme_day",
        topic="主题党日",
        attendance=25,
    )
    note = Notification.objects.create(user=alice, key="matrix", title="测试", url="/")
    activity_plan = ActivityPlan.objects.create(village=village_a, month=date(2026, 12, 1))
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    team = Team.objects.create(round=inspection, name="第一组")
    visit = Visit.objects.create(
        round=inspection,
        team=team,
        village=village_a,
        visited_on=date(2026, 10, 9),
        summary="查阅会议记录",
    )
    finding = Finding.objects.create(
        visit=visit,
        category=Category.objects.first(),
        description="三会一课记录不全",
        severity="serious",
        township_id=village_a.township_id,
        deadline=date(2026, 12, 1),
        status="rectifying",
    )
    circular = Circular.objects.create(
        round=inspection, county_id="120114", year=2026, number=1, title="通报", body="正文"
    )
    return {
        "round": ({"pk": inspection.pk}, "120114"),
        "visit": ({"pk": visit.pk}, village_a.code),
        "finding": ({"pk": finding.pk}, village_a.code),
        "circular": ({"pk": circular.pk}, "120114"),
        "village_month": ({"code": village_a.code, "year": 2026, "month": 12}, village_a.code),
        "record": ({"pk": record.pk}, village_a.code),
        "activity_plan": ({"pk": activity_plan.pk}, village_a.code),
        "notification": ({"pk": note.pk}, None),
        "unit": ({"pk": unit.pk}, "120114"),
        # The roster is the county's: township A sees the secretary posted in its village.
        "secretary": ({"pk": posted.pk}, other_village.code),
        "assignment": ({"pk": posting.pk}, other_village.code),
        "worklog": ({"pk": log.pk}, other_village.code),
        "support": ({"pk": link.pk}, village_a.code),
        "roster_import": ({"pk": roster_batch.pk}, alice.division_id),
        "county_category": ({"pk": county_category.pk}, "120114"),
        "attachment": ({"pk": attachment.pk}, village_a.code),
        "ledger_import": ({"pk": batches["rectification.ledger"].pk}, alice.division_id),
        "rating_import": ({"pk": batches["rectification.ratings"].pk}, alice.division_id),
        "campaign": ({"pk": campaign.pk}, campaign.division_id),
        "category": ({"pk": Category.objects.first().pk}, None),
        "case": ({"pk": case.pk}, village_a.code),
        "task": ({"pk": task.pk}, village_a.code),
        "rating": ({"pk": rating.pk}, village_a.code),
        "village": ({"code": village_a.code}, village_a.code),
        "division": ({"code": village_a.township_id}, village_a.township_id),
        "user": ({"pk": alice.pk}, alice.division_id),
        "report": ({"pk": report.pk}, report.scope_code),
    }


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, see test_admin_is_for_superusers_only
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, tuple(pattern.pattern.converters) or _regex_params(pattern)


def _regex_params(pattern):
    regex = getattr(pattern.pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


URLS = dict(_walk(get_resolver().url_patterns))


def test_every_url_has_an_access_rule():
    assert sorted(set(URLS) - set(RULES)) == [], "add these URLs to RULES"
    assert sorted(set(RULES) - set(URLS)) == [], "these RULES name URLs that no longer exist"


def test_every_url_with_parameters_names_an_object():
    for name, params in URLS.items():
        if params:
            assert RULES[name].obj, f"{name} takes {params}: give its rule an obj"


def expected(rule, persona_name, user, method, obj_code):
    if rule.overrides and method in rule.overrides.get(persona_name, {}):
        return rule.overrides[persona_name][method]
    if rule.public is not None:
        codes = rule.public[method]
        return codes.get(persona_name, codes.get("*"))
    if user is None:
        return 403 if rule.api else 302
    needed = {"GET": rule.read, "POST": rule.write, "PATCH": rule.patch}[method]
    if needed == NOT_ALLOWED:
        return 405
    if needed != ANY and not user.has_role_perm(needed):
        return 403
    if rule.owner is not None:
        return "success" if persona_name == rule.owner else 404
    prefix = user.scope_prefix
    visible = obj_code is None or obj_code.startswith(prefix)
    visible = visible or (rule.seen_from_below and prefix.startswith(obj_code))
    if not visible:
        return 404
    # For a write: done (200/201/302), refused as bad input (400) or by the record's state
    # (409, e.g. applying for acceptance of a case that is not rectifying).
    return 200 if method == "GET" else "success"


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_access(client, persona, village_a, alice, url_name, persona_name, method):
    rule = RULES[url_name]
    objects = _objects(village_a, alice)
    kwargs, obj_code = objects[rule.obj] if rule.obj else ({}, None)
    url = reverse(url_name, kwargs=kwargs)
    user = persona(persona_name)
    if user is not None:
        client.force_login(user)
    if method == "GET":
        response = client.get(url)
    elif method == "POST":
        response = client.post(url, {})
    else:
        response = client.patch(url, "{}", content_type="application/json")
    want = expected(rule, persona_name, user, method, obj_code)
    got = response.status_code
    if want == "success":
        assert got in (200, 201, 302, 400, 409), f"{method} {url} as {persona_name}: {got}"
    else:
        assert got == want, f"{method} {url} as {persona_name}: {got}, expected {want}"
    if rule.public is None and not rule.api and user is None:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona_name", [p for p in PERSONAS if p != "superuser"])
def test_admin_is_for_superusers_only(client, persona, persona_name):
    user = persona(persona_name)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_reaches_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_download_streams_the_file_to_those_in_scope(client, alice, county_admin, village_a):
    objects = _objects(village_a, alice)
    client.force_login(county_admin)
    response = client.get(reverse("report_download", kwargs=objects["report"][0]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK test"
