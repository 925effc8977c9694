"""Forms of the portal's own pages; choices are narrowed to the user's scope."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal import choosers
from portal.choices import Role
from portal.roles import grants_of
from villages.choices import CODE_LENGTH, DivisionLevel
from villages.models import Division, Village

# Django's own zh-Hans catalogue keeps the ASCII colon after a label (`label_tag`); ours,
# read first, gives the full-width one. Marked here so that makemessages keeps it.
LABEL_SUFFIX = gettext_noop(":")


class LoginForm(AuthenticationForm):
    """Django's login form, with the user name's length checked before authenticate():
    Django only sets the widget's maxlength, and django-axes records a failed attempt's
    user name in a 255-character column (a longer one was a 500 on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class _UserFieldsForm(forms.Form):
    display_name = forms.CharField(label=_("Full name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose…")), *Role.choices],
        # The choices are the roles the acting user may grant: any other is beyond them.
        error_messages={"invalid_choice": _("At your level you cannot grant this role.")},
    )
    division = forms.ModelChoiceField(
        label=_("Division"), queryset=Division.objects.none(), empty_label=_("Choose…")
    )
    village = forms.ModelChoiceField(
        label=_("Village (first secretaries only)"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )

    def __init__(self, *args, acting_user, current_role=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles the acting user may grant (portal.roles.GRANTS), and the divisions
        # of the levels he may grant them at; the service checks the pair.
        grants = grants_of(acting_user)
        offered = set(grants) | ({current_role} if current_role else set())
        self.fields["role"].choices = [("", _("Choose…"))] + [
            (value, label) for value, label in Role.choices if value in offered
        ]
        lengths = set().union(*grants.values()) if grants else set()
        levels = [level for level, length in CODE_LENGTH.items() if length in lengths]
        # A province has a thousand townships and fourteen thousand villages: searched.
        self.fields["division"] = choosers.chooser_field(
            "divisions",
            acting_user,
            like=self.fields["division"],
            level=",".join(levels) or DivisionLevel.TOWNSHIP,
        )
        self.fields["division"].error_messages["invalid_choice"] = _(
            "Choose a division inside your area, of a level you may place users at."
        )
        self.fields["village"] = choosers.chooser_field(
            "villages", acting_user, like=self.fields["village"]
        )


class UserCreateForm(_UserFieldsForm):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only; used to log in."),
    )
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)
    field_order = ["username", "display_name", "phone", "role", "division", "village", "password"]


class UserUpdateForm(_UserFieldsForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=50,
        help_text=_("For example: the township's monthly upload script."),
    )
