"""Routing for API v3: the route table, request context, body parsing and bearer auth.

Handlers register themselves with @route in api.py; the app matches a path
with match() and builds a Context for the handler.
"""

import json
import re
from urllib.parse import parse_qs

from .replies import ApiError
from .validate import BadRequest

FORBIDDEN = "You do not have permission for this operation."


class Route:
    def __init__(self, method, template, handler, auth):
        self.method = method
        self.template = template
        self.handler = handler
        self.auth = auth
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]{1,18})", template)
        self.regex = re.compile(f"^{pattern}$")

    @property
    def key(self):
        """How stats and fault filters name this route: "GET /servers/{id}"."""
        return f"{self.method} {self.template}"


ROUTES = []


def route(method, template, auth=True):
    def register(handler):
        ROUTES.append(Route(method, template, handler, auth))
        return handler

    return register


def route_keys():
    return {r.key for r in ROUTES}


def match(method, path):
    """Return (route, params), or raise ApiError 404/405."""
    path = path.rstrip("/") or "/"
    allowed = []
    for candidate in ROUTES:
        found = candidate.regex.match(path)
        if found:
            if candidate.method == method:
                return candidate, {k: int(v) for k, v in found.groupdict().items()}
            allowed.append(candidate.method)
    if allowed:
        raise ApiError(
            405, "Method not allowed for this endpoint.", headers=[("Allow", ", ".join(allowed))]
        )
    raise ApiError(404, "Not found.")


class Context:
    """One request, as a handler sees it."""

    def __init__(self, state, faults, params, query, raw_body, content_type):
        self.state = state
        self.faults = faults
        self.params = params
        self.query = query
        self.raw_body = raw_body
        self.content_type = content_type
        self.now = state.now()
        self.account = None
        self._body = None

    def body(self):
        if self._body is None:
            self._body = parse_body(self.raw_body, self.content_type)
        return self._body

    def server(self, writable=False):
        """The server in the URL: 404 if unknown or hidden, 403 if someone else's."""
        srv_id = self.params["id"]
        server = self.state.servers.get(srv_id)
        if server is None or self.state.is_hidden(srv_id):
            raise ApiError(404, "Server not found.")
        if server.cust_id != self.account.cust_id:
            raise ApiError(403, FORBIDDEN)
        if writable and server.suspended:
            raise ApiError(403, "This server is suspended. Please contact support.")
        return server


def parse_body(raw, content_type):
    if not raw or not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("Malformed request body: not UTF-8.") from exc
    # A form body, unless it is JSON sent with curl's default form content type.
    is_form = content_type.startswith("application/x-www-form-urlencoded")
    if is_form and not text.lstrip().startswith(("{", "[")):
        return {key: values[-1] for key, values in parse_qs(text).items()}
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest("Malformed JSON body.") from exc
    if not isinstance(data, dict):
        raise BadRequest("Malformed JSON body: expected an object.")
    return data


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def authenticate_token(state, header):
    """The account behind `Authorization: Bearer <token>`, or ApiError 401."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "Missing or malformed Authorization header.")
    token = state.tokens.get(value.strip())
    if token is None:
        raise ApiError(401, "Invalid token.")
    if token.expires <= state.now():
        raise ApiError(401, "Token has expired.")
    return state.accounts[token.username]
