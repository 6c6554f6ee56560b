"""Waiting for states that take time: a snapshot completing, an install finishing, power."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import NotFound, RateLimited, ServerError, ServerGone, TransportError, WaitTimeout

T = TypeVar("T")


def wait_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float = 900.0,
    interval: float = 2.0,
    max_interval: float = 30.0,
    missing_grace: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Poll `fetch` with growing, jittered pauses until `done(value)` or the deadline.

    A 404 is tolerated for `missing_grace` seconds, because the API hides live servers
    for tens of seconds; only a longer absence raises ServerGone. Transient failures
    (network, 5xx, 429) are tolerated until the deadline.
    """
    deadline = clock() + timeout
    missing_since: float | None = None
    last_error: Exception | None = None
    pause = interval
    while True:
        try:
            value = fetch()
            missing_since = None
            if done(value):
                return value
        except (TransportError, ServerError, RateLimited) as error:
            last_error = error
        except NotFound as error:
            missing_since = missing_since if missing_since is not None else clock()
            if clock() - missing_since > missing_grace:
                raise ServerGone(
                    404, f"Missing for over {missing_grace:.0f} s: {error.message}"
                ) from error
        remaining = deadline - clock()
        if remaining <= 0:
            detail = f" (last error: {last_error})" if last_error else ""
            raise WaitTimeout(f"The state was not reached within {timeout:.0f} s{detail}.")
        sleep(min(remaining, pause * random.uniform(0.8, 1.2)))
        pause = min(max_interval, pause * 1.5)
