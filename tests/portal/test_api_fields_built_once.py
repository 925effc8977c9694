"""Serializer fields built once per class (portal.api_fields.FieldsBuiltOnce, issue 19): what
is kept on the class is never one caller's. Two users of different scopes, one after the
other and back, each get their own choices and their own available actions."""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.api_fields import FieldsBuiltOnce
from rectification.api import AcceptanceSerializer, CaseCreateSerializer, CaseSerializer
from rectification.models import Case


def listing(campaign, village, categories):
    return {
        "campaign": campaign.pk,
        "village": village.code,
        "categories": [c.pk for c in categories],
        "problems": "班子不团结",
        "responsible_person": "李秀英",
        "identified_on": "2026-09-01",
        "deadline": "2026-12-31",
    }


def test_each_caller_chooses_among_his_own_villages_though_the_fields_are_built_once(
    campaign, categories, village_a, village_b, alice, county_admin
):
    county, township = Client(), Client()
    county.force_login(county_admin)
    township.force_login(alice)  # 梅厂镇's organizer: village B (大碱厂镇) is not his
    url = reverse("case-list")
    send = {"content_type": "application/json"}

    assert county.post(url, listing(campaign, village_a, categories), **send).status_code == 201
    refused = township.post(url, listing(campaign, village_b, categories), **send)
    assert refused.status_code == 400
    assert set(refused.json()) == {"village"}
    assert county.post(url, listing(campaign, village_b, categories), **send).status_code == 201
    assert Case.objects.filter(village__in=[village_a, village_b]).count() == 2


def test_each_caller_sees_his_own_available_actions(client, rectifying_case, alice, viewer):
    """The organizer may apply for acceptance; the county's leader (a viewer) may do
    nothing: asked in turn, each answer is the caller's."""
    url = reverse("case-detail", args=[rectifying_case.pk])
    for _round in range(2):
        client.force_login(alice)
        assert client.get(url).json()["available_actions"] == [
            "attach_evidence",
            "edit",
            "request_acceptance",
            "update_tasks",
        ]
        client.force_login(viewer)
        assert client.get(url).json()["available_actions"] == []


def test_a_serializers_fields_are_its_own_and_the_classs_stay_unbound(rectifying_case):
    first, second = CaseSerializer(rectifying_case), CaseSerializer(rectifying_case)
    for name in ("categories", "available_actions", "status"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # The children too: a scope's queryset set on one instance's is not the other's.
    mine, theirs = first.fields["categories"], second.fields["categories"]
    assert mine.child_relation.parent is mine
    assert mine.child_relation is not theirs.child_relation
    kept = CaseSerializer.__dict__["_fields_built_once"]
    assert all(getattr(field, "parent", None) is None for field in kept.values())
    assert issubclass(CaseCreateSerializer, FieldsBuiltOnce)


def test_a_refusal_is_in_the_language_of_each_request(db):
    """DRF words a bound's message once, when first shown: a reader in English after one
    in Chinese reads it in English (a score below 0 in an acceptance review)."""
    body = {"reviewed_on": "2026-11-10", "scores": {"1": -1}, "satisfaction": "90"}
    said = {}
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            data = AcceptanceSerializer(data={**body, "conclusion": "好"})
            assert not data.is_valid()
            said.setdefault(language, set()).add(str(data.errors["scores"]["1"][0]))
    assert said == {
        "zh-hans": {"请确保该值大于或者等于 0。"},
        "en": {"Ensure this value is greater than or equal to 0."},
    }
