"""Reverse DNS of an IPv4 address: a wrong hostname is refused next to the field, a good
one shows in the address's row."""

from playwright.sync_api import expect

from .helpers import EDIT_RDNS, WEB_01, button, first_ipv4_row, log_in, open_server


def test_reverse_dns_is_checked_then_saved(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_01)
    row, address = first_ipv4_row(page)
    expect(row.get_by_role("button", name=f"Edit reverse DNS for {address}")).to_be_visible()
    shot("addresses")

    row.get_by_role("button", name=EDIT_RDNS).click()
    hostname = page.get_by_role("textbox", name="Hostname")
    hostname.fill("bad_host!")
    button(page, "Save reverse DNS").click()
    expect(hostname).to_have_attribute("aria-invalid", "true")
    expect(page.locator("form").filter(has=hostname).get_by_role("alert")).to_be_visible()
    shot("refused")

    hostname.fill("mail.example.com")
    button(page, "Save reverse DNS").click()
    expect(hostname).to_be_hidden()
    expect(row).to_contain_text("mail.example.com")
    shot("saved")
