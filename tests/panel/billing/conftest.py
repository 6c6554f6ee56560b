from __future__ import annotations

import pytest

from panel.accounts.models import User
from panel.grants import services as grant_services
from tests.panel.conftest import PASSWORD


@pytest.fixture
def erin(db, alice, servers):
    """Reseller staff who may see the account's billing: billing.view on the whole
    connection (the one way to it)."""
    user = User.objects.create_user("erin", "erin@example.org", PASSWORD)
    grant_services.grant(alice, user, ["billing.view"], connection=servers[3].connection)
    return user


@pytest.fixture
def erin_client(client, erin):
    client.force_login(erin)
    return client
