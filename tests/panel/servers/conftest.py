from __future__ import annotations

import pytest

from panel.servers import services


@pytest.fixture
def queued_refreshes(monkeypatch):
    """Background refreshes the list queues are recorded (connection ids) instead of sent
    to Redis; a test runs them itself (tasks.refresh_connection(pk)) as a worker would."""
    sent: list[int] = []
    monkeypatch.setattr(services, "_enqueue_refresh", sent.append)
    return sent
