from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # Registered on import: the daily digest job, the API token's schema extension, the
        # Celery tasks (services send build_report by its name), the portal's menu entries.
        from portal import digest, menus, openapi, tasks  # noqa: F401
