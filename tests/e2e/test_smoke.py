"""The panel answers in a real browser: log in, find a server, open it."""

from playwright.sync_api import expect

from .helpers import WEB_01, log_in, open_server


def test_a_customer_logs_in_and_opens_a_server(page, shot):
    page.goto("/servers/")
    # Anonymous: sent to the login page first.
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shot("login page")

    log_in(page, "customer")
    expect(page.get_by_role("link", name=WEB_01, exact=True)).to_be_visible()
    shot("server list")

    open_server(page, WEB_01)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    shot("server page")
