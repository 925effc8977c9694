"""Forms of the villages app: what a township organizer may edit about a village."""

from django import forms

from villages.models import Village


class VillageForm(forms.ModelForm):
    # The version the form was loaded at; a save from an older version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Village
        fields = ["households", "population", "party_org_type", "party_members", "secretary_name"]
