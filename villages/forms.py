"""Forms of the villages app: what a township organizer may edit about a village."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import choosers
from villages.choices import VENUE_AREA_FIELDS
from villages.models import ActivityPlanItem, ActivityRecord, Division, Venue, VenueFunding, Village


class VillageForm(forms.ModelForm):
    # The version the form was loaded at; a save from an older version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Village
        fields = ["households", "population", "party_org_type", "party_members", "secretary_name"]


class MonthField(forms.DateField):
    """A month as YYYY-MM, kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class ActivityPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    no_activity = forms.BooleanField(label=_("No activity planned this month"), required=False)
    no_activity_reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ActivityItemForm(forms.ModelForm):
    class Meta:
        model = ActivityPlanItem
        fields = ["date", "kind", "topic", "place", "instructor_attends"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


ActivityItemFormSet = forms.formset_factory(ActivityItemForm, extra=3, can_delete=True)


class ActivityRecordForm(forms.ModelForm):
    class Meta:
        model = ActivityRecord
        fields = [
            "village",
            "held_on",
            "kind",
            "topic",
            "attendance",
            "absentees",
            "instructor_present",
            "minutes",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "minutes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = choosers.chooser_field(
            "villages", acting_user, like=self.fields["village"]
        )


class CountySettingsForm(forms.ModelForm):
    """What a county sets for itself: the abbreviation in its circulars' numbers, what
    happens to the activity plans' due day when it is not a working day, and how long a
    contact may go without visiting a listed village."""

    class Meta:
        model = Division
        fields = ["document_abbreviation", "due_day_rule", "visit_gap_days"]
        widgets = {"due_day_rule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the settings are kept as they are.
        self.fields["due_day_rule"].required = False
        self.fields["visit_gap_days"].required = False


class CalendarDayForm(forms.Form):
    """One day of a year's official holiday arrangement, as the State Council announced it."""

    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    is_workday = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[("0", _("a public holiday (放假)")), ("1", _("a make-up working day (调休上班)"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Holiday"), max_length=30, required=False)


class VenueForm(forms.ModelForm):
    """A village's activity venue; the village is chosen among the user's own when the
    venue is new, fixed when it is corrected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Venue
        fields = ["village", "area", "state", "works_started_on", "works_finished_on", "note"]
        widgets = {
            "works_started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "works_finished_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, acting_user, village=None, **kwargs):
        super().__init__(*args, **kwargs)
        if village is None:
            self.fields["village"] = choosers.chooser_field(
                "villages", acting_user, like=self.fields["village"]
            )
        else:
            del self.fields["village"]

    def validate_unique(self):
        # The service says it in words (the village has a venue already: edit it).
        pass


class VenueFundingForm(forms.ModelForm):
    class Meta:
        model = VenueFunding
        fields = ["source", "year", "amount"]


VenueFundingFormSet = forms.formset_factory(VenueFundingForm, extra=3, can_delete=True)


class VenueStandardsForm(forms.ModelForm):
    """The standard venue area by village kind of a province or a county."""

    class Meta:
        model = Division
        fields = list(VENUE_AREA_FIELDS.values())
