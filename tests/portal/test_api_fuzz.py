"""Schemathesis against /api/schema/: every operation, as each persona that uses the API.

The schema is the one the portal serves at /api/schema/, read as the persona; requests
go in-process to the WSGI application, so the test's database transaction holds the
demo. For each operation Hypothesis draws a fixed budget of examples, half valid for
the schema and half not (wrong types, missing fields, out-of-range values), and half of
those for objects that exist and the persona may see (ids taken from the persona's own
lists), so a detail, an update or an action reaches the service and not only a 404.
The examples do not depend on the persona (its objects are positions in its own lists):
each operation's are drawn once per process and sent as each persona (`_drawn`), which
halves what the four runs spend in Hypothesis.

Every response must be no 5xx, a status code the schema declares, the declared content
type, and a body matching the declared schema. Derandomised: the same examples on every
run, so CI is repeatable; raise FUZZ_EXAMPLES locally to search further.
"""

import os
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as budget
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WsgiClient

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Who uses the API: the county department, a township organizer, an inspector, a first
# secretary; each reaches different objects and different write permissions.
FUZZED = {
    "county": "county",
    "township organizer": "meichang",
    "inspector": "inspector",
    "first secretary": "secretary",
}


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request; Django's test
    client stops it from doing so (and connects it again after each of its own requests:
    this test sends all of its requests through the WSGI application instead), or the
    test's transaction, holding the demo, is closed under it (on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _session(client, user):
    """Cookies and headers of a logged-in browser session with a CSRF token."""
    client.force_login(user)
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


def _get(app, cookies, path):
    """GET through the same WSGI application, as the persona."""
    client = WsgiClient(app)
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client.get(path)


def _visible_ids(app, cookies, path):
    """Up to ten ids (or codes) the persona's own list answers, for detail paths."""
    response = _get(app, cookies, f"{path}?page_size=10")
    if response.status_code != 200:
        return []
    return [row.get("id", row.get("code")) for row in response.json["results"]]


# Body fields that name another object, and the list of the objects the persona can see.
REFERENCES = {
    "village": "villages",
    "mentor_village": "villages",
    "campaign": "campaigns",
    "categories": "categories",
    "category": "categories",
    "secretary": "secretaries",
    "unit": "units",
    "case": "cases",
    "task": "tasks",
    "visit": "visits",
}


def _references(app, cookies, user):
    """{field: [values]} for REFERENCES, as the persona sees them, and their own county."""
    found = {
        field: _visible_ids(app, cookies, f"/api/v1/{path}/") for field, path in REFERENCES.items()
    }
    found["county"] = [user.division_id[:6]] if user.division_id else []
    return {field: values for field, values in found.items() if values}


SEEN = 10  # the persona's own objects a generated request may point at (_visible_ids)


def _indices(value):
    """Which of the persona's objects a reference field will point at: positions in its
    list, drawn once for every persona (each reads them against its own list)."""
    if isinstance(value, list):
        return st.lists(st.integers(0, SEEN - 1), min_size=1, max_size=3, unique=True)
    return st.integers(0, SEEN - 1)


def _strategy(operation):
    """Valid and invalid examples, each for a random id or for the persona's own (an index
    into what it can see: `_for_persona`), and valid bodies whose references will point at
    objects the persona can see, so that creates and actions get past validation into the
    services. Nothing in it depends on the persona: drawn once per operation and process,
    sent as each persona (`_templates`)."""
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

    def references(case):
        body = case.body if isinstance(case.body, dict) else {}
        fields = {field: _indices(body[field]) for field in body if field in REFERENCE_FIELDS}
        return st.fixed_dictionaries(fields).map(lambda drawn: (case, drawn))

    cases = st.one_of(
        positive.map(lambda case: (case, {})),
        negative.map(lambda case: (case, {})),
        positive.flatmap(references),
    )
    seen = st.none() | st.integers(0, SEEN - 1) if operation.path_parameters else st.none()
    return st.tuples(cases, seen)


REFERENCE_FIELDS = {*REFERENCES, "county"}


@dataclass(frozen=True)
class Drawn:
    """One generated request, as drawn: the persona's objects it points at are positions
    in the persona's lists, read by `sent_as`."""

    case: Any
    path_parameters: dict
    body: Any
    seen: int | None  # the path's id: the persona's own (this position), or as drawn
    references: dict  # {body field: position or positions in the persona's list}

    def sent_as(self, ids, references):
        """The drawn case, pointed at this persona's objects where it was drawn to be."""
        path = dict(self.path_parameters)
        names = [parameter.name for parameter in self.case.operation.path_parameters]
        if self.seen is not None and names and ids:
            path[names[0]] = ids[self.seen % len(ids)]
        chosen = {}
        for field, position in self.references.items():
            values = references.get(field)
            if not values:
                continue
            if isinstance(position, list):
                chosen[field] = list(dict.fromkeys(values[p % len(values)] for p in position))
            else:
                chosen[field] = values[position % len(values)]
        case = self.case
        case.path_parameters = path
        case.body = {**self.body, **chosen} if chosen else self.body
        return case


# {(operation's label, its definition): [Drawn]}: drawn once per process
_DRAWN: dict = {}


def _drawn(operation):
    """The operation's examples, drawn by Hypothesis the first time a persona needs them
    in this process (derandomised: the same on every run), kept for the other personas."""
    key = (operation.label, repr(operation.definition.raw))
    if key not in _DRAWN:
        drawn = []

        @budget(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(example=_strategy(operation))
        def draw(example):
            (case, references), seen = example
            drawn.append(Drawn(case, dict(case.path_parameters), case.body, seen, references))

        draw()
        _DRAWN[key] = drawn
    return _DRAWN[key]


def _list_path(path):
    """/api/v1/cases/{id}/plan/ → /api/v1/cases/ (the list its first id comes from)."""
    return path.split("{", 1)[0]


@pytest.mark.parametrize("who", FUZZED)
def test_api_answers_every_generated_request_as_its_schema_says(
    demo, keep_connection, client, settings, who
):
    from portal.models import User

    settings.DEBUG = False  # the demo turns it on; the answers must be production's

    user = User.objects.get(username=FUZZED[who])
    cookies, headers = _session(client, user)
    app = get_wsgi_application()
    served = _get(app, cookies, "/api/schema/?format=json")
    assert served.status_code == 200, served.get_data(as_text=True)[:500]
    schema = schemathesis.openapi.from_dict(served.json)
    schema.app = app
    references = _references(app, cookies, user)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 70, "every API operation is fuzzed"
    statuses = Counter()
    failures = {}
    for operation in operations:
        ids = (
            _visible_ids(app, cookies, _list_path(operation.path)) if "{" in operation.path else []
        )

        for drawn in _drawn(operation):
            case = drawn.sent_as(ids, references)
            try:
                response = case.call(headers=headers, cookies=cookies)
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:  # one run reports every operation
                failures[operation.label] = f"{type(error).__name__}: {error}\n{case!r}"[:2000]
                break

    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    # The examples reached the services, not only the doors: some were accepted, some
    # refused as invalid, some refused for the persona's role or scope.
    assert sum(statuses.values()) >= len(operations) * min(EXAMPLES, 4)
    assert statuses[200] and statuses[400] and (statuses[403] or statuses[404])
    print(f"{who}: {len(operations)} operations, {sum(statuses.values())} requests, {statuses}")
