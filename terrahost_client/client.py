"""The Terrahost API v3 client: one session, token reuse, retries decided per endpoint.

Resource managers (`client.servers`, `client.snapshots`, ...) live in `resources.py`;
this module owns the HTTP exchange, authentication and the retry policy.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import requests
from requests.adapters import DEFAULT_POOLSIZE, HTTPAdapter

from . import __version__
from ._convert import to_datetime
from ._envelope import fields
from ._secrets import redact
from .errors import (
    APIError,
    AuthError,
    ReauthenticationRequired,
    Timeout,
    TransportError,
    UnexpectedResponse,
    error_for_status,
)
from .models import Token
from .resources import (
    AccountClient,
    GraphsClient,
    IPsClient,
    IsosClient,
    ReinstallClient,
    ReverseDNSClient,
    ServersClient,
    SnapshotsClient,
    UpgradesClient,
)

logger = logging.getLogger("terrahost_client")

DEFAULT_BASE_URL = "https://api.terrahost.no/api/v3"
# Reuse a token until this long before it expires (at most half its lifetime), so a call
# never races the expiry.
TOKEN_MARGIN = timedelta(seconds=60)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# At most this many calls of one listing at once: a listing of thousands of servers ends in
# a few round trips, and Terrahost is not asked to answer dozens of pages at the same time.
DEFAULT_CONCURRENCY = 6
_TWO_FACTOR_WORDS = ("code", "2fa", "two-factor", "two factor", "totp")

TokenHook = Callable[[str, datetime | None], None]
# Given the token that failed (or None), returns a valid (token, expires_at).
TokenProvider = Callable[[str | None], tuple[str, datetime | None]]


class Client:
    """A Terrahost API v3 client. One instance may serve many threads: logins are single
    flight, and the token is shared.

    A listing (`get_many`) sends up to `concurrency` calls at once through the one session,
    from worker threads. requests.Session is not documented as thread-safe, but what those
    calls share is: the connection pool (an HTTPAdapter pool of `concurrency` connections or
    more, when the client makes its session) and the cookie jar (locked). Logins never run
    in a worker thread.
    """

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        code: str | None = None,
        two_factor: bool = False,
        token: str | None = None,
        token_expire: datetime | int | str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        on_token: TokenHook | None = None,
        token_provider: TokenProvider | None = None,
        session: requests.Session | None = None,
        max_retries: int = 4,
        retry_deadline: float = 30.0,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        user_agent: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_deadline = retry_deadline
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.on_token = on_token
        self.token_provider = token_provider
        self.concurrency = concurrency
        self.session = session or _pooled_session(concurrency)
        self.user_agent = user_agent or f"terrahost-client/{__version__} python-requests"
        self._username = username
        self._password = password
        self._code = code
        self.two_factor = two_factor or bool(code)
        self._token = token
        self._expires_at = _as_datetime(token_expire)
        self._margin = TOKEN_MARGIN
        self._login_lock = threading.Lock()

        self.servers = ServersClient(self)
        self.snapshots = SnapshotsClient(self)
        self.graphs = GraphsClient(self)
        self.reinstall = ReinstallClient(self)
        self.reverse_dns = ReverseDNSClient(self)
        self.isos = IsosClient(self)
        self.upgrades = UpgradesClient(self)
        self.ips = IPsClient(self)
        self.account = AccountClient(self)

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, username={self._username!r})"

    # -- authentication ------------------------------------------------------------

    @property
    def token(self) -> Token | None:
        if not self._token:
            return None
        return Token(token=self._token, expires_at=self._expires_at)

    def authenticate(self, code: str | None = None) -> Token:
        """Log in now (with a fresh 2FA code if given) and return the new token."""
        with self._login_lock:
            if code:
                self._code = code
                self.two_factor = True
            return self._login()

    def _token_is_fresh(self) -> bool:
        if not self._token:
            return False
        if self._expires_at is None:  # "0": no known expiry; a 401 will tell us
            return True
        return datetime.now(UTC) < self._expires_at - self._margin

    def _valid_token(self, stale: str | None = None) -> str:
        """A token to use; logs in (once, for every thread waiting) when there is none.

        With a `token_provider`, the owner gets the token instead (e.g. under a lock shared
        by several processes that use the same account), and this client never logs in.
        """
        if self._token_is_fresh() and self._token != stale:
            return self._token
        with self._login_lock:
            # Another thread may have logged in while this one waited for the lock.
            if self._token_is_fresh() and self._token != stale:
                return self._token
            if self.token_provider is None:
                return self._login().token
            self._token, self._expires_at = self.token_provider(stale or self._token)
            self._margin = _margin(self._expires_at)
            return self._token

    def _login(self) -> Token:
        code, self._code = self._code, None  # a TOTP code is good for one login only
        if self.two_factor and not code:
            self._token = None
            raise ReauthenticationRequired(
                401, "The Terrahost token expired and this account needs a fresh 2FA code."
            )
        if not (self._username and self._password):
            raise AuthError(401, "No stored token is valid and no username/password was given.")
        body = {"username": self._username, "password": self._password}
        if code:
            body["code"] = code
        try:
            # A refused login changes nothing, so it may be repeated, but never with a code:
            # a TOTP code that reached Terrahost may already count as used.
            data = self._send("POST", "/authenticate", body=body, token=None, retry=not code)
        except AuthError as error:
            if not code and any(w in error.message.lower() for w in _TWO_FACTOR_WORDS):
                # From now on only a person with a fresh code can log in: never loop.
                self.two_factor, self._token = True, None
                raise ReauthenticationRequired(error.status, error.message, error.body) from None
            raise
        token = Token.from_api(fields(data))
        if not token.token:
            raise UnexpectedResponse("Terrahost accepted the login but sent no token.")
        self._token, self._expires_at = token.token, token.expires_at
        self._margin = _margin(token.expires_at)
        if self.on_token:
            self.on_token(token.token, token.expires_at)
        return token

    # -- requests --------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        params: dict | None = None,
        retry: bool,
    ) -> dict:
        """An authenticated call; on a 401 it logs in once more and repeats the call once.

        `retry` says whether this endpoint may be repeated after it may have reached
        Terrahost: true only for reads and idempotent PUTs.
        """
        token = self._valid_token()
        try:
            return self._send(method, path, body=body, params=params, token=token, retry=retry)
        except AuthError:
            # A 401 means the call was refused, so repeating it once is safe even for writes.
            token = self._valid_token(stale=token)
            return self._send(method, path, body=body, params=params, token=token, retry=retry)

    def get_many(self, path: str, queries: list[dict]) -> Iterator[dict]:
        """GET `path` once per query, up to `concurrency` calls at once; yields the answers
        in the order of `queries`. Reads only: each call is retried like any read.

        An error ends the iteration, and closing it early (or an error in the caller's loop)
        cancels the calls not sent yet. Only the calls run in worker threads: a 401 renews
        the token here, in the caller's thread, once for all of them (a token provider may
        use what belongs to this thread, such as a database connection), and the refused
        calls and those not sent yet go again with the new token.
        """
        token = self._valid_token()
        renewed = False
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="terrahost")

        def send_all(remaining: list[dict]) -> list:
            return [
                pool.submit(self._send, "GET", path, params=query, token=token, retry=True)
                for query in remaining
            ]

        try:
            calls = send_all(queries)
            done = 0
            while done < len(queries):
                try:
                    answer = calls[done].result()
                except AuthError:
                    if renewed:
                        raise
                    token, renewed = self._valid_token(stale=token), True
                    for call in calls[done:]:
                        call.cancel()
                    calls[done:] = send_all(queries[done:])
                    continue
                yield answer
                done += 1
        finally:
            # Waits for the calls already sent, so none outlives the listing (its session
            # may be the caller thread's own, and its stats should be settled).
            pool.shutdown(cancel_futures=True)

    def _send(self, method, path, *, body=None, params=None, token, retry) -> dict:
        """One call, repeated on transient failures when `retry`, within `retry_deadline`.

        No attempt starts after the deadline, and every attempt's read timeout, the first
        one's too, is cut to the time that is left, so the whole call ends near the
        deadline: one held upstream call must not hold a page for the full read timeout.
        """
        deadline = time.monotonic() + self.retry_deadline
        timeout = _cut(self.timeout, self.retry_deadline)
        attempt = 0
        while True:
            try:
                return self._exchange(method, path, body, params, token, timeout)
            except (TransportError, APIError) as error:
                if not (retry and _retryable(error)):
                    raise
                delay = self._delay(attempt, error)
                remaining = deadline - time.monotonic() - delay
                if attempt >= self.max_retries or remaining <= 0:
                    raise
                logger.info("retrying %s %s in %.2fs after %s", method, path, delay, error)
                time.sleep(delay)
                timeout = _cut(self.timeout, remaining)
                attempt += 1

    def _delay(self, attempt: int, error: Exception) -> float:
        """Exponential backoff with equal jitter; at least what Retry-After asks."""
        ceiling = min(self.max_backoff, self.backoff * 2**attempt)
        delay = random.uniform(ceiling / 2, ceiling)
        retry_after = getattr(error, "retry_after", None)
        return max(delay, retry_after) if retry_after is not None else delay

    def _exchange(self, method, path, body, params, token, timeout) -> dict:
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=body,
                params=params,
                headers=headers,
                timeout=timeout,
            )
        # `from None` everywhere: the requests exception holds the request, and with it the
        # Authorization header and the login body.
        except requests.Timeout:
            _log(method, path, "timeout", started, body)
            raise Timeout(f"{method} {path}: no answer in time") from None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.SSLError,
        ) as error:
            _log(method, path, "configuration error", started, body)
            # Repeating cannot help: a wrong API URL or a certificate that does not verify.
            raise TransportError(
                f"{method} {path}: {type(error).__name__}", retryable=False
            ) from None
        except requests.RequestException as error:
            _log(method, path, "connection error", started, body)
            raise TransportError(f"{method} {path}: {type(error).__name__}") from None
        _log(method, path, response.status_code, started, body)
        return _parse(response)


def _pooled_session(concurrency: int) -> requests.Session:
    """A session whose connection pool keeps one connection per concurrent call."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_maxsize=max(DEFAULT_POOLSIZE, concurrency))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _parse(response: requests.Response) -> dict:
    status = response.status_code
    if status < 400 and not response.content.strip():
        return {}  # the docs show no body for most writes
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if status >= 400:  # a gateway's HTML page: the status is all we have
            raise _error(status, _reason(response), None, response)
        raise UnexpectedResponse(
            f"Terrahost sent a body that is not a JSON object ({status}).", status
        )
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    meta_status = _int(meta.get("status"))
    if status < 400 and meta_status and meta_status >= 400:
        status = meta_status
    if status < 400 and data.get("success") is False:
        status = HTTPStatus.BAD_REQUEST
    if status >= 400:
        raise _error(status, _message(data, meta) or _reason(response), redact(data), response)
    return data


def _error(status, message, body, response) -> APIError:
    error = error_for_status(status, message, body)
    error.retry_after = _retry_after(response.headers.get("Retry-After"))  # 429 and 503
    return error


def _message(data: dict, meta: dict) -> str:
    for source in (meta, data):
        for key in ("message", "error", "status_message"):
            if isinstance(source.get(key), str) and source[key]:
                return source[key]
    return ""


def _reason(response: requests.Response) -> str:
    try:
        return response.reason or HTTPStatus(response.status_code).phrase
    except ValueError:
        return f"HTTP {response.status_code}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _retryable(error: Exception) -> bool:
    if isinstance(error, TransportError):
        return error.retryable
    return isinstance(error, APIError) and error.status in RETRY_STATUSES


def _cut(timeout, remaining: float):
    """The same timeout with its read part cut to `remaining` seconds (but not below 1)."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    return (connect, min(read, max(1.0, remaining)))


def _margin(expires_at: datetime | None) -> timedelta:
    """TOKEN_MARGIN, or half the token's lifetime when that is shorter."""
    if expires_at is None:
        return TOKEN_MARGIN
    return min(TOKEN_MARGIN, (expires_at - datetime.now(UTC)) / 2)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return to_datetime(value)


def _log(method, path, outcome, started, body) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    elapsed = (time.monotonic() - started) * 1000
    shown = f" {json.dumps(redact(body))}" if body else ""
    logger.debug("%s %s%s -> %s in %.1f ms", method, path, shown, outcome, elapsed)
