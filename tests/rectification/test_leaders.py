"""The county-level contact leader and the township leader in charge: one fact, one home (a
support link of the five ones), whether entered through the ledger form, the import or the
API, and shown the same on the case page, in the export and on the dashboard."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import load_workbook

from firstsecretary import services as support_services
from firstsecretary.choices import SupportKind
from firstsecretary.models import SupportLink
from rectification import services
from rectification.models import LEADERS, Case
from tests.firstsecretary.conftest import add_secretary, unit  # noqa: F401
from tests.rectification.test_imports import ledger_row, upload, workbook
from villages.models import Village

MIGRATION = "rectification.migrations.0007_leaders_are_support_links"


def test_the_leader_columns_are_kept_by_the_five_ones_kinds():
    assert {name: kind for name, (kind, _label) in LEADERS.items()} == {
        "county_leader": SupportKind.COUNTY_LEADER,
        "township_leader": SupportKind.TOWNSHIP_CONTACT,
    }


def test_a_leader_imported_with_the_ledger_is_the_same_everywhere(
    client, alice, county_admin, campaign, village_a, request
):
    client.force_login(alice)
    batch, preview = upload(client, workbook([ledger_row(village_a)]), campaign)
    assert preview.ok
    client.post(reverse("case_import_confirm", args=[batch.pk]))
    case = Case.objects.get(village=village_a)
    # One home: the support links of the five ones.
    links = SupportLink.objects.filter(case=case).values_list("kind", "name")
    assert sorted(links) == [("county_leader", "张立国"), ("township_contact", "王建军")]
    # The case page: the ledger's field and the supporters' card name the same person.
    client.force_login(county_admin)
    page = client.get(reverse("case_detail", args=[case.pk]))
    html = page.content.decode()
    # (The choices of a form, such as the contact visit's list of contacts, are not shown
    # names: left out.)
    shown = re.sub(r"<select.*?</select>", "", html, flags=re.S)
    assert shown.count("张立国") == 2 and shown.count("王建军") == 2
    # The export's leader columns.
    response = client.post(reverse("case_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [c.value for c in sheet[3]]
    row = dict(zip(headers, [c.value for c in sheet[4]], strict=True))
    assert row["县级联系领导"] == "张立国" and row["包村领导"] == "王建军"
    # The dashboard: with the other three ones and a first secretary, complete.
    support_services.assignment_start(
        acting_user=county_admin,
        secretary=request.getfixturevalue("add_secretary")("刘洋"),
        village=village_a,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    for kind, name in (("enterprise", "某公司"), ("department", "区农业农村委")):
        support_services.support_add(acting_user=county_admin, case=case, kind=kind, name=name)
    support_services.support_add(
        acting_user=county_admin,
        case=case,
        kind="project",
        name="大棚",
        amount=50,
        project_status="planned",
    )
    assert client.get(reverse("dashboard")).context["missing_five"] == 0


def test_the_ledger_form_edits_the_same_links(client, alice, case_a):
    services.case_update(
        case=case_a, acting_user=alice, version=case_a.version, county_leader="张立国"
    )
    link = SupportLink.objects.get(case=case_a, kind="county_leader")
    link.contact = "13800000000"
    link.save()
    client.force_login(alice)
    form = client.get(reverse("case_edit", args=[case_a.pk])).context["form"]
    assert form["county_leader"].value() == "张立国"
    # Saving the form unchanged keeps the link and its contact; a new name replaces it.
    case_a.refresh_from_db()
    services.case_update(
        case=case_a, acting_user=alice, version=case_a.version, county_leader="张立国"
    )
    assert SupportLink.objects.get(case=case_a, kind="county_leader").contact == "13800000000"
    services.case_update(
        case=case_a, acting_user=alice, version=case_a.version, county_leader="李明"
    )
    assert list(
        SupportLink.objects.filter(case=case_a, kind="county_leader").values_list("name")
    ) == [("李明",)]
    assert Case.objects.get(pk=case_a.pk).county_leader == "李明"


def test_the_api_reads_and_writes_the_same_links(client, alice, campaign, village_a, categories):
    client.force_login(alice)
    response = client.post(
        "/api/v1/cases/",
        {
            "campaign": campaign.pk,
            "village": village_a.code,
            "categories": [c.pk for c in categories],
            "problems": "班子不团结",
            "responsible_person": "李秀英",
            "county_leader": "张立国",
            "identified_on": "2026-09-01",
            "deadline": "2026-12-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["county_leader"] == "张立国"
    assert SupportLink.objects.get(kind="county_leader").name == "张立国"


def test_the_migration_makes_a_link_of_every_name_and_none_twice():
    from importlib import import_module

    links_to_add = import_module(MIGRATION).links_to_add
    rows = [
        (1, {"county_leader": "张立国", "township_leader": ""}),
        (2, {"county_leader": "李明", "township_leader": "王建军、赵强"}),
        (3, {"county_leader": "", "township_leader": ""}),
        (4, {"county_leader": "刘伟", "township_leader": ""}),
    ]
    # Case 2 already has 李明 as its county leader; case 4 has another one, 陈刚.
    existing = {(2, "county_leader", "李明"), (4, "county_leader", "陈刚")}
    assert links_to_add(rows, existing) == [
        (1, "county_leader", "张立国"),
        (2, "township_contact", "王建军"),
        (2, "township_contact", "赵强"),
        (4, "county_leader", "刘伟"),  # disagreeing with the link: kept, nothing lost
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_columns_into_support_links(wuqing):
    before = [
        ("rectification", "0006_unique_rules_explained"),
        ("firstsecretary", "0005_phone_is_validated"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Campaign, OldCase = (
        old.get_model("rectification", "Campaign"),
        old.get_model("rectification", "Case"),
    )
    OldLink = old.get_model("firstsecretary", "SupportLink")
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="整顿", started_on=date(2026, 1, 1)
    )
    villages = Village.objects.filter(township_id="120114101").order_by("code")
    villages = list(villages.values_list("code", flat=True)[:3])
    cases = [
        OldCase.objects.create(
            campaign=campaign,
            village_id=code,
            problems="班子不团结",
            responsible_person="李秀英",
            identified_on=date(2026, 3, 10),
            deadline=date(2026, 12, 31),
            county_leader=county,
            township_leader=township,
        )
        for code, county, township in zip(
            villages, ["张立国", "李明", ""], ["王建军", "", ""], strict=True
        )
    ]
    OldLink.objects.create(case=cases[1], kind="county_leader", name="李明", contact="138")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    links = sorted(SupportLink.objects.values_list("case_id", "kind", "name", "contact"))
    assert links == [
        (cases[0].pk, "county_leader", "张立国", ""),
        (cases[0].pk, "township_contact", "王建军", ""),
        (cases[1].pk, "county_leader", "李明", "138"),  # the link stays, not doubled
    ]
    assert Case.objects.get(pk=cases[0].pk).county_leader == "张立国"
