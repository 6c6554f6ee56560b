"""A connection's Terrahost token, and the single flight that renews it.

Terrahost may keep one session per user: two processes logging in together would cancel
each other's token, and a crowd of requests finding the token expired would log in once
each. So the Client the panel builds for a connection (services.api) never logs in by
itself; it asks `provide_token` for a token, whether its own ran out by the clock or a
call got a 401. The provider:

1. re-reads the stored token and returns it if someone else renewed it meanwhile;
2. otherwise takes the connection's login lock (Redis, so across processes), re-reads
   once more, and logs in with the stored password: one login per connection at a time;
3. while another process holds the lock, waits (up to LOGIN_WAIT) and goes back to 1.

A login that failed for an ordinary reason (unreachable, 5xx) is remembered for
LOGIN_FAILURE_MEMO seconds: the requests that waited for it get its outcome instead of
trying again one after the other. When Redis does not answer, requests log in without the
lock (pages keep working, without coalescing).

Only POST /authenticate refusing the password marks a connection "login refused"; a 2FA
account without a valid token is "needs re-authentication" (no login is sent without a
code). Both writes, and the storing of a new token, are conditional on the token the
request used, so a request that started before an admin renewed the login cannot undo
that.
"""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables

from panel.core import crypto, locks
from terrahost_client import Client
from terrahost_client.errors import AuthError, ReauthenticationRequired, TerrahostError, Timeout
from terrahost_client.models import Token

from . import transport
from .errors import (
    LOGIN_REFUSED_MESSAGE,
    NEEDS_REAUTH_MESSAGE,
    UNDECRYPTABLE_MESSAGE,
    ConnectionProblem,
    RecentLoginFailure,
    describe,
)
from .models import Connection

logger = logging.getLogger(__name__)

# Log in again when the stored token has less than this left (the client's own margin is
# smaller, so the panel's single-flight login runs first).
TOKEN_MARGIN = timedelta(minutes=2)
# How long one login may hold the lock, and how long the others wait for it at most.
LOGIN_LOCK_TIMEOUT = 30
LOGIN_WAIT = LOGIN_LOCK_TIMEOUT + 5
# A login that failed (not refused: unreachable, 5xx) is not tried again for this long.
LOGIN_FAILURE_MEMO = 5

_TOKEN_FIELDS = [
    "username",
    "password_encrypted",
    "uses_2fa",
    "token_encrypted",
    "token_expires_at",
    "auth_state",
    "last_error",
    "last_error_at",
]


def client_options() -> dict:
    """What every Client the panel builds shares: timeouts, retries, the session."""
    return {
        "timeout": settings.TERRAHOST_TIMEOUT,
        "session": transport.get_session(),
        "max_retries": settings.PANEL_API_MAX_RETRIES,
        "retry_deadline": settings.PANEL_API_RETRY_DEADLINE,
        "backoff": settings.PANEL_API_BACKOFF,
    }


@sensitive_variables("password")
def login_client(
    conn: Connection, *, password: str | None = None, two_factor: bool | None = None
) -> Client:
    """A plain Client that can log in (POST /authenticate) with the connection's username
    and `password` (default: the stored one; raises crypto.DecryptionError if it cannot be
    read). No token provider: whoever calls this decides what happens with the token."""
    if password is None:
        password = conn.password
    return Client(
        username=conn.username,
        password=password,
        two_factor=conn.uses_2fa if two_factor is None else two_factor,
        base_url=conn.base_url,
        **client_options(),
    )


def token_is_fresh(conn: Connection) -> bool:
    if not conn.token_encrypted:
        return False
    if conn.token_expires_at is None:
        return True
    return timezone.now() < conn.token_expires_at - TOKEN_MARGIN


def login_lock(conn: Connection) -> locks.CacheLock:
    return locks.CacheLock(f"connection-login:{conn.pk}", timeout=LOGIN_LOCK_TIMEOUT)


def provide_token(conn: Connection, stale: str | None) -> tuple[str, datetime | None]:
    """The Client's token provider: a fresh token other than `stale`, logging in at most
    once per connection at a time across processes.

    Raises ConnectionProblem when only an administrator can help (code needed, password
    refused, credentials unreadable), a TerrahostError when the login failed otherwise.
    """
    lock = login_lock(conn)
    deadline = time.monotonic() + LOGIN_WAIT
    for delay in locks.delays():
        conn.refresh_from_db(fields=_TOKEN_FIELDS)
        found = _stored_token(conn, stale)
        if found:
            return found
        try:
            won = lock.acquire()
        except locks.UNAVAILABLE as error:
            # Like the mirror: pages keep working without coalescing while Redis is out.
            logger.warning(
                "connection %s: the cache does not answer (%r); logging in without the lock",
                conn.pk,
                error,
            )
            return _log_in(conn, stale)
        if won:
            try:
                # Whoever held the lock before us may have stored a token just now, or
                # failed a moment ago (then we do not try again at once).
                conn.refresh_from_db(fields=_TOKEN_FIELDS)
                found = _stored_token(conn, stale)
                if found:
                    return found
                _raise_recent_failure(conn)
                return _log_in(conn, stale)
            finally:
                lock.release()
        if time.monotonic() + delay > deadline:
            raise Timeout("Another login to this Terrahost account is taking too long.")
        time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover - delays() never ends


def _stored_token(conn: Connection, stale: str | None) -> tuple[str, datetime | None] | None:
    """The stored token if it is fresh and not `stale`; None if a login is needed."""
    if conn.auth_state == Connection.AuthState.NEEDS_REAUTH:
        raise ConnectionProblem(NEEDS_REAUTH_MESSAGE, code="needs_reauth")
    if conn.auth_state == Connection.AuthState.FAILED:
        # Logging in again and again with a refused password could lock the account.
        raise ConnectionProblem(LOGIN_REFUSED_MESSAGE, code="login_refused")
    if not token_is_fresh(conn):
        return None
    try:
        token = conn.token
    except crypto.DecryptionError:
        raise undecryptable(conn) from None
    if token == stale:
        return None
    return token, conn.token_expires_at


def _failure_key(conn: Connection) -> str:
    return f"connection-login-failed:{conn.pk}"


def _raise_recent_failure(conn: Connection) -> None:
    try:
        description = cache.get(_failure_key(conn))
    except locks.UNAVAILABLE:
        return
    if description:
        raise RecentLoginFailure(description)


def _remember_failure(conn: Connection, error: TerrahostError) -> None:
    with suppress(*locks.UNAVAILABLE):
        cache.set(_failure_key(conn), describe(error), timeout=LOGIN_FAILURE_MEMO)


def _log_in(conn: Connection, stale: str | None) -> tuple[str, datetime | None]:
    """POST /authenticate with the stored password (the caller holds the login lock)."""
    used = conn.token_encrypted
    try:
        client = login_client(conn)
    except crypto.DecryptionError:
        raise undecryptable(conn) from None
    try:
        token = client.authenticate()
    except ReauthenticationRequired:
        state, problem = Connection.AuthState.NEEDS_REAUTH, "needs_reauth"
        message = NEEDS_REAUTH_MESSAGE
    except AuthError:  # POST /authenticate itself refused the password
        state, problem = Connection.AuthState.FAILED, "login_refused"
        message = LOGIN_REFUSED_MESSAGE
    except TerrahostError as error:  # unreachable, timing out, 5xx: nothing to mark
        _remember_failure(conn, error)
        raise
    else:
        _save_token(conn, token, replacing=used)
        return token.token, token.expires_at
    if _mark(conn, state, message, used=used):
        raise ConnectionProblem(message, code=problem)
    # An administrator renewed the login while this one was on its way: use theirs.
    conn.refresh_from_db(fields=_TOKEN_FIELDS)
    found = _stored_token(conn, stale)
    if found:
        return found
    raise ConnectionProblem(message, code=problem)


def _save_token(conn: Connection, token: Token, *, replacing: str) -> bool:
    """Store a token from the provider's login, unless the stored one changed meanwhile
    (an administrator's renewal wins). Returns whether it was stored."""
    return conn.write(
        {
            "token_encrypted": crypto.encrypt(token.token),
            "token_expires_at": token.expires_at,
            "updated_at": timezone.now(),
        },
        where={"token_encrypted": replacing, "auth_state": Connection.AuthState.OK},
    )


def _mark(conn: Connection, state: str, message: str, *, used: str) -> bool:
    """Put the connection in `state`, unless its token is no longer `used` (someone logged
    in meanwhile, e.g. an admin with a fresh code). Returns whether it was written."""
    now = timezone.now()
    values = {"auth_state": state, "last_error": message, "last_error_at": now, "updated_at": now}
    if state == Connection.AuthState.NEEDS_REAUTH:
        # Terrahost asked for a code (or the account was known to want one): from now on
        # no login is sent without a code.
        values.update(token_encrypted="", uses_2fa=True)
    written = conn.write(values, where={"token_encrypted": used})
    if written:
        with translation.override("en"):  # the log in English, whoever's request this is
            logger.warning("connection %s: %s", conn.pk, str(message))
    return written


def undecryptable(conn: Connection) -> ConnectionProblem:
    """Record on the connection that its secrets cannot be read (a lost or rotated-away
    key); the problem to raise. No call reaches Terrahost."""
    now = timezone.now()
    conn.write({"last_error": UNDECRYPTABLE_MESSAGE, "last_error_at": now, "updated_at": now})
    logger.warning("connection %s: the stored credentials cannot be decrypted", conn.pk)
    return ConnectionProblem(UNDECRYPTABLE_MESSAGE, code="undecryptable")
