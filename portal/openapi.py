"""Schema post-processing: the error answers every operation can give, documented.

drf-spectacular documents the success of each operation; a client (and the API fuzzing
in tests/portal/test_api_fuzz.py) also needs the refusals, which are the same across the
API: 400 for invalid input or filters, 403 without a login or the role's permission,
404 for an object outside the caller's scope or a page past the end; for writes, 409
when a state change is refused (portal.drf.exception_handler) and 415 for a body that
is not JSON (or multipart, where a file is sent).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    """portal.drf.TokenAuthentication in the schema (and Swagger UI's Authorize button)."""

    target_class = "portal.drf.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from “My API tokens” (user menu): "
            "`Authorization: Bearer <key>` or `Authorization: Token <key>`.",
        }


ERROR = {
    "type": "object",
    "description": "Field names (or `detail`) with the reasons, in the user's language.",
    "additionalProperties": True,
}
REFUSALS = {
    "400": "Invalid input or filter value.",
    "403": "Not logged in, or the role may not do this.",
    "404": "Not found within the caller's scope.",
}
WRITES = {
    "409": "The change is refused in the object's current state, or it went stale.",
    "415": "The body's media type is not the one documented.",
}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            refusals = dict(REFUSALS, **(WRITES if method in {"post", "put", "patch"} else {}))
            responses = operation.setdefault("responses", {})
            for status, description in refusals.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
