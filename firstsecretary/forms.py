"""Forms of the first-secretary app; every choice narrowed to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstsecretary.choices import VISITING_KINDS, EvaluationGrade
from firstsecretary.models import ContactVisit, DispatchUnit, FirstSecretary, SupportLink, WorkLog
from portal import choosers
from portal.choices import Role
from portal.fields import LONG_TEXT_MAX
from rectification.forms import DATE
from villages.models import Division, Village


class SecretaryForm(forms.ModelForm):
    county = forms.ModelChoiceField(label=_("County"), queryset=Division.objects.none())

    class Meta:
        model = FirstSecretary
        fields = [
            "county",
            "name",
            "gender",
            "birth_year",
            "education",
            "unit",
            "position",
            "phone",
            "user",
        ]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"] = choosers.chooser_field(
            "divisions", acting_user, like=self.fields["county"], level="county"
        )
        self.fields["unit"] = choosers.chooser_field("units", acting_user, like=self.fields["unit"])
        self.fields["user"].required = False
        self.fields["user"] = choosers.chooser_field(
            "users", acting_user, like=self.fields["user"], role=Role.FIRST_SECRETARY
        )


class UnitForm(forms.ModelForm):
    county = forms.ModelChoiceField(label=_("County"), queryset=Division.objects.none())

    class Meta:
        model = DispatchUnit
        fields = ["county", "name", "level", "kind"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"] = choosers.chooser_field(
            "divisions", acting_user, like=self.fields["county"], level="county"
        )


class AssignForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = choosers.chooser_field(
            "villages", acting_user, like=self.fields["village"]
        )


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown in a table row without labels: the fields say what they are.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label
        self.fields["reason"].widget.attrs["placeholder"] = _("Reason (recall, term ended…)")


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from the phone's camera or gallery (checked by the service)."""

    def __init__(self, **kwargs):
        widget = PhotoInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        super().__init__(widget=widget, required=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


class WorkLogForm(forms.ModelForm):
    photos = PhotosField(
        label=_("Photos"), help_text=_("JPEG or PNG, up to 6 a day; resized on upload.")
    )

    class Meta:
        model = WorkLog
        fields = ["date", "on_site", "households_visited", "kind", "summary"]
        widgets = {"date": DATE, "summary": forms.Textarea(attrs={"rows": 4})}


class WorkLogCorrectForm(WorkLogForm):
    class Meta(WorkLogForm.Meta):
        fields = ["on_site", "households_visited", "kind", "summary"]


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(
        label=pgettext_lazy("evaluation", "Grade"), choices=EvaluationGrade.choices
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupportForm(forms.ModelForm):
    class Meta:
        model = SupportLink
        fields = ["kind", "name", "contact", "amount", "project_status", "mentor_village"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        # Searched, not listed: the case page carried every village of the area here.
        self.fields["mentor_village"] = choosers.chooser_field(
            "villages", acting_user, like=self.fields["mentor_village"]
        )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class ContactVisitForm(forms.ModelForm):
    """A contact's visit to the village, on the case page's support card."""

    photos = PhotosField(label=_("Photos"), help_text=_("Optional: JPEG or PNG."))

    class Meta:
        model = ContactVisit
        fields = ["supporter", "visited_on", "summary"]
        widgets = {"visited_on": DATE, "summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # The case's own visiting contacts: a handful, listed.
        self.fields["supporter"].queryset = SupportLink.objects.filter(
            case=case, kind__in=VISITING_KINDS
        )
        self.fields["supporter"].label_from_instance = lambda link: (
            f"{link.get_kind_display()}：{link.name}"
        )
