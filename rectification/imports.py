"""Excel imports of the ledger and of star ratings (preview, then confirm: all or nothing).

The checks run in a fixed number of queries whatever the number of rows; the commit
calls the same services as the pages, so an import cannot do what a form could not.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import choosers, imports
from portal.import_views import UploadForm
from portal.imports import CellError, ImportColumn, field_max_length, parse_date, parse_int
from portal.roles import Perm
from portal.scoping import Scope
from rectification import ledger, services
from rectification.choices import CaseStatus
from rectification.models import LEADER_MAX_LENGTH, Campaign, Case, Category
from rectification.selectors import campaigns_for
from villages.choices import VillageKind
from villages.models import Village

if TYPE_CHECKING:
    from typing import Any

    from portal.imports import ImportRow
    from portal.models import User


def parse_code(raw: str, context: dict[str, Any] | None = None) -> str:
    raw = imports.digits(raw)  # １２０１… typed with a Chinese input method
    if not re.fullmatch(r"\d{12}", raw):
        raise CellError(_("A village code has 12 digits."))
    return raw


def parse_categories(raw: str, context: dict[str, Any]) -> list[Category]:
    # Category names contain 、 and ，: several are separated by ； (or a new line).
    names = [name.strip() for name in re.split(r"[；;\n]", raw) if name.strip()]
    if "_categories" not in context:  # one query for the whole file
        categories = Category.objects.visible_to(Scope.of(context["acting_user"])).filter(
            active=True
        )
        context["_categories"] = {c.name: c for c in categories}
    known = context["_categories"]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CellError(_("Unknown problem category: {names}").format(names="、".join(unknown)))
    return [known[name] for name in names]


def _villages(rows, user):
    """{code: village} of the codes in the file, and the set of those in the user's scope."""
    codes = {row.data["village"] for row in rows if row.data.get("village")}
    found = {v.code: v for v in Village.objects.filter(code__in=codes)}
    visible = set(
        Village.objects.visible_to(Scope.of(user))
        .filter(code__in=codes)
        .values_list("code", flat=True)
    )
    return found, visible


def _check_villages(rows, user, *, duplicate_key):
    """Unknown code, outside the scope, listed twice in the file: errors on the code cell."""
    found, visible = _villages(rows, user)
    first_line = {}
    for row in rows:
        code = row.data.get("village")
        if not code or "village" in row.errors:
            continue
        if code not in found:
            row.errors["village"] = _("No village has the code {code}.").format(code=code)
        elif code not in visible:
            row.errors["village"] = _("This village is outside your area.")
        else:
            key = duplicate_key(row)
            if key in first_line:
                row.errors["village"] = _("Same as line {line}.").format(line=first_line[key])
            else:
                first_line[key] = row.line
                row.data["village_obj"] = found[code]
                name = row.data.get("village_name")
                if name and name != found[code].name:
                    row.errors["village_name"] = _("The code {code} is {name}.").format(
                        code=code, name=found[code].name
                    )
    return found


def example_village(user: User) -> dict[str, str]:
    """The template's example: a village the user may import for, not one of Wuqing's."""
    villages = Village.objects.visible_to(Scope.of(user)).order_by("code")
    village = villages.filter(kind=VillageKind.VILLAGE).first() or villages.first()
    return {"village": village.code, "village_name": village.name} if village else {}


def _ledger_examples(user):
    category = (
        Category.objects.visible_to(Scope.of(user)).filter(active=True).order_by("order").first()
    )
    return {**example_village(user), **({"categories": category.name} if category else {})}


# --- The ledger ------------------------------------------------------------------------------


def _campaign(context):
    return (
        campaigns_for(scope=Scope.of(context["acting_user"]))
        .filter(pk=context.get("campaign"))
        .first()
    )


def check_ledger(rows: list[ImportRow], context: dict[str, Any]) -> None:
    user = context["acting_user"]
    campaign = _campaign(context)
    _check_villages(rows, user, duplicate_key=lambda row: row.data["village"])
    villages = [row.data["village_obj"] for row in rows if "village_obj" in row.data]
    taken = {}
    for case in Case.objects.filter(village__in=villages).select_related("campaign"):
        if case.campaign_id == getattr(campaign, "pk", None):
            taken[case.village_id] = _("Already on this campaign's ledger.")
        elif case.status != CaseStatus.CLOSED:
            taken.setdefault(
                case.village_id,
                _("Still open on the ledger of {campaign}.").format(campaign=case.campaign),
            )
    if campaign is None:
        rows[0].errors[""] = _("Choose a campaign of your county.")
    for row in rows:
        village = row.data.get("village_obj")
        if village is None:
            continue
        if campaign and not village.code.startswith(campaign.division_id):
            row.errors["village"] = _("Not in the campaign's county.")
        elif village.code in taken:
            row.errors["village"] = taken[village.code]
        listed, deadline = row.data.get("identified_on"), row.data.get("deadline")
        if deadline and listed and deadline < listed:
            row.errors["deadline"] = _("Before the listing date.")


def commit_ledger(rows: list[ImportRow], context: dict[str, Any]) -> int:
    user, campaign = context["acting_user"], _campaign(context)
    for row in rows:
        data = row.data
        services.case_create(
            acting_user=user,
            campaign=campaign,
            village=data["village_obj"],
            categories=data["categories"],
            identified_on=data.get("identified_on"),
            **{key: data.get(key) or "" for key in services.LEDGER_FIELDS if key != "deadline"},
            deadline=data["deadline"],
        )
    return len(rows)


def _import_column(field):
    """A column of the import template from the ledger's declaration."""
    parse = {ledger.CATEGORIES: parse_categories, ledger.DATE: parse_date}.get(field.kind)
    max_length = None
    if field.kind == ledger.LEADER:
        max_length = LEADER_MAX_LENGTH
    elif field.kind in (ledger.TEXT, ledger.LONG_TEXT):
        max_length = field_max_length(Case, field.name)
    return ImportColumn(
        field.name,
        field.label,
        parse,
        field.required,
        field.example,
        field.import_width,
        max_length=max_length,
    )


LEDGER_IMPORT = imports.register(
    imports.ImportSpec(
        kind="rectification.ledger",
        title=gettext_lazy("Ledger import"),
        permission=Perm.CASE_CHANGE,
        done_url="case_list",
        context_keys=("campaign",),
        check=check_ledger,
        commit=commit_ledger,
        examples=_ledger_examples,
        columns=[
            ImportColumn(
                "village", gettext_lazy("Village code"), parse_code, True, "120114101001", 15
            ),
            ImportColumn("village_name", gettext_lazy("Village"), None, False, "梅厂村委会", 16),
            *(_import_column(field) for field in ledger.ENTERED),
        ],
    )
)


class LedgerUploadForm(UploadForm):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none()
    )
    field_order = ["campaign", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = choosers.chooser_field(
            "campaigns", self.acting_user, like=self.fields["campaign"]
        )

    def context(self):
        return {"campaign": self.cleaned_data["campaign"].pk}


# --- Star ratings --------------------------------------------------------------------------------


def check_ratings(rows: list[ImportRow], context: dict[str, Any]) -> None:
    _check_villages(
        rows,
        context["acting_user"],
        duplicate_key=lambda row: (row.data["village"], row.data.get("year")),
    )


def commit_ratings(rows: list[ImportRow], context: dict[str, Any]) -> int:
    for row in rows:
        services.rating_set(
            acting_user=context["acting_user"],
            village=row.data["village_obj"],
            year=row.data["year"],
            stars=row.data["stars"],
        )
    return len(rows)


RATING_IMPORT = imports.register(
    imports.ImportSpec(
        kind="rectification.ratings",
        title=gettext_lazy("Star rating import"),
        permission=Perm.CASE_CHANGE,
        done_url="screening",
        check=check_ratings,
        commit=commit_ratings,
        examples=example_village,
        columns=[
            ImportColumn(
                "village", gettext_lazy("Village code"), parse_code, True, "120114101001", 15
            ),
            ImportColumn("village_name", gettext_lazy("Village"), None, False, "梅厂村委会", 16),
            ImportColumn("year", gettext_lazy("Year"), parse_int(2000, 2100), True, 2026, 8),
            ImportColumn("stars", gettext_lazy("Stars"), parse_int(0, 10), True, 3, 8),
        ],
    )
)
