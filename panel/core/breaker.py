"""Fail fast while Redis does not answer: a circuit breaker for the cache's Redis.

A stopped or stuck Redis accepts connections (the kernel does) but never replies, so
every command waits its whole socket timeout. Without this, a page making ten cache calls
waited ten times. With it, the first command that times out (or cannot connect) opens the
breaker, and for the next `pause` seconds every command on that connection pool fails at
once with redis' ConnectionError, which callers already treat as "Redis is down" (softcache
reads a miss, locks and actions refuse or go on without the lock). After the pause the
next command tries Redis again: one more timeout if it is still stuck, else back to normal.

The cache's connections come from `ConnectionPool` (settings CACHES OPTIONS "pool_class"),
whose connections share one `Breaker` as their retry policy: redis-py runs every connect,
command and pipeline through it, whatever the socket type. Django makes one pool per cache
per thread, so the cache and the locks (panel.core.locks uses the cache's client) of a
sync gunicorn worker share one breaker.
"""

from __future__ import annotations

import logging
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


class Breaker(Retry):
    def __init__(self, pause: float):
        super().__init__(NoBackoff(), retries=0)  # a retry would only wait once more
        self.pause = pause
        # time.monotonic() until which commands fail without asking Redis; 0: closed.
        self.open_until = 0.0

    def __deepcopy__(self, memo):
        # redis-py gives each connection a deep copy of its retry policy: the connections
        # of one pool must share one state.
        return self

    def call_with_retry(self, do, fail, *args, **kwargs):
        left = self.open_until - time.monotonic()
        if left > 0:
            raise redis.ConnectionError(
                f"Redis did not answer a moment ago; not asking it again for {left:.1f} s"
            )
        try:
            return super().call_with_retry(do, fail, *args, **kwargs)
        except self._supported_errors as error:  # cannot connect, or a timeout
            if self.open_until <= time.monotonic():  # once per opening, not per call
                logger.warning(
                    "Redis does not answer (%r): going on without it for %g s", error, self.pause
                )
            self.open_until = time.monotonic() + self.pause
            raise


class ConnectionPool(redis.ConnectionPool):
    """redis-py's pool whose connections share one Breaker (`breaker_pause`: seconds)."""

    def __init__(self, *, breaker_pause: float, **kwargs):
        super().__init__(retry=Breaker(breaker_pause), **kwargs)
