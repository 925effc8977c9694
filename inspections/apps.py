from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from firstsecretary import panels
        from inspections import exports, jobs, menus, reports  # noqa: F401  registers them and the jobs
        from inspections.views import secretary_awareness_panel

        panels.register("inspections/_secretary_awareness.html", secretary_awareness_panel)
