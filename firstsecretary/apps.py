from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirstsecretaryConfig(AppConfig):
    name = "firstsecretary"
    verbose_name = _("First secretaries")
