"""SandboxApp: the WSGI application (API v3 under /api/v3, control plane under /_sandbox).

One lock guards the state. A call goes: latency, then the "before" faults
(429/5xx, nothing processed), then the handler, then the "after" faults
(timeout/disconnect: processed, but no answer). Unexpected exceptions become a
500 envelope and are kept in `exceptions`, so tests can prove there were none.
"""

import json
import re
import threading
import time
import traceback
from random import Random
from urllib.parse import parse_qs

from . import (
    api,  # noqa: F401 - importing it registers the handlers with routing
    routing,
)
from . import faults as faults_module
from .constants import (
    API_PREFIX,
    CONTROL_PREFIX,
    DEFAULT_SEED,
    DEFAULT_SERVERS,
    DEFAULT_TOKEN_LIFETIME,
    MAX_ADVANCE,
    MAX_BODY_BYTES,
    MAX_PER_PAGE,
    MAX_TOKEN_LIFETIME,
)
from .faults import Faults
from .replies import ApiError, Reply, bad_gateway, error
from .seed import build_state
from .validate import BadRequest, is_digits, number

# POST /_sandbox/servers/{id}: suspend, unsuspend or cancel one server.
_SERVER_CONTROL = re.compile(r"^/servers/(\d{1,12})$")

UNMATCHED = "<unmatched>"


class DropConnection(Exception):
    """Raised by the app instead of answering: the transport must drop the call.

    kind is "timeout" (hold the connection `hold` seconds, then close) or
    "disconnect" (close at once). The request has been processed already.
    """

    def __init__(self, kind, hold):
        super().__init__(kind)
        self.kind = kind
        self.hold = hold


class SandboxApp:
    sleep = staticmethod(time.sleep)  # how the latency fault waits (tests may record it)

    def __init__(
        self,
        seed=DEFAULT_SEED,
        servers=DEFAULT_SERVERS,
        token_lifetime=DEFAULT_TOKEN_LIFETIME,
        *,
        ignore_page=False,
        root_password_in_server_record=False,
        max_per_page=MAX_PER_PAGE,
    ):
        """Two switches serve what other clients report of live accounts (API notes), where
        the default follows the docs: `ignore_page` answers page 1 of GET /servers whatever
        `page` says; `root_password_in_server_record` answers a reinstall with an empty
        root_passwd and shows the password as `install_details.root_password` in the
        server's record while the install runs. `max_per_page` is the largest page GET
        /servers answers, where nothing is known of the live API (see constants.py).
        """
        if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
            raise ValueError("servers must be an integer >= 0")
        if (
            isinstance(token_lifetime, bool)
            or not isinstance(token_lifetime, int | float)
            or not 0 < token_lifetime <= MAX_TOKEN_LIFETIME  # also False for NaN
        ):
            raise ValueError(f"token_lifetime must be > 0 and <= {MAX_TOKEN_LIFETIME} seconds")
        if isinstance(max_per_page, bool) or not isinstance(max_per_page, int) or max_per_page < 1:
            raise ValueError("max_per_page must be an integer >= 1")
        self.seed = seed
        self.server_count = servers
        self.token_lifetime = token_lifetime
        self.modes = {
            "ignore_page": ignore_page,
            "root_password_in_server_record": root_password_in_server_record,
            "max_per_page": max_per_page,
        }
        self.lock = threading.RLock()
        self.route_keys = routing.route_keys()
        # Calls being answered now per route (kept across a reset, which calls may span),
        # and in the stats the most there were at once: whether a client's calls overlap.
        self._in_flight = {}
        self.reset()

    # --- Python control API -------------------------------------------------

    def reset(self):
        """Back to the seeded initial state; stats, faults and the clock too."""
        with self.lock:
            self.state = build_state(
                self.seed, self.server_count, self.token_lifetime, **self.modes
            )
            self.faults = Faults()
            self._fault_rng = Random(f"{self.seed}:faults")
            self._calls = {}
            self._max_in_flight = {}
            self.exceptions = []

    def set_faults(self, data):
        """Merge `data` into the faults in force (see faults.py); `{}` clears them all.

        Returns the resulting fault set. Raises ValueError (BadRequest) on bad
        input, and then changes nothing.
        """
        with self.lock:
            state = self.state
            new, expire_tokens, hidden_changed = faults_module.parse(
                data, self.route_keys, state.servers, self.faults
            )
            # Reseed when the odds change, so the same fault set gives the same sequence of
            # outcomes; expiring tokens or hiding a server goes on with the sequence (a
            # reseed there would replay the same outcomes after every such event).
            odds = {k: v for k, v in new.as_dict().items() if k != "hide_server"}
            if odds != {k: v for k, v in self.faults.as_dict().items() if k != "hide_server"}:
                self._fault_rng = Random(f"{self.seed}:faults:{json.dumps(odds)}")
            self.faults = new
            if expire_tokens:
                state.expire_all_tokens()
            if hidden_changed:  # other keys leave running hide timers alone
                now = state.now()
                state.hidden = {srv_id: now + s for srv_id, s in new.hidden.items()}
            return new.as_dict()

    def stats(self):
        with self.lock:
            return {
                "calls": {key: dict(counts) for key, counts in sorted(self._calls.items())},
                "max_in_flight": dict(sorted(self._max_in_flight.items())),
            }

    def advance(self, seconds):
        seconds = number(seconds, "advance", 0, MAX_ADVANCE)
        with self.lock:
            self.state.advance(seconds)
            return self.state.now()

    def now(self):
        with self.lock:
            return self.state.now()

    # --- WSGI ------------------------------------------------------------------

    def __call__(self, environ, start_response):
        reply = self.handle(environ)  # may raise DropConnection
        status, headers, body = reply.wsgi()
        start_response(status, headers)
        return [body]

    def handle(self, environ):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self._control(method, path[len(CONTROL_PREFIX) :] or "/", environ)
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return self._api(method, path[len(API_PREFIX) :] or "/", environ)
        return error(404, f"Not found. The API lives under {API_PREFIX}.", time.time())

    def _api(self, method, path, environ):
        try:
            route, params = routing.match(method, path)
            route_error = None
            key = route.key
        except ApiError as exc:
            route, params, route_error = None, {}, exc
            key = f"{method} {UNMATCHED}"
        raw_body, body_error = _read_body(environ)
        self._enter(key)
        try:
            return self._answer(key, route, params, route_error, raw_body, body_error, environ)
        finally:
            self._leave(key)

    def _enter(self, key):
        with self.lock:
            now = self._in_flight[key] = self._in_flight.get(key, 0) + 1
            self._max_in_flight[key] = max(now, self._max_in_flight.get(key, 0))

    def _leave(self, key):
        with self.lock:
            self._in_flight[key] -= 1

    def _answer(self, key, route, params, route_error, raw_body, body_error, environ):
        with self.lock:
            faults = self.faults
            before = faults.before(key, self._fault_rng)
        if faults.latency_ms:
            self.sleep(faults.latency_ms / 1000)
        if before:
            reply = self._fault_reply(before, faults)
            self._count(key, reply.status)
            return reply

        with self.lock:
            reply = self._process(route, params, route_error, body_error, raw_body, environ, faults)
            after = faults.after(key, self._fault_rng)
            self._count(key, after or reply.status)
        if after:
            raise DropConnection(after, faults.timeout_hold_seconds)
        return reply

    def _process(self, route, params, route_error, body_error, raw_body, environ, faults):
        """Run the handler; every failure becomes an envelope, never a traceback."""
        state = self.state
        try:
            state.tick()
            if route_error:
                raise route_error
            if body_error:
                raise body_error
            ctx = routing.Context(
                state,
                faults,
                params,
                parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                raw_body,
                environ.get("CONTENT_TYPE", "") or "",
            )
            if route.auth:
                ctx.account = routing.authenticate_token(state, environ.get("HTTP_AUTHORIZATION"))
            return route.handler(ctx)
        except ApiError as exc:
            return error(exc.status, exc.message, state.now(), exc.key, exc.headers)
        except BadRequest as exc:
            return error(400, exc.message, state.now(), exc.key)
        except Exception:  # a bug: answer like a server would, and keep the evidence
            self.exceptions.append(traceback.format_exc())
            return error(500, "Internal server error.", state.now())

    def _fault_reply(self, kind, faults):
        now = self.now()
        if kind == "rate_limit":
            headers = [("Retry-After", str(faults.retry_after))]
            return error(429, "Too many requests. Please slow down.", now, headers=headers)
        if kind == "error_502":
            return bad_gateway()
        return error(503, "The service is temporarily unavailable. Try again later.", now)

    def _count(self, key, outcome):
        with self.lock:
            counts = self._calls.setdefault(key, {})
            outcome = str(outcome)
            counts[outcome] = counts.get(outcome, 0) + 1

    # --- control plane (no auth, not counted) ----------------------------------

    def _control(self, method, path, environ):
        path = path.rstrip("/") or "/"
        handlers = {
            ("GET", "/stats"): lambda body: self.stats(),
            ("GET", "/faults"): lambda body: {"faults": self.faults.as_dict()},
            ("POST", "/faults"): lambda body: {"faults": self.set_faults(body)},
            ("GET", "/clock"): lambda body: self._clock(),
            ("POST", "/clock"): self._advance_clock,
            ("POST", "/reset"): self._reset_request,
        }
        handler = handlers.get((method, path))
        if handler is None and method == "POST" and _SERVER_CONTROL.match(path):
            srv_id = int(_SERVER_CONTROL.match(path).group(1))
            handler = lambda body: self._set_server(srv_id, body)  # noqa: E731
        if handler is None:
            if any(p == path for _, p in handlers):
                return Reply(405, {"error": "Method not allowed."})
            return Reply(404, {"error": f"Unknown control endpoint: {CONTROL_PREFIX}{path}"})
        raw_body, body_error = _read_body(environ)
        try:
            if body_error:
                raise body_error
            body = routing.parse_body(raw_body, "") if method == "POST" else {}
            return Reply(200, handler(body))
        except BadRequest as exc:
            return Reply(400, {"error": exc.message})
        except Exception:
            self.exceptions.append(traceback.format_exc())
            return Reply(500, {"error": "Internal server error."})

    def _clock(self):
        now = self.now()
        return {"now": int(now), "offset": round(self.state.clock.offset, 3)}

    def _advance_clock(self, body):
        if set(body) != {"advance"}:
            raise BadRequest('Expected {"advance": seconds}.')
        self.advance(body["advance"])
        return self._clock()

    def _reset_request(self, body):
        self.reset()
        return {"reset": True}

    def _set_server(self, srv_id: int, body: dict) -> dict:
        """`POST /_sandbox/servers/{id}` {"suspended": bool, "cancelled": bool}: what the
        provider does to a server that the API cannot (suspend it, cancel its order)."""
        if not body or set(body) - {"suspended", "cancelled"}:
            raise BadRequest('Expected {"suspended": true|false} and/or {"cancelled": true|false}.')
        if any(not isinstance(value, bool) for value in body.values()):
            raise BadRequest("suspended and cancelled are true or false.")
        with self.lock:
            server = self.state.servers.get(srv_id)
            if server is None:
                raise BadRequest(f"No server {srv_id}.")
            if "suspended" in body:
                server.suspended = body["suspended"]
                server.suspended_date = int(self.now()) if body["suspended"] else 0
            if "cancelled" in body:
                server.order["order_status"] = "cancelled" if body["cancelled"] else "active"
                server.order["order_cancel_reason"] = (
                    "Cancelled by the customer" if body["cancelled"] else ""
                )
            server.touch()
            return {
                "id": srv_id,
                "suspended": server.suspended,
                "cancelled": server.order.get("order_status") == "cancelled",
            }


def _read_body(environ):
    """(bytes, None) or (b"", BadRequest): read errors become a 400 later."""
    header = (environ.get("CONTENT_LENGTH") or "").strip() or "0"
    if not is_digits(header, 18):  # ASCII digits only: int() also takes "²" and "١٢"
        return b"", BadRequest("Invalid Content-Length header.")
    length = int(header)
    if length > MAX_BODY_BYTES:
        return b"", BadRequest("Request body too large.")
    if not length:
        return b"", None
    return environ["wsgi.input"].read(length), None
