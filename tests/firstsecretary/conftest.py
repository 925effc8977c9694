"""First-secretary fixtures: Wuqing's roster, filed through the services."""

from datetime import date

import pytest

from firstsecretary import services
from firstsecretary.models import DispatchUnit
from villages.models import Division, Village


@pytest.fixture
def unit(db):
    return DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )


@pytest.fixture
def add_secretary(county_admin, unit):
    def make(name="王磊", user=None):
        return services.secretary_save(
            acting_user=county_admin,
            county=Division.objects.get(pk="120114"),
            name=name,
            gender="male",
            birth_year=1988,
            education="undergraduate",
            unit=unit,
            position="科员",
            phone="13800000000",
            user=user,
        )

    return make


@pytest.fixture
def posted(add_secretary, county_admin, secretary, village_a):
    """The first-secretary user's roster entry, posted to their village since 2026-03-01."""
    person = add_secretary("刘洋", user=secretary)
    services.assignment_start(
        acting_user=county_admin,
        secretary=person,
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    return person


@pytest.fixture
def other_village(village_a):
    return Village.objects.filter(township_id=village_a.township_id).exclude(pk=village_a.pk)[0]


# The ledger's fixtures, for the supporters of a case.
from tests.rectification.conftest import (  # noqa: E402,F401
    campaign,
    case_a,
    categories,
    list_case,
    rectifying_case,
)
