"""Periodic work on the mirror. Tasks take ids, never secrets."""

from celery import shared_task

from panel.connections.models import Connection

from . import mirror


@shared_task(name="panel.servers.tasks.refresh_stale_mirrors", ignore_result=True)
def refresh_stale_mirrors() -> int:
    """Refresh every connection whose mirror is older than the TTL; returns how many ran."""
    count = 0
    for conn in Connection.objects.filter(auth_state=Connection.AuthState.OK):
        if mirror.refresh_connection(conn).action == "refreshed":
            count += 1
    return count


@shared_task(name="panel.servers.tasks.refresh_connection", ignore_result=True)
def refresh_connection(connection_id: int, force: bool = False) -> str:
    conn = Connection.objects.filter(pk=connection_id).first()
    if conn is None:
        return "gone"
    return mirror.refresh_connection(conn, force=force).action


@shared_task(name="panel.servers.tasks.purge_missing_servers", ignore_result=True)
def purge_missing_servers() -> int:
    """Remove servers that GET /servers has not listed for PANEL_MIRROR_PURGE_AFTER."""
    return mirror.purge_missing()
