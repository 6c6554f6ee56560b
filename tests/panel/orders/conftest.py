"""Shared by the ISO and order tests: people with exactly the keys a test needs, and quick
checks for the tests that follow an operation with the real worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from panel.accounts.models import User
from panel.grants import services as grant_services
from panel.operations.kinds import KINDS

from ..conftest import PASSWORD


@pytest.fixture
def person(alice, servers):
    """person(*keys, server=servers[0]): a logged-out user holding exactly these keys."""
    count = iter(range(1000))

    def make(*keys, server=None):
        user = User.objects.create_user(f"dora{next(count)}", "dora@example.org", PASSWORD)
        grant_services.grant(alice, user, ["server.view", *keys], server=server or servers[0])
        return user

    return make


@pytest.fixture(autouse=True)
def fast_checks(monkeypatch):
    """Checks come quickly, so a test with a worker waits seconds, not minutes."""
    for name, kind in list(KINDS.items()):
        monkeypatch.setitem(KINDS, name, replace(kind, first_check=0.1, longest_pause=0.3))
