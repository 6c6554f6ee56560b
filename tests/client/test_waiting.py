"""The wait helper: backoff, a deadline, and patience with servers the API hides for a while."""

import pytest

from terrahost_client.errors import NotFound, ServerGone, WaitTimeout
from terrahost_client.waiting import wait_until


class SimulatedTime:
    """A clock that moves only when the waiter sleeps, and moves the sandbox with it."""

    def __init__(self, sandbox=None):
        self.now = 0.0
        self.sandbox = sandbox

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        if self.sandbox is not None:
            self.sandbox.advance(seconds)


def test_it_tolerates_a_server_hidden_for_less_than_the_grace(client, sandbox):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"hide_server": {"srv_id": srv_id, "seconds": 60}})
    with pytest.raises(NotFound):
        client.servers.get(srv_id)
    time = SimulatedTime(sandbox)
    server = wait_until(
        lambda: client.servers.get(srv_id),
        lambda server: server.id == srv_id,
        missing_grace=120,
        sleep=time.sleep,
        clock=time.clock,
    )
    assert server.id == srv_id
    assert 60 <= time.now < 120


def test_it_gives_up_on_a_server_missing_longer_than_the_grace(client, sandbox):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"hide_server": {"srv_id": srv_id, "seconds": 600}})
    time = SimulatedTime(sandbox)
    with pytest.raises(ServerGone):
        wait_until(
            lambda: client.servers.get(srv_id),
            lambda server: True,
            missing_grace=120,
            sleep=time.sleep,
            clock=time.clock,
        )
    assert 120 < time.now < 600


def test_it_stops_at_the_deadline_with_growing_pauses():
    time = SimulatedTime()
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        time.sleep(seconds)

    with pytest.raises(WaitTimeout):
        wait_until(lambda: 1, lambda value: False, timeout=300, sleep=sleep, clock=time.clock)
    assert time.now == pytest.approx(300)
    assert pauses[0] < pauses[5]
    assert max(pauses) <= 30 * 1.2
