"""The roof's template tags: the menu's to-do count (base.html), and the link from any
page that names a village to its file (一村一档)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from home import todo

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_count(context):
    """The menu's to-do count (待办 7), as the user's home page last computed it: a cache
    read, no query (see home.todo.todo_count); None when not known."""
    request = context.get("request")
    return todo.todo_count(getattr(request, "user", None))


@register.simple_tag
def village_link(village, text=None):
    """The village's name (or `text`) as a link to its file: every page that names a
    village uses it, so that its file is one click away. No query: the village is loaded
    already, and its code is its key."""
    if village is None:
        return ""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("village_dossier", args=[village.pk]),
        village.name if text is None else text,
    )
