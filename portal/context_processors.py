"""The navigation, by role: each user sees the entries for the work they do. Whether an
entry shows is read off the page's own view (its permission for reads), so the menu can
never offer a page that would answer 403."""

import functools

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.choices import Role

# Top-level entries: (url name, label) or (label, [(url name, label), …]) for a menu.
NAVIGATION = (
    ("home", _("Home")),
    ("dashboard", _("Dashboard")),
    (
        pgettext_lazy("menu", "Rectification"),
        [
            ("case_list", _("Ledger")),
            ("screening", _("Screening")),
            ("support_overview", _("Support (five ones)")),
            ("campaign_list", _("Campaigns and categories")),
        ],
    ),
    (
        _("First secretaries"),
        [
            ("secretary_list", _("Roster")),
            ("presence", pgettext_lazy("menu", "Days in the village")),
            ("worklog", _("My work log")),
        ],
    ),
    ("activity_township", _("Activity plans")),
    ("round_list", _("Inspections")),
    (
        _("Records"),
        [
            ("township_list", _("Townships")),
            ("village_list", _("Villages")),
            ("report_list", _("Exports")),
            ("user_list", _("Users")),
            ("county_settings", _("County settings")),
        ],
    ),
)


# The user menu (under the user's name): (url name, label, who sees it).
USER_MENU = (
    ("api_tokens", _("My API tokens"), lambda user: True),
    # The API's documentation is in English and for whoever wires systems together: the
    # administrators', not every official's menu (the page itself stays open to scripts'
    # authors who are given its address).
    ("api_docs", _("API documentation"), lambda user: is_administrator(user)),
)


# A first secretary's menu: his page, his to-do list, his work log (and his village's case).
FIRST_SECRETARY_NAVIGATION = (
    ("my_village", _("My village")),
    ("home", _("Home")),
    ("worklog", _("My work log")),
)


def _village_case_entry(user, request):
    """The menu entry of the case of the first secretary's village, if he has one."""
    from rectification.models import Case

    case = Case.objects.visible_to(request.scope).order_by("-pk").only("pk").first()
    if case is None:
        return []
    url = case.get_absolute_url()
    return [{"url": url, "label": _("My village's case"), "active": request.path == url}]


def is_administrator(user):
    """A superuser or a county organization department's administrator."""
    return user.is_active and (user.is_superuser or user.role == Role.COUNTY_ADMIN)


@functools.cache
def _read_permission(url_name):
    """The permission a GET of the named page needs, read off its view (None: any user)."""
    view_class = getattr(resolve(reverse(url_name)).func, "view_class", None)
    permission = getattr(view_class, "permission", None)
    return permission if getattr(view_class, "permission_for_reads", False) else None


def may_open(user, url_name):
    """Whether `user` gets the page (not 403) for a GET of the named URL."""
    permission = _read_permission(url_name)
    return permission is None or user.has_role_perm(permission)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)

    def entry(name, label):
        return {"url": reverse(name), "label": label, "active": name == current}

    items = []
    navigation_of_role = NAVIGATION
    if user.role == Role.FIRST_SECRETARY:
        # On a phone, what he uses: not the county's twenty links.
        navigation_of_role = FIRST_SECRETARY_NAVIGATION
    for first, second in navigation_of_role:
        if isinstance(second, list):
            children = [entry(name, label) for name, label in second if may_open(user, name)]
            if len(children) == 1:
                items.append(children[0])
            elif children:
                items.append(
                    {
                        "label": first,
                        "children": children,
                        "active": any(child["active"] for child in children),
                    }
                )
        elif may_open(user, first):
            items.append(entry(first, second))
    if user.role == Role.FIRST_SECRETARY:
        items.extend(_village_case_entry(user, request))
    from portal.models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    user_menu = [entry(name, label) for name, label, shown in USER_MENU if shown(user)]
    return {"nav_items": items, "user_menu": user_menu, "unread_notifications": unread}
