"""Template helpers: Bootstrap classes on form widgets, badges for choices."""

from django import forms, template
from django.forms.boundfield import BoundWidget
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def widget_kind(field):
    """ "checkbox" for one tick box (its label goes after it), "choices" for a list of
    tick boxes or radio buttons, "input" for anything else."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
        return "choices"
    return "input"


def _choices(field):
    """Each option of a tick-box list or radio group as Bootstrap's form-check: the input
    with form-check-input and its own label. (Given form-control, as text inputs are, a
    check box draws as an empty bar and ticking it shows nothing.)"""
    widget = field.field.widget
    css = "form-check-input" + (" is-invalid" if field.errors else "")
    attrs = field.build_widget_attrs({"class": css})
    if field.auto_id:
        attrs["id"] = field.auto_id
    options = widget.subwidgets(field.html_name, field.value(), attrs=attrs)
    renderer = field.form.renderer
    return format_html(
        '<div class="choice-list">{}</div>',
        format_html_join(
            "",
            '<div class="form-check form-check-inline">{}<label class="form-check-label" '
            'for="{}">{}</label></div>',
            (
                (
                    BoundWidget(widget, option, renderer).tag(wrap_label=False),
                    option["attrs"].get("id", ""),
                    option["label"],
                )
                for option in options
            ),
        ),
    )


@register.filter
def bs(field):
    """Render a bound field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return _choices(field)
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
    # A list shown again under a form's address (FormActionView) links to the list.
    return context.get("page_path", "") + "?" + query.urlencode()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or "" when absent."""
    return mapping.get(key, "") if mapping else ""


@register.simple_tag(takes_context=True)
def jinja(context, template_name, **values):
    """Draw the Jinja2 template `template_name` (jinja2/) with `values`: the parts of a
    page drawn many times over (portal/jinja2.py)."""
    from django.template import engines

    template = engines["jinja2"].get_template(template_name)
    return mark_safe(template.render(values, context.get("request")))  # escaped by Jinja2
