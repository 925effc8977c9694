from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Divisions and villages")

    def ready(self):
        from villages import choosers, exports, jobs, menus  # noqa: F401  registers them
