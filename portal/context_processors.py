"""The navigation, by role: each user sees the entries for the work they do. Whether an
entry shows is read off the page's own view (its permission for reads), so the menu can
never offer a page that would answer 403. The entries are the apps' own (portal.menus)."""

import functools

from django.urls import get_script_prefix, resolve, reverse
from django.utils.translation import gettext_lazy as _

from portal import menus
from portal.choices import Role
from portal.roles import role_has_perm

# The user menu (under the user's name): (url name, label, who sees it).
USER_MENU = (
    ("api_tokens", _("My API tokens"), lambda user: True),
    # The API's documentation is in English and for whoever wires systems together: the
    # administrators', not every official's menu (the page itself stays open to scripts'
    # authors who are given its address).
    ("api_docs", _("API documentation"), lambda user: is_administrator(user)),
)


def is_administrator(user):
    """A superuser or a county organization department's administrator."""
    return user.is_active and (user.is_superuser or user.role == Role.COUNTY_ADMIN)


@functools.cache
def _read_permission(url_name):
    """The permission a GET of the named page needs, read off its view (None: any user)."""
    view_class = getattr(resolve(reverse(url_name)).func, "view_class", None)
    permission = getattr(view_class, "permission", None)
    return permission if getattr(view_class, "permission_for_reads", False) else None


@functools.lru_cache(maxsize=256)
def _menu_of(role, is_superuser, is_active, script_prefix):
    """The menu of the users of a role: ((url name, address, label) | (label, ((url name,
    address, label), …)), …) of the pages they may open. Worked out and reversed once per
    role, superuser or not, active or not (all that a user's permissions depend on) and
    script prefix; a request only marks the page it is on. The labels stay lazy: each
    request's language draws them. Nothing of anyone's data is in it."""
    if role == Role.FIRST_SECRETARY:
        # On a phone, what he uses: not the county's twenty links.
        navigation_of_role = menus.first_secretary_navigation()
    else:
        navigation_of_role = menus.navigation()

    def opens(url_name):
        permission = _read_permission(url_name)
        return permission is None or (
            is_active and (is_superuser or role_has_perm(role, permission))
        )

    items = []
    for first, second in navigation_of_role:
        if isinstance(second, list):
            children = tuple((name, reverse(name), label) for name, label in second if opens(name))
            if len(children) == 1:
                items.append(children[0])
            elif children:
                items.append((first, children))
        elif opens(first):
            items.append((first, reverse(first), second))
    return tuple(items)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)

    def entry(name, url, label):
        return {"url": url, "label": label, "active": name == current}

    items = []
    menu = _menu_of(user.role, user.is_superuser, user.is_active, get_script_prefix())
    for item in menu:
        if len(item) == 2:  # a group: (label, children)
            children = [entry(*child) for child in item[1]]
            active = any(child["active"] for child in children)
            items.append({"label": item[0], "children": children, "active": active})
        else:
            items.append(entry(*item))
    if user.role == Role.FIRST_SECRETARY:
        items.extend(menus.first_secretary_extras(user, request))
    from portal.models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    user_menu = [
        entry(name, reverse(name), label) for name, label, shown in USER_MENU if shown(user)
    ]
    return {"nav_items": items, "user_menu": user_menu, "unread_notifications": unread}
