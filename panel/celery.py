"""The Celery app: `celery -A panel worker` and `celery -A panel beat`.

Broker and result backend are REDIS_URL (settings CELERY_*). Tasks take ids, never secrets.
"""

import os

from celery import Celery

from panel.core.workers import HEARTBEAT_EVERY, mirror_refresh_interval

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")

app = Celery("panel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict:
    return {
        "refresh-stale-mirrors": {
            "task": "panel.servers.tasks.refresh_stale_mirrors",
            "schedule": mirror_refresh_interval(),
        },
        # Removes servers that stayed absent from successful GET /servers listings for
        # PANEL_MIRROR_PURGE_AFTER seconds (see panel.servers.mirror.purge_missing).
        "purge-missing-servers": {
            "task": "panel.servers.tasks.purge_missing_servers",
            "schedule": 3600.0,
        },
        # Operations whose worker died are followed again (panel.operations.tasks).
        "sweep-operations": {
            "task": "panel.operations.tasks.sweep_operations",
            "schedule": 30.0,
        },
        # Scheduled snapshots: due ones start, and each schedule prunes its own oldest
        # (panel.snapshots.tasks). Schedules run on the hour, so a minute is plenty.
        "snapshot-schedules": {
            "task": "panel.snapshots.tasks.run_snapshot_schedules",
            "schedule": 60.0,
        },
        # Tells the web that workers take jobs (panel.core.workers.workers_alive).
        "workers-heartbeat": {
            "task": "panel.operations.tasks.heartbeat",
            "schedule": HEARTBEAT_EVERY,
        },
        "wipe-root-passwords": {
            "task": "panel.operations.tasks.wipe_root_passwords",
            "schedule": 600.0,
        },
        # One-time sign-in links a day past their minute (panel.accounts.tasks).
        "prune-sign-in-links": {
            "task": "panel.accounts.tasks.prune_sign_in_links",
            "schedule": 6 * 3600.0,
        },
        # Webhook deliveries whose task was lost are queued again (panel.webhooks.tasks).
        "sweep-webhook-deliveries": {
            "task": "panel.webhooks.tasks.sweep_deliveries",
            "schedule": 60.0,
        },
        "prune-webhook-deliveries": {
            "task": "panel.webhooks.tasks.prune_deliveries",
            "schedule": 6 * 3600.0,
        },
        # Audit entries older than PANEL_AUDIT_RETENTION_DAYS (panel.audit.tasks).
        "prune-audit-log": {
            "task": "panel.audit.tasks.prune_audit_log",
            "schedule": 6 * 3600.0,
        },
    }


@app.on_after_configure.connect
def _set_beat_schedule(sender, **kwargs):
    # Runs when Celery first reads its configuration, i.e. after Django's settings are
    # loaded (reading them while `panel` itself is being imported would be too early).
    sender.conf.beat_schedule = beat_schedule()
