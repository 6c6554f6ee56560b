from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import AuditEntry


@shared_task(name="panel.audit.tasks.prune_audit_log", ignore_result=True)
def prune_audit_log() -> int:
    """Remove entries older than PANEL_AUDIT_RETENTION_DAYS; returns how many."""
    before = timezone.now() - timedelta(days=settings.PANEL_AUDIT_RETENTION_DAYS)
    return AuditEntry.objects.prune(before)
