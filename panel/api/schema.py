"""The OpenAPI document's shared parts, added once to every operation (a drf-spectacular
post-processing hook): the problem details that any error is (`default`, in
application/problem+json), and the Idempotency-Key header of every POST, PATCH and DELETE."""

from __future__ import annotations

from .idempotency import HEADER
from .problems import MEDIA_TYPE

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details: what went wrong, in plain words.",
    "properties": {
        "type": {"type": "string", "description": "about:blank, or the API's own problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, in plain words."},
        "errors": {
            "type": "array",
            "description": "For invalid input: each field (a JSON pointer) and what is wrong.",
            "items": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["pointer", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
IDEMPOTENCY_KEY = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Any text you choose (1 to 255 visible ASCII characters), new for each "
    "new request: sent again with the same request, it gives the first answer again "
    "without doing anything twice (for 24 hours). With another request: 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
CHANGES = ("post", "patch", "put", "delete")


def problems_and_keys(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    problem = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            operation["responses"]["default"] = {
                "description": "A problem (RFC 9457).",
                "content": {MEDIA_TYPE: {"schema": problem}},
            }
            if method in CHANGES:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
    return result
