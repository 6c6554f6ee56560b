"""Reinstall through the wizard, leave, come back to the progress, and reveal the new root
password once: after a reload it is gone for good."""

import json
import urllib.request

from playwright.sync_api import expect

from .conftest import readme_shots
from .helpers import button, log_in, open_server

SERVER = "db-primary"  # a VPS no other browser test touches
INSTALL_TIMEOUT = 90_000


def advance_sandbox_clock(api_url: str, seconds: int) -> None:
    """The sandbox's installer takes 180 s of its own time: move its clock instead."""
    url = api_url.rsplit("/api/v3", 1)[0] + "/_sandbox/clock"
    body = json.dumps({"advance": seconds}).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - loopback
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def test_reinstall_then_reveal_the_root_password_once(page, panel, shot):
    log_in(page, "admin")
    open_server(page, SERVER)
    button(page, "Reinstall").click()
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    page.get_by_role("radio").first.check()
    button(page, "Next").click()
    page.get_by_role("radio").first.check()
    shot("choose the system")
    button(page, "Next").click()
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Europe/Oslo")
    page.get_by_role("textbox", name="Hostname").fill("rebuilt.example.com")
    button(page, "Next").click()
    expect(page.get_by_text("will be erased")).to_be_visible()
    page.get_by_role("textbox", name="Type the server's name to confirm").fill(SERVER)
    shot("confirm by typing the name")
    button(page, "Reinstall now").click()

    operations = page.locator("#operations")
    expect(operations).to_contain_text("Reinstall")
    expect(operations.get_by_role("status")).to_contain_text("Install", timeout=INSTALL_TIMEOUT)
    shot("installing")
    readme_shots(page, "reinstall-progress")

    # Leave the page; coming back, the progress is still there.
    page.goto("about:blank")
    open_server(page, SERVER)
    operations = page.locator("#operations")
    expect(operations).to_contain_text("Reinstall")
    advance_sandbox_clock(panel.api_url, 300)
    expect(operations.get_by_text("Done", exact=True)).to_be_visible(timeout=INSTALL_TIMEOUT)
    shot("done")

    button(page, "Reveal root password").click()
    password = page.locator("[id^=root-password-]")
    expect(password).to_be_visible()
    assert len(password.inner_text().strip()) >= 12
    expect(button(page, "Reveal root password")).to_have_count(0)
    shot("the password, once")

    page.reload()
    expect(button(page, "Reveal root password")).to_have_count(0)
    expect(page.get_by_text("The root password was shown to admin")).to_be_visible()
