"""Everything that talks to Terrahost for a connection goes through here.

- `api(conn)` is the one place that gives a `terrahost_client.Client` for a stored
  connection. The Client never logs in by itself: it gets its tokens from
  `tokens.provide_token`, the single-flight login (see panel.connections.tokens).
- `add_connection` logs in at once and says plainly what is wrong.
- `reauthenticate` takes a fresh 2FA code; `update_password` a new password.
- `rotate_secrets` re-encrypts the stored secrets with the first key.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from panel.core import crypto
from terrahost_client import Client
from terrahost_client.errors import (
    AuthError,
    ReauthenticationRequired,
    TerrahostError,
    TransportError,
)
from terrahost_client.models import Token

from . import tokens
from .errors import (
    DUPLICATE_NAME_MESSAGE,
    LOGIN_REFUSED_MESSAGE,
    NEEDS_REAUTH_MESSAGE,
    ConnectionProblem,
    describe,
)
from .models import Connection

logger = logging.getLogger(__name__)


def _connection_client(conn: Connection) -> Client:
    """The Client for ordinary calls: the stored token, and `tokens.provide_token` for a
    new one. It holds no password and never logs in by itself."""
    token = conn.token if tokens.token_is_fresh(conn) else None
    return Client(
        username=conn.username,
        two_factor=conn.uses_2fa,
        token=token,
        token_expire=conn.token_expires_at if token else None,
        token_provider=functools.partial(tokens.provide_token, conn),
        base_url=conn.base_url,
        **tokens.client_options(),
    )


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
        raise tokens.undecryptable(conn) from None
    yield client


# --- Adding and repairing connections -------------------------------------------------------


@dataclass
class NewConnection:
    name: str
    username: str
    password: str = field(repr=False)
    base_url: str
    code: str = field(default="", repr=False)
    # Terrahost already asked this account for a code (the add form's second step).
    two_factor: bool = False


def _login_problem(error: TerrahostError, *, with_code: bool, base_url: str) -> ConnectionProblem:
    if isinstance(error, ReauthenticationRequired):
        return ConnectionProblem(
            _(
                "This account uses two-factor authentication: enter the current 6-digit code "
                "from the authenticator app."
            ),
            code="code_needed",
            field="code",
        )
    if isinstance(error, AuthError):
        if with_code:
            # Translators: keep "Terrahost" a word of its own: whitelabel.scrub() replaces it.
            message = _("Terrahost refused the login: the username, password or code is wrong.")
        else:
            # Translators: keep "Terrahost" a word of its own: whitelabel.scrub() replaces it.
            message = _("Terrahost refused the login: the username or password is wrong.")
        return ConnectionProblem(message, code="bad_credentials")
    if isinstance(error, TransportError):
        return ConnectionProblem(
            # Translators: keep "Terrahost" a word of its own: whitelabel.scrub() replaces it.
            _(
                "Terrahost could not be reached at %(url)s. Check the API URL and that this "
                "machine can reach it, then try again."
            )
            % {"url": base_url},
            code="unreachable",
            field="base_url",
        )
    return ConnectionProblem(describe(error), code="upstream")


@sensitive_variables("code")
def _authenticate(client: Client, code: str, *, two_factor: bool) -> tuple[Token, bool]:
    """An administrator's login (adding, re-authenticating, a new password): the token,
    and whether the account uses two-factor authentication as Terrahost showed it.

    Terrahost takes a code from an account without 2FA and says nothing about it, so a
    typed code proves nothing (and a wrong "uses 2FA" would leave the connection needing
    a code at every token expiry). Unless the account is known to use 2FA (`two_factor`),
    the login goes without the code first and the code is sent only when Terrahost asks
    for one. The code is never sent twice: a TOTP code may count as used once it arrived.
    """
    if code and two_factor:
        return client.authenticate(code=code), True
    try:
        return client.authenticate(), False
    except ReauthenticationRequired:
        if not code:
            raise
    return client.authenticate(code=code), True


@sensitive_variables("new")
def add_connection(new: NewConnection, *, created_by=None) -> Connection:
    """Log in to Terrahost with the given credentials and, if that works, store them.

    Raises ConnectionProblem; code="code_needed" when the account wants a 2FA code.
    """
    conn = Connection(
        name=new.name, base_url=new.base_url, username=new.username, created_by=created_by
    )
    conn.password = new.password
    client = tokens.login_client(conn, password=new.password)
    try:
        token, conn.uses_2fa = _authenticate(client, new.code, two_factor=new.two_factor)
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


def _renewed(conn: Connection, token: Token, **values) -> None:
    """Store a token an administrator's login just got: it replaces whatever is stored."""
    conn.write(
        {
            "token_encrypted": crypto.encrypt(token.token),
            "token_expires_at": token.expires_at,
            "auth_state": Connection.AuthState.OK,
            "last_error": "",
            "last_error_at": None,
            "servers_checked_at": None,  # fetch the servers again on the next page view
            "updated_at": timezone.now(),
            **values,
        }
    )


@sensitive_variables("code")
def reauthenticate(conn: Connection, code: str) -> None:
    """Log in again with a fresh 2FA code; the connection is usable again afterwards."""
    try:
        client = tokens.login_client(conn)
    except crypto.DecryptionError:
        raise tokens.undecryptable(conn) from None
    try:
        token, uses_2fa = _authenticate(client, code, two_factor=conn.uses_2fa)
    except TerrahostError as error:
        raise _login_problem(error, with_code=True, base_url=conn.base_url) from None
    _renewed(conn, token, uses_2fa=uses_2fa)


@sensitive_variables("password", "code")
def update_password(conn: Connection, password: str, code: str = "") -> None:
    """Store a new Terrahost password after checking it with a login.

    The login asks Terrahost afresh whether the account wants a code, whatever the panel
    believed: a new password is also how an administrator repairs a wrong 2FA setting.
    """
    client = tokens.login_client(conn, password=password, two_factor=False)
    try:
        token, uses_2fa = _authenticate(client, code, two_factor=False)
    except TerrahostError as error:
        raise _login_problem(error, with_code=bool(code), base_url=conn.base_url) from None
    _renewed(conn, token, password_encrypted=crypto.encrypt(password), uses_2fa=uses_2fa)


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
