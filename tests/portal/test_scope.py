"""Scope is a value, not a user: where it comes from, how it narrows, and that nothing reads
on someone's behalf without one (portal.scoping)."""

import dataclasses
import importlib
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from firstsecretary.models import DispatchUnit, FirstSecretary
from inspections.models import Circular, Finding, InspectionRound, Visit
from portal.choices import Role
from portal.models import User
from portal.scoping import Scope
from rectification.models import AcceptanceCriterion, Campaign, Case, Category
from tests.conftest import COUNTY, JIMO, TOWNSHIP_A, TOWNSHIP_B
from tests.factories import UserFactory
from villages.models import Division, Village

pytestmark = pytest.mark.django_db


# --- Scope.of: today's rules, persona by persona ---------------------------------------------


def test_a_county_administrator_reads_his_county_and_knows_its_inspections(county_admin):
    scope = Scope.of(county_admin)
    assert scope.prefix == "120114"
    assert scope.knows_all_inspections is True
    assert scope.inspector_id == county_admin.pk
    assert not scope.is_everything and not scope.is_nothing


def test_a_township_organizer_reads_his_township(alice):
    scope = Scope.of(alice)
    assert scope.prefix == "120114101"
    assert scope.knows_all_inspections is False


def test_a_first_secretary_reads_his_village_not_his_township(secretary, village_a):
    scope = Scope.of(secretary)
    assert scope.prefix == village_a.code
    assert len(scope.prefix) == 12 and scope.is_village
    assert scope.knows_all_inspections is False


def test_an_inspector_reads_the_county_and_knows_only_his_own_rounds_in_full(inspector):
    scope = Scope.of(inspector)
    assert scope.prefix == "120114"
    assert scope.knows_all_inspections is False
    assert scope.inspector_id == inspector.pk


def test_a_leader_reads_the_county(viewer):
    scope = Scope.of(viewer)
    assert (scope.prefix, scope.knows_all_inspections) == ("120114", False)


def test_an_inactive_user_reads_nothing(db):
    user = UserFactory(username="gone", role=Role.COUNTY_ADMIN, division_id=COUNTY, is_active=False)
    assert Scope.of(user) == Scope.nothing()
    assert Scope.of(user).is_nothing


def test_a_user_without_a_role_reads_nothing(db):
    user = UserFactory(username="norole", role="", division_id=COUNTY)
    assert Scope.of(user).is_nothing


def test_anonymous_and_no_one_read_nothing(client):
    from django.contrib.auth.models import AnonymousUser

    assert Scope.of(AnonymousUser()).is_nothing
    assert Scope.of(None).is_nothing


def test_a_superuser_without_a_division_reads_everything(superuser):
    scope = Scope.of(superuser)
    assert scope.prefix == ""
    assert scope.is_everything
    assert scope.knows_all_inspections is True


def test_a_superuser_with_a_division_reads_his_division_when_he_has_a_role(db):
    placed = UserFactory(
        username="su-county", role=Role.COUNTY_ADMIN, division_id=COUNTY, is_superuser=True
    )
    assert Scope.of(placed).prefix == "120114"
    assert not Scope.of(placed).is_everything
    # With a division but no role he reads nothing, as before (User.scope_prefix's rule).
    no_role = UserFactory(username="su-norole", role="", division_id=COUNTY, is_superuser=True)
    assert Scope.of(no_role).is_nothing


def test_everything_is_not_reachable_by_scope_of_for_anyone_but_a_superuser(
    county_admin, other_county_admin, alice, bob, inspector, secretary, viewer
):
    for user in (county_admin, other_county_admin, alice, bob, inspector, secretary, viewer):
        assert not Scope.of(user).is_everything, user.username
    for role in Role.values:
        nowhere = UserFactory(username=f"nowhere-{role}", role=role, division_id=None)
        assert not Scope.of(nowhere).is_everything, role


# --- Everything only by name; a value ----------------------------------------------------------


def test_everything_is_obtained_only_by_name():
    with pytest.raises(ValueError):
        Scope("")
    with pytest.raises(ValueError):
        Scope.everything(reason="")
    job = Scope.everything(reason="deadline check")
    assert job.is_everything and job.reason == "deadline check"


def test_a_scope_is_immutable_and_compared_by_value():
    scope = Scope.under(TOWNSHIP_A)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.prefix = ""
    assert Scope.under(TOWNSHIP_A) == Scope.under("120114101")
    assert Scope.under(TOWNSHIP_A) != Scope.under(TOWNSHIP_B)
    assert hash(Scope.under(COUNTY)) == hash(Scope.under("120114"))


# --- under, contains, narrowed ------------------------------------------------------------------


def test_under_takes_a_division_or_village_code_only():
    for code in ("12", "1201", "120114", "120114101", "120114101001"):
        assert Scope.under(code).prefix == code
    for bad in ("", "1", "120", "12011410", "1201141010011", "12a114", None):
        with pytest.raises(ValueError):
            Scope.under(bad)
    # A report no person asked for knows inspections as an outsider does.
    assert Scope.under(COUNTY).knows_all_inspections is False
    assert Scope.under(COUNTY).inspector_id is None


def test_contains():
    county = Scope.under(COUNTY)
    assert county.contains("120114101001")
    assert county.contains("120114")
    assert not county.contains("120115")
    assert not county.contains("12")
    assert not county.contains(None)
    assert not Scope.nothing().contains("120114")
    assert Scope.everything(reason="test").contains("370215")


def test_narrowed_only_strictly_inside_else_unchanged(county_admin):
    scope = Scope.of(county_admin)
    township = scope.narrowed(TOWNSHIP_A)
    assert township.prefix == TOWNSHIP_A
    # The same reader, smaller: what he knows of inspections goes with him.
    assert township.knows_all_inspections is True
    assert township.inspector_id == county_admin.pk
    assert scope.narrowed("120114") is scope  # itself: not strictly inside
    assert scope.narrowed("1201") is scope  # wider
    assert scope.narrowed("12") is scope
    assert scope.narrowed(JIMO) is scope  # another county
    assert scope.narrowed("120114101001") is scope  # a village: not a drill-down level
    assert scope.narrowed("12011410") is scope  # malformed
    assert scope.narrowed("") is scope
    assert scope.narrowed("abc") is scope
    assert Scope.nothing().narrowed(TOWNSHIP_A).is_nothing
    everything = Scope.everything(reason="test")
    assert everything.narrowed("12").prefix == "12"
    assert everything.narrowed("120114101").prefix == "120114101"


def test_a_township_cannot_drill_into_its_neighbour(alice):
    scope = Scope.of(alice)
    assert scope.narrowed(TOWNSHIP_B) is scope
    assert scope.narrowed(COUNTY) is scope


# --- visible_to takes a Scope only --------------------------------------------------------------


SCOPED_MODELS = (
    Village,  # ScopedQuerySet
    Division,
    User,
    Case,
    Campaign,  # InheritedQuerySet: its own, above it and below it
    DispatchUnit,
    Category,  # national, inherited from above, its own and below
    AcceptanceCriterion,  # the same
    FirstSecretary,
    InspectionRound,
    Visit,
    Finding,
    Circular,
)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_visible_to_refuses_a_user(model, county_admin):
    with pytest.raises(TypeError):
        model.objects.visible_to(county_admin)
    with pytest.raises(TypeError):
        model.objects.visible_to(None)
    with pytest.raises(TypeError):
        model.objects.visible_to("120114")
    assert model.objects.visible_to(Scope.nothing()).count() == 0


def test_visible_to_narrows_by_the_scope(alice, village_a, village_b):
    in_a = Village.objects.visible_to(Scope.of(alice))
    assert in_a.filter(pk=village_a.pk).exists()
    assert not in_a.filter(pk=village_b.pk).exists()
    assert Village.objects.visible_to(Scope.under(TOWNSHIP_B)).filter(pk=village_b.pk).exists()
    everything = Village.objects.visible_to(Scope.everything(reason="test"))
    assert everything.count() == Village.objects.count()


def test_the_request_carries_the_signed_in_users_scope(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert response.wsgi_request.scope == Scope.of(alice)


# --- No selector reads without a scope ------------------------------------------------------------

# Every public function of a selector module takes a required `scope`, or is here with the
# reason it reads nothing on anyone's behalf.
READS_FOR_NO_ONE = {
    # pure helpers: conditions, numbers, dates
    "percent": "arithmetic",
    "administrative_q": "a condition on a village's kind",
    "expected_q": "a condition on when a village is expected",
    "timeliness_legend": "the colours' legend, constant",
    "plan_months": "a list of months",
    "overdue_tasks_q": "a condition",
    "overdue_cases_q": "a condition",
    "converted_q": "a condition",
    "relapse_q": "a condition",
    "reached_q": "a condition",
    "behind_q": "a condition",
    "missing_support_q": "a condition",
    "five_ones_incomplete_q": "a condition",
    "overdue_findings_q": "a condition",
    "case_is_overdue": "the overdue condition on one case already found in scope",
    "finding_is_overdue": "the overdue condition on one finding already found in scope",
    "with_overdue_task": "annotates a queryset the caller has already scoped",
    "with_support": "annotates a queryset the caller has already scoped",
    # reads of one object the caller has already found in scope
    "division_path": "the ancestors of a division already loaded",
    "case_events": "the history of a case found in scope",
    "five_ones": "of a case found in scope",
    "five_ones_in": "of a case's support links already read",
    "trust_window_start": "a date: the first day of the months compared",
    "visits_of": "the contact visits of a case found in scope",
    "with_last_visit": "annotates a queryset the caller has already scoped",
    "listed_villages_q": "a condition",
    "listed_q": "a condition",
    "lend_listed_condition": "wiring: the app above lends its condition at start-up",
    "percentile": "arithmetic",
    "stall_thresholds": "numbers of days per campaign, the same whoever reads (no rows)",
    "stalled_cases_q": "a condition",
    "stalled_q": "a condition",
    "with_stage_days": "annotates a queryset the caller has already scoped",
    "with_stalled": "annotates a queryset the caller has already scoped",
    "standard_areas": "the settings in force for a division (areas in m²)",
    "standard_areas_here_and_above": "the settings in force for a division and above it",
    "up_to_standard_q": "a condition",
    "with_standard": "annotates a queryset the caller has already scoped",
    "support_of": "of a case found in scope",
    "first_secretary_of": "of a village found in scope",
    "monthly_presence": "of a posting found in scope",
    "month_tally": "of a posting found in scope",
    "worklogs_of": "of a posting found in scope",
    "worklogs_with_photos": "of a posting found in scope",
    "presence_rows": "the rows of postings already read within a scope (a page of them)",
    "township_urging": "of a township found in scope",
    # reads for an area named by code, not for a person
    "first_plan_months": "the counties' first plan months under a given code prefix",
    "urged_and_late": "for the county a circular is drafted for, by code",
    # the user's own facts, not what he may see
    "scope_division": "the division the user works for (the page's heading)",
    "todo_for": "the user's role chooses the list; it takes Scope.of(user) in one place",
    "todo_count": "a cache read of the user's own count",
    "sort_key": "orders items",
    # the dashboard's presentation of figures already read within a scope
    "figure_links": "addresses of the lists behind the figures",
    "chart_data": "figures already read within a scope",
    "workbook": "figures already read within a scope",
}


def _selector_modules():
    """Every app's selectors, and the dashboard's and the to-do list's figures, wherever
    they live."""
    base = Path(settings.BASE_DIR).resolve()
    names = []
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if base not in path.parents:
            continue  # Django's and third parties' apps
        for stem in ("selectors", "dashboard", "todo"):
            if (path / f"{stem}.py").exists():
                names.append(f"{app.name}.{stem}")
    return [importlib.import_module(name) for name in sorted(names)]


def test_the_selector_modules_are_found():
    names = {module.__name__.rsplit(".", 1)[-1] for module in _selector_modules()}
    assert {"selectors", "dashboard", "todo"} <= names
    assert len(_selector_modules()) >= 7


def test_no_public_selector_can_be_called_without_a_scope():
    unscoped = []
    for module in _selector_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameter = inspect.signature(function).parameters.get("scope")
            if parameter is not None and parameter.default is inspect.Parameter.empty:
                assert "user" not in inspect.signature(function).parameters or name in (
                    "tasks_of",
                    "township_items",
                    "county_items",
                    "inspector_items",
                    "secretary_items",
                ), f"{module.__name__}.{name} takes a user besides its scope"
                continue
            if name not in READS_FOR_NO_ONE:
                unscoped.append(f"{module.__name__}.{name}")
    assert unscoped == []


def test_the_exempt_list_names_only_functions_that_exist():
    defined = {
        name
        for module in _selector_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
    }
    assert set(READS_FOR_NO_ONE) <= defined
