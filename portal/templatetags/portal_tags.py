"""Template helpers: Bootstrap classes on form widgets, badges for choices."""

from django import forms, template

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.simple_tag
def badge(colours, value, label):
    """A Bootstrap badge coloured by a choices colour map."""
    from django.utils.html import format_html

    return format_html(
        '<span class="badge text-bg-{}">{}</span>', colours.get(value, "secondary"), label
    )


@register.simple_tag(takes_context=True)
def page_url(context, page):
    """The current list's URL with another page number, keeping the filters."""
    query = context["request"].GET.copy()
    query["page"] = page
    return "?" + query.urlencode()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or "" when absent."""
    return mapping.get(key, "") if mapping else ""
