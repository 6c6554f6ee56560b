"""One login per account at a time, across threads (and so processes: the lock is in Redis)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from panel.connections import services
from panel.connections.models import Connection
from tests.panel.conftest import calls


@pytest.mark.django_db(transaction=True)
def test_20_workers_with_an_expired_token_log_in_once(connection, sandbox):
    Connection.objects.filter(pk=connection.pk).update(
        token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sandbox.set_faults({"latency_ms": 200})
    srv_id = connection.servers.first().srv_id
    before = calls(sandbox, "POST /authenticate")
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def work():
        try:
            conn = Connection.objects.get(pk=connection.pk)  # each its own row, like a process
            barrier.wait()
            with services.api(conn) as client:
                client.servers.get(srv_id)
        except BaseException as error:
            errors.append(error)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert calls(sandbox, "POST /authenticate") - before == 1
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.token_expires_at > timezone.now()
