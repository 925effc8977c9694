"""The form renderer: widgets drawn by Jinja2, Django's own widget templates otherwise.

Django draws a widget from templates; with its template engine a `<select>` includes one
template per option, so a filter bar with a township and a category list renders hundreds
of templates per page (a third of the ledger page's time). Django ships the same widget
templates for Jinja2, which compiles each to a Python function: the same HTML, drawn in a
fraction of the time. A widget that has only a Django template (the admin's own widgets,
a template an app adds under templates/) is drawn by the Django engine as before.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(BaseRenderer):
    @cached_property
    def jinja2(self):
        return Jinja2()

    @cached_property
    def django(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
