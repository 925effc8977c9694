"""Cards that other apps add to the case page, so the ledger does not import them.

An app registers (template, context function) in its AppConfig.ready(); the case page
renders each card with `context(case, user)`. firstsecretary adds the supporters' card.
"""

from collections.abc import Callable
from typing import Any

PANELS: list[tuple[str, Callable[[Any, Any], dict[str, Any]]]] = []


def register(template_name, context):
    PANELS.append((template_name, context))


def render_context(case, user):
    return [(template_name, context(case, user)) for template_name, context in PANELS]
