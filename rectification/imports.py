"""Excel imports of the ledger and of star ratings (preview, then confirm: all or nothing).

The checks run in a fixed number of queries whatever the number of rows; the commit
calls the same services as the pages, so an import cannot do what a form could not.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import choosers, imports
from portal.import_views import UploadForm
from portal.imports import CellError, ImportColumn, field_max_length, parse_date, parse_int
from portal.notifications import gathered
from portal.roles import Perm
from portal.scoping import Scope
from rectification import ledger, services
from rectification.choices import CaseStatus
from rectification.models import LEADER_MAX_LENGTH, Acceptance, Campaign, Case, Category
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
    # Only what the checks and the services use: a chunk is 2,000 villages.
    found = {v.code: v for v in Village.objects.filter(code__in=codes).only("code", "name")}
    visible = set(
        Village.objects.visible_to(Scope.of(user))
        .filter(code__in=codes)
        .values_list("code", flat=True)
    )
    return found, visible


def _check_villages(rows, user, *, duplicate_key):
    """Unknown code or outside the scope: errors on the code cell. A row naming a village
    of the scope gets the village and its key (`duplicate_key`): the import marks a row
    whose key an earlier row had, anywhere in the file."""
    found, visible = _villages(rows, user)
    for row in rows:
        code = row.data.get("village")
        if not code or "village" in row.errors:
            continue
        if code not in found:
            row.errors["village"] = _("No village has the code {code}.").format(code=code)
        elif code not in visible:
            row.errors["village"] = _("This village is outside your area.")
        else:
            row.key = duplicate_key(row)
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
    if "_campaign" not in context:  # one query for the whole file
        context["_campaign"] = (
            campaigns_for(scope=Scope.of(context["acting_user"]))
            .filter(pk=context.get("campaign"))
            .select_related("division")
            .first()
        )
    return context["_campaign"]


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
    """A chunk of checked rows through the bulk service: the same rules as the form, checked
    row by row, without a query per row."""
    services.cases_create_bulk(
        acting_user=context["acting_user"],
        campaign=_campaign(context),
        items=[
            {
                **{key: row.data.get(key) or "" for key in services.LEDGER_FIELDS},
                "village": row.data["village_obj"],
                "categories": row.data["categories"],
                "identified_on": row.data.get("identified_on"),
                "deadline": row.data["deadline"],
            }
            for row in rows
        ],
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
        preview_url="case_import_preview",
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
        duplicate_key=lambda row: "{}:{}".format(row.data["village"], row.data.get("year")),
    )


def commit_ratings(rows: list[ImportRow], context: dict[str, Any]) -> int:
    services.ratings_set_bulk(
        acting_user=context["acting_user"],
        items=[
            {
                "village": row.data["village_obj"],
                "year": row.data["year"],
                "stars": row.data["stars"],
            }
            for row in rows
        ],
    )
    return len(rows)


RATING_IMPORT = imports.register(
    imports.ImportSpec(
        kind="rectification.ratings",
        title=gettext_lazy("Star rating import"),
        permission=Perm.CASE_CHANGE,
        done_url="screening",
        preview_url="rating_import_preview",
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


# --- Acceptance results ----------------------------------------------------------------------
# The county's acceptance reviews, scored on paper, entered for many cases at once: each
# row a case (by its number or its village's code), the result, the total score, the
# satisfaction survey, the date and the conclusion. The commit calls acceptance_record as
# the review's own page does; one notice per recipient for the whole file.

PASSED = ("通过", "合格", "是", "pass", "passed", "yes")
FAILED = ("不通过", "未通过", "不合格", "否", "fail", "failed", "no")


def parse_result(raw: str, context: dict[str, Any] | None = None) -> bool:
    word = imports.digits(raw).lower()
    if word in PASSED:
        return True
    if word in FAILED:
        return False
    raise CellError(_("Write 通过 or 不通过."))


def parse_case_number(raw: str, context: dict[str, Any] | None = None) -> int:
    raw = imports.digits(raw)
    if not re.fullmatch(r"\d{1,10}", raw):
        raise CellError(_("A case number is a whole number."))
    return int(raw)


def parse_percent(raw: str, context: dict[str, Any] | None = None) -> Decimal:
    try:
        value = Decimal(imports.digits(raw).rstrip("%"))
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    if not 0 <= value <= 100 or value != value.quantize(Decimal("0.1")):
        raise CellError(_("A percentage between 0 and 100, with at most one decimal."))
    return value


def _result_word(passed):
    return "通过" if passed else "不通过"


def check_acceptance(rows: list[ImportRow], context: dict[str, Any]) -> None:
    """Each row's case: in the user's area, awaiting its review, named once; the result
    agreeing with the score and the pass mark. Two queries whatever the number of rows."""
    numbers = {row.data["case"] for row in rows if row.data.get("case")}
    codes = {row.data["village"] for row in rows if row.data.get("village")}
    found = list(
        Case.objects.visible_to(Scope.of(context["acting_user"]))
        .filter(Q(pk__in=numbers) | (Q(village_id__in=codes) & ~Q(status=CaseStatus.CLOSED)))
        .select_related("village")
    )
    by_number = {case.pk: case for case in found}
    # A village has at most one open case (case_create's rule).
    by_village = {case.village_id: case for case in found if case.status != CaseStatus.CLOSED}
    mark = settings.ACCEPTANCE_PASS_MARK
    first_line: dict[int, int] = {}
    for row in rows:
        number, code = row.data.get("case"), row.data.get("village")
        if "case" in row.errors or "village" in row.errors:
            continue
        if number is None and code is None:
            row.errors[""] = _("Give the case number or the village code.")
            continue
        case = by_number.get(number) if number is not None else by_village.get(code)
        if case is None:
            key = "case" if number is not None else "village"
            row.errors[key] = (
                _("No case of your area has this number.")
                if number is not None
                else _("No open case of this village in your area.")
            )
            continue
        if number is not None and code and case.village_id != code:
            row.errors["village"] = _("Case {number} is of {village} ({code}).").format(
                number=case.pk, village=case.village.name, code=case.village_id
            )
            continue
        if case.pk in first_line:
            row.errors["case" if number is not None else "village"] = _(
                "Same as line {line}."
            ).format(line=first_line[case.pk])
            continue
        first_line[case.pk] = row.line
        if case.status != CaseStatus.ACCEPTANCE_REQUESTED:
            row.errors["case" if number is not None else "village"] = _(
                "The case is “{status}”: an acceptance review needs an application."
            ).format(status=case.get_status_display())
            continue
        row.data["case_obj"] = case
        total, passed = row.data.get("total"), row.data.get("result")
        if total is not None and passed is not None and passed != (total >= mark):
            row.errors["result"] = _(
                "A score of {total} against the pass mark {mark} is “{result}”."
            ).format(total=total, mark=mark, result=_result_word(total >= mark))
        reviewed_on = row.data.get("reviewed_on")
        if reviewed_on and reviewed_on < case.identified_on:
            row.errors["reviewed_on"] = _("The review cannot precede the listing.")


def commit_acceptance(rows: list[ImportRow], context: dict[str, Any]) -> int:
    user = context["acting_user"]
    url = f"{reverse('case_list')}?status={CaseStatus.TRANSFORMED}"
    with gathered(url=url):
        for row in rows:
            services.acceptance_record(
                case=row.data["case_obj"],
                acting_user=user,
                reviewed_on=row.data["reviewed_on"],
                total=row.data["total"],
                satisfaction=row.data["satisfaction"],
                conclusion=row.data["conclusion"],
            )
    return len(rows)


def _acceptance_examples(user):
    case = (
        Case.objects.visible_to(Scope.of(user))
        .filter(status=CaseStatus.ACCEPTANCE_REQUESTED)
        .select_related("village")
        .order_by("pk")
        .first()
    )
    if case is None:
        return example_village(user)
    return {"case": case.pk, "village": case.village_id, "village_name": case.village.name}


ACCEPTANCE_IMPORT = imports.register(
    imports.ImportSpec(
        kind="rectification.acceptance",
        title=gettext_lazy("Acceptance results import"),
        permission=Perm.CASE_ACCEPT,
        done_url="case_list",
        check=check_acceptance,
        commit=commit_acceptance,
        examples=_acceptance_examples,
        columns=[
            ImportColumn("case", gettext_lazy("Case No."), parse_case_number, False, 1, 10),
            ImportColumn(
                "village", gettext_lazy("Village code"), parse_code, False, "120114101001", 15
            ),
            ImportColumn("village_name", gettext_lazy("Village"), None, False, "梅厂村委会", 16),
            ImportColumn("result", gettext_lazy("Result"), parse_result, True, "通过", 10),
            ImportColumn("total", gettext_lazy("Total score"), parse_int(0, 1000), True, 86, 10),
            ImportColumn(
                "satisfaction",
                gettext_lazy("Satisfaction survey (%)"),
                parse_percent,
                True,
                93.5,
                12,
            ),
            ImportColumn(
                "reviewed_on", gettext_lazy("Reviewed on"), parse_date, True, date(2026, 11, 18), 12
            ),
            ImportColumn(
                "conclusion",
                gettext_lazy("Conclusion"),
                None,
                True,
                "达到转化标准，同意验收",
                40,
                max_length=field_max_length(Acceptance, "conclusion"),
            ),
        ],
    )
)
