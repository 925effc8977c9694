"""Cards that apps above add to a first secretary's page, so this app does not import them.

An app registers (template, context function) in its AppConfig.ready(); the secretary's
page renders each card with `context(secretary, scope)`. inspections adds the villagers'
awareness of him (群众知晓率), recorded on inspection visits.
"""

from collections.abc import Callable
from typing import Any

PANELS: list[tuple[str, Callable[[Any, Any], dict[str, Any]]]] = []


def register(template_name, context):
    PANELS.append((template_name, context))


def render_context(secretary, scope):
    return [(template_name, context(secretary, scope)) for template_name, context in PANELS]
