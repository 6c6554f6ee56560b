"""panel.core.locks: the one Redis lock of the panel (login, mirror refresh)."""

from __future__ import annotations

import itertools
import time

from panel.core import locks


def test_one_holder_at_a_time():
    first = locks.CacheLock("test-lock", timeout=5)
    second = locks.CacheLock("test-lock", timeout=5)
    assert first.acquire()
    assert not second.acquire()
    assert second.locked()
    first.release()
    assert not first.locked()
    assert second.acquire()
    second.release()


def test_an_expired_holder_cannot_release_the_next_holders_lock():
    """Release is a compare-and-delete: only the owner's token frees the lock."""
    slow = locks.CacheLock("test-lock", timeout=0.1)
    assert slow.acquire()
    time.sleep(0.2)  # expired while the slow holder was still working
    fast = locks.CacheLock("test-lock", timeout=5)
    assert fast.acquire()
    slow.release()  # logs a warning, deletes nothing
    assert fast.locked()
    fast.release()
    assert not fast.locked()


def test_it_lives_under_the_cache_prefix(settings):
    lock = locks.CacheLock("test-lock", timeout=5)
    assert lock.key.startswith(settings.CACHES["default"]["KEY_PREFIX"] + ":")


def test_waiting_backs_off_from_50_ms_to_half_a_second():
    delays = list(itertools.islice(locks.delays(), 10))
    assert delays[0] == 0.05
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert delays[-1] == 0.5


def test_wait_released():
    holder = locks.CacheLock("test-lock", timeout=0.3)
    holder.acquire()
    waiter = locks.CacheLock("test-lock", timeout=5)
    assert not waiter.wait_released(0.05)
    assert waiter.wait_released(2)  # the holder's lock expires
