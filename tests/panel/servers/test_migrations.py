"""0002 fills the IP sort key and the address list of servers mirrored before it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("servers", "0001_initial")]
AFTER = [("servers", "0002_ip_sort_and_search")]


@pytest.mark.django_db(transaction=True)
def test_0002_fills_the_new_columns_from_the_rows_already_mirrored():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Connection = old.get_model("connections", "Connection")
    MirroredServer = old.get_model("servers", "MirroredServer")
    conn = Connection.objects.create(
        name="Old", base_url="http://sandbox.test/api/v3", username="demo"
    )
    now = timezone.now()
    raw = {
        "srv_id": "7",
        "ips": [
            {"ip_address": "192.0.2.9", "ip_type": "primary"},
            {"ip_address": "198.51.100.20", "ip_type": "extra"},
            {"ip_address": "2001:db8::7", "ip_type": "primary"},
        ],
    }
    MirroredServer.objects.create(
        connection=conn, srv_id=7, primary_ip="192.0.2.9", raw=raw,
        first_seen_at=now, last_seen_at=now,
    )  # fmt: skip
    MirroredServer.objects.create(
        connection=conn, srv_id=8, primary_ip="", raw={}, first_seen_at=now, last_seen_at=now
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("servers", "MirroredServer")
        row = new.objects.get(srv_id=7)
        assert row.primary_ip_sort == "4 192.000.002.009"
        assert row.ips == "192.0.2.9 198.51.100.20 2001:db8::7"
        empty = new.objects.get(srv_id=8)
        assert (empty.primary_ip_sort, empty.ips) == ("", "")
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
