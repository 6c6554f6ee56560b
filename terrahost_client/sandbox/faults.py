"""Injected faults: what `POST /_sandbox/faults` and `SandboxApp.set_faults()` accept.

Each call MERGES into the fault set in force: a key present sets that fault, a
key absent keeps its current value, a key set to null clears that one fault
(back to its default), and `{}` clears every fault. `expire_tokens` is an
event: applied once when sent, never stored. `hide_server` starts its timers
when sent. Per call:
  before processing (nothing changes): rate limit (429), then error (503/502);
  after processing (the change IS applied): timeout, then disconnect.
`routes` limits the four rates.
"""

from dataclasses import dataclass, field, replace

from .constants import DEFAULT_RETRY_AFTER, DEFAULT_TIMEOUT_HOLD_SECONDS
from .validate import BadRequest, integer, number

RATES = ("error_rate", "timeout_rate", "disconnect_rate", "rate_limit_rate")
KEYS = set(RATES) | {
    "latency_ms",
    "timeout_hold_seconds",
    "retry_after",
    "expire_tokens",
    "hide_server",
    "routes",
    "single_session",
}


@dataclass
class Faults:
    latency_ms: float = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    disconnect_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_hold_seconds: float = DEFAULT_TIMEOUT_HOLD_SECONDS
    retry_after: int = DEFAULT_RETRY_AFTER
    routes: frozenset | None = None  # None: every route
    single_session: bool = False  # a new login revokes the account's older tokens
    hidden: dict = field(default_factory=dict)  # srv_id -> seconds, as requested

    def applies_to(self, route_key):
        return self.routes is None or route_key in self.routes

    def before(self, route_key, rng):
        """'rate_limit', 'error_503', 'error_502' or None. Draws only for set rates."""
        if not self.applies_to(route_key):
            return None
        if self.rate_limit_rate and rng.random() < self.rate_limit_rate:
            return "rate_limit"
        if self.error_rate and rng.random() < self.error_rate:
            return "error_503" if rng.random() < 0.5 else "error_502"
        return None

    def after(self, route_key, rng):
        """'timeout', 'disconnect' or None, decided once the call is processed."""
        if not self.applies_to(route_key):
            return None
        if self.timeout_rate and rng.random() < self.timeout_rate:
            return "timeout"
        if self.disconnect_rate and rng.random() < self.disconnect_rate:
            return "disconnect"
        return None

    def as_dict(self):
        data = {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "timeout_rate": self.timeout_rate,
            "disconnect_rate": self.disconnect_rate,
            "rate_limit_rate": self.rate_limit_rate,
            "timeout_hold_seconds": self.timeout_hold_seconds,
            "retry_after": self.retry_after,
            "routes": sorted(self.routes) if self.routes is not None else None,
            "single_session": self.single_session,
        }
        data["hide_server"] = [{"srv_id": k, "seconds": v} for k, v in self.hidden.items()]
        return data


def parse(data, route_keys, server_ids, current=None):
    """Validate a fault request and merge it into `current` (a Faults, not changed).

    Returns (faults, expire_tokens, hidden_changed). Nothing is applied unless
    every key is valid.
    """
    if not isinstance(data, dict):
        raise BadRequest("Faults must be a JSON object.")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise BadRequest(f"Unknown fault keys: {', '.join(unknown)}.")
    if not data or current is None:
        faults = Faults()
    else:
        faults = replace(current, hidden=dict(current.hidden))
    for name, value in data.items():
        if name == "expire_tokens":
            continue  # an event, not a stored fault
        if value is None:  # clears this one fault: back to its default
            attribute = "hidden" if name == "hide_server" else name
            setattr(faults, attribute, getattr(Faults(), attribute))
        elif name in RATES:
            setattr(faults, name, float(number(value, name, 0.0, 1.0)))
        elif name == "latency_ms":
            faults.latency_ms = number(value, "latency_ms", 0, 600_000)
        elif name == "timeout_hold_seconds":
            faults.timeout_hold_seconds = number(value, "timeout_hold_seconds", 0, 3600)
        elif name == "retry_after":
            faults.retry_after = int(number(value, "retry_after", 0, 86400))
        elif name == "routes":
            faults.routes = _routes(value, route_keys)
        elif name == "single_session":
            faults.single_session = _boolean(value, "single_session")
        elif name == "hide_server":
            faults.hidden = _hidden(value, server_ids)
    expire = data.get("expire_tokens")
    expire_tokens = expire is not None and _boolean(expire, "expire_tokens")
    hidden_changed = not data or "hide_server" in data
    return faults, expire_tokens, hidden_changed


def _boolean(value, name):
    if not isinstance(value, bool):
        raise BadRequest(f"Invalid {name}: expected true or false.")
    return value


def _routes(value, route_keys):
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise BadRequest('Invalid routes: expected a list like ["GET /servers/{id}/reboot"].')
    unknown = [r for r in value if r not in route_keys]
    if unknown:
        raise BadRequest(f"Unknown routes: {', '.join(unknown)}.")
    return frozenset(value)


def _hidden(value, server_ids):
    entries = value if isinstance(value, list) else [value]
    hidden = {}
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"srv_id", "seconds"}:
            raise BadRequest('Invalid hide_server: expected {"srv_id": ..., "seconds": ...}.')
        srv_id = integer(entry["srv_id"], "hide_server.srv_id")
        if srv_id not in server_ids:
            raise BadRequest(f"Invalid hide_server: unknown srv_id {srv_id}.")
        hidden[srv_id] = number(entry["seconds"], "hide_server.seconds", 0, 10_000_000)
    return hidden
