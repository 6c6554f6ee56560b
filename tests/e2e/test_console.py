"""The console: an address to open, and a username and password to copy."""

import re

from playwright.sync_api import expect

from .helpers import WEB_01, button, log_in, open_server


def test_open_console_shows_address_and_login(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_01)
    button(page, "Open console").click()

    expect(page.get_by_role("link", name=re.compile(r"\d+\.\d+\.\d+\.\d+"))).to_be_visible()
    expect(page.get_by_text("Username", exact=True)).to_be_visible()
    expect(page.get_by_text("Password", exact=True)).to_be_visible()
    copy = page.get_by_role("button", name=re.compile("^Copy"))
    expect(copy.nth(0)).to_be_visible()
    expect(copy.nth(1)).to_be_visible()
    shot("console details")
