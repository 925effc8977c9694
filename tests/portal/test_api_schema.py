"""The OpenAPI schema the portal serves tells a client what to send, and nothing it may not."""

import pytest
from django.conf import settings
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


def test_the_schema_is_served_in_the_readers_language_each_time(client, county_admin):
    """Generated once per language in a process: a reader in English after one in Chinese
    (and the Chinese reader again) each gets the document in his own words."""
    client.force_login(county_admin)
    url = reverse("api_schema")

    def actions_help(language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the switcher's cookie
        response = client.get(url, {"format": "json"})
        assert response.status_code == 200
        properties = response.json()["components"]["schemas"]["Case"]["properties"]
        return properties["available_actions"]["description"]

    assert actions_help("zh-hans") == "您当前可以进行的操作，与页面上提供给您的操作一致。"
    assert actions_help("en") == "What you may do with it now: the actions its page offers you."
    assert actions_help("zh-hans") == "您当前可以进行的操作，与页面上提供给您的操作一致。"
