"""Checks for the status page: database, Redis, the Celery worker, each connection."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection as db_connection

logger = logging.getLogger(__name__)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("Database", True, f"{db_connection.vendor} answers")
    except Exception as error:
        logger.warning("database check failed: %r", error)
        return Check("Database", False, "The database does not answer.")


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError as error:
        logger.warning("redis at %s does not answer: %r", url.rpartition("@")[2], error)
        return False


def check_redis(timeout: float = 1.0) -> Check:
    if redis_answers(settings.REDIS_URL, timeout):
        return Check("Redis", True, "answers")
    return Check("Redis", False, "Redis does not answer: locks, caches and tasks stop.")


def check_celery(timeout: float = 1.0) -> Check:
    from panel.celery import app

    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as error:
        logger.warning("celery ping failed: %r", error)
        return Check("Celery worker", False, "The task broker cannot be reached.")
    if not replies:
        return Check(
            "Celery worker", False, f"No worker answered within {timeout:g} s: tasks will wait."
        )
    names = sorted(name for reply in replies for name in reply)
    return Check("Celery worker", True, f"{len(names)} answering: {', '.join(names)}")
