"""The roof's template tags: the menu's to-do count (base.html)."""

from django import template

from home import todo

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_count(context):
    """The menu's to-do count (待办 7), as the user's home page last computed it: a cache
    read, no query (see home.todo.todo_count); None when not known."""
    request = context.get("request")
    return todo.todo_count(getattr(request, "user", None))
