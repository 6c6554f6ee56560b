"""Checks for the status page: the database, Redis, the Celery workers.

Each check has its own short limit, so that a service that does not answer makes the
page say so at once instead of hanging it:
- Redis: one PING on a connection of its own, limited to REDIS_TIMEOUT and not retried
  (not through the cache, whose breaker answers "down" for a while without asking: the
  page tells when Redis is back at once).
- Workers: no live ping (it waited its whole timeout on every load, and never returned
  when the broker hung), but the heartbeat that a worker leaves in the cache when it runs
  the `heartbeat` task beat queues every 20 s (panel.operations.tasks; the key is in
  panel.core.workers). It is in Redis, so it is not read while Redis does not answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection as db_connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from panel.core.locks import UNAVAILABLE
from panel.core.workers import HEARTBEAT_TTL, WORKERS_ALIVE_KEY

logger = logging.getLogger(__name__)


@dataclass
class Check:
    name: str
    ok: bool | None  # None: unknown (what tells is itself down)
    detail: str


def workers_check(ok: bool | None, detail: str) -> Check:
    return Check(_("Celery workers"), ok, detail)


def checks() -> list[Check]:
    redis_check = check_redis()
    if redis_check.ok:
        workers = check_workers()
    else:
        workers = workers_check(None, _("Their heartbeat is kept in Redis."))
    return [check_database(), redis_check, workers]


def check_database() -> Check:
    try:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check(
            _("Database"), True, _("%(vendor)s answers") % {"vendor": db_connection.vendor}
        )
    except Exception as error:
        logger.warning("database check failed: %r", error)
        return Check(_("Database"), False, _("The database does not answer."))


def redis_answers(url: str, timeout: float | None = None) -> bool:
    """True if the Redis at `url` answers a PING within `timeout` (default REDIS_TIMEOUT)."""
    timeout = settings.REDIS_TIMEOUT if timeout is None else timeout
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError as error:
        logger.warning("redis at %s does not answer: %r", url.rpartition("@")[2], error)
        return False


def check_redis() -> Check:
    if redis_answers(settings.REDIS_URL):
        return Check("Redis", True, pgettext("a service on the status page", "answers"))
    # 0.5 in English, 0,5 in Norwegian.
    timeout = f"{settings.REDIS_TIMEOUT:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    return Check(
        "Redis",
        False,
        _(
            "Redis does not answer within %(timeout)s s: pages read the database and the "
            "provider instead of the cache, and actions and new operations are refused "
            "until it is back."
        )
        % {"timeout": timeout},
    )


def check_workers() -> Check:
    try:
        last = cache.get(WORKERS_ALIVE_KEY)
    except UNAVAILABLE as error:
        logger.warning("could not read the workers' heartbeat: %r", error)
        return workers_check(None, _("Their heartbeat could not be read from Redis."))
    if last is None:
        return workers_check(
            False,
            _(
                "No worker has reported for over %(seconds)s s: background jobs wait and new "
                "operations are refused. Are the Celery worker and beat running?"
            )
            % {"seconds": HEARTBEAT_TTL},
        )
    seconds = max(0, int((timezone.now() - datetime.fromisoformat(last)).total_seconds()))
    return workers_check(True, _("A worker reported %(seconds)s s ago.") % {"seconds": seconds})
