"""The demo `make run` loads: every demo user logs in and sees exactly their area."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Max
from django.urls import reverse

from home.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS
from portal.models import User
from portal.scoping import Scope
from villages.models import Village


@pytest.fixture
def demo(demo_once, db, settings):
    """The tests here read the demo: it is loaded once for the module (each test still
    rolled back after it)."""
    settings.DEBUG = True


def _rows_of_every_table():
    """{table: (rows, highest key)} of every model, the audit trail's history tables
    included: a row added, or one deleted and written again, shows."""
    return {
        model._meta.db_table: tuple(
            model._base_manager.aggregate(rows=Count("pk"), last=Max("pk")).values()
        )
        for model in apps.get_models()
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    before = _rows_of_every_table()
    facts = list(Village.objects.order_by("code").values_list("households", "secretary_name"))
    call_command("load_demo", stdout=io.StringIO())
    after = _rows_of_every_table()
    assert {table: (n, after[table]) for table, n in before.items() if after[table] != n} == {}
    # The positive control: the demo did fill the tables that are compared.
    assert before["portal_user"][0] >= 7 and before["rectification_case"][0] > 0
    assert before["portal_historicaluser"][0] > 0
    assert (
        list(Village.objects.order_by("code").values_list("households", "secretary_name")) == facts
    )


def test_the_demo_refuses_to_run_outside_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


@pytest.mark.parametrize("username", [row[0] for row in DEMO_USERS])
def test_each_demo_user_logs_in_and_sees_only_their_area(client, demo, username):
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    # A login lands at home; the first secretary on his own page (firstsecretary.views.StartView).
    landing = "my_village" if username == "secretary" else "home"
    assert response.redirect_chain[-1][0] == reverse(landing)
    user = User.objects.get(username=username)
    listed = client.get(reverse("village-list"), {"page_size": 500}).json()
    assert listed["count"] == Village.objects.filter(code__startswith=Scope.of(user).prefix).count()
    assert listed["count"] > 0
    assert all(row["code"].startswith(Scope.of(user).prefix) for row in listed["results"])


def test_the_demo_ledger_shows_every_status_a_relapse_and_an_overdue_task(demo, client):
    from rectification.choices import CaseStatus
    from rectification.models import Case

    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    assert Case.objects.filter(listing=2).count() == 1
    client.post(reverse("login"), {"username": "county", "password": DEMO_PASSWORD})
    overdue = client.get(reverse("case_list"), {"overdue": "true"}).context["object_list"]
    assert len(overdue) >= 1
    client.logout()
    client.post(reverse("login"), {"username": "secretary", "password": DEMO_PASSWORD})
    mine = Case.objects.get(village__users__username="secretary", campaign__year=2026)
    assert "保存" in client.get(mine.get_absolute_url()).content.decode()


def test_the_demo_roster_posts_the_demo_secretary_and_leaves_some_villages_without(demo, client):
    from firstsecretary.models import Assignment, WorkLog

    assert Assignment.objects.filter(actual_end__isnull=True).count() >= 5
    client.post(reverse("login"), {"username": "secretary", "password": DEMO_PASSWORD})
    page = client.get(reverse("worklog"))
    assert page.context["assignment"] is not None and page.context["logs"]
    assert WorkLog.objects.exists()
    client.logout()
    client.post(reverse("login"), {"username": "county", "password": DEMO_PASSWORD})
    missing = client.get(reverse("support_overview")).context["rows"]
    assert any(not flags[3] for _case, flags in missing)  # a case without a first secretary


def test_the_demo_secretary_lands_on_his_page_with_a_photo_and_today_to_write(demo, client):
    from firstsecretary.models import WorkLogPhoto

    response = client.post(
        reverse("login"), {"username": "secretary", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("my_village")
    page = response.content.decode()
    # His latest day's photo (the day before shows it again: a reused photo, 请核实).
    photo = (
        WorkLogPhoto.objects.filter(log__assignment__secretary__user__username="secretary")
        .order_by("-log__date")
        .first()
    )
    assert reverse("worklog_photo", args=[photo.pk]) in page
    assert max(photo.width, photo.height) == 1600 and photo.taken_at is not None
    assert 'data-today="missing"' in page  # today is left for the one tap


def test_the_demo_has_work_logs_to_look_at_and_interviews_on_its_visits(demo, client):
    from inspections.models import AwarenessCheck

    client.post(reverse("login"), {"username": "county", "password": DEMO_PASSWORD})
    page = client.get(reverse("trust_review"))
    logs, photos = page.context["logs"], page.context["photos"]
    assert [
        (p.first.assignment.secretary.name, p.second.assignment.secretary.name) for p in logs
    ] == [("王磊", "陈晓燕")]
    assert [(p.first.log.assignment.secretary.name, p.same_secretary) for p in photos] == [
        ("刘洋", True)
    ]
    assert AwarenessCheck.objects.count() == 8  # four visits in each of the two rounds


def test_the_demo_shows_activity_plans_timeliness_and_a_bell(demo, client):
    from portal.models import Notification, User

    organizer = User.objects.get(username="meichang")
    client.force_login(organizer)
    page = client.get(reverse("activity_township"))
    states = {str(state) for _village, _plan, state in page.context["rows"]}
    assert {"not_started", "submitted"} <= states
    table = client.get(reverse("activity_timeliness"))
    assert any(cell.expected for _township, cells in table.context["rows"] for cell in cells)
    assert Notification.objects.filter(user=organizer).exists()


def test_the_demo_has_a_published_circular_and_an_active_round_for_the_inspector(demo, client):
    from inspections.models import Circular, InspectionRound
    from portal.models import GeneratedReport, User

    client.force_login(User.objects.get(username="inspector"))
    active = InspectionRound.objects.get(status="active")
    page = client.get(active.get_absolute_url())
    assert page.context["my_teams"] and page.context["visits"]
    # 2026's third quarter's, and 2025's that named the village of the file (home.demo).
    circulars = Circular.objects.order_by("year")
    assert [(c.year, c.published_at is not None) for c in circulars] == [(2025, True), (2026, True)]
    assert GeneratedReport.objects.filter(kind="inspections.quarterly", status="done").exists()


def test_tianjin_above_wuqing_makes_its_administrators_and_sets_a_category(demo, client):
    from rectification.demo import TIANJIN_CATEGORY
    from rectification.models import Case, Category

    client.post(reverse("login"), {"username": "tianjin", "password": DEMO_PASSWORD})
    form = client.get(reverse("user_create")).context["form"]
    assert [value for value, _label in form.fields["role"].choices if value] == [
        "county_admin",
        "viewer",
    ]
    assert client.get(reverse("dashboard")).status_code == 200
    ledger = client.get(reverse("case-list")).json()
    assert ledger["count"] == Case.objects.filter(village__code__startswith="120114").count()
    assert TIANJIN_CATEGORY in client.get(reverse("campaign_list")).content.decode()
    category = Category.objects.get(name=TIANJIN_CATEGORY)
    client.force_login(User.objects.get(username="county"))
    assert TIANJIN_CATEGORY in client.get(reverse("campaign_list")).content.decode()
    assert client.get(reverse("category_edit", args=[category.pk])).status_code == 403
