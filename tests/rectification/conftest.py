"""Ledger fixtures: Wuqing's 2026 campaign and cases filed through the services."""

from datetime import date

import pytest

from rectification import services
from rectification.models import Campaign, Category


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        division_id="120114", year=2026, name="武清区2026年度整顿", started_on=date(2026, 3, 1)
    )


@pytest.fixture
def categories(db):
    return list(Category.objects.filter(group="central").order_by("order")[:2])


@pytest.fixture
def list_case(campaign, categories):
    """File a case as `user` would through the form: list_case(user, village, **fields)."""

    def make(user, village, campaign=campaign, categories=categories, **fields):
        data = {
            "problems": "班子不团结，组织生活不正常",
            "responsible_person": "李秀英",
            "deadline": date(2026, 12, 31),
            "identified_on": date(2026, 3, 10),
            **fields,
        }
        return services.case_create(
            acting_user=user, campaign=campaign, village=village, categories=categories, **data
        )

    return make


@pytest.fixture
def case_a(list_case, alice, village_a):
    """A case of 梅厂镇, just listed by its organizer."""
    return list_case(alice, village_a)


TASKS = [
    {"measure": "选优配强村党组织书记", "owner": "镇党委", "due_on": date(2026, 6, 30)},
    {"measure": "规范“三会一课”制度", "owner": "村党支部", "due_on": date(2026, 9, 30)},
]


@pytest.fixture
def rectifying_case(case_a, alice, county_admin):
    """case_a with an approved plan of two tasks: rectifying."""
    plan = services.plan_save(
        case=case_a, acting_user=alice, version=1, goal="一年内转化", tasks=TASKS
    )
    services.plan_submit(case=case_a, acting_user=alice)
    services.plan_review(case=case_a, acting_user=county_admin, approve=True)
    case_a.refresh_from_db()
    plan.refresh_from_db()
    return case_a
