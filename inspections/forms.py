"""Forms of the inspections app; every choice narrowed to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from portal.choices import Role
from portal.fields import LONG_TEXT_MAX
from portal.models import User
from rectification.forms import DATE
from rectification.models import Category
from villages.models import Division, Village


class RoundForm(forms.ModelForm):
    class Meta:
        model = InspectionRound
        fields = ["county", "year", "quarter", "kind", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = Division.objects.visible_to(acting_user).filter(
            level="county"
        )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "leader", "members", "villages"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, acting_user, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.visible_to(acting_user).filter(
            role=Role.INSPECTOR, is_active=True
        )
        self.fields["villages"].queryset = Village.objects.filter(
            code__startswith=inspection.county_id
        ).order_by("code")
        self.fields["villages"].required = False


class DrawForm(forms.Form):
    count = forms.IntegerField(label=_("Villages to draw"), min_value=1)
    seed = forms.CharField(
        label=_("Seed"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for a new draw; give a recorded seed to repeat one."),
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
        self.fields["village"].queryset = Village.objects.filter(
            pk__in=Team.villages.through.objects.filter(team__in=teams).values("village")
        ).order_by("code")


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["category", "description", "severity", "deadline"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.visible_to(acting_user).filter(
            active=True
        )


class AnswerForm(forms.Form):
    response = forms.CharField(
        label=_("What was done"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CircularForm(forms.ModelForm):
    class Meta:
        model = Circular
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}
