"""Contact visits (联系包保走访, issue 20 §4): the township records a contact's visit on the case
page, and the county hears of contacts who have not visited a listed village in its gap.

The world, with the clock on 2026-06-01: case_a (梅厂镇), listed 2026-03-10, has four
supporters. The county-level leader 张立国 last came on 04-01 (61 days ago), the department
区农业农村局 on 04-02 (60 days ago), the enterprise never (83 days since the listing), and a
project, which visits no one. Wuqing's gap is the default 60 days: the leader and the
enterprise are overdue; with a gap of 90, no one is.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firstsecretary import services
from firstsecretary.jobs import contact_visits_overdue
from firstsecretary.models import ContactVisit
from firstsecretary.selectors import overdue_contacts
from portal.models import Attachment, Notification
from portal.scoping import Scope
from tests.conftest import COUNTY
from villages.models import Division
from villages.services import county_settings_update

TODAY = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def contacts(case_a, county_admin, alice):
    def add(kind, name, **extra):
        return services.support_add(
            acting_user=county_admin, case=case_a, kind=kind, name=name, **extra
        )

    links = {
        "leader": add("county_leader", "张立国"),
        "department": add("department", "区农业农村局"),
        "enterprise": add("enterprise", "天津某建材公司"),
        "project": add("project", "高标准农田", project_status="underway"),
    }
    for key, day in (("leader", date(2026, 4, 1)), ("department", date(2026, 4, 2))):
        services.contact_visit_record(
            acting_user=alice, supporter=links[key], visited_on=day, summary="走访慰问"
        )
    return links


def test_the_township_records_a_visit_with_a_photo_on_the_case_page(
    client, case_a, contacts, alice
):
    client.force_login(alice)
    response = client.post(
        reverse("contact_visit_add", args=[case_a.pk]),
        {
            "supporter": contacts["enterprise"].pk,
            "visited_on": "2026-05-30",
            "summary": "召开村企共建座谈会，落实帮扶资金",
            "photos": [SimpleUploadedFile("座谈会.png", PNG, content_type="image/png")],
        },
    )

    assert response.status_code == 302
    visit = ContactVisit.objects.get(supporter=contacts["enterprise"])
    assert (visit.visited_on, visit.recorded_by) == (date(2026, 5, 30), alice)
    assert Attachment.objects.filter(object_id=visit.pk, kind="png").count() == 1
    page = client.get(case_a.get_absolute_url()).content.decode()
    assert "召开村企共建座谈会" in page and "照片 1" in page


def test_only_a_visiting_contact_visits_and_not_in_the_future(contacts, alice):
    with pytest.raises(ValidationError) as project:
        services.contact_visit_record(
            acting_user=alice,
            supporter=contacts["project"],
            visited_on=date(2026, 5, 1),
            summary="x",
        )
    with pytest.raises(ValidationError) as future:
        services.contact_visit_record(
            acting_user=alice,
            supporter=contacts["leader"],
            visited_on=date(2026, 6, 2),
            summary="x",
        )
    assert "supporter" in project.value.message_dict
    assert "visited_on" in future.value.message_dict


def test_contacts_overdue_are_those_longer_than_the_countys_gap(contacts, county_admin):
    overdue = overdue_contacts(scope=Scope.under(COUNTY))
    assert {(link.name, link.days_since) for link in overdue} == {
        ("张立国", 61),
        ("天津某建材公司", 83),
    }

    county_settings_update(
        county=Division.objects.get(pk=COUNTY),
        acting_user=county_admin,
        document_abbreviation="",
        visit_gap_days=90,
    )
    assert list(overdue_contacts(scope=Scope.under(COUNTY))) == []


def test_the_daily_job_tells_the_county_once_per_list(contacts, county_admin):
    first = contact_visits_overdue(date(2026, 6, 1))
    again = contact_visits_overdue(date(2026, 6, 1))

    notices = Notification.objects.filter(user=county_admin, key__startswith="contact-visits:")
    assert [n.title for n in notices] == ["2个联系包保单位或个人未按时走访列入整顿的村"]
    assert "张立国" in notices[0].body and "61" in notices[0].body
    assert first.endswith("2 overdue, 1 notified") and again.endswith("2 overdue, 0 notified")


def test_the_dashboard_figure_opens_the_cases_with_a_contact_overdue(
    client, contacts, county_admin
):
    client.force_login(county_admin)
    page = client.get(reverse("dashboard"), {"year": 2026})
    listed = client.get(page.context["links"]["visits_overdue"])

    assert page.context["visits_overdue"] == 1
    assert [case.pk for case, _flags in listed.context["rows"]] == [contacts["leader"].case_id]


def test_the_village_file_shows_each_visit_on_its_timeline(client, contacts, county_admin):
    client.force_login(county_admin)
    village = contacts["leader"].case.village
    page = client.get(reverse("village_dossier", args=[village.code]))

    timeline = [(e.on, e.part, e.text) for e in page.context["dossier"].timeline]
    assert (date(2026, 4, 1), "联系包保走访", "县级联系领导张立国：走访慰问") in timeline
    assert "走访：" in page.content.decode()
