"""A unique rule lost to a concurrent request answers like the check before it, never 500.

A service checks uniqueness before it writes (one case per village and campaign, one
campaign per county and year, …) and refuses with a message in the user's words. Two
requests can both pass that check; the database's constraint then refuses the second insert
with an IntegrityError, which nothing presents: a 500. `service_transaction` runs a service
in a transaction (a savepoint when nested, so an import's outer transaction survives) and
turns such an IntegrityError, for a unique rule the models declare, into the ValidationError
a check would have raised: the constraint's violation_error_message (else Django's own
"… already exists") on the constraint's last field, 400 in the API and a form error on a
page. Any other IntegrityError is a bug and stays one.
"""

import functools
import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint

# SQLite: "UNIQUE constraint failed: rectification_case.campaign_id, rectification_case…"
# or, for a partial or expression index, "UNIQUE constraint failed: index 'name'".
SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (?!index )(.+)$")
SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '([^']+)'")
# PostgreSQL's detail: "Key (campaign_id, village_id)=(3, 120114101001) already exists."
POSTGRES_KEY = re.compile(r"Key \(([^)]*)\)=")


@functools.cache
def _rules():
    """Every unique rule of every model: by constraint name, and by (table, columns)."""
    by_name, by_columns = {}, {}
    for model in apps.get_models():
        meta = model._meta
        rules = [(c.name, c.fields, c) for c in meta.constraints if isinstance(c, UniqueConstraint)]
        rules += [(None, tuple(fields), None) for fields in meta.unique_together]
        rules += [
            (None, (f.name,), None) for f in meta.local_fields if f.unique and not f.primary_key
        ]
        for name, fields, constraint in rules:
            if not fields:  # an expression index: no field to name
                continue
            rule = (model, tuple(fields), constraint)
            if name:
                by_name[name] = rule
            columns = frozenset(meta.get_field(f).column for f in fields)
            by_columns.setdefault((meta.db_table, columns), rule)
    return by_name, by_columns


def _rule_for(error):
    by_name, by_columns = _rules()
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg 2 or 3)
        if getattr(cause, "pgcode", getattr(cause, "sqlstate", None)) != "23505":
            return None
        if diag.constraint_name in by_name:
            return by_name[diag.constraint_name]
        key = POSTGRES_KEY.search(diag.message_detail or "")
        if key is None:
            return None
        columns = frozenset(c.strip().strip('"') for c in key.group(1).split(","))
        return by_columns.get((diag.table_name, columns))
    message = str(error)
    index = SQLITE_INDEX.search(message)
    if index is not None:
        return by_name.get(index.group(1))
    found = SQLITE_COLUMNS.search(message)
    if found is None:
        return None
    pairs = [part.strip().split(".", 1) for part in found.group(1).split(",")]
    if len({table for table, _column in pairs}) != 1:
        return None
    return by_columns.get((pairs[0][0], frozenset(column for _table, column in pairs)))


def unique_violation(error):
    """The ValidationError for an IntegrityError raised by a declared unique rule, or None."""
    rule = _rule_for(error)
    if rule is None:
        return None
    model, fields, constraint = rule
    if constraint is not None and (
        constraint.violation_error_message != constraint.default_violation_error_message
    ):
        message = ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )
    else:
        message = model().unique_error_message(model, fields)
    return ValidationError({fields[-1]: [message]})


def service_transaction(function):
    """`transaction.atomic` for a service that inserts or renames rows under a unique rule: a
    concurrent request that took the value first is refused like the service's own check."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except IntegrityError as error:
            refusal = unique_violation(error)
            if refusal is None:
                raise
            raise refusal from error

    return run
