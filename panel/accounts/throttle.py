"""Login throttling, counted in the cache (Redis, so shared by every web process).

Each attempt is counted BEFORE its password is checked, with an atomic increment, so N
requests sent at the same moment cannot all slip past the check: at most
PANEL_LOGIN_MAX_FAILURES of them reach the password hasher. A successful login takes its
own attempt back (and clears its address's count), so only failures add up.

Two limits within PANEL_LOGIN_WINDOW seconds:
- per username and client address (PANEL_LOGIN_MAX_FAILURES, default 5);
- per username from all addresses together (PANEL_LOGIN_MAX_FAILURES_PER_USERNAME,
  default 20), so an attacker who rotates addresses still gets few guesses. The price:
  such an attacker can keep that user out for the window; the user's admin sees it.

When Redis does not answer, the throttle FAILS OPEN (logs a warning, lets the password
check run): an attacker cannot cause the outage, the password hasher still slows every
guess, and the administrators must be able to log in to see on the status page that
Redis is down. Failing closed would lock everyone out of the panel for the outage.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _counters(username: str, address: str) -> list[_Counter]:
    name = username.strip().lower()
    return [
        _Counter(f"login-attempts:{_digest(name, address)}", settings.PANEL_LOGIN_MAX_FAILURES),
        _Counter(
            f"login-attempts-user:{_digest(name)}", settings.PANEL_LOGIN_MAX_FAILURES_PER_USERNAME
        ),
    ]


def _count(key: str) -> int:
    """One more attempt on `key`, atomically; returns the new count."""
    window = settings.PANEL_LOGIN_WINDOW
    # add() starts the window; incr() never extends it.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a proxy (PANEL_BEHIND_PROXY) the last
    hop of X-Forwarded-For, the one our proxy added. Earlier hops come from the client and
    could be anything."""
    if request is None:
        return ""
    if settings.PANEL_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def attempt(username: str, address: str) -> bool:
    """Count one login attempt; False if it is over a limit (do not check the password)."""
    try:
        # In order: an attempt refused for its address does not count against the
        # username, so one address alone cannot use up everyone's allowance.
        for counter in _counters(username, address):
            if _count(counter.key) > counter.limit:
                return False
    except RedisError as error:
        logger.warning("login throttling is off: the cache does not answer (%r)", error)
    return True


def succeeded(username: str, address: str) -> None:
    """A correct password: forget this address's attempts, take back this one attempt
    from the username's count."""
    per_address, per_username = _counters(username, address)
    try:
        cache.delete(per_address.key)
        cache.decr(per_username.key)
    except ValueError:  # the window ended meanwhile
        pass
    except RedisError as error:
        logger.warning("login throttling could not record a success: %r", error)
