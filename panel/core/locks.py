"""The panel's one lock mechanism: redis-py's `Lock` in the cache's Redis.

Used wherever one process must do something while the others wait for its result (a
connection's login, a connection's GET /servers refresh). The lock:

- lives in the same Redis as the cache, under the cache's key prefix (so a test run's
  keys stay apart, and `manage.py` commands and workers see the web's locks);
- expires after `timeout` seconds, so a killed process never blocks the others for good;
- is released atomically and only by its owner (redis-py's Lua compare-and-delete), so a
  holder whose lock expired cannot delete the next holder's lock.

    lock = CacheLock(f"connection-login:{pk}", timeout=30)
    if lock.acquire():
        try:
            ...
        finally:
            lock.release()
    else:
        lock.wait_released(15)  # back off from 50 ms to 500 ms between looks

Waiting loops use `delays()`: 50 ms growing to 500 ms, so a crowd of waiters does not
poll Redis or the database every few milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from django.core.cache import cache
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

logger = logging.getLogger(__name__)

# What acquire(), locked() and wait_released() raise when Redis does not answer (after
# one short timeout, then at once: panel.core.breaker); each caller decides what to do
# without the lock (see panel.servers.mirror and panel.connections.tokens). release()
# never raises.
UNAVAILABLE = (RedisError, OSError)

FIRST_DELAY = 0.05
LONGEST_DELAY = 0.5


def delays(first: float = FIRST_DELAY, longest: float = LONGEST_DELAY) -> Iterator[float]:
    """Sleeps for a waiting loop: `first`, then 1.5 times longer each time, up to `longest`."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 1.5, longest)


def _redis():
    # The cache's own client (same URL, same connection pool); Django's RedisCache has no
    # public accessor for it.
    return cache._cache.get_client(write=True)


class CacheLock:
    """A named lock shared by every process that uses the same Redis (see module doc)."""

    def __init__(self, name: str, timeout: float):
        self.name = name
        self.key = cache.make_and_validate_key(name)
        self._lock = Lock(_redis(), self.key, timeout=timeout, blocking=False, thread_local=False)
        self.held = False

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        self.held = bool(self._lock.acquire(blocking=False))
        return self.held

    def release(self) -> None:
        """Free the lock if this holder still owns it (it may have expired meanwhile).
        Never raises: a lock that cannot be released expires after its timeout."""
        if not self.held:
            return
        self.held = False
        try:
            self._lock.release()
        except LockError:
            logger.warning("lock %s had expired before its holder released it", self.name)
        except UNAVAILABLE as error:
            logger.warning("lock %s could not be released (%r); it expires", self.name, error)

    def locked(self) -> bool:
        """True while anyone holds the lock."""
        return bool(self._lock.locked())

    def wait_released(self, wait: float) -> bool:
        """Wait up to `wait` seconds for the holder to release; True if it did."""
        deadline = time.monotonic() + wait
        for delay in delays():
            if not self.locked():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(delay, left))
        return False  # pragma: no cover - delays() never ends

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()
