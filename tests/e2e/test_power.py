"""Power: only the buttons that apply, a confirmation before a reboot or power off, and the
status followed until the sandbox has done it (a reboot takes ~10 s there)."""

from playwright.sync_api import expect

from .helpers import (
    POWER_TIMEOUT,
    WEB_01,
    WEB_02,
    button,
    log_in,
    open_server,
    press_and_confirm,
    status_badge,
    status_message,
)


def test_a_reboot_asks_first_then_the_server_comes_back(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_01)
    expect(button(page, "Reboot")).to_be_visible()
    expect(button(page, "Power off")).to_be_visible()
    expect(button(page, "Power on")).to_have_count(0)  # it runs already
    shot("running")

    # Cancel closes the question and changes nothing.
    button(page, "Reboot").click()
    dialog = page.get_by_role("dialog")
    expect(button(dialog, "Reboot now")).to_be_visible()
    shot("asks before rebooting")
    button(dialog, "Cancel").click()
    expect(dialog).to_be_hidden()
    expect(status_badge(page, "Running")).to_be_visible()

    press_and_confirm(page, "Reboot")
    expect(status_message(page, "reboot")).to_be_visible()
    expect(status_badge(page, "Rebooting…")).to_be_visible()
    shot("rebooting")
    expect(page.get_by_text("Rebooting…", exact=True)).to_have_count(0, timeout=POWER_TIMEOUT)
    expect(status_badge(page, "Running")).to_be_visible()
    shot("running again")


def test_power_off_then_on(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_02)

    press_and_confirm(page, "Power off")
    expect(status_message(page, r"power(ed|ing)? off|stop")).to_be_visible()
    expect(status_badge(page, "Stopped")).to_be_visible(timeout=POWER_TIMEOUT)
    expect(button(page, "Power on")).to_be_visible()
    expect(button(page, "Power off")).to_have_count(0)
    expect(button(page, "Reboot")).to_have_count(0)
    shot("stopped")

    # Powering on harms nothing: no question asked.
    button(page, "Power on").click()
    expect(status_message(page, r"power(ed|ing)? on|start")).to_be_visible()
    expect(status_badge(page, "Running")).to_be_visible(timeout=POWER_TIMEOUT)
    expect(button(page, "Power off")).to_be_visible()
    expect(button(page, "Power on")).to_have_count(0)
    shot("running again")
