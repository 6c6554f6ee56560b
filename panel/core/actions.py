"""The one action pattern: how every button that changes something at Terrahost works.

    POST view (thin)
      row = get_server_for_user(request.user, pk, "<key>")   404 stranger, 403 no key
      validate the form                                       errors by the field, no call
      outcome = <app>.services.<action>(request, row, ...)    which calls perform() below
      render the htmx partial, or redirect with a message when JavaScript is off

    perform()
      refuse a suspended server                               no call
      claim the form's idempotency key (Redis SET NX)         a replay gets the first outcome
      one action of a kind per server at a time               a lock shared by all processes;
                                                              an identical press meanwhile
                                                              gets the first outcome
      cooldown (power)                                        "try again in N seconds"
      the client call, once; never repeated                   errors -> plain words (explain)
      one audit entry, server_changed()                       the cached detail is dropped

Reads that pages make (graphs, power status) use `explain(error, write=False)` for their
messages. Long operations (Celery) reuse explain(), the audit log and the same claims.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.contrib import messages
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.branding.whitelabel import scrub
from panel.connections.errors import ConnectionProblem, describe
from panel.connections.services import api
from panel.core import locks, softcache
from panel.grants.access import is_panel_admin
from terrahost_client.errors import (
    BadRequest,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TerrahostError,
    TransportError,
)

logger = logging.getLogger(__name__)

KEY_FIELD = "idempotency_key"
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
PENDING = "pending"
# How long a form's key answers replays (a resubmitted form, the back button).
KEY_TTL = 24 * 3600
# How long an identical press from another tab or user gets the first outcome.
RECENT_TTL = 10
LOCK_TIMEOUT = 60
WAIT = 10.0

Result = AuditEntry.Result
# Lazy: in the language of the request that uses them (Outcome keeps them as text).
UNAVAILABLE_MESSAGE = gettext_lazy(
    "The panel cannot take actions for a moment (its cache does not answer). Nothing was "
    "sent; please try again shortly."
)
SUSPENDED_MESSAGE = gettext_lazy(
    "This server is suspended: nothing can be changed until it is reactivated."
)


@dataclass
class Outcome:
    """What an action did, in words for the person who pressed the button.

    `detail` is the technical reason, for admins only. `data` holds non-secret facts for
    the page (kept for replays); `secret` is shown once and never stored or replayed.
    """

    ok: bool
    message: str
    result: str = Result.OK
    detail: str = ""
    data: dict = field(default_factory=dict)
    replayed: bool = False
    secret: object = field(default=None, repr=False)

    def __post_init__(self):
        # Lazy translations become text in the language of the request that made the
        # outcome (it is stored as JSON and replayed).
        self.message = str(self.message)
        self.detail = str(self.detail)

    @property
    def level(self) -> str:
        if self.ok:
            return "success"
        return "warning" if self.result == Result.REFUSED else "error"

    def stored(self) -> str:
        values = asdict(self) | {"secret": None, "replayed": False}
        return json.dumps(values, default=str)

    @classmethod
    def loads(cls, text: str) -> Outcome:
        return cls(**json.loads(text) | {"replayed": True})


def tell(request, outcome: Outcome) -> None:
    """The outcome as a message on the next page (no JavaScript, or after a redirect);
    admins also read the technical reason."""
    level = {"success": messages.SUCCESS, "warning": messages.WARNING}.get(
        outcome.level, messages.ERROR
    )
    text = outcome.message
    if outcome.detail and is_panel_admin(request.user):
        text = f"{text} ({outcome.detail})"
    messages.add_message(request, level, text)


def refused(message: str, **data) -> Outcome:
    return Outcome(False, message, Result.REFUSED, data=data)


def explain(error: Exception, *, write: bool = True, not_supported: str = "") -> Outcome:
    """Any upstream error as an Outcome in plain words (never raw JSON), with the
    technical reason in `detail` for admins."""
    if isinstance(error, ConnectionProblem):
        return Outcome(
            False,
            _(
                "This server's account needs an administrator's attention, so nothing could "
                "be done. Please try again later."
            ),
            Result.FAILED,
            detail=error.message,
        )
    detail = describe(error)
    if isinstance(error, NotSupported):
        message = not_supported or _("This cannot be done for this server from the panel.")
    elif isinstance(error, RateLimited) and error.retry_after:
        seconds = int(error.retry_after) + 1
        message = ngettext(
            "Too many requests just now. Please try again in %(seconds)d second.",
            "Too many requests just now. Please try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    elif isinstance(error, RateLimited):
        message = _("Too many requests just now. Please try again in a minute.")
    elif isinstance(error, TransportError) and write:
        # The request may have reached the provider: never repeated automatically.
        message = _(
            "The provider did not answer in time, so it is not known whether this was "
            "done. Check the server's state before trying again."
        )
    elif isinstance(error, TransportError):
        message = _("The provider did not answer in time. Please try again.")
    elif isinstance(error, NotFound):
        message = _(
            "The provider is not showing this server right now (this happens for a short "
            "while at times). Please try again in a minute."
        )
    elif isinstance(error, PermissionDenied):
        message = _("The provider refused this for this server.")
    elif isinstance(error, BadRequest):
        # The provider's own words, shown to customers: never its name (white label);
        # admins read the words unchanged in `detail`.
        message = _("The provider did not accept this: %(reason)s") % {
            "reason": scrub(error.message)
        }
        message = message[:300]
    else:
        message = _("The provider had a problem answering. Please try again in a minute.")
    return Outcome(False, message, Result.FAILED, detail=detail)


def new_key() -> str:
    """A fresh idempotency key for a form (32 hex digits)."""
    return uuid.uuid4().hex


def perform(
    request,
    row,
    action: str,
    key: str,
    call: Callable,
    *,
    done: str,
    scope: str,
    fingerprint: str = "",
    cooldown: int = 0,
    details: dict | None = None,
    not_supported: str = "",
    after: Callable | None = None,
) -> Outcome:
    """Run `call(client)` once for this press of the button, audited (see module doc).

    `done` is the message on success; `scope` names what may run only once at a time per
    server (e.g. "power"); `fingerprint` tells identical presses apart from different ones
    (e.g. the new name); `after(outcome, value)` updates local state on success and may
    set `outcome.data`/`outcome.secret` from what `call` returned.
    """
    audit = {"request": request, "server": row, "details": details or {}}
    if row.status == "suspended":
        outcome = refused(SUSPENDED_MESSAGE)
        record(action, result=outcome.result, message=outcome.message, **audit)
        return outcome
    if not KEY_PATTERN.match(key or ""):
        return refused(_("This form is out of date. Please reload the page and try again."))
    claim = f"action-key:{request.user.pk}:{key}"
    try:
        if not cache.add(claim, PENDING, timeout=KEY_TTL):
            return _replay(claim)
        lock = locks.CacheLock(f"action:{row.pk}:{scope}", timeout=LOCK_TIMEOUT)
        recent = f"action-recent:{row.pk}:{scope}"
        if not lock.acquire():
            lock.wait_released(WAIT)
            earlier = cache.get(recent)
            if earlier and earlier["fingerprint"] == fingerprint:
                # Someone pressed the same button at the same moment: theirs counts.
                cache.set(claim, earlier["outcome"], timeout=KEY_TTL)
                return Outcome.loads(earlier["outcome"])
            if not lock.acquire():
                outcome = refused(
                    _("Another change to this server is under way. Try again shortly.")
                )
                return _finish(claim, None, outcome, action, audit)
    except locks.UNAVAILABLE as error:
        logger.warning("%s refused: the cache does not answer (%r)", action, error)
        outcome = refused(UNAVAILABLE_MESSAGE)
        record(action, result=outcome.result, message=outcome.message, **audit)
        return outcome
    try:
        cooling = f"action-cooldown:{row.pk}:{scope}"
        left = _seconds_left(cooling) if cooldown else 0
        if left:
            outcome = refused(_cooling_down(scope, left))
            return _finish(claim, None, outcome, action, audit)
        outcome = _call(row, call, done, not_supported, after)
        # From here on the call was made: Redis stopping now must not turn its outcome
        # into an error page, so these writes are skipped (with a warning) if it does.
        if cooldown and (outcome.ok or outcome.data.get("maybe_sent")):
            softcache.set(cooling, time.time() + cooldown, cooldown)
        if outcome.ok:
            row.changed()
        outcome_text = outcome.stored()
        softcache.set(recent, {"fingerprint": fingerprint, "outcome": outcome_text}, RECENT_TTL)
        return _finish(claim, outcome_text, outcome, action, audit)
    finally:
        lock.release()


def _call(row, call, done, not_supported, after) -> Outcome:
    try:
        with api(row.connection) as client:
            value = call(client)
    except (TerrahostError, ConnectionProblem) as error:
        outcome = explain(error, not_supported=not_supported)
        if isinstance(error, TransportError):
            outcome.data["maybe_sent"] = True
        if isinstance(error, NotSupported):
            outcome.data["not_supported"] = True
        return outcome
    outcome = Outcome(True, done)
    if after is not None:
        after(outcome, value)
    return outcome


def _finish(claim: str, text: str | None, outcome: Outcome, action: str, audit: dict) -> Outcome:
    """Keep the outcome for replays of this key, and write the audit entry."""
    # Without Redis the outcome stands; a replay of the key then says "pending".
    softcache.set(claim, text or outcome.stored(), KEY_TTL)
    message = outcome.message if not outcome.detail else f"{outcome.message} ({outcome.detail})"
    record(action, result=outcome.result, message=message, **audit)
    return outcome


def _replay(claim: str) -> Outcome:
    """The outcome of the first submit of this form, waiting briefly if it is running."""
    deadline = time.monotonic() + WAIT
    for delay in locks.delays():
        value = cache.get(claim)
        if value and value != PENDING:
            return Outcome.loads(value)
        if time.monotonic() + delay > deadline:
            break
        time.sleep(delay)
    return refused(_("Your first click is still being carried out. Reload the page in a moment."))


def _cooling_down(scope: str, left: int) -> str:
    """Why a press so soon after the last one was refused (`scope` is a key, not words)."""
    if scope == "power":
        text = ngettext(
            "This server was given a power command moments ago. "
            "You can try again in %(seconds)d second.",
            "This server was given a power command moments ago. "
            "You can try again in %(seconds)d seconds.",
            left,
        )
    else:
        text = ngettext(
            "This server was changed moments ago. You can try again in %(seconds)d second.",
            "This server was changed moments ago. You can try again in %(seconds)d seconds.",
            left,
        )
    return text % {"seconds": left}


def _seconds_left(key: str) -> int:
    until = cache.get(key)
    if not until:
        return 0
    return max(1, int(until - time.time() + 0.999)) if until > time.time() else 0
