"""Forms of the ledger; every choice is narrowed to the user's scope."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal import choosers
from portal.bulk import IdsField
from portal.fields import LONG_TEXT_MAX
from portal.scoping import Scope
from rectification import batches, ledger, selectors
from rectification.models import (
    LEADER_MAX_LENGTH,
    LEADERS,
    AcceptanceCriterion,
    Case,
    Category,
    PlanTask,
)
from villages.models import Division, Village

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _leader_field(name):
    return forms.CharField(
        label=ledger.field(name).label, max_length=LEADER_MAX_LENGTH, required=False
    )


class CaseForm(forms.ModelForm):
    """The ledger row (台账) as a township organizer fills it in."""

    categories = forms.ModelMultipleChoiceField(
        label=_("Problem categories"),
        queryset=Category.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Kept as supporters of the five ones (Case.LEADERS): the service fills them.
    township_leader = _leader_field("township_leader")
    county_leader = _leader_field("county_leader")
    # Which village on which campaign, then the ledger row as declared.
    field_order = ["campaign", "village", *ledger.names(ledger.ENTERED)]

    class Meta:
        model = Case
        fields = [
            "campaign",
            "village",
            *(field.name for field in ledger.ENTERED if field.kind != ledger.LEADER),
        ]
        widgets = {
            **{field.name: DATE for field in ledger.ENTERED if field.kind == ledger.DATE},
            **{
                field.name: forms.Textarea(attrs={"rows": 3})
                for field in ledger.ENTERED
                if field.kind == ledger.LONG_TEXT
            },
        }

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        # One campaign a year per county: a province's list grows by a hundred a year.
        self.fields["campaign"] = choosers.chooser_field(
            "campaigns", acting_user, like=self.fields["campaign"]
        )
        self.fields["categories"].queryset = Category.objects.visible_to(
            Scope.of(acting_user)
        ).filter(active=True)
        if not self.instance.pk:
            self.fields["village"] = choosers.chooser_field(
                "villages", acting_user, like=self.fields["village"]
            )
        if self.instance.pk:
            for name in LEADERS:
                self.fields[name].initial = self.instance.leader_names(name)
            # Which village and campaign a case is about never changes: list it again instead.
            for name in ("campaign", "village"):
                self.fields.pop(name)
            for field in ledger.ENTERED:
                if not field.editable:
                    self.fields.pop(field.name)


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)


class PlanForm(forms.Form):
    goal = forms.CharField(
        label=_("Goal of the rectification"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TaskForm(forms.ModelForm):
    """One row of the plan: a measure, who carries it out, by when, and the portal user
    responsible (only those who see the village and may record progress)."""

    class Meta:
        model = PlanTask
        fields = ["measure", "owner", "due_on", "assignee"]
        widgets = {"measure": forms.Textarea(attrs={"rows": 2}), "due_on": DATE}

    def __init__(self, *args, assignees, deadline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].required = False
        self.fields["assignee"].label_from_instance = choosers.user_label
        if deadline:
            # The browser warns as soon as a later date is typed (static/portal/plan.js).
            self.fields["due_on"].widget.attrs["data-deadline"] = deadline.isoformat()

    def due_after_deadline(self):
        """Whether the row is due after the case's deadline: a warning, not a refusal, since
        the county decides whether a later measure (a long-term one) is acceptable."""
        if self.is_bound:
            due = self.cleaned_data.get("due_on") if self.is_valid() else None
        else:
            due = self.instance.due_on
        return bool(due and self.deadline and due > self.deadline)


# One empty row to start from; "Add a row" adds more without saving (static/portal/plan.js
# clones the formset's empty form; without JavaScript the button posts and the page comes
# back with one more row and everything typed kept).
TaskFormSet = forms.modelformset_factory(
    PlanTask, form=TaskForm, extra=1, can_delete=True, min_num=0
)


class PlanReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return for revision"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanBulkReviewForm(PlanReviewForm):
    """Several submitted plans, ticked, decided with one opinion. Returning them needs the
    reason: asked once here, since the service would refuse each plan alike without it."""

    ids = IdsField()

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the plan is returned."))
        return data


class CaseBatchForm(forms.Form):
    """The ledger's batch: the ticked cases, or all those matching the list's filter (up to
    BULK_MAX_ITEMS), and one action with its fields; the actions are those of the user's
    role. Each case then goes through the action's own service (rectification.batches)."""

    action = forms.ChoiceField(label=_("Action"))
    ids = IdsField(required=False)
    everything = forms.BooleanField(
        label=_("All the cases matching the filter, not only those ticked"), required=False
    )
    # The list's filter as it was shown (its query string), for "all matching".
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Opinion"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return plans."),
    )
    on = forms.DateField(
        label=_("Date"), required=False, widget=DATE, help_text=_("Close-out: today if empty.")
    )
    reviewed_on = forms.DateField(label=_("Reviewed on"), required=False, widget=DATE)
    total = forms.IntegerField(label=_("Total score"), required=False, min_value=0, max_value=1000)
    satisfaction = forms.DecimalField(
        label=_("Satisfaction survey (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    conclusion = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Acceptance results: the date, score, satisfaction and conclusion."),
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = batch_actions(acting_user)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action:
            for name, reason in batches.missing(action, data).items():
                self.add_error(name, reason)
        if not data.get("ids") and not data.get("everything") and "ids" not in self.errors:
            self.add_error("ids", IdsField.default_error_messages["required"])
        return data

    def action_fields(self):
        data = self.cleaned_data
        fields = batches.fields_of(data["action"], data)
        if "comment" in fields:
            fields["comment"] = fields["comment"] or ""
        return fields


def batch_actions(user):
    """The batch actions `user`'s role may take: (name, label)."""
    return [
        (name, action.label)
        for name, action in batches.ACTIONS.items()
        if user.has_role_perm(action.perm)
    ]


class TaskProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Progress note"), required=False, max_length=LONG_TEXT_MAX)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown in a row of the plan's table, whose labels are for screen readers only.
        self.fields["note"].widget.attrs["placeholder"] = self.fields["note"].label
        self.fields["completed_on"].widget.attrs["title"] = self.fields["completed_on"].label


class EvidenceForm(forms.Form):
    """An evidence file for the case or for one task of its plan: `tasks` are those the user
    may attach to, `whole_case` whether the case as a whole is one of the choices."""

    file = forms.FileField(label=_("File (PDF, JPEG, PNG, .docx, .xlsx)"))
    task = forms.ModelChoiceField(
        label=_("Evidence of"),
        queryset=PlanTask.objects.none(),
        required=False,
        empty_label=_("the case as a whole"),
    )

    def __init__(self, *args, tasks, whole_case=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda task: Truncator(task.measure).chars(30)
        if not whole_case:
            self.fields["task"].required = True
            self.fields["task"].empty_label = None


class AcceptanceForm(forms.Form):
    """The scored checklist: one field per active criterion, then survey and conclusion."""

    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    satisfaction = forms.DecimalField(
        label=_("Satisfaction survey (%)"), min_value=0, max_value=100, decimal_places=1
    )
    conclusion = forms.CharField(
        label=_("Conclusion"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The checklist in force where the case's village is (its county's or inherited);
        # with no case, the national one.
        if case is not None:
            self.criteria = selectors.checklist(scope=Scope.under(case.village_id))
        else:
            self.criteria = list(AcceptanceCriterion.objects.filter(active=True, division=None))
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("{item} (max {points})").format(
                    item=criterion.name, points=criterion.points
                ),
                min_value=0,
                max_value=criterion.points,
            )
        self.order_fields([f"score_{c.pk}" for c in self.criteria])

    def scores(self):
        return {str(c.pk): self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class RatingForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    stars = forms.IntegerField(label=_("Stars"), min_value=0, max_value=10)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = choosers.chooser_field(
            "villages", acting_user, like=self.fields["village"]
        )


class CampaignForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Division.objects.none(),
        help_text=_("A province's or city's campaign is shared by the counties under it."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=100)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"] = choosers.chooser_field(
            "divisions", acting_user, like=self.fields["division"], level="province,city,county"
        )


class CampaignUpdateForm(forms.Form):
    """What may change once a campaign is opened: its county and year stay."""

    name = forms.CharField(label=_("Name"), max_length=100)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "group", "order", "active"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["name", "points", "order", "active"]
