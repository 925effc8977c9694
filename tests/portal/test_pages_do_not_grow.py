"""No page carries more than a screenful of choices (issue 18): every choice of something
that grows with the area (villages, townships, counties, people, cases, units, campaigns,
rounds) is a scoped search, in forms, in filter bars and in the browsable API's filters.

Two checks: every form and FilterSet of the portal is built and each of its fields over a
growing model must be a chooser (or named below with the reason its list is bounded); and
every page a county administrator may open is rendered for a reader of a whole province
with sixty counties more than Wuqing, and no <select> may hold more than fifty options.
"""

import inspect
import re
from datetime import date

import pytest
import time_machine
from django import forms
from django.test import RequestFactory
from django.urls import reverse
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend

from firstsecretary.models import DispatchUnit, FirstSecretary
from home.urls import router
from inspections.models import InspectionRound
from portal.choices import Role
from portal.choosers import ChooserField, MultipleChooserField
from portal.models import User
from portal.scoping import Scope
from rectification.models import Campaign, Case, Category, PlanTask
from tests.conftest import first_village_of_township_a, kept_for_the_module, make_persona
from tests.factories import UserFactory
from tests.portal.test_access_matrix import CLOCK, EXPECTED, URL_OBJECT, URLS, _objects
from villages.models import Division, Urging, Village

APPS = ("portal", "villages", "rectification", "firstsecretary", "inspections", "home")
# What grows with the area a reader sees: a province has 14,592 villages, 1,225 townships,
# 103 counties, thousands of users and secretaries, a case per listed village, scores of
# dispatching units per county, a campaign a year and four rounds a year per county.
GROWING = (Division, Village, User, FirstSecretary, Case, DispatchUnit, Campaign, InspectionRound)
# Choice fields over a growing model whose list is bounded by something other than the
# area, each with the reason.
BOUNDED = {
    # The portal users who may act on one case's village: its township's, county's and
    # city's staff, not the area's.
    ("TaskForm", "assignee"): "the users of one village's own divisions",
}
# The most options a <select> may hold (a county's 37 townships are a <select>).
MOST_OPTIONS = 50


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls):
    return cls.__module__.split(".")[0] in APPS


def _growing_choice_fields(fields):
    for name, field in fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and issubclass(queryset.model, GROWING):
            yield name, field


@pytest.fixture
def reader(db):
    """A county administrator's role for the whole of Tianjin (division 12)."""
    return UserFactory(username="tianjin", role=Role.COUNTY_ADMIN, division_id="12")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.scope = Scope.of(user)
    return request


def _form_kwargs(form_class, user):
    """What each form's constructor asks for, by name."""
    parameters = inspect.signature(form_class.__init__).parameters
    known = {
        "acting_user": lambda: user,
        "inspection": lambda: InspectionRound.objects.create(
            county_id="120114",
            year=2026,
            quarter=4,
            kind="random",
            starts_on=date(2026, 10, 8),
            ends_on=date(2026, 10, 30),
        ),
        "tasks": PlanTask.objects.all,
        "case": Case.objects.first,
        "assignees": User.objects.all,
    }
    return {name: make() for name, make in known.items() if name in parameters}


def _forms():
    return sorted(
        (cls for cls in set(_subclasses(forms.BaseForm)) if _ours(cls)),
        key=lambda cls: (cls.__module__, cls.__name__),
    )


def _filtersets():
    """The FilterSets of the pages and the API, the ones DRF builds from `filterset_fields`
    included."""
    found = {cls for cls in _subclasses(FilterSet) if _ours(cls) and cls._meta.model}
    backend = DjangoFilterBackend()
    for _prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            continue
        view = viewset()
        view.action = "list"
        filterset = backend.get_filterset_class(view, queryset)
        if filterset is not None:
            found.add(filterset)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def test_every_form_chooses_what_grows_with_the_area_by_search(reader):
    wrong, walked = [], 0
    for form_class in _forms():
        form = form_class(**_form_kwargs(form_class, reader))
        walked += 1
        for name, field in _growing_choice_fields(form.fields):
            if isinstance(field, (ChooserField, MultipleChooserField)):
                continue
            if (form_class.__name__, name) not in BOUNDED:
                wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert walked >= 40  # every form of the portal, not a handful
    assert wrong == []


def test_every_filter_chooses_what_grows_with_the_area_by_search(reader):
    wrong, walked = [], set()
    for filterset_class in _filtersets():
        model = filterset_class._meta.model
        filterset = filterset_class({}, queryset=model.objects.none(), request=_request(reader))
        walked.add(model.__name__)
        for name, field in _growing_choice_fields(filterset.form.fields):
            if not isinstance(field, (ChooserField, MultipleChooserField)):
                wrong.append(f"{filterset_class.__module__}.{filterset_class.__name__}.{name}")
    # The API's activity plans and support links included: django-filter's own FilterSet
    # for `filterset_fields` listed every village (and case) of the country.
    assert {"ActivityPlan", "SupportLink", "Case", "Village", "FirstSecretary"} <= walked
    assert wrong == []


# --- Every page at a province's size -----------------------------------------------------

CITY = "1298"  # not a real city: sixty counties for the province reader to see
COUNTIES = [f"{CITY}{n:02d}" for n in range(1, 61)]


def _grow():
    """Sixty counties more in Tianjin, each with a township and a village, a campaign, a
    category, a dispatching unit, a round, a county administrator, a first secretary and
    a case: sixty of every growing thing besides Wuqing's own."""
    Division.objects.create(code=CITY, name="测试市", level="city", parent_id="12")
    Division.objects.bulk_create(
        Division(code=code, name=f"测试县{code[-2:]}", level="county", parent_id=CITY)
        for code in COUNTIES
    )
    Division.objects.bulk_create(
        Division(code=f"{code}001", name=f"测试镇{code[-2:]}", level="township", parent_id=code)
        for code in COUNTIES
    )
    Village.objects.bulk_create(
        Village(code=f"{code}001001", name=f"测试村{code[-2:]}", township_id=f"{code}001")
        for code in COUNTIES
    )
    campaigns = Campaign.objects.bulk_create(
        Campaign(division_id=code, year=2026, name=f"{code}整顿", started_on=date(2026, 3, 1))
        for code in COUNTIES
    )
    Category.objects.bulk_create(
        Category(name=f"问题{code}", division_id=code) for code in COUNTIES
    )
    units = DispatchUnit.objects.bulk_create(
        DispatchUnit(county_id=code, name=f"单位{code}", level="county", kind="government")
        for code in COUNTIES
    )
    InspectionRound.objects.bulk_create(
        InspectionRound(
            county_id=code,
            year=2026,
            quarter=3,
            kind="random",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 7, 20),
        )
        for code in COUNTIES
    )
    User.objects.bulk_create(
        User(username=f"admin{code}", role=Role.INSPECTOR, division_id=code, password="!")
        for code in COUNTIES
    )
    FirstSecretary.objects.bulk_create(
        FirstSecretary(
            county_id=unit.county_id,
            name=f"书记{unit.county_id}",
            gender="male",
            birth_year=1988,
            education="undergraduate",
            unit=unit,
        )
        for unit in units
    )
    Case.objects.bulk_create(
        Case(
            campaign=campaign,
            village_id=f"{campaign.division_id}001001",
            problems="班子不团结",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
        )
        for campaign in campaigns
    )


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The access matrix's objects (in township A of Wuqing) and sixty counties more, and
    a reader of all of them, written once for the module."""
    with kept_for_the_module(django_db_blocker):
        with time_machine.travel(CLOCK, tick=False):
            objects = _objects(first_village_of_township_a(), make_persona("alice"))
            _grow()
            reader = UserFactory(username="tianjin", role=Role.COUNTY_ADMIN, division_id="12")
            # Tianjin's administrator manages county administrators, not township organizers.
            objects["user"] = {"pk": make_persona("county_admin").pk}
        yield reader, objects


def _selects(html):
    """[(name, number of options)] of each <select> of a page."""
    return [
        (name, body.count("<option"))
        for name, body in re.findall(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', html, re.S)
    ]


# The pages a county administrator may open (GET answers 200): the lists, the forms and
# the objects' pages, and the API's lists (their browsable pages carry the filter forms).
PAGES = sorted(
    name
    for name in URLS
    if EXPECTED.get((name, "GET"), {}).get("county_admin") == "ok"
    and name not in {"logout", "healthz", "set_language", "chooser_search"}
)


@pytest.mark.parametrize("url_name", PAGES)
def test_no_page_of_a_province_reader_offers_more_than_fifty_choices_in_a_list(
    client, province, db, url_name
):
    reader, objects = province
    client.force_login(reader)
    kwargs = objects[URL_OBJECT[url_name]] if url_name in URL_OBJECT else {}
    with time_machine.travel(CLOCK):
        response = client.get(reverse(url_name, kwargs=kwargs), HTTP_ACCEPT="text/html")
    if "html" not in response.get("Content-Type", ""):
        return  # a download (a workbook, a document, a file): no choices in it
    assert response.status_code == 200
    html = response.content.decode()
    assert [(name, n) for name, n in _selects(html) if n > MOST_OPTIONS] == []


# --- A page of one county's townships, for a reader of many counties ----------------------


def test_a_province_reader_sees_the_first_countys_timeliness_and_searches_another(
    client, province, db
):
    reader, _objects = province
    client.force_login(reader)
    with time_machine.travel(CLOCK):
        first = client.get(reverse("activity_timeliness")).content.decode()
        other = client.get(reverse("activity_timeliness"), {"county": "129801"}).content.decode()
    # Wuqing (120114) is the first of Tianjin's 61 counties: its 37 townships, nobody else's.
    assert "梅厂镇" in first and "测试镇01" not in first
    assert "测试镇01" in other and "梅厂镇" not in other and "测试镇02" not in other
    # 61 counties: a search box, not a list of them.
    assert 'class="chooser"' in other and 'name="county"' in other
    assert "测试县02" not in other


def test_a_county_reader_keeps_his_own_townships_and_is_offered_no_other_county(
    client, province, county_admin
):
    client.force_login(county_admin)
    with time_machine.travel(CLOCK):
        page = client.get(reverse("activity_timeliness"), {"county": "129801"}).content.decode()
    assert "梅厂镇" in page and "测试镇01" not in page
    county = re.search(r'<select name="county"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d+)"', county) == ["120114"]  # his own, alone


def test_urging_every_incomplete_township_urges_only_those_of_the_county_shown(
    client, province, db
):
    reader, _objects = province
    client.force_login(reader)
    with time_machine.travel(CLOCK):
        client.post(reverse("activity_urge"), {"month": "2026-12", "all": "1", "county": "129801"})
    assert list(Urging.objects.values_list("township_id", flat=True)) == ["129801001"]
