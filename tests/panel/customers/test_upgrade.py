"""An install from before customers upgrades without losing any access: its users and
teams become the reseller's staff, and grants, teams and invitations stay as they were."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0004_security_settings"),
    ("teams", "0002_invitations"),
    ("servers", "0005_sort_indexes"),
    ("grants", "0002_teams_and_expiry"),
]


@pytest.mark.django_db(transaction=True)
def test_grants_teams_and_invitations_survive_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Team = old.get_model("teams", "Team")
    Connection = old.get_model("connections", "Connection")
    server = old.get_model("servers", "MirroredServer").objects.create(
        connection=Connection.objects.create(
            name="Old", base_url="http://sandbox.test/api/v3", username="demo"
        ),
        srv_id=7,
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    anna = User.objects.create(username="anna")
    team = Team.objects.create(name="Ops")
    old.get_model("teams", "Membership").objects.create(team=team, user=anna, role="manager")
    Grant = old.get_model("grants", "Grant")
    Grant.objects.create(user=anna, server=server, keys=["server.view", "power.control"])
    Grant.objects.create(team=team, server=server, keys=["graphs.view"])
    old.get_model("teams", "Invitation").objects.create(
        team=team, email="new@example.org", token_hash="0" * 64, expires_at=timezone.now()
    )
    try:
        executor = MigrationExecutor(connection)
        leaves = executor.loader.graph.leaf_nodes()
        executor.migrate(leaves)
        new = executor.loader.project_state(leaves).apps
        anna = new.get_model("accounts", "User").objects.get(username="anna")
        assert anna.customer_id is None and anna.customer_role == "member"
        team = new.get_model("teams", "Team").objects.get(name="Ops")
        assert team.customer_id is None
        assert team.memberships.get().role == "manager"
        grants = new.get_model("grants", "Grant").objects.order_by("pk")
        assert [g.keys for g in grants] == [["server.view", "power.control"], ["graphs.view"]]
        assert new.get_model("servers", "MirroredServer").objects.get().customer_id is None
        assert team.invitations.get().email == "new@example.org"
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
