"""The one executor: every command (base.py) is carried out here, whoever asked for it.

    execute(command)
      customer       the actor's customer is not suspended                 (customers)
      access         the actor holds the command's key on the server now, within their
                     customer's servers and ceiling (grants.access); a token also within
                     its scopes and servers                                (tokens.access)
      server state   suspended, cancelled, known unsupported               no call
      the key        an UpstreamCall claims it in Redis (SET NX), per person or token: a
                     replay gets the first outcome; a refusal that sent nothing (cooldown,
                     busy) frees it again, so the same key can try again later; a
                     StartOperation's key is its row's unique key
      one at a time  UpstreamCall: a lock per server and scope shared by all processes (an
                     identical press meanwhile gets the first outcome), then the cooldown;
                     StartOperation: the partial unique constraint of Operation
      run            the one upstream call, never repeated (errors -> plain words), or the
                     one Operation row and its task, or the LocalChange
      audit          one entry with actor and origin (not for a replay)

and returns an Outcome in plain words. Nothing here sees an HttpRequest: the actor carries
what the audit log keeps of one (address, user agent).
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from panel.audit.log import record
from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core import locks, softcache
from panel.core.outcomes import (
    KEY_PATTERN,
    NOT_ALLOWED_MESSAGE,
    OUT_OF_DATE_MESSAGE,
    UNAVAILABLE_MESSAGE,
    Outcome,
    cooling_down,
    refused,
    still_running,
)
from panel.customers import services as customers
from panel.operations import services as operations
from panel.tokens.access import allows
from terrahost_client.errors import NotSupported, TerrahostError, TransportError

from .base import Command, LocalChange, StartOperation, UpstreamCall

logger = logging.getLogger(__name__)

PENDING = "pending"
# How long a key answers replays (a resubmitted form, the back button).
KEY_TTL = 24 * 3600
# How long an identical press from another tab or user gets the first outcome.
RECENT_TTL = 10
LOCK_TIMEOUT = 60
WAIT = 10.0


def execute(command: Command) -> Outcome:
    """Carry out `command` once (see the module doc); the outcome says how it went."""
    user = command.actor.user
    suspended = customers.refusal(user)
    if suspended is not None:
        return _audited(command, suspended)
    initiator_id = command.initiator_id()
    if not allows(command.actor, command.server, command.permission, initiator_id=initiator_id):
        return _audited(command, refused(NOT_ALLOWED_MESSAGE, not_allowed=True))
    problem = command.refusal()
    if problem is not None:
        return _audited(command, problem)
    if isinstance(command, UpstreamCall):
        return _call(command)
    if isinstance(command, StartOperation):
        return _start(command)
    if isinstance(command, LocalChange):
        return _audited(command, command.apply())
    raise TypeError(f"Not a command the executor knows: {command!r}")


def _audited(command: Command, outcome: Outcome) -> Outcome:
    message = outcome.message if not outcome.detail else f"{outcome.message} ({outcome.detail})"
    record(
        command.action,
        actor=command.actor,
        server=command.server,
        result=outcome.result,
        message=message,
        details=command.details(),
    )
    return outcome


# --- one call ----------------------------------------------------------------------------------


def _call(command: UpstreamCall) -> Outcome:
    if not KEY_PATTERN.match(command.key or ""):
        return refused(OUT_OF_DATE_MESSAGE)
    row, scope = command.server, command.scope
    claim = f"action-key:{command.actor.claimant}:{command.key}"
    try:
        if not cache.add(claim, PENDING, timeout=KEY_TTL):
            return _replay(claim)
        lock = locks.CacheLock(f"action:{row.pk}:{scope}", timeout=LOCK_TIMEOUT)
        recent = f"action-recent:{row.pk}:{scope}"
        if not lock.acquire():
            lock.wait_released(WAIT)
            earlier = cache.get(recent)
            if earlier and earlier["fingerprint"] == command.fingerprint():
                # Someone pressed the same button at the same moment: theirs counts.
                cache.set(claim, earlier["outcome"], timeout=KEY_TTL)
                return Outcome.loads(earlier["outcome"])
            if not lock.acquire():
                message = _("Another change to this server is under way. Try again shortly.")
                return _free(claim, refused(message, busy=True), command)
    except locks.UNAVAILABLE as error:
        logger.warning("%s refused: the cache does not answer (%r)", command.action, error)
        return _audited(command, refused(UNAVAILABLE_MESSAGE, unavailable=True))
    try:
        cooldown = command.cooldown()
        cooling = f"action-cooldown:{row.pk}:{scope}"
        left = _seconds_left(cooling) if cooldown else 0
        if left:
            return _free(claim, refused(cooling_down(scope, left), retry_after=left), command)
        outcome = _send(command)
        # From here on the call was made: Redis stopping now must not turn its outcome
        # into an error page, so these writes are skipped (with a warning) if it does.
        if cooldown and (outcome.ok or outcome.data.get("maybe_sent")):
            softcache.set(cooling, time.time() + cooldown, cooldown)
        if outcome.ok:
            row.changed()
        stored = outcome.stored()
        fingerprint = command.fingerprint()
        softcache.set(recent, {"fingerprint": fingerprint, "outcome": stored}, RECENT_TTL)
        return _keep(claim, outcome, command, stored)
    finally:
        lock.release()


def _send(command: UpstreamCall) -> Outcome:
    """The one upstream call; never repeated, whatever happens."""
    try:
        with api(command.server.connection) as client:
            value = command.call(client)
    except (TerrahostError, ConnectionProblem) as error:
        outcome = explain(error, not_supported=command.not_supported)
        if isinstance(error, TransportError):
            outcome.data["maybe_sent"] = True
        if isinstance(error, NotSupported):
            outcome.data["not_supported"] = True
            command.remember_not_supported()
        return outcome
    outcome = Outcome(True, command.done())
    command.succeeded(outcome, value)
    return outcome


def _keep(claim: str, outcome: Outcome, command: Command, stored: str | None = None) -> Outcome:
    """Keep the outcome for replays of this key, and write the audit entry."""
    # Without Redis the outcome stands; a replay of the key then says "pending".
    softcache.set(claim, stored or outcome.stored(), KEY_TTL)
    return _audited(command, outcome)


def _free(claim: str, outcome: Outcome, command: Command) -> Outcome:
    """Nothing was sent: the key is free to try again; write the audit entry."""
    softcache.delete(claim)
    return _audited(command, outcome)


def _replay(claim: str) -> Outcome:
    """The outcome of the first submit of this key, waiting briefly if it is running."""
    deadline = time.monotonic() + WAIT
    for delay in locks.delays():
        value = cache.get(claim)
        if value is None:
            break  # freed: the first one sent nothing
        if value != PENDING:
            return Outcome.loads(value)
        if time.monotonic() + delay > deadline:
            break
        time.sleep(delay)
    return still_running()


def _seconds_left(key: str) -> int:
    until = cache.get(key)
    if not until:
        return 0
    return max(1, int(until - time.time() + 0.999)) if until > time.time() else 0


# --- one operation ----------------------------------------------------------------------------


def _start(command: StartOperation) -> Outcome:
    if not KEY_PATTERN.match(command.key or ""):
        return refused(OUT_OF_DATE_MESSAGE)
    outcome, op = operations.create(
        command.server, command.kind, command.key, command.input(), actor=command.actor
    )
    outcome.data["operation"] = op.pk if op is not None else None
    if outcome.replayed:  # the first one was audited
        return outcome
    if op is not None and outcome.ok:
        command.started(op)
    return _audited(command, outcome)
