from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirstsecretaryConfig(AppConfig):
    name = "firstsecretary"
    verbose_name = _("First secretaries")

    def ready(self):
        from firstsecretary import exports, imports, jobs, menus  # noqa: F401  registers them
        from firstsecretary.views import case_panel
        from rectification import panels

        panels.register("firstsecretary/_case_panel.html", case_panel)
