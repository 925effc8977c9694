"""The Jinja2 environment for the parts of a page drawn many times over (a list's rows).

Django's template engine resolves every variable and tag through its nodes at each use:
the ledger's 50 rows took most of the page's time (issue 19). Jinja2 compiles a template
to one Python function; it lives beside the Django templates (the layout, the forms and
the menus stay Django's), and a Django template draws a Jinja2 part with `{% jinja %}`
(portal_tags). The templates are under jinja2/, written with `_("…")` so that
`makemessages` finds their strings as it finds the Django templates'.
"""

from django.urls import reverse
from django.utils.translation import gettext

from jinja2 import Environment

# A number no primary key reaches, put where the key goes and replaced in the address.
_KEY = 987654321987654321


def url_of(name):
    """`key -> the named page's address for that key`, reversed once rather than per row
    (a list's 50 links to its rows' pages; the addresses are Django's own)."""
    address = reverse(name, args=[_KEY])
    before, after = address.split(str(_KEY))
    return lambda key: f"{before}{key}{after}"


def labels(choices):
    """{value: label} of a choices class in the current language, made once per list:
    a model's get_FOO_display() builds that mapping again at each call."""
    return {value: str(label) for value, label in choices.choices}


def environment(**options):
    env = Environment(**options)
    from portal.templatetags.portal_tags import badge

    # What the templates under jinja2/ use; add here what a new one needs.
    env.globals.update({"_": gettext, "url_of": url_of, "labels": labels, "badge": badge})
    return env
