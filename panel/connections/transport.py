"""The one seam between the panel and the network.

Every Client the panel builds gets its `requests.Session` from `get_session()`. Tests
replace `session_factory` with one that returns a session with the sandbox mounted
in-process (terrahost_client.sandbox.mount), so no socket is ever opened.
"""

from __future__ import annotations

import threading

import requests


def session_factory() -> requests.Session:
    return requests.Session()


_local = threading.local()


def get_session() -> requests.Session:
    """A session per thread (requests.Session is not thread-safe), pooled across calls."""
    factory = session_factory
    if getattr(_local, "factory", None) is not factory:
        _local.session = factory()
        _local.factory = factory
    return _local.session
