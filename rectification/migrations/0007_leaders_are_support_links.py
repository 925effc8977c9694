"""The ledger's two leader columns move to their one home: support links of the five ones.

Each non-empty county_leader becomes a "county-level contact leader" link and each
township_leader a "township leader's contact point" link, unless the case already has a link
of that kind with that name (the link, the richer fact, stays as it is). No name is lost: a
column that disagrees with the links becomes one more link, for the county to remove the
wrong one on the case's supporters card.
"""

from django.db import migrations

# The leader columns and the supporter kinds that keep them (rectification.models.LEADERS),
# written out: a migration must not change when the code does.
KINDS = {"county_leader": "county_leader", "township_leader": "township_contact"}


def links_to_add(rows, existing):
    """The support links to create, as (case id, kind, name): `rows` are (case id, {column:
    value}); `existing` the (case id, kind, name) of the links already there. Names joined
    with 、 become one link each."""
    links = []
    for case_id, values in rows:
        for column, kind in KINDS.items():
            for name in (values.get(column) or "").split("、"):
                link = (case_id, kind, name.strip())
                if name.strip() and link not in existing and link not in links:
                    links.append(link)
    return links


def forwards(apps, schema_editor):
    Case = apps.get_model("rectification", "Case")
    SupportLink = apps.get_model("firstsecretary", "SupportLink")
    existing = set(
        SupportLink.objects.filter(kind__in=KINDS.values()).values_list("case_id", "kind", "name")
    )
    rows = (
        (row["pk"], row)
        for row in Case.objects.exclude(county_leader="", township_leader="").values("pk", *KINDS)
    )
    SupportLink.objects.bulk_create(
        [
            SupportLink(case_id=case_id, kind=kind, name=name)
            for case_id, kind, name in links_to_add(rows, existing)
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    """Write the links' names back into the columns (the links stay)."""
    Case = apps.get_model("rectification", "Case")
    SupportLink = apps.get_model("firstsecretary", "SupportLink")
    names = {}
    for case_id, kind, name in SupportLink.objects.filter(kind__in=KINDS.values()).values_list(
        "case_id", "kind", "name"
    ):
        names.setdefault((case_id, kind), []).append(name)
    for case in Case.objects.all():
        for column, kind in KINDS.items():
            setattr(case, column, "、".join(names.get((case.pk, kind), []))[:50])
        case.save(update_fields=list(KINDS))


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0006_unique_rules_explained"),
        ("firstsecretary", "0005_phone_is_validated"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="case", name="county_leader"),
        migrations.RemoveField(model_name="case", name="township_leader"),
        migrations.RemoveField(model_name="historicalcase", name="county_leader"),
        migrations.RemoveField(model_name="historicalcase", name="township_leader"),
    ]
