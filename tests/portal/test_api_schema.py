"""The OpenAPI schema the portal serves tells a client what to send, and nothing it may not."""

import pytest
from django.urls import reverse


@pytest.fixture
def schema(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("api_schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _objects(schema, node, seen=()):
    """Every object schema in `node`, nested ones included (a plan's tasks)."""
    node = _resolve(schema, node)
    if id(node) in seen:
        return
    seen = (*seen, id(node))
    if "properties" in node:
        yield node
        for child in node["properties"].values():
            yield from _objects(schema, child, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _objects(schema, node[key], seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for child in node.get(key, []):
            yield from _objects(schema, child, seen)


def _request_bodies(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{method.upper()} {path} ({media_type})", content["schema"]


def test_no_request_schema_requires_a_read_only_field(schema):
    bodies = list(_request_bodies(schema))
    assert len(bodies) > 30  # every write of the API, not an empty walk
    wrong = []
    for operation, body in bodies:
        for node in _objects(schema, body):
            for name in node.get("required", []):
                field = node["properties"].get(name, {})
                if field.get("readOnly") or _resolve(schema, field).get("readOnly"):
                    wrong.append(f"{operation}: {name}")
    assert wrong == []


def test_a_finding_is_posted_without_the_fields_the_portal_fills_in(schema):
    body = schema["paths"]["/api/v1/findings/"]["post"]["requestBody"]["content"]
    finding = _resolve(schema, body["application/json"]["schema"])
    assert sorted(finding["required"]) == [
        "category",
        "deadline",
        "description",
        "severity",
        "visit",
    ]
    assert "status" not in finding["properties"]
    assert "id" not in finding["properties"]
