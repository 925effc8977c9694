"""The ledger row (台账), declared once: its columns in order, as the paper ledger has them.

The form, the API's serializers, the Excel import and export, the services and the case
page read this tuple; a new ledger column is added here (and to the model). Which village
and which campaign a row is about are not in it: each medium names them its own way (a
chooser on the page, the code and the name in a workbook, ids in the API).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

# Kinds of column: how a form shows it, how an import reads it, how the page prints it.
CATEGORIES = "categories"  # the problem categories, several, separated by ； in workbooks
TEXT = "text"
LONG_TEXT = "long_text"  # wrapped in workbooks, a text area in the form
LEADER = "leader"  # kept as supporters of the five ones (rectification.models.LEADERS)
DATE = "date"
NUMBER = "number"

# The export's group headers above the columns, in order.
VILLAGE, CONTENT, RESPONSIBILITY, TIME = "village", "content", "responsibility", "time"
GROUPS = {
    VILLAGE: _("The village"),
    CONTENT: _("Rectification"),
    RESPONSIBILITY: _("Responsibility"),
    TIME: _("Time limits and progress"),
}


@dataclass(frozen=True)
class LedgerField:
    """One column of the ledger row."""

    name: str  # the Case attribute, the form and API field, the import's key
    label: Any  # lazy: the column's header in workbooks and its label on the case page
    kind: str
    group: str  # the export's group header it stands under
    # Must be given when a village is listed (the import marks the column required).
    required: bool = False
    # Typed in when a village is listed; otherwise recorded by the workflow (read-only).
    entered: bool = True
    # May change after listing (the edit form, the API's PATCH, services.case_update).
    editable: bool = True
    width: int = 15  # in the exported ledger
    import_width: int = 12  # in the import template
    example: Any = ""  # the import template's example row

    def cell(self, case: Any) -> Any:
        """The value written in the exported ledger."""
        if self.kind == CATEGORIES:
            # Category names contain 、 themselves: ； separates them, as in the import.
            return "；".join(category.name for category in case.categories.all())
        return getattr(case, self.name)


FIELDS = (
    LedgerField(
        "categories",
        _("Problem categories"),
        CATEGORIES,
        VILLAGE,
        required=True,
        width=30,
        import_width=30,
        example="组织制度形同虚设、不开展组织活动",
    ),
    LedgerField(
        "basic_situation",
        _("Basic situation"),
        LONG_TEXT,
        CONTENT,
        width=40,
        import_width=30,
        example="党员32名",
    ),
    LedgerField(
        "problems",
        _("Problems"),
        LONG_TEXT,
        CONTENT,
        required=True,
        width=40,
        import_width=30,
        example="“三会一课”落实不到位",
    ),
    LedgerField(
        "measures",
        _("Rectification measures"),
        LONG_TEXT,
        CONTENT,
        width=40,
        import_width=30,
        example="镇党委书记包村",
    ),
    LedgerField(
        "responsible_person",
        _("Person responsible"),
        TEXT,
        RESPONSIBILITY,
        required=True,
        width=10,
        example="李秀英",
    ),
    LedgerField(
        "township_leader",
        _("Township leader in charge"),
        LEADER,
        RESPONSIBILITY,
        width=10,
        example="王建军",
    ),
    LedgerField(
        "county_leader",
        _("County-level contact leader"),
        LEADER,
        RESPONSIBILITY,
        width=10,
        example="张立国",
    ),
    # Not required when listing: the service puts today. Which day a village was listed
    # never changes: list it again instead.
    LedgerField(
        "identified_on", _("Listed on"), DATE, TIME, editable=False, example=date(2026, 3, 10)
    ),
    LedgerField("deadline", _("Deadline"), DATE, TIME, required=True, example=date(2026, 12, 31)),
    LedgerField("transformed_on", _("Transformed on"), DATE, TIME, entered=False, editable=False),
    LedgerField("closed_on", _("Closed on"), DATE, TIME, entered=False, editable=False),
    LedgerField("listing", _("Times listed"), NUMBER, TIME, entered=False, editable=False, width=8),
)

ENTERED = tuple(field for field in FIELDS if field.entered)
EDITABLE = tuple(field for field in FIELDS if field.editable)
RECORDED = tuple(field for field in FIELDS if not field.entered)


def names(fields: Iterable[LedgerField]) -> list[str]:
    return [field.name for field in fields]


def field(name: str) -> LedgerField:
    return next(field for field in FIELDS if field.name == name)
