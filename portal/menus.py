"""The menu's entries, declared by the apps that own the pages (in their menus.py, imported
by their AppConfig.ready()), so that the foundation names no app's page. A position orders
the entries (and the groups' children) however the apps are loaded.

portal.context_processors.navigation shows each entry only to whoever may open its page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    position: int
    url_name: str
    label: object


@dataclass
class Group:
    """A top-level menu of entries (shown as one entry when only one is open to the user)."""

    position: int
    label: object
    children: list


# Top-level entries and groups; a first secretary's own menu (on a phone, what he uses:
# not the county's twenty links); functions (user, request) -> [entries] added after it.
_TOP: list[Entry | Group] = []
_GROUPS: dict[str, Group] = {}
_FIRST_SECRETARY: list[Entry] = []
_FIRST_SECRETARY_EXTRAS: list[Callable[[Any, Any], list[dict[str, Any]]]] = []


def _add(entries, position, url_name, label):
    if all(getattr(item, "url_name", None) != url_name for item in entries):
        entries.append(Entry(position, url_name, label))


def group(key, label, *, position):
    """Declare the top-level menu `key` (its first declaration holds)."""
    if key not in _GROUPS:
        _GROUPS[key] = Group(position, label, [])
        _TOP.append(_GROUPS[key])


def entry(url_name, label, *, position, group=None):
    """An entry at the top (`position` among the top's) or in a declared group."""
    _add(_TOP if group is None else _GROUPS[group].children, position, url_name, label)


def first_secretary_entry(url_name, label, *, position):
    _add(_FIRST_SECRETARY, position, url_name, label)


def first_secretary_extra(function):
    """`function(user, request)` gives entries computed per request (his village's case)."""
    if function not in _FIRST_SECRETARY_EXTRAS:
        _FIRST_SECRETARY_EXTRAS.append(function)
    return function


def _ordered(entries):
    return sorted(entries, key=lambda item: item.position)


def navigation():
    """((url name, label) | (label, [(url name, label), …]), …), in position order."""
    return tuple(
        (item.label, [(child.url_name, child.label) for child in _ordered(item.children)])
        if isinstance(item, Group)
        else (item.url_name, item.label)
        for item in _ordered(_TOP)
    )


def first_secretary_navigation():
    return tuple((item.url_name, item.label) for item in _ordered(_FIRST_SECRETARY))


def first_secretary_extras(user, request):
    return [item for function in _FIRST_SECRETARY_EXTRAS for item in function(user, request)]


# The portal's own: the group of records, where its exports page is.
group("records", _("Records"), position=70)
entry("report_list", _("Exports"), position=30, group="records")
