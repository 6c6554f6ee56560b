"""GET /servers paging: ask for 100 a page, follow meta, and stop when `page` is ignored."""

import json
import logging

import requests

from terrahost_client import Client
from terrahost_client.sandbox import SandboxApp, mount

from .conftest import BASE, calls
from .test_quirks import Answer


class RecordingSession(requests.Session):
    """A real session that remembers the query of each GET /servers it sends."""

    def __init__(self):
        super().__init__()
        self.listing_params = []

    def request(self, method, url, **kwargs):
        if url.endswith("/servers"):
            self.listing_params.append(kwargs.get("params"))
        return super().request(method, url, **kwargs)


class CannedSession:
    """Answers GET /servers with hand-written pages (not recordings), in order."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.listing_params = []

    def request(self, method, url, **kwargs):
        self.listing_params.append(kwargs.get("params"))
        return Answer(200, json.dumps(self.pages.pop(0)).encode())


def page(ids, **meta):
    return {"meta": {"status": 200, **meta}, "data": [{"srv_id": str(i)} for i in ids]}


def recording_client(app):
    session = RecordingSession()
    mount(session, app, BASE)
    return Client("demo", "demo", base_url=BASE + "/api/v3", session=session), session


def canned_client(*pages):
    session = CannedSession(*pages)
    return Client(token="t", base_url=BASE + "/api/v3", session=session), session


def test_it_asks_for_100_a_page_and_follows_total_pages():
    app = SandboxApp(seed=1, servers=250)
    client, session = recording_client(app)
    assert len({s.id for s in client.servers.list()}) == 250
    assert calls(app, "GET /servers") == 3
    assert session.listing_params == [
        {"per_page": 100},
        {"page": 2, "per_page": 100},
        {"page": 3, "per_page": 100},
    ]


def test_when_page_is_ignored_a_listing_costs_one_extra_call_and_warns_once(caplog):
    app = SandboxApp(seed=1, servers=250, ignore_page=True)
    client, _ = recording_client(app)
    with caplog.at_level(logging.WARNING, logger="terrahost_client"):
        servers = client.servers.list()
    assert len({s.id for s in servers}) == 100  # what the first page brought
    assert calls(app, "GET /servers") == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ignore `page`" in warnings[0].getMessage()


def test_later_pages_use_the_page_size_the_api_reports():
    client, session = canned_client(
        page([1, 2], per_page="2", total_pages="2"), page([3], per_page="2", total_pages="2")
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 3]
    assert session.listing_params == [{"per_page": 100}, {"page": 2, "per_page": 2}]


def test_without_paging_meta_one_call_is_all():
    client, session = canned_client({"meta": {"status": 200}, "data": [{"srv_id": 7}]})
    assert [s.id for s in client.servers.list()] == [7]
    assert len(session.listing_params) == 1


def test_an_empty_later_page_ends_the_listing_without_a_warning(caplog):
    client, session = canned_client(
        page([1, 2], total_pages=3), page([], total_pages=3), page([9], total_pages=3)
    )
    with caplog.at_level(logging.WARNING, logger="terrahost_client"):
        assert [s.id for s in client.servers.list()] == [1, 2]
    assert len(session.listing_params) == 2
    assert not caplog.records


def test_a_server_that_shifts_pages_is_listed_once_and_paging_goes_on():
    client, _ = canned_client(
        page([1, 2], total_pages=3), page([2, 3], total_pages=3), page([4], total_pages=3)
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 3, 4]
