"""Per-token rate limits: PANEL_API_RATE for every request, PANEL_API_WRITE_RATE for those
that change something. A fixed window per token in Redis (one atomic INCR a request, shared
by every web process); over the limit, 429 with Retry-After: the seconds left in the window.
Without Redis the limits are not applied (reads still work; changes are refused by the
executor anyway)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from panel.core.locks import UNAVAILABLE

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600, "day": 86400}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/min" -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


class TokenRate(BaseThrottle):
    scope = "all"

    def rate(self) -> str:
        return settings.PANEL_API_RATE

    def applies(self, request) -> bool:
        return True

    def allow_request(self, request, view) -> bool:
        token = request.auth
        if token is None or not self.applies(request):
            return True
        limit, period = parse_rate(self.rate())
        now = time.time()
        window = int(now // period)
        self.left = max(1, int((window + 1) * period - now + 0.999))
        key = f"api-rate:{self.scope}:{token.identity}:{period}:{window}"
        try:
            cache.add(key, 0, timeout=period + 1)
            count = cache.incr(key)
        except (*UNAVAILABLE, ValueError) as error:
            logger.warning("API rate limit not applied: the cache does not answer (%r)", error)
            return True
        return count <= limit

    def wait(self) -> float:
        return self.left


class TokenWriteRate(TokenRate):
    scope = "write"

    def rate(self) -> str:
        return settings.PANEL_API_WRITE_RATE

    def applies(self, request) -> bool:
        return request.method not in SAFE_METHODS
