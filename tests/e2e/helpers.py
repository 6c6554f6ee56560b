"""What a person does in the panel, in the words they see: roles and accessible names."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Locator, Page, expect

from .chromium import CHROMIUM, SKIP_REASON, UNDER_CI

if CHROMIUM is None and not UNDER_CI:
    # Every test module imports this one first: a skip while importing it skips each module
    # from this one line, which pytest -ra reports once for the whole folder. (A skip in
    # conftest.py would break `pytest tests/e2e`; one from a fixture is reported per test.)
    pytest.skip(SKIP_REASON, allow_module_level=True)

PASSWORD = "demo"
# The customer's servers (seed_demo grants the sandbox's first two; the viewer has web-01).
WEB_01 = "web-01"
WEB_02 = "web-02"
# A power action is over when the sandbox says so: a reboot takes ~10 s there, and the
# page polls for it. Generous, for slow machines: only ever a limit, never a speed check.
POWER_TIMEOUT = 90_000


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Servers", exact=True)).to_be_visible()


def open_server(page: Page, name: str) -> None:
    """From the server list to the server's own page."""
    page.goto("/servers/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def button(page: Page | Locator, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def status_badge(page: Page, text: str) -> Locator:
    """The server's status as its badge says it: "Running", "Stopped", "Rebooting…"."""
    return page.get_by_text(text, exact=True).first


def status_message(page: Page, pattern: str) -> Locator:
    """The live region that tells what happened (role "status")."""
    return page.get_by_role("status").filter(has_text=re.compile(pattern, re.IGNORECASE)).first


def press_and_confirm(page: Page, name: str) -> None:
    """Press an action button, and its confirmation when the panel asks for one: a native
    <dialog> whose confirm button is "<name> now" (e.g. "Reboot now")."""
    button(page, name).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(button(dialog, "Cancel")).to_be_visible()
    button(dialog, f"{name} now").click()
    expect(dialog).to_be_hidden()


def server_nav(page: Page) -> Locator:
    """The server's own navigation: Overview, Graphs, Activity."""
    return (
        page.get_by_role("navigation")
        .filter(has=page.get_by_role("link", name="Overview", exact=True))
        .filter(has=page.get_by_role("link", name="Activity", exact=True))
    )


def rename(page: Page, new_name: str) -> None:
    """Rename the open server in place and see the heading follow."""
    button(page, "Rename").click()
    page.get_by_role("textbox", name="New name").fill(new_name)
    button(page, "Save name").click()
    expect(page.get_by_role("heading", name=new_name, level=1)).to_be_visible()


EDIT_RDNS = re.compile(r"^Edit reverse DNS")


def first_ipv4_row(page: Page) -> tuple[Locator, str]:
    """The first row of "IP addresses" with an "Edit reverse DNS…" button, and its address
    (the row's first cell)."""
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name=EDIT_RDNS)).first
    address = row.get_by_role("cell").first.inner_text().strip()
    return page.get_by_role("row").filter(has_text=address).first, address


def set_reverse_dns(page: Page, hostname: str) -> tuple[Locator, str]:
    """Edit the first IPv4 address's PTR record; return its row and address."""
    row, address = first_ipv4_row(page)
    row.get_by_role("button", name=EDIT_RDNS).click()
    page.get_by_role("textbox", name="Hostname").fill(hostname)
    button(page, "Save reverse DNS").click()
    expect(row).to_contain_text(hostname)
    return row, address


def reboot_and_wait(page: Page) -> None:
    """Reboot the open server (confirming), and wait until it runs again."""
    press_and_confirm(page, "Reboot")
    expect(status_badge(page, "Rebooting…")).to_be_visible()
    expect(page.get_by_text("Rebooting…", exact=True)).to_have_count(0, timeout=POWER_TIMEOUT)
    expect(status_badge(page, "Running")).to_be_visible()


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The authenticator app's code for `secret` (base32, as the page shows it), now or
    `steps_ahead` 30-second steps later. A code works once: a login right after setting
    up takes the next step's code, which the panel accepts (one step of tolerance)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def log_in_with_code(page: Page, username: str, password: str, secret: str) -> None:
    """Log in with the password, then the authenticator's code (the next step's: the one
    of now may have been used by the set-up a moment ago)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    button(page, "Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret, steps_ahead=1))
    button(page, "Log in").click()
    expect(page.get_by_role("heading", name="Servers", exact=True)).to_be_visible()


def enable_two_factor(page: Page, password: str = PASSWORD) -> str:
    """As the logged-in user: set up two-factor login from the menu, typing the code of
    the secret shown as text; past the recovery codes. Returns the secret (base32)."""
    page.get_by_role("link", name="Two-factor login", exact=True).click()
    button(page, "Set up two-factor login").click()
    secret_key = page.locator("#secret-key")
    confirm = page.get_by_role("heading", name="Confirm it is you")
    expect(secret_key.or_(confirm)).to_be_visible()
    # A session that did not just log in by the login form confirms the password first.
    if confirm.is_visible():
        page.get_by_label("Password").fill(password)
        button(page, "Confirm").click()
        button(page, "Set up two-factor login").click()
    secret = secret_key.inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(totp_code(secret))
    button(page, "Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("heading", name="Two-factor login", exact=True)).to_be_visible()
    return secret
