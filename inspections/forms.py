"""Forms of the inspections app; every choice narrowed to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.choices import FindingAction
from inspections.models import AwarenessCheck, Circular, Finding, InspectionRound, Team, Visit
from portal import choosers
from portal.bulk import IdsField
from portal.choices import Role
from portal.fields import LONG_TEXT_MAX
from portal.scoping import Scope
from rectification.forms import DATE
from rectification.models import Category
from villages.choosers import village_label
from villages.models import Village


class RoundForm(forms.ModelForm):
    class Meta:
        model = InspectionRound
        fields = ["county", "year", "quarter", "kind", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"] = choosers.chooser_field(
            "divisions", acting_user, like=self.fields["county"], level="county"
        )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "leader", "members", "villages"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, acting_user, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        # A county's few inspectors are check boxes; a province's hundreds, a search.
        self.fields["members"] = choosers.chooser_field(
            "users",
            acting_user,
            like=self.fields["members"],
            multiple=True,
            small_widget=forms.CheckboxSelectMultiple,
            role=Role.INSPECTOR,
        )
        self.fields["villages"].required = False
        # The round's county has hundreds of villages: searched, not listed.
        self.fields["villages"] = choosers.chooser_field(
            "villages",
            acting_user,
            like=self.fields["villages"],
            multiple=True,
            within=inspection.county_id,
        )


class DrawForm(forms.Form):
    count = forms.IntegerField(label=_("Villages to draw"), min_value=1)
    seed = forms.CharField(
        label=_("Seed"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("empty: a new draw")}),
        help_text=_("Leave empty for a new draw; give a recorded seed to repeat one."),
    )


def _team_villages(scope, params, user):
    """The villages on the lists of the user's teams in one round (`round`, its id)."""
    on_teams = Team.villages.through.objects.filter(
        team__round_id=int(params["round"]), team__members=user
    )
    return (
        Village.objects.visible_to(scope)
        .filter(pk__in=on_teams.values("village"))
        .select_related("township")
        .order_by("code")
    )


choosers.register(
    "team-villages",
    _team_villages,
    for_user=True,
    label=village_label,
    search_fields=("name__icontains", "township__name__icontains"),
    params=("round",),
)


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["team", "village", "visited_on", "unannounced", "summary", "score"]
        widgets = {"visited_on": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, acting_user, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(round=inspection, members=acting_user)
        self.fields["team"].queryset = teams
        # Only the villages on the user's teams' lists (the service checks the team's own).
        self.fields["village"] = choosers.chooser_field(
            "team-villages", acting_user, like=self.fields["village"], round=inspection.pk
        )


class FindingForm(forms.ModelForm):
    # Deadlines are often given in working days (限10个工作日内整改): the service counts them
    # from the visit on China's holiday arrangement. One or the other.
    within_workdays = forms.IntegerField(
        label=_("Or within so many working days of the visit"),
        min_value=1,
        max_value=250,
        required=False,
        help_text=_("Counted on China's official holiday arrangement, make-up days included."),
    )

    class Meta:
        model = Finding
        fields = ["category", "description", "severity", "deadline"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].required = False
        self.fields["category"].queryset = Category.objects.visible_to(
            Scope.of(acting_user)
        ).filter(active=True)

    def clean(self):
        data = super().clean()
        if not data.get("deadline") and not data.get("within_workdays") and not self.errors:
            self.add_error("deadline", self.fields["deadline"].error_messages["required"])
        return data


class AwarenessForm(forms.ModelForm):
    """The visit's household interviews: asked, and who knew the first secretary."""

    class Meta:
        model = AwarenessCheck
        fields = ["households_asked", "households_aware"]


class AnswerForm(forms.Form):
    response = forms.CharField(
        label=_("What was done"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Checked by content in the service; a field, so its refusal stands under it.
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, .docx, .xlsx)"), required=False)


class VerifyForm(forms.Form):
    """An inspector's verdict on the township's answer: verified, or sent back (the
    comment then says why: required by the service)."""

    decision = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (FindingAction.VERIFY, _("Verified: close the finding")),
            (FindingAction.SEND_BACK, _("Send back for re-rectification")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when sending back: the township reads it."),
    )


class BulkVerifyForm(forms.Form):
    """Several answered findings, ticked, verified (核实销号) with one comment. Sending back
    stays one finding at a time: its reason is the township's to read, finding by finding."""

    ids = IdsField()
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuarterlyForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(q, q) for q in (1, 2, 3, 4)], coerce=int
    )


class CircularForm(forms.ModelForm):
    class Meta:
        model = Circular
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}
