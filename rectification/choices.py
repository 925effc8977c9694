"""Choices of the rectification app, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    RECTIFYING = "rectifying", _("Rectifying")
    ACCEPTANCE_REQUESTED = "acceptance_requested", _("Acceptance requested")
    TRANSFORMED = "transformed", _("Transformed")
    CLOSED = "closed", _("Closed")


CASE_STATUS_COLOURS = {
    CaseStatus.IDENTIFIED: "secondary",
    CaseStatus.RECTIFYING: "warning",
    CaseStatus.ACCEPTANCE_REQUESTED: "info",
    CaseStatus.TRANSFORMED: "primary",
    CaseStatus.CLOSED: "success",
}
# Statuses that count as converted (转化) in the conversion rate.
CONVERTED = (CaseStatus.TRANSFORMED, CaseStatus.CLOSED)


class CategoryGroup(models.TextChoices):
    CENTRAL = "central", _("Central types of weak and lax organisations")
    CLASS_THREE = "class_three", _("Class-3 village types (Inner Mongolia)")
    LOCAL = "local", _("Local")


class Grade(models.IntegerChoices):
    ONE = 1, _("Class 1")
    TWO = 2, _("Class 2")
    THREE = 3, _("Class 3")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


PLAN_STATUS_COLOURS = {
    PlanStatus.DRAFT: "secondary",
    PlanStatus.SUBMITTED: "info",
    PlanStatus.RETURNED: "danger",
    PlanStatus.APPROVED: "success",
}


class CaseAction:
    """What a user may do with a case (its `available_actions`); the three direct
    transitions are named as their CaseEvent actions."""

    EDIT = "edit"
    EDIT_PLAN = "edit_plan"
    SUBMIT_PLAN = "submit_plan"
    WITHDRAW_PLAN = "withdraw_plan"
    REVIEW_PLAN = "review_plan"
    UPDATE_TASKS = "update_tasks"
    ATTACH_EVIDENCE = "attach_evidence"
    REQUEST_ACCEPTANCE = "request_acceptance"
    WITHDRAW_REQUEST = "withdraw_request"
    REVIEW_ACCEPTANCE = "review_acceptance"
    CLOSE = "close"


# Every action name, in the order of the case's life: the API field's enum (CaseActionEnum).
CASE_ACTIONS = tuple(value for name, value in vars(CaseAction).items() if name.isupper())
