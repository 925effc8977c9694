from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The roof: the pages that draw on every app (home, dashboard, to-do list, users), the
    URL conf that composes the apps' URLs, and the demo loader. No app imports it."""

    name = "home"
    verbose_name = _("Home")

    def ready(self):
        from home import menus  # noqa: F401  declares its menu entries
