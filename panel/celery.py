"""The Celery app: `celery -A panel worker` and `celery -A panel beat`.

Broker and result backend are REDIS_URL (settings CELERY_*). Tasks take ids, never secrets.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")

app = Celery("panel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Keeps mirrors warm so that pages rarely wait for GET /servers.
    "refresh-stale-mirrors": {
        "task": "panel.servers.tasks.refresh_stale_mirrors",
        "schedule": 60.0,
    },
    # Removes servers that GET /servers has not listed for PANEL_MIRROR_PURGE_AFTER seconds.
    "purge-missing-servers": {
        "task": "panel.servers.tasks.purge_missing_servers",
        "schedule": 3600.0,
    },
}
