"""核实销号 and 退回重新整改: an inspector of the round verifies the township's answer, or
sends it back with the reason; every verdict is kept and the township reads it on the
finding's page (and in its notifications), answers again, and is verified in the end."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inspections import services
from inspections.models import FindingReview
from portal.exceptions import TransitionError
from portal.models import Notification
from tests.factories import UserFactory
from tests.inspections.test_inspections import (  # noqa: F401
    WUQING,
    active,
    finding,
    inspection,
    team,
    visit,
)


@pytest.fixture
def answered(finding, alice):  # noqa: F811 (the imported fixture)
    return services.finding_answer(acting_user=alice, finding=finding, response="已补齐会议记录")


def test_verifying_closes_the_finding_and_keeps_the_comment(answered, inspector):
    services.finding_verify(acting_user=inspector, finding=answered, comment="记录齐全")
    answered.refresh_from_db()
    assert answered.status == "verified" and answered.verified_by == inspector
    review = FindingReview.objects.get()
    assert review.verified and review.comment == "记录齐全" and review.reviewed_by == inspector


def test_sending_back_reopens_the_finding_and_tells_the_township_why(answered, inspector, alice):
    services.finding_send_back(
        acting_user=inspector, finding=answered, comment="会议记录缺少签到表，请补充"
    )
    answered.refresh_from_db()
    assert answered.status == "open" and answered.verified_at is None
    assert answered.response == "已补齐会议记录"  # the township's last answer stays to edit
    review = FindingReview.objects.get()
    assert not review.verified and review.comment == "会议记录缺少签到表，请补充"
    note = Notification.objects.get(user=alice)
    assert note.body == "会议记录缺少签到表，请补充"
    assert note.url == reverse("finding_detail", args=[answered.pk])


def test_sending_back_needs_a_reason(answered, inspector):
    with pytest.raises(ValidationError) as refused:
        services.finding_send_back(acting_user=inspector, finding=answered, comment="  ")
    assert "comment" in refused.value.error_dict
    answered.refresh_from_db()
    assert answered.status == "rectifying"
    assert not FindingReview.objects.exists()


def test_only_an_inspector_of_the_round_gives_a_verdict_on_an_answered_finding(
    finding,  # noqa: F811
    inspector,
    alice,
):
    other = UserFactory(username="inspector2", role="inspector", division_id=WUQING)
    with pytest.raises(TransitionError):  # not answered yet
        services.finding_send_back(acting_user=inspector, finding=finding, comment="未整改")
    services.finding_answer(acting_user=alice, finding=finding, response="已整改")
    with pytest.raises(PermissionDenied):
        services.finding_send_back(acting_user=other, finding=finding, comment="不认可")
    with pytest.raises(PermissionDenied):
        services.finding_verify(acting_user=alice, finding=finding)
    assert not FindingReview.objects.exists()


def test_the_township_reads_the_reason_answers_again_and_is_verified(
    client, answered, inspector, alice
):
    url = reverse("finding_verify", args=[answered.pk])
    client.force_login(inspector)
    page = client.get(answered.get_absolute_url()).content.decode()
    assert f'action="{url}"' in page and "data-confirm=" in page.split(f'action="{url}"')[1][:200]
    response = client.post(url, {"decision": "send_back", "comment": "缺少签到表"})
    assert response.status_code == 302

    client.force_login(alice)
    page = client.get(answered.get_absolute_url()).content.decode()
    assert "核实记录" in page and "退回重新整改" in page and "缺少签到表" in page
    assert f'action="{url}"' not in page  # the verdict is the inspectors'
    client.post(
        reverse("finding_answer", args=[answered.pk]), {"response": "已补齐签到表和会议记录"}
    )
    answered.refresh_from_db()
    assert answered.status == "rectifying"

    client.force_login(inspector)
    client.post(url, {"decision": "verify", "comment": "材料齐全，予以销号"})
    answered.refresh_from_db()
    assert answered.status == "verified"
    page = client.get(answered.get_absolute_url()).content.decode()
    assert page.index("缺少签到表") < page.index("材料齐全，予以销号")
    assert f'action="{url}"' not in page  # verified: nothing more to decide


def test_a_verdict_without_a_decision_changes_nothing(client, answered, inspector):
    client.force_login(inspector)
    response = client.post(reverse("finding_verify", args=[answered.pk]), {"comment": "材料齐全"})
    assert response.status_code == 200
    assert "材料齐全" in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == "rectifying"


def test_a_script_sends_a_finding_back_through_the_api_with_its_reason(
    client, answered, inspector, alice
):
    client.force_login(inspector)
    url = reverse("finding-send-back", args=[answered.pk])
    refused = client.post(url, {"comment": ""}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["comment"] == ["请说明退回重新整改的理由。"]
    sent = client.post(url, {"comment": "签到表缺页"}, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "open"
    assert Notification.objects.get(user=alice).body == "签到表缺页"


def test_a_script_verifies_a_finding_through_the_api_with_a_comment(client, answered, inspector):
    client.force_login(inspector)
    url = reverse("finding-verify", args=[answered.pk])
    verified = client.post(url, {"comment": "整改到位"}, content_type="application/json")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert FindingReview.objects.get().comment == "整改到位"


def test_a_township_cannot_send_a_finding_back_through_the_api(client, answered, alice):
    client.force_login(alice)
    url = reverse("finding-send-back", args=[answered.pk])
    assert client.post(url, {"comment": "x"}, content_type="application/json").status_code == 403
    answered.refresh_from_db()
    assert answered.status == "rectifying"
