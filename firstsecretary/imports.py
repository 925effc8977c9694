"""The roster import: one row per first secretary, optionally with the village posted to.

Same preview-and-confirm as the ledger: every error by cell, then all rows or none.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from firstsecretary import services
from firstsecretary.choices import Education, Gender
from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary
from portal import choosers, imports
from portal.import_views import UploadForm
from portal.imports import CellError, ImportColumn, field_max_length, parse_date, parse_int
from portal.roles import Perm
from portal.scoping import Scope
from portal.validators import validate_phone
from rectification.imports import _check_villages, example_village, parse_code
from villages.models import Division

if TYPE_CHECKING:
    from typing import Any

    from portal.imports import ImportRow


def _choice(choices):
    by_label = {str(label): value for value, label in choices}

    def parse(raw, context=None):
        if raw not in by_label:
            raise CellError(_("Write one of: {choices}.").format(choices="、".join(by_label)))
        return by_label[raw]

    return parse


def _county(context):
    return (
        Division.objects.visible_to(Scope.of(context["acting_user"]))
        .filter(level="county", pk=context.get("county"))
        .first()
    )


def parse_phone(raw: str, context: dict[str, Any] | None = None) -> str:
    """The model's own check, shown in the cell at preview rather than refused at commit."""
    raw = imports.digits(raw)  # １３８… typed with a Chinese input method
    try:
        validate_phone(raw)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from None
    return raw


def parse_unit(raw: str, context: dict[str, Any]) -> DispatchUnit:
    if "_units" not in context:  # one query for the whole file
        county = _county(context)
        context["_units"] = {u.name: u for u in DispatchUnit.objects.filter(county=county)}
    if raw not in context["_units"]:
        raise CellError(_("No dispatching unit {name} on the county's roster.").format(name=raw))
    return context["_units"][raw]


def _examples(user):
    """The template's example row: a village and a dispatching unit of the user's county."""
    example = example_village(user)
    unit = DispatchUnit.objects.filter(county__in=_counties(user)).order_by("pk").first()
    return {**example, **({"unit": unit.name} if unit else {})}


def _counties(user):
    return Division.objects.visible_to(Scope.of(user)).filter(level="county")


def check_roster(rows: list[ImportRow], context: dict[str, Any]) -> None:
    county = _county(context)
    if county is None:
        rows[0].errors[""] = _("Choose a county inside your area.")
        return
    posted = [row for row in rows if row.data.get("village")]
    _check_villages(posted, context["acting_user"], duplicate_key=lambda row: row.data["village"])
    taken = dict(
        Assignment.objects.filter(
            actual_end__isnull=True,
            village__code__in=[row.data["village"] for row in posted],
        ).values_list("village_id", "secretary__name")
    )
    # The same person twice: across the chunks the file is checked in (a county's roster).
    seen: dict[tuple[Any, Any], int] = context.setdefault("_seen_people", {})
    for row in rows:
        key = (row.data.get("name"), row.data.get("phone"))
        if key in seen:
            row.errors["name"] = _("Same as line {line}.").format(line=seen[key])
        seen.setdefault(key, row.line)
        village = row.data.get("village_obj")
        if village is not None:
            if not village.code.startswith(county.code):
                row.errors["village"] = _("Not in the chosen county.")
            elif village.code in taken:
                row.errors["village"] = _(
                    "{village} already has a first secretary, {name}."
                ).format(village=village, name=taken[village.code])
            if not row.data.get("started_on"):
                row.errors["started_on"] = _("Required when a village is given.")
            if not row.data.get("planned_end"):
                row.errors["planned_end"] = _("Required when a village is given.")
            elif row.data.get("started_on") and row.data["planned_end"] < row.data["started_on"]:
                row.errors["planned_end"] = _("Before the start.")


def commit_roster(rows: list[ImportRow], context: dict[str, Any]) -> int:
    user, county = context["acting_user"], _county(context)
    for row in rows:
        data = row.data
        secretary = services.secretary_save(
            acting_user=user,
            county=county,
            name=data["name"],
            gender=data["gender"],
            birth_year=data["birth_year"],
            education=data["education"],
            unit=data["unit"],
            position=data.get("position") or "",
            phone=data.get("phone") or "",
        )
        if data.get("village_obj"):
            services.assignment_start(
                acting_user=user,
                secretary=secretary,
                village=data["village_obj"],
                started_on=data["started_on"],
                planned_end=data["planned_end"],
            )
    return len(rows)


ROSTER_IMPORT = imports.register(
    imports.ImportSpec(
        kind="firstsecretary.roster",
        title=gettext_lazy("Roster import"),
        permission=Perm.SECRETARY_MANAGE,
        done_url="secretary_list",
        preview_url="secretary_import_preview",
        check=check_roster,
        commit=commit_roster,
        examples=_examples,
        columns=[
            ImportColumn(
                "name",
                pgettext_lazy("person", "Name"),
                None,
                True,
                "王磊",
                10,
                max_length=field_max_length(FirstSecretary, "name"),
            ),
            ImportColumn("gender", gettext_lazy("Gender"), _choice(Gender.choices), True, "男", 6),
            ImportColumn(
                "birth_year", gettext_lazy("Year of birth"), parse_int(1950, 2010), True, 1988, 8
            ),
            ImportColumn(
                "education",
                gettext_lazy("Education"),
                _choice(Education.choices),
                True,
                "大学本科",
                10,
            ),
            ImportColumn(
                "unit", gettext_lazy("Dispatching unit"), parse_unit, True, "区财政局", 20
            ),
            ImportColumn(
                "position",
                gettext_lazy("Position in the unit"),
                None,
                False,
                "科员",
                12,
                max_length=field_max_length(FirstSecretary, "position"),
            ),
            ImportColumn(
                "phone",
                gettext_lazy("Phone"),
                parse_phone,
                False,
                "13800000000",
                14,
                max_length=field_max_length(FirstSecretary, "phone"),
            ),
            ImportColumn(
                "village", gettext_lazy("Village code"), parse_code, False, "120114101001", 15
            ),
            ImportColumn(
                "started_on",
                gettext_lazy("Posted since"),  # as the roster's export heads it
                parse_date,
                False,
                date(2026, 3, 1),
                12,
                aliases=(gettext_lazy("Started on"),),
            ),
            ImportColumn(
                "planned_end", gettext_lazy("Planned end"), parse_date, False, date(2028, 2, 28), 12
            ),
        ],
    )
)


class RosterUploadForm(UploadForm):
    county = forms.ModelChoiceField(label=gettext_lazy("County"), queryset=Division.objects.none())
    field_order = ["county", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A province's 103 counties (a nation's 2,800): searched, not listed.
        self.fields["county"] = choosers.chooser_field(
            "divisions", self.acting_user, like=self.fields["county"], level="county"
        )
        division = getattr(self.acting_user, "division", None)
        if division is not None and division.level == "county":
            self.fields["county"].initial = division

    def context(self):
        return {"county": self.cleaned_data["county"].pk}
