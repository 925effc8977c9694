"""The ledger row of a case for a template, in the order of rectification/ledger.py."""

from django import template

from rectification import ledger

register = template.Library()


@register.simple_tag
def ledger_row(case):
    """[(field, value)] of the columns typed in when a village is listed."""
    return [(field, getattr(case, field.name)) for field in ledger.ENTERED]
