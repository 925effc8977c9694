"""The case life cycle: listing, plan approval, application, acceptance, close-out, relapse."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.exceptions import StaleEditError, TransitionError
from rectification import services
from rectification.choices import CaseStatus, PlanStatus
from rectification.models import AcceptanceCriterion, Campaign, CaseEvent
from tests.rectification.conftest import TASKS
from villages.models import Village


def scores(total):
    """Checklist scores adding up to `total`, filling items in order."""
    result, left = {}, total
    for criterion in AcceptanceCriterion.objects.filter(active=True):
        result[str(criterion.pk)] = min(criterion.points, left)
        left -= result[str(criterion.pk)]
    assert left == 0
    return result


def review(case, user, total, on=date(2026, 11, 20)):
    return services.acceptance_record(
        case=case,
        acting_user=user,
        reviewed_on=on,
        scores=scores(total),
        satisfaction=92.5,
        conclusion="班子团结有力，组织生活规范。",
    )


def history(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", "to_status"))


def test_a_case_goes_from_listing_to_close_out_with_its_whole_history(
    rectifying_case, alice, county_admin
):
    case = rectifying_case
    assert case.status == CaseStatus.RECTIFYING
    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    review(case, county_admin, 60)
    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFYING and case.transformed_on is None
    services.case_transition(case=case, action="request_acceptance", acting_user=alice)
    acceptance = review(case, county_admin, 85)
    case.refresh_from_db()
    assert acceptance.passed and case.status == CaseStatus.TRANSFORMED
    assert case.transformed_on == date(2026, 11, 20)
    services.case_transition(
        case=case, action="close", acting_user=county_admin, on=date(2026, 12, 20)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == date(2026, 12, 20)
    assert history(case) == [
        ("listed", "identified"),
        ("plan_submitted", ""),
        ("plan_approved", ""),
        ("start", "rectifying"),
        ("request_acceptance", "acceptance_requested"),
        ("fail_acceptance", "rectifying"),
        ("request_acceptance", "acceptance_requested"),
        ("pass_acceptance", "transformed"),
        ("close", "closed"),
    ]
    actors = CaseEvent.objects.filter(case=case).values_list("actor__username", flat=True)
    assert list(actors)[-2:] == ["county", "county"]


@pytest.mark.parametrize(
    ("persona_name", "allowed"),
    [
        ("alice", True),
        ("county_admin", True),
        ("inspector", False),
        ("viewer", False),
        ("secretary", False),
    ],
)
def test_who_may_apply_for_acceptance(rectifying_case, persona, persona_name, allowed):
    user = persona(persona_name)
    if allowed:
        services.case_transition(
            case=rectifying_case, action="request_acceptance", acting_user=user
        )
        rectifying_case.refresh_from_db()
        assert rectifying_case.status == CaseStatus.ACCEPTANCE_REQUESTED
    else:
        with pytest.raises(PermissionDenied):
            services.case_transition(
                case=rectifying_case, action="request_acceptance", acting_user=user
            )


@pytest.mark.parametrize("persona_name", ["alice", "inspector", "viewer"])
def test_only_the_county_records_acceptance_and_closes(rectifying_case, persona, persona_name):
    user = persona(persona_name)
    services.case_transition(
        case=rectifying_case, action="request_acceptance", acting_user=persona("county_admin")
    )
    with pytest.raises(PermissionDenied):
        review(rectifying_case, user, 90)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=rectifying_case, action="close", acting_user=user)


def test_another_township_cannot_touch_the_case(rectifying_case, bob):
    from django.http import Http404

    with pytest.raises(Http404):
        services.case_transition(case=rectifying_case, action="request_acceptance", acting_user=bob)


def test_an_illegal_move_is_refused_with_a_clear_message(case_a, alice, county_admin):
    with pytest.raises(TransitionError) as refused:
        services.case_transition(case=case_a, action="request_acceptance", acting_user=alice)
    assert "已列入" in refused.value.messages[0] and "申请考核验收" in refused.value.messages[0]
    with pytest.raises(TransitionError):
        services.case_transition(case=case_a, action="close", acting_user=county_admin)
    with pytest.raises(TransitionError):
        review(case_a, county_admin, 90)
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IDENTIFIED
    assert history(case_a) == [("listed", "identified")]


def test_the_api_answers_an_illegal_move_with_409_and_a_role_with_403(
    client, case_a, alice, inspector
):
    client.force_login(alice)
    response = client.post(reverse("case-apply", args=[case_a.pk]), {})
    assert response.status_code == 409
    assert "已列入" in response.json()["detail"]
    client.force_login(inspector)
    assert client.post(reverse("case-apply", args=[case_a.pk]), {}).status_code == 403


def test_the_page_shows_a_refused_move_as_a_message_not_an_error(client, case_a, alice):
    client.force_login(alice)
    response = client.post(reverse("case_apply", args=[case_a.pk]), follow=True)
    assert response.status_code == 200
    assert "不能“申请考核验收”" in response.content.decode()


# --- The plan round trip ----------------------------------------------------------------


def test_the_county_returns_a_plan_with_a_reason_and_approves_it_revised(
    case_a, alice, county_admin
):
    services.plan_save(case=case_a, acting_user=alice, version=1, goal="", tasks=TASKS[:1])
    services.plan_submit(case=case_a, acting_user=alice)
    with pytest.raises(ValidationError):
        services.plan_review(case=case_a, acting_user=county_admin, approve=False)
    plan = services.plan_review(
        case=case_a, acting_user=county_admin, approve=False, comment="措施不具体，请细化。"
    )
    assert plan.status == PlanStatus.RETURNED
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IDENTIFIED
    plan = services.plan_save(
        case=case_a, acting_user=alice, version=plan.version, goal="年底前转化", tasks=TASKS
    )
    assert plan.tasks.count() == 2
    services.plan_submit(case=case_a, acting_user=alice)
    services.plan_review(case=case_a, acting_user=county_admin, approve=True)
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.RECTIFYING


def test_a_township_cannot_approve_its_own_plan(case_a, alice):
    services.plan_save(case=case_a, acting_user=alice, version=1, goal="", tasks=TASKS)
    services.plan_submit(case=case_a, acting_user=alice)
    with pytest.raises(PermissionDenied):
        services.plan_review(case=case_a, acting_user=alice, approve=True)


def test_an_empty_plan_cannot_be_submitted_and_a_submitted_one_cannot_change(case_a, alice):
    with pytest.raises(ValidationError):
        services.plan_submit(case=case_a, acting_user=alice)
    plan = services.plan_save(case=case_a, acting_user=alice, version=1, goal="", tasks=TASKS)
    services.plan_submit(case=case_a, acting_user=alice)
    plan.refresh_from_db()
    with pytest.raises(TransitionError):
        services.plan_save(case=case_a, acting_user=alice, version=plan.version, goal="", tasks=[])


def test_the_plan_round_trip_through_the_pages(client, case_a, alice, county_admin):
    client.force_login(alice)
    url = reverse("plan_edit", args=[case_a.pk])
    form = {
        "goal": "年底前转化",
        "version": 1,
        "tasks-TOTAL_FORMS": 2,
        "tasks-INITIAL_FORMS": 0,
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 1000,
        "tasks-0-measure": "选优配强村党组织书记",
        "tasks-0-owner": "镇党委",
        "tasks-0-due_on": "2026-06-30",
        "tasks-1-measure": "",
        "tasks-1-owner": "",
        "tasks-1-due_on": "",
    }
    assert client.post(url, form).status_code == 302
    client.post(reverse("plan_submit", args=[case_a.pk]))
    client.force_login(county_admin)
    page = client.get(case_a.get_absolute_url()).content.decode()
    assert "提交审批意见" in page
    client.post(reverse("plan_review", args=[case_a.pk]), {"decision": "approve"})
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.RECTIFYING
    assert case_a.plan.tasks.get().measure == "选优配强村党组织书记"


def test_a_first_secretary_updates_only_their_own_tasks(rectifying_case, secretary, alice):
    mine, theirs = rectifying_case.plan.tasks.order_by("order")
    mine.assignee = secretary
    mine.save()
    task = services.task_progress(task=mine, acting_user=secretary, progress=100, note="已选配")
    assert task.progress == 100 and task.completed_on is not None
    with pytest.raises(PermissionDenied):
        services.task_progress(task=theirs, acting_user=secretary, progress=50)
    services.task_progress(task=theirs, acting_user=alice, progress=50)


# --- Listing rules, editing, relapse ------------------------------------------------------


def test_a_village_outside_scope_cannot_be_listed(list_case, bob, village_a):
    with pytest.raises(ValidationError) as refused:
        list_case(bob, village_a)
    assert "village" in refused.value.message_dict


def test_a_village_is_listed_once_per_campaign(list_case, case_a, alice, village_a):
    with pytest.raises(ValidationError) as refused:
        list_case(alice, village_a)
    assert "已列入本批次" in refused.value.message_dict["village"][0]


def test_a_deadline_before_the_listing_is_refused(list_case, alice, village_a):
    with pytest.raises(ValidationError):
        list_case(alice, village_a, deadline=date(2026, 1, 1))


def test_a_closed_village_listed_again_is_a_relapse(
    rectifying_case, alice, county_admin, list_case, village_a, client
):
    services.case_transition(case=rectifying_case, action="request_acceptance", acting_user=alice)
    review(rectifying_case, county_admin, 90)
    services.case_transition(case=rectifying_case, action="close", acting_user=county_admin)
    next_year = Campaign.objects.create(
        division_id="120114", year=2027, name="武清区2027年度整顿", started_on=date(2027, 3, 1)
    )
    relapse = list_case(
        alice,
        village_a,
        campaign=next_year,
        identified_on=date(2027, 3, 5),
        deadline=date(2027, 12, 31),
    )
    assert relapse.listing == 2 and relapse.is_relapse
    client.force_login(county_admin)
    listed = client.get(reverse("case_list"), {"relapse": "true"}).context["object_list"]
    assert [case.pk for case in listed] == [relapse.pk]
    assert "第 2 次列入" in client.get(relapse.get_absolute_url()).content.decode()


def test_a_village_still_open_elsewhere_cannot_be_listed_again(case_a, alice, list_case, village_a):
    next_year = Campaign.objects.create(
        division_id="120114", year=2027, name="武清区2027年度整顿", started_on=date(2027, 3, 1)
    )
    with pytest.raises(ValidationError) as refused:
        list_case(alice, village_a, campaign=next_year, deadline=date(2027, 12, 31))
    assert "尚未销号" in refused.value.message_dict["village"][0]


def test_a_stale_edit_is_refused_with_who_and_when(case_a, alice, county_admin):
    services.case_update(case=case_a, acting_user=county_admin, version=1, measures="县级领导包联")
    with pytest.raises(StaleEditError) as refused:
        services.case_update(case=case_a, acting_user=alice, version=1, measures="覆盖")
    assert str(county_admin) in refused.value.messages[0]
    case_a.refresh_from_db()
    assert case_a.measures == "县级领导包联" and case_a.version == 2


def test_a_stale_edit_through_the_page_keeps_the_other_save(client, case_a, alice, county_admin):
    services.case_update(case=case_a, acting_user=county_admin, version=1, measures="县级包联")
    client.force_login(alice)
    response = client.post(
        reverse("case_edit", args=[case_a.pk]),
        {
            "version": 1,
            "categories": [c.pk for c in case_a.categories.all()],
            "problems": "改",
            "responsible_person": "李秀英",
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert "已被" in " ".join(response.context["form"].non_field_errors())
    case_a.refresh_from_db()
    assert case_a.measures == "县级包联" and case_a.problems != "改"


def test_the_case_page_offers_only_the_actions_the_user_may_take(
    client, rectifying_case, alice, county_admin, inspector
):
    url = rectifying_case.get_absolute_url()
    client.force_login(alice)
    html = client.get(url).content.decode()
    assert "申请考核验收" in html and "巩固提升后销号" not in html
    client.force_login(inspector)
    html = client.get(url).content.decode()
    assert "申请考核验收" not in html and "修改台账" not in html
    client.force_login(county_admin)
    services.case_transition(
        case=rectifying_case, action="request_acceptance", acting_user=county_admin
    )
    assert "录入考核验收" in client.get(url).content.decode()


@pytest.mark.parametrize("ordering", [",", ",,", "status", "-deadline"])
def test_the_ledger_keeps_a_defined_order_whatever_the_sort_asked(
    client, list_case, county_admin, alice, ordering
):
    """`?ordering=,` cleared the order (a 500 under the fuzzer, shifting pages in
    production); a sort on a column with ties must still page the same way every time."""
    villages = Village.objects.filter(township_id="120114101").order_by("code")[:5]
    for village in villages:
        list_case(alice, village)  # the same status and deadline: every sort is a tie
    client.force_login(county_admin)
    pages = [
        client.get(reverse("case-list"), {"ordering": ordering, "page_size": 2, "page": page})
        for page in (1, 2, 3)
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    codes = [row["village"] for page in pages for row in page.json()["results"]]
    assert codes == [village.code for village in villages]
