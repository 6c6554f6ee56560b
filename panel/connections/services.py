"""Everything that talks to Terrahost for a connection goes through here.

- `add_connection` logs in at once and says plainly what is wrong.
- `client_for` is the one place that builds a `terrahost_client.Client` for a connection:
  it reuses the stored token, logs in once per account at a time across processes (a lock
  in the cache), persists every new token encrypted, and marks a 2FA connection "needs
  re-authentication" when its token has expired.
- `reauthenticate` takes a fresh 2FA code.
"""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from panel.core import crypto
from terrahost_client import Client
from terrahost_client.errors import (
    APIError,
    AuthError,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    ReauthenticationRequired,
    ServerError,
    TerrahostError,
    Timeout,
    TransportError,
    UnexpectedResponse,
)

from . import transport
from .models import Connection

logger = logging.getLogger(__name__)

# Log in again when the stored token has less than this left (the client's own margin is
# smaller, so the panel's single-flight login runs first).
TOKEN_MARGIN = timedelta(minutes=2)
LOGIN_LOCK_TIMEOUT = 30


class ConnectionProblem(Exception):
    """Why a Terrahost account cannot be used right now, in plain words.

    `code`: bad_credentials, code_needed, unreachable, needs_reauth, login_refused, upstream.
    """

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def describe(error: TerrahostError) -> str:
    """A plain sentence for an admin about what went wrong upstream."""
    if isinstance(error, ReauthenticationRequired):
        return (
            "The Terrahost login expired and this account uses two-factor authentication: "
            "an administrator must enter a fresh code."
        )
    if isinstance(error, AuthError):
        return "Terrahost refused the stored username or password."
    if isinstance(error, Timeout):
        return "Terrahost did not answer in time."
    if isinstance(error, TransportError):
        return "Terrahost could not be reached."
    if isinstance(error, RateLimited):
        return "Terrahost asked the panel to slow down; it will try again shortly."
    if isinstance(error, ServerError | UnexpectedResponse):
        return "Terrahost had a problem answering; it will be tried again shortly."
    if isinstance(error, PermissionDenied):
        return "Terrahost does not allow this for the account."
    if isinstance(error, NotFound):
        return "Terrahost does not show this right now."
    if isinstance(error, NotSupported):
        return "Terrahost does not support this for this server."
    if isinstance(error, APIError):
        return f"Terrahost answered: {error.message}"[:400]
    return "Terrahost could not be used just now."


def _new_client(conn: Connection, **overrides) -> Client:
    kwargs = {
        "username": conn.username,
        "password": conn.password,
        "two_factor": conn.uses_2fa,
        "token": conn.token or None,
        "token_expire": conn.token_expires_at,
        "base_url": conn.base_url,
        "timeout": settings.TERRAHOST_TIMEOUT,
        "session": transport.get_session(),
        "max_retries": settings.PANEL_API_MAX_RETRIES,
        "retry_deadline": settings.PANEL_API_RETRY_DEADLINE,
        "backoff": settings.PANEL_API_BACKOFF,
    }
    if conn.pk:
        kwargs["on_token"] = lambda token, expires_at: _save_token(conn, token, expires_at)
    kwargs.update(overrides)
    return Client(**kwargs)


def _save_token(conn: Connection, token: str, expires_at: datetime | None) -> None:
    conn.token = token
    conn.token_expires_at = expires_at
    conn.auth_state = Connection.AuthState.OK
    Connection.objects.filter(pk=conn.pk).update(
        token_encrypted=conn.token_encrypted,
        token_expires_at=expires_at,
        auth_state=Connection.AuthState.OK,
        updated_at=timezone.now(),
    )


def _token_is_fresh(conn: Connection) -> bool:
    if not conn.token_encrypted:
        return False
    if conn.token_expires_at is None:
        return True
    return timezone.now() < conn.token_expires_at - TOKEN_MARGIN


def _mark(conn: Connection, state: str, message: str) -> None:
    now = timezone.now()
    conn.auth_state, conn.last_error, conn.last_error_at = state, message, now
    fields = {"auth_state": state, "last_error": message, "last_error_at": now, "updated_at": now}
    if state == Connection.AuthState.NEEDS_REAUTH:
        conn.token_encrypted = ""
        fields["token_encrypted"] = ""
    Connection.objects.filter(pk=conn.pk).update(**fields)


def _ensure_token(conn: Connection) -> None:
    """Log in if the stored token is missing or nearly expired, once per account at a time.

    Terrahost may keep one session per user, so two processes logging in together could
    cancel each other's token: the one holding the lock logs in, the others wait and then
    read the token it stored.
    """
    if _token_is_fresh(conn):
        return
    lock_key = f"connection-login:{conn.pk}"
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + LOGIN_LOCK_TIMEOUT
    while not cache.add(lock_key, owner, timeout=LOGIN_LOCK_TIMEOUT):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
        conn.refresh_from_db(fields=["token_encrypted", "token_expires_at", "auth_state"])
        if _token_is_fresh(conn):
            return
    try:
        conn.refresh_from_db(fields=["token_encrypted", "token_expires_at", "auth_state"])
        if conn.auth_state == Connection.AuthState.NEEDS_REAUTH:  # decided while we waited
            raise ReauthenticationRequired(401, "A fresh 2FA code is needed.")
        if conn.auth_state == Connection.AuthState.FAILED:
            raise AuthError(401, "Terrahost refused the stored password.")
        if not _token_is_fresh(conn):
            _new_client(conn, token=None, token_expire=None).authenticate()
    finally:
        if cache.get(lock_key) == owner:
            cache.delete(lock_key)


@contextmanager
def api(conn: Connection):
    """A ready Client for `conn`; auth failures update the connection's state.

    Raises ConnectionProblem(code="needs_reauth") for a 2FA account without a valid token,
    and lets every other TerrahostError through for the caller to present (see describe()).
    """
    if conn.needs_reauth:
        raise ConnectionProblem(describe(ReauthenticationRequired(401, "")), code="needs_reauth")
    if conn.auth_state == Connection.AuthState.FAILED:
        # Logging in again and again with a refused password could lock the account.
        raise ConnectionProblem(
            "Terrahost refused the stored password; an administrator must enter the new one.",
            code="login_refused",
        )
    try:
        _ensure_token(conn)
        yield _new_client(conn)
    except ReauthenticationRequired as error:
        _mark(conn, Connection.AuthState.NEEDS_REAUTH, describe(error))
        raise ConnectionProblem(describe(error), code="needs_reauth") from None
    except AuthError as error:
        _mark(conn, Connection.AuthState.FAILED, describe(error))
        raise


@dataclass
class NewConnection:
    name: str
    username: str
    password: str
    base_url: str
    code: str = ""


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


def add_connection(new: NewConnection, *, created_by=None) -> Connection:
    """Log in to Terrahost with the given credentials and, if that works, store them."""
    conn = Connection(
        name=new.name,
        base_url=new.base_url,
        username=new.username,
        uses_2fa=bool(new.code),
        created_by=created_by,
    )
    conn.password = new.password
    client = _new_client(conn, token=None, token_expire=None)
    try:
        token = client.authenticate(code=new.code or None)
    except TerrahostError as error:
        raise _login_problem(error, with_code=bool(new.code), base_url=new.base_url) from None
    conn.token = token.token
    conn.token_expires_at = token.expires_at
    conn.save()
    logger.info("connection %s (%s) added", conn.pk, conn.name)
    return conn


def reauthenticate(conn: Connection, code: str) -> None:
    """Log in again with a fresh 2FA code; the connection is usable again afterwards."""
    client = _new_client(conn, token=None, token_expire=None, two_factor=True)
    try:
        client.authenticate(code=code)
    except TerrahostError as error:
        raise _login_problem(error, with_code=True, base_url=conn.base_url) from None
    conn.auth_state, conn.last_error, conn.last_error_at = Connection.AuthState.OK, "", None
    conn.servers_checked_at = None  # fetch the servers again on the next page view
    Connection.objects.filter(pk=conn.pk).update(
        auth_state=Connection.AuthState.OK,
        uses_2fa=True,
        last_error="",
        last_error_at=None,
        servers_checked_at=None,
        updated_at=timezone.now(),
    )


def update_password(conn: Connection, password: str, code: str = "") -> None:
    """Store a new Terrahost password after checking it with a login."""
    conn.password = password
    client = _new_client(conn, token=None, token_expire=None, two_factor=bool(code))
    try:
        client.authenticate(code=code or None)
    except TerrahostError as error:
        raise _login_problem(error, with_code=bool(code), base_url=conn.base_url) from None
    Connection.objects.filter(pk=conn.pk).update(
        password_encrypted=conn.password_encrypted,
        uses_2fa=conn.uses_2fa or bool(code),
        auth_state=Connection.AuthState.OK,
        last_error="",
        last_error_at=None,
        servers_checked_at=None,
        updated_at=timezone.now(),
    )


def rotate_secrets() -> int:
    """Re-encrypt every stored secret with the first key; returns how many rows changed."""
    count = 0
    for conn in Connection.objects.only("pk", "password_encrypted", "token_encrypted"):
        Connection.objects.filter(pk=conn.pk).update(
            password_encrypted=crypto.rotate(conn.password_encrypted),
            token_encrypted=crypto.rotate(conn.token_encrypted),
        )
        count += 1
    return count
