"""The words an official reads, on the demo's own pages (issue 15, item 16): Chinese sort
choices, a round that ends rather than closes out, a finding's 整改时限, "85分" and
"走访3户", breadcrumbs without the statistical 市辖区, full-width colons."""

import re
from datetime import date

import pytest
from django.urls import reverse

from firstsecretary.models import WorkLog
from inspections.choices import RoundStatus
from inspections.models import InspectionRound, Visit
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_once, db, settings):
    """Every test here reads the demo: it is loaded once for the module (each test still
    rolled back after it)."""
    settings.DEBUG = True


def _page(client, username, url, **params):
    client.force_login(User.objects.get(username=username))
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def _options(html, name):
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    return [
        re.sub(r"<[^>]+>", "", o).strip()
        for o in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)
    ]


def test_the_ledgers_sort_menu_reads_in_chinese_both_ways(client, demo):
    html = _page(client, "county", reverse("case_list"))
    assert _options(html, "ordering") == [
        "默认",
        "村（社区）",
        "村（社区）（降序）",
        "转化时限",
        "转化时限（降序）",
        "状态",
        "状态（降序）",
        "列入时间",
        "列入时间（降序）",
    ]


def test_a_closed_round_reads_ended_not_closed_out(client, demo):
    done = InspectionRound.objects.filter(status=RoundStatus.CLOSED).first()
    assert done is not None, "the demo has a closed round with its circular"
    html = _page(client, "county", reverse("round_list"))
    assert "已结束" in html
    assert "已销号" not in html


def test_a_findings_deadline_is_its_time_limit_for_rectification(client, demo):
    html = _page(client, "county", reverse("finding_list"))
    assert "整改时限" in html
    assert "转化时限" not in html


def test_a_visits_score_reads_85_fen(client, demo):
    visit = Visit.objects.order_by("pk").first()
    Visit.objects.filter(pk=visit.pk).update(score=85)
    html = _page(client, "county", reverse("visit_detail", args=[visit.pk]))
    assert "85分" in html
    assert "分值" not in html


def test_a_work_log_day_reads_visited_three_households(client, demo, time_machine):
    time_machine.move_to("2026-11-20 10:00 +08:00")
    secretary = User.objects.get(username="secretary")
    log = WorkLog.objects.filter(assignment__secretary__user=secretary).order_by("-date").first()
    assert log is not None, "the demo secretary has written his work log"
    WorkLog.objects.filter(pk=log.pk).update(on_site=True, households_visited=3)
    html = _page(client, "secretary", reverse("worklog"))
    assert "走访3户" in html
    assert "3 户数" not in html


def test_breadcrumbs_leave_out_the_statistical_city_level_of_a_municipality(client, demo):
    html = _page(client, "admin", reverse("dashboard"), area="120114101")
    trail = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', html, re.S).group(1)
    crumbs = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)
    ]
    assert crumbs == ["天津市", "武清区", "梅厂镇"]


def test_a_label_ends_with_a_full_width_colon(client, demo):
    html = _page(client, "county", reverse("presence"), month=date(2026, 10, 1).strftime("%Y-%m"))
    assert "月份：" in html
    assert "月份:" not in html
