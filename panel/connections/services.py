"""Everything that talks to Terrahost for a connection goes through here.

- `add_connection` logs in at once and says plainly what is wrong.
- `api(conn)` is the one place that gives a `terrahost_client.Client` for a stored
  connection. The Client gets its token from `_provide_token` and never logs in by itself:
  whether the token ran out by the clock or a call got a 401, the provider takes the
  connection's login lock (Redis, so across processes), re-reads the stored token, and
  logs in only when nobody else has done it meanwhile. Terrahost may keep one session per
  user, so two processes logging in together would cancel each other's token.
- Only POST /authenticate refusing the password marks a connection "login refused"; a
  2FA account without a valid token is "needs re-authentication". Both writes are
  conditional on the token the request used, so a request that started before an admin
  renewed the login cannot undo that.
- `reauthenticate` takes a fresh 2FA code; `update_password` a new password.
"""

from __future__ import annotations

import functools
import logging
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from panel.core import crypto, locks
from terrahost_client import Client
from terrahost_client.errors import (
    AuthError,
    ReauthenticationRequired,
    TerrahostError,
    Timeout,
    TransportError,
)
from terrahost_client.models import Token

from . import transport
from .errors import (
    DUPLICATE_NAME_MESSAGE,
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

# --- Clients --------------------------------------------------------------------------------


def _client_options() -> dict:
    return {
        "timeout": settings.TERRAHOST_TIMEOUT,
        "session": transport.get_session(),
        "max_retries": settings.PANEL_API_MAX_RETRIES,
        "retry_deadline": settings.PANEL_API_RETRY_DEADLINE,
        "backoff": settings.PANEL_API_BACKOFF,
    }


@sensitive_variables("password")
def _login_client(
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
        **_client_options(),
    )


def _connection_client(conn: Connection) -> Client:
    """The Client for ordinary calls: the stored token, and `_provide_token` for a new one.
    It holds no password and never logs in by itself."""
    token = conn.token if _token_is_fresh(conn) else None
    return Client(
        username=conn.username,
        two_factor=conn.uses_2fa,
        token=token,
        token_expire=conn.token_expires_at if token else None,
        token_provider=functools.partial(_provide_token, conn),
        base_url=conn.base_url,
        **_client_options(),
    )


# --- The stored token -----------------------------------------------------------------------

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


def _token_is_fresh(conn: Connection) -> bool:
    if not conn.token_encrypted:
        return False
    if conn.token_expires_at is None:
        return True
    return timezone.now() < conn.token_expires_at - TOKEN_MARGIN


def login_lock(conn: Connection) -> locks.CacheLock:
    return locks.CacheLock(f"connection-login:{conn.pk}", timeout=LOGIN_LOCK_TIMEOUT)


def _provide_token(conn: Connection, stale: str | None) -> tuple[str, datetime | None]:
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
    if not _token_is_fresh(conn):
        return None
    try:
        token = conn.token
    except crypto.DecryptionError:
        raise _undecryptable(conn) from None
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
        client = _login_client(conn)
    except crypto.DecryptionError:
        raise _undecryptable(conn) from None
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
    ciphertext = crypto.encrypt(token.token)
    saved = Connection.objects.filter(
        pk=conn.pk, token_encrypted=replacing, auth_state=Connection.AuthState.OK
    ).update(
        token_encrypted=ciphertext, token_expires_at=token.expires_at, updated_at=timezone.now()
    )
    if saved:
        conn.token_encrypted, conn.token_expires_at = ciphertext, token.expires_at
    return bool(saved)


def _mark(conn: Connection, state: str, message: str, *, used: str) -> bool:
    """Put the connection in `state`, unless its token is no longer `used` (someone logged
    in meanwhile, e.g. an admin with a fresh code). Returns whether it was written."""
    now = timezone.now()
    fields = {"auth_state": state, "last_error": message, "last_error_at": now, "updated_at": now}
    if state == Connection.AuthState.NEEDS_REAUTH:
        fields["token_encrypted"] = ""
    written = Connection.objects.filter(pk=conn.pk, token_encrypted=used).update(**fields)
    if written:
        for name, value in fields.items():
            setattr(conn, name, value)
        logger.warning("connection %s: %s", conn.pk, message)
    return bool(written)


def _undecryptable(conn: Connection) -> ConnectionProblem:
    """Record on the connection that its secrets cannot be read (a lost or rotated-away
    key); the problem to raise. No call reaches Terrahost."""
    now = timezone.now()
    Connection.objects.filter(pk=conn.pk).update(
        last_error=UNDECRYPTABLE_MESSAGE, last_error_at=now, updated_at=now
    )
    conn.last_error, conn.last_error_at = UNDECRYPTABLE_MESSAGE, now
    logger.warning("connection %s: the stored credentials cannot be decrypted", conn.pk)
    return ConnectionProblem(UNDECRYPTABLE_MESSAGE, code="undecryptable")


@contextmanager
def api(conn: Connection):
    """A ready Client for `conn`.

    Raises ConnectionProblem when only an administrator can help (code="needs_reauth",
    "login_refused" or "undecryptable"), also from calls made inside the block, and lets
    every other TerrahostError through for the caller to present (see describe()).
    """
    if conn.needs_reauth:
        raise ConnectionProblem(NEEDS_REAUTH_MESSAGE, code="needs_reauth")
    if conn.auth_state == Connection.AuthState.FAILED:
        raise ConnectionProblem(LOGIN_REFUSED_MESSAGE, code="login_refused")
    try:
        client = _connection_client(conn)
    except crypto.DecryptionError:
        raise _undecryptable(conn) from None
    yield client


# --- Adding and repairing connections -------------------------------------------------------


@dataclass
class NewConnection:
    name: str
    username: str
    password: str = field(repr=False)
    base_url: str
    code: str = field(default="", repr=False)


def _login_problem(error: TerrahostError, *, with_code: bool, base_url: str) -> ConnectionProblem:
    if isinstance(error, ReauthenticationRequired):
        return ConnectionProblem(
            "This account uses two-factor authentication: enter the current 6-digit code "
            "from the authenticator app.",
            code="code_needed",
            field="code",
        )
    if isinstance(error, AuthError):
        if with_code:
            message = "Terrahost refused the login: the username, password or code is wrong."
        else:
            message = "Terrahost refused the login: the username or password is wrong."
        return ConnectionProblem(message, code="bad_credentials")
    if isinstance(error, TransportError):
        return ConnectionProblem(
            f"Terrahost could not be reached at {base_url}. Check the API URL and that this "
            "machine can reach it, then try again.",
            code="unreachable",
            field="base_url",
        )
    return ConnectionProblem(describe(error), code="upstream")


@sensitive_variables("new")
def add_connection(new: NewConnection, *, created_by=None) -> Connection:
    """Log in to Terrahost with the given credentials and, if that works, store them.

    Raises ConnectionProblem; code="code_needed" when the account wants a 2FA code.
    """
    conn = Connection(
        name=new.name,
        base_url=new.base_url,
        username=new.username,
        uses_2fa=bool(new.code),
        created_by=created_by,
    )
    conn.password = new.password
    client = _login_client(conn, password=new.password)
    try:
        token = client.authenticate(code=new.code or None)
    except TerrahostError as error:
        raise _login_problem(error, with_code=bool(new.code), base_url=new.base_url) from None
    conn.token = token.token
    conn.token_expires_at = token.expires_at
    try:
        with transaction.atomic():
            conn.save()
    except IntegrityError:
        # Two submits of the same form, or a name that differs only in case.
        raise ConnectionProblem(
            DUPLICATE_NAME_MESSAGE, code="duplicate_name", field="name"
        ) from None
    logger.info("connection %s (%s) added", conn.pk, conn.name)
    return conn


def _renewed(conn: Connection, token: Token, **fields) -> None:
    """Store a token an administrator's login just got: it replaces whatever is stored."""
    now = timezone.now()
    values = {
        "token_encrypted": crypto.encrypt(token.token),
        "token_expires_at": token.expires_at,
        "auth_state": Connection.AuthState.OK,
        "last_error": "",
        "last_error_at": None,
        "servers_checked_at": None,  # fetch the servers again on the next page view
        "updated_at": now,
        **fields,
    }
    Connection.objects.filter(pk=conn.pk).update(**values)
    for name, value in values.items():
        setattr(conn, name, value)


@sensitive_variables("code")
def reauthenticate(conn: Connection, code: str) -> None:
    """Log in again with a fresh 2FA code; the connection is usable again afterwards."""
    try:
        client = _login_client(conn, two_factor=True)
    except crypto.DecryptionError:
        raise _undecryptable(conn) from None
    try:
        token = client.authenticate(code=code)
    except TerrahostError as error:
        raise _login_problem(error, with_code=True, base_url=conn.base_url) from None
    _renewed(conn, token, uses_2fa=True)


@sensitive_variables("password", "code")
def update_password(conn: Connection, password: str, code: str = "") -> None:
    """Store a new Terrahost password after checking it with a login."""
    client = _login_client(conn, password=password, two_factor=bool(code))
    try:
        token = client.authenticate(code=code or None)
    except TerrahostError as error:
        raise _login_problem(error, with_code=bool(code), base_url=conn.base_url) from None
    _renewed(
        conn,
        token,
        password_encrypted=crypto.encrypt(password),
        uses_2fa=conn.uses_2fa or bool(code),
    )


# --- Key rotation ---------------------------------------------------------------------------


@dataclass
class RotationResult:
    rotated: int = 0
    undecryptable: list[str] = field(default_factory=list)  # connection names


def rotate_secrets() -> RotationResult:
    """Re-encrypt every stored secret with the first key.

    One row at a time in a transaction with the row locked, and the write conditional on
    the ciphertexts read: a token a login stored meanwhile is never overwritten by the old
    one (a changed row is read and rotated again).
    """
    result = RotationResult()
    for pk in Connection.objects.order_by("pk").values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                row = (
                    Connection.objects.select_for_update()
                    .filter(pk=pk)
                    .values("name", "password_encrypted", "token_encrypted")
                    .first()
                )
                if row is None:  # removed meanwhile
                    break
                try:
                    password = crypto.rotate(row["password_encrypted"])
                    token = crypto.rotate(row["token_encrypted"])
                except crypto.DecryptionError:
                    result.undecryptable.append(row["name"])
                    break
                written = Connection.objects.filter(
                    pk=pk,
                    password_encrypted=row["password_encrypted"],
                    token_encrypted=row["token_encrypted"],
                ).update(password_encrypted=password, token_encrypted=token)
            if written:
                result.rotated += 1
                break
    return result
