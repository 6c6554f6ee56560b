from __future__ import annotations

import pytest

from panel.accounts.models import User
from panel.grants import services as grant_services
from tests.panel.conftest import PASSWORD


@pytest.fixture
def dave(db, alice, servers):
    """A customer who may see the first server but not its graphs."""
    user = User.objects.create_user("dave", "dave@example.org", PASSWORD)
    grant_services.grant(alice, user, ["server.view"], server=servers[0])
    return user
