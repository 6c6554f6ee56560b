"""GET /servers paging: ask for a large page, follow the size the API used, fetch the other
pages concurrently (bounded, in page order), and never pass part of the list for all of it."""

import json
import threading

import pytest
import requests

from terrahost_client import Client
from terrahost_client.errors import IncompleteListing, ServerError
from terrahost_client.resources import PER_PAGE
from terrahost_client.sandbox import SandboxApp, mount

from .conftest import BASE, calls
from .test_quirks import Answer


def listing_page(params) -> int:
    return (params or {}).get("page", 1)


class ListingSession(requests.Session):
    """A real session (the sandbox mounted) that records the query of each GET /servers and
    how many of them were in flight at once. `barrier` holds every later page until as
    many are in flight as it has parties; `after_first_page` runs once page 1 answered."""

    def __init__(self, app, barrier=None, after_first_page=None):
        super().__init__()
        mount(self, app, BASE)
        self.barrier = barrier
        self.after_first_page = after_first_page
        self.listing_params = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()

    def request(self, method, url, **kwargs):
        if not url.endswith("/servers"):
            return super().request(method, url, **kwargs)
        params = kwargs.get("params")
        with self.lock:
            self.listing_params.append(params)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.barrier and listing_page(params) > 1:
                self.barrier.wait(timeout=10)  # only a guard: a lone page would hang here
            response = super().request(method, url, **kwargs)
        finally:
            with self.lock:
                self.in_flight -= 1
        if self.after_first_page and listing_page(params) == 1:
            self.after_first_page()
        return response


class CannedSession:
    """Answers GET /servers with hand-written pages (not recordings) by page number, and
    the first call, which asks for PER_PAGE, with `asked` when given (a body or a status)."""

    def __init__(self, *pages, asked=None):
        self.pages = pages
        self.asked = asked
        self.listing_params = []

    def request(self, method, url, **kwargs):
        params = kwargs.get("params")
        self.listing_params.append(params)
        answer = self.pages[listing_page(params) - 1]
        if self.asked is not None and params == {"per_page": PER_PAGE}:
            answer = self.asked
        if isinstance(answer, int):
            return Answer(answer, json.dumps({"meta": {"status": answer}}).encode())
        return Answer(200, json.dumps(answer).encode())


def page(ids, **meta):
    return {"meta": {"status": 200, **meta}, "data": [{"srv_id": str(i)} for i in ids]}


def sandbox_client(app, *, barrier=None, after_first_page=None, **options):
    session = ListingSession(app, barrier, after_first_page)
    options.setdefault("backoff", 0.001)
    options.setdefault("max_backoff", 0.005)
    return Client("demo", "demo", base_url=BASE + "/api/v3", session=session, **options), session


def canned_client(*pages, asked=None):
    session = CannedSession(*pages, asked=asked)
    return Client(token="t", base_url=BASE + "/api/v3", session=session), session


def listed_ids(app):
    return app.state.accounts["demo"].server_ids


def by_page(params):
    return sorted(params, key=listing_page)


def test_it_asks_for_a_large_page_and_follows_the_size_the_api_used():
    app = SandboxApp(seed=1, servers=250)  # answers 100 a page, whatever is asked
    client, session = sandbox_client(app)
    assert [s.id for s in client.servers.list()] == listed_ids(app)
    assert calls(app, "GET /servers") == 3
    assert by_page(session.listing_params) == [
        {"per_page": PER_PAGE},
        {"page": 2, "per_page": 100},
        {"page": 3, "per_page": 100},
    ]


def test_an_api_that_honours_a_larger_page_is_listed_in_fewer_calls():
    app = SandboxApp(seed=1, servers=2500, max_per_page=1000)
    client, _ = sandbox_client(app)
    assert [s.id for s in client.servers.list()] == listed_ids(app)
    assert calls(app, "GET /servers") == 3


def test_later_pages_are_fetched_concurrently_within_the_bound_and_listed_in_page_order():
    # Nine later pages, three at a time: the barrier lets a page through only when three
    # are in flight together, so a listing that fetched them one by one would fail here.
    app = SandboxApp(seed=1, servers=1000)
    client, session = sandbox_client(app, concurrency=3, barrier=threading.Barrier(3))
    assert [s.id for s in client.servers.list()] == listed_ids(app)
    assert session.max_in_flight == 3
    assert calls(app, "GET /servers", 200) == 10


def test_the_page_size_asked_is_kept_when_the_answer_holds_it_without_saying_so():
    client, session = canned_client(
        page(range(1, PER_PAGE + 1), total_pages=2), page([PER_PAGE + 1], total_pages=2)
    )
    assert len(client.servers.list()) == PER_PAGE + 1
    assert by_page(session.listing_params) == [
        {"per_page": PER_PAGE},
        {"page": 2, "per_page": PER_PAGE},
    ]


@pytest.mark.parametrize(
    "asked",
    [
        pytest.param(400, id="refused"),
        # Says it used 1,000 a page and counts 3 pages, but holds 2 servers.
        pytest.param(page([1, 2], per_page=PER_PAGE, total_pages=3), id="not-held"),
    ],
)
def test_an_api_that_does_not_list_the_size_asked_is_listed_with_its_own(asked, caplog):
    client, session = canned_client(
        page([1, 2], per_page=2, total_pages=2), page([3], per_page=2, total_pages=2), asked=asked
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 3]
    assert session.listing_params == [{"per_page": PER_PAGE}, None, {"page": 2, "per_page": 2}]
    assert "listing with its own size" in caplog.text


def test_an_api_that_gives_no_size_is_asked_for_later_pages_without_one():
    client, session = canned_client(
        page([1, 2], total_pages=2), page([3], total_pages=2), asked=400
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 3]
    # requests leaves a per_page of None out of the query.
    assert session.listing_params[1:] == [None, {"page": 2, "per_page": None}]


def test_without_paging_meta_one_call_is_all():
    client, session = canned_client({"meta": {"status": 200}, "data": [{"srv_id": 7}]})
    assert [s.id for s in client.servers.list()] == [7]
    assert len(session.listing_params) == 1


def test_an_empty_later_page_is_a_list_that_shrank_and_the_others_still_count():
    client, _ = canned_client(
        page([1, 2], total_pages=3), page([], total_pages=3), page([9], total_pages=3)
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 9]


def test_a_server_that_shifts_pages_is_listed_once():
    client, _ = canned_client(
        page([1, 2], total_pages=3), page([2, 3], total_pages=3), page([4], total_pages=3)
    )
    assert [s.id for s in client.servers.list()] == [1, 2, 3, 4]


def test_an_api_that_ignores_page_fails_the_listing_instead_of_passing_page_one_for_all():
    app = SandboxApp(seed=1, servers=250, ignore_page=True)
    client, _ = sandbox_client(app)
    with pytest.raises(IncompleteListing, match="ignore `page`"):
        client.servers.list()
    # One page is all there is for most accounts: then the switch changes nothing.
    small, _ = sandbox_client(SandboxApp(seed=1, servers=8, ignore_page=True))
    assert len(small.servers.list()) == 8


def test_a_page_that_keeps_failing_fails_the_whole_listing_after_its_retries():
    app = SandboxApp(seed=1, servers=300)

    def break_later_pages():
        app.set_faults({"error_rate": 1.0, "routes": ["GET /servers"]})

    client, _ = sandbox_client(app, max_retries=2, after_first_page=break_later_pages)
    with pytest.raises(ServerError):
        client.servers.list()
    failed = calls(app, "GET /servers") - calls(app, "GET /servers", 200)
    assert failed > 2  # the failing page was retried: reads are


def test_a_token_that_expires_during_the_pages_is_renewed_once_for_all_of_them():
    app = SandboxApp(seed=1, servers=500)
    client, _ = sandbox_client(
        app, after_first_page=lambda: app.set_faults({"expire_tokens": True})
    )
    assert [s.id for s in client.servers.list()] == listed_ids(app)
    assert calls(app, "POST /authenticate") == 2  # the first login, and one more
    assert 1 <= calls(app, "GET /servers", 401) <= 4
    assert calls(app, "GET /servers", 200) == 5


def test_a_token_provider_is_asked_in_the_callers_thread_only():
    app = SandboxApp(seed=1, servers=500)
    login, _ = sandbox_client(app)
    asked_in = []

    def provide(stale):
        asked_in.append(threading.current_thread())
        token = login.authenticate()
        return token.token, token.expires_at

    client, _ = sandbox_client(
        app, after_first_page=lambda: app.set_faults({"expire_tokens": True})
    )
    client.token_provider = provide
    assert len(client.servers.list()) == 500
    assert asked_in == [threading.current_thread()] * 2  # page 1, then the expired token
