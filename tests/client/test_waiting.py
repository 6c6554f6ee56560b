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


def test_it_waits_for_a_power_state(client, sandbox):
    srv_id = next(s.id for s in client.servers.list() if s.type == "dedicated")
    client.servers.power_off(srv_id)
    time = SimulatedTime(sandbox)
    state = client.servers.wait_for_power_state(
        srv_id, False, sleep=time.sleep, clock=time.clock, interval=1
    )
    assert state.is_on is False
    assert time.now > 0


def test_it_waits_for_the_new_snapshot_not_an_older_namesake(client, sandbox):
    srv_id = next(s.id for s in client.servers.list() if s.type == "vps")
    for old in client.snapshots.list(srv_id):  # room under the per-server limit
        client.snapshots.delete(srv_id, old.id)
    client.snapshots.create(srv_id, "nightly")
    sandbox.advance(3600)
    known = frozenset(s.id for s in client.snapshots.list(srv_id))
    client.snapshots.create(srv_id, "nightly")
    time = SimulatedTime(sandbox)
    snapshot = client.snapshots.wait_until_completed(
        srv_id, "nightly", known_ids=known, sleep=time.sleep, clock=time.clock
    )
    assert snapshot.id not in known
    assert time.now > 0  # it did wait: the new one was pending


def test_it_rides_out_transient_errors_until_the_deadline(client, sandbox):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers/{id}"]})
    time = SimulatedTime(sandbox)
    with pytest.raises(WaitTimeout, match="last error"):
        wait_until(
            lambda: client.servers.get(srv_id),
            lambda server: True,
            timeout=60,
            sleep=time.sleep,
            clock=time.clock,
        )
