"""Ledger fixtures: Wuqing's 2026 campaign and cases filed through the services."""

from datetime import date

import pytest

from portal.choices import Role
from rectification import services
from rectification.choices import CaseStatus
from rectification.models import Campaign, Case, Category
from tests.factories import UserFactory
from villages.models import Division, Village


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


# Seed 004 (Inner Mongolia, 2014): of 11,165 gacha and villages, 1,129 were class 3
# (10.1 %): 321 weak and lax (28 %), 90 chaotic finances (8 %), 560 lagging development
# (50 %), 158 prominent conflicts (14 %); 987 transformed (87.4 %).
SEED_004 = {"软弱涣散": 321, "财务管理混乱": 90, "经济社会发展落后": 560, "矛盾问题较为突出": 158}


@pytest.fixture
def region_of_seed_004(db):
    """A made-up league (盟) 1599 of 12 banners' worth of villages: seed 004's counts."""
    Division.objects.get_or_create(
        code="15", defaults={"name": "内蒙古自治区", "level": "province"}
    )
    Division.objects.create(code="1599", name="示例盟", level="city", parent_id="15")
    Division.objects.create(code="159901", name="示例旗", level="county", parent_id="1599")
    townships = [
        Division(code=f"159901{n:03d}", name=f"第{n}苏木", level="township", parent_id="159901")
        for n in range(1, 13)
    ]
    Division.objects.bulk_create(townships)
    villages = []
    for index in range(11_165):
        township = townships[index // 999]
        kind = "gacha" if index % 3 else "village"
        code = f"{township.code}{index % 999 + 1:03d}"
        villages.append(Village(code=code, name=f"{code}嘎查", township=township, kind=kind))
    # Urban communities are not counted in seed 004's 11,165.
    villages.append(
        Village(code="159901012999", name="示例社区", township=townships[-1], kind="community")
    )
    Village.objects.bulk_create(villages, batch_size=2000)
    campaign = Campaign.objects.create(
        division_id="159901", year=2014, name="三类嘎查村整顿转化", started_on=date(2014, 1, 1)
    )
    categories = {c.name: c for c in Category.objects.filter(name__in=SEED_004)}
    cases, links = [], []
    listed = iter(villages)
    for name, count in SEED_004.items():
        for _ in range(count):
            cases.append(
                Case(
                    campaign=campaign,
                    village=next(listed),
                    problems=name,
                    responsible_person="示例",
                    identified_on=date(2014, 1, 10),
                    deadline=date(2014, 12, 31),
                )
            )
    # 987 converted: 900 transformed, 87 already closed; the other 142 still rectifying.
    for index, case in enumerate(cases):
        if index < 900:
            case.status, case.transformed_on = CaseStatus.TRANSFORMED, date(2014, 9, 1)
        elif index < 987:
            case.status, case.transformed_on = CaseStatus.CLOSED, date(2014, 9, 1)
            case.closed_on = date(2014, 10, 1)
        else:
            case.status = CaseStatus.RECTIFYING
    Case.objects.bulk_create(cases, batch_size=2000)
    for case in Case.objects.filter(campaign=campaign):
        links.append(Case.categories.through(case=case, category=categories[case.problems]))
    Case.categories.through.objects.bulk_create(links, batch_size=2000)
    admin = UserFactory(username="league", role=Role.COUNTY_ADMIN, division_id="159901")
    return admin, campaign
