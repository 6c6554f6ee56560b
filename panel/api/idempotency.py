"""The `Idempotency-Key` header of every POST, PATCH and DELETE.

The same key with the same request gives the same answer without doing anything twice;
the same key with another request is refused (422). Two layers make that so:

- the command's own key: the header becomes the executor's 32-hex key, the same for the
  same token and header (`command_key`), so the executor, which claims keys and keeps one
  operation per key, does nothing twice even if the answers below were lost;
- the answer: kept for KEY_TTL per token and header in Redis with a digest of the request
  (method, path, body), and given again (`Idempotent-Replayed: true`) to the same request.

Only answers of a request that did something are kept (2xx, and 502: the provider was
called and failed; it is never called again for the key). An answer that refused before
anything happened (invalid input, a cooldown, no access) is not: the key may be tried again.
Secrets are never kept: an answer with one (the console's or a root password) is kept as
"a secret was shown", and its replay says so (409) instead of showing it again, since
revealing is once only and a console password must not wait in Redis for a day.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from functools import wraps

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.response import Response

from panel.core import locks, softcache
from panel.core.outcomes import new_key

from .problems import Problem

HEADER = "Idempotency-Key"
KEY_TTL = 24 * 3600
WAIT = 10.0
PENDING = "pending"
_VALID = re.compile(r"^[\x21-\x7e]{1,255}$")


def command_key(token, header: str) -> str:
    """The executor's key for this token's `header` (32 hex digits)."""
    return hashlib.sha256(f"api:{token.identity}:{header}".encode()).hexdigest()[:32]


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{request.method} {request.get_full_path()} {body}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(handler):
    """Wrap a view's POST/PATCH/DELETE handler; it reads its key as `request.command_key`."""

    @wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        header = request.headers.get(HEADER)
        if header is None:
            request.command_key = new_key()  # nothing to replay: a new request each time
            return handler(view, request, *args, **kwargs)
        if not _VALID.match(header):
            raise Problem(
                400,
                _("The Idempotency-Key header takes 1 to 255 visible ASCII characters."),
                kind="validation",
            )
        request.command_key = command_key(request.auth, header)
        slot = (
            f"api-idempotency:{request.auth.identity}:{hashlib.sha256(header.encode()).hexdigest()}"
        )
        fingerprint = _fingerprint(request)
        try:
            claimed = cache.add(slot, {"fingerprint": fingerprint, "state": PENDING}, KEY_TTL)
        except locks.UNAVAILABLE:
            raise Problem(
                503,
                _("The panel cannot take actions for a moment. Nothing was done; try again."),
                kind="unavailable",
                headers={"Retry-After": "10"},
            ) from None
        if not claimed:
            return _replay(slot, fingerprint)
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            softcache.delete(slot)
            raise
        _keep(slot, fingerprint, response)
        return response

    return wrapped


def _keep(slot: str, fingerprint: str, response: Response) -> None:
    status = response.status_code
    if not (200 <= status < 300 or status == 502):
        softcache.delete(slot)  # nothing was done: the key may try again
        return
    if getattr(response, "secret", False):
        value = {"fingerprint": fingerprint, "state": "secret"}
    else:
        headers = {name: response[name] for name in ("Location",) if response.has_header(name)}
        value = {
            "fingerprint": fingerprint,
            "state": "done",
            "status": status,
            "data": response.data,
            "content_type": response.content_type,
            "headers": headers,
        }
    softcache.set(slot, value, KEY_TTL)


def _replay(slot: str, fingerprint: str) -> Response:
    deadline = time.monotonic() + WAIT
    for delay in locks.delays():
        stored = softcache.get(slot) or {}
        if stored.get("fingerprint", fingerprint) != fingerprint:
            raise Problem(
                422,
                _(
                    "This Idempotency-Key was already used for another request. Use a new "
                    "key for a new request."
                ),
                kind="idempotency-key-reused",
            )
        # Done, or freed by a first request that did nothing (it may be sent again now).
        if stored.get("state") != PENDING or time.monotonic() + delay > deadline:
            break
        time.sleep(delay)
    state = stored.get("state")
    if state == "secret":
        raise Problem(
            409,
            _(
                "A request with this Idempotency-Key was answered already, with a secret that "
                "is shown only once. Send a new key to ask again."
            ),
            kind="secret-not-replayed",
        )
    if state != "done":
        raise Problem(
            409,
            _(
                "A request with this Idempotency-Key is still being carried out. Ask again "
                "in a moment for its answer."
            ),
            kind="idempotency-key-in-use",
            headers={"Retry-After": "2"},
        )
    response = Response(
        stored["data"],
        status=stored["status"],
        headers=stored["headers"],
        content_type=stored["content_type"],
    )
    response["Idempotent-Replayed"] = "true"
    return response
