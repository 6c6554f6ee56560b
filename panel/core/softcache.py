"""The cache as an optimisation, for every app: when Redis does not answer, a read is a
miss and a write or delete is skipped (with a warning), so the caller asks Terrahost or
the database instead of failing the page. "Does not answer" takes one short socket timeout
(settings.REDIS_TIMEOUT), then nothing for a few seconds (panel.core.breaker).

    from panel.core import softcache
    value = softcache.get(key)          # None on a miss or an outage
    softcache.set(key, value, timeout)
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from .locks import UNAVAILABLE

logger = logging.getLogger(__name__)


def get(key: str):
    try:
        return cache.get(key)
    except UNAVAILABLE as error:
        logger.warning("The cache does not answer (%r): reading %s as a miss.", error, key)
        return None


def set(key: str, value, timeout: float | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except UNAVAILABLE as error:
        logger.warning("The cache does not answer (%r): %s not cached.", error, key)


def set_many(values: dict, timeout: float | None) -> None:
    try:
        cache.set_many(values, timeout=timeout)
    except UNAVAILABLE as error:
        logger.warning("The cache does not answer (%r): %s not cached.", error, ", ".join(values))


def delete(key: str) -> None:
    try:
        cache.delete(key)
    except UNAVAILABLE as error:
        logger.warning("The cache does not answer (%r): %s not dropped.", error, key)
