from __future__ import annotations

import pytest

from panel.accounts.models import User
from panel.grants import services as grant_services
from tests.panel.conftest import PASSWORD


@pytest.fixture
def erin(db, alice, servers):
    """A customer who may see one server and the account's billing."""
    user = User.objects.create_user("erin", "erin@example.org", PASSWORD)
    grant_services.grant(alice, user, ["server.view", "billing.view"], server=servers[3])
    return user


@pytest.fixture
def erin_client(client, erin):
    client.force_login(erin)
    return client
