"""Rename in place: the heading and the server list follow. On web-02, renamed back at the
end so that the other tests find it by its name."""

from playwright.sync_api import expect

from .helpers import WEB_02, button, log_in, open_server, rename


def test_rename_in_place_shows_the_new_name_everywhere(page, shot):
    new_name = "web-02-renamed"
    log_in(page, "customer")
    open_server(page, WEB_02)

    button(page, "Rename").click()
    expect(page.get_by_role("textbox", name="New name")).to_be_visible()
    expect(button(page, "Save name")).to_be_visible()
    shot("rename form")
    page.get_by_role("textbox", name="New name").fill(new_name)
    button(page, "Save name").click()
    expect(page.get_by_role("heading", name=new_name, level=1)).to_be_visible()
    shot("renamed")

    page.goto("/servers/")
    expect(page.get_by_role("link", name=new_name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=WEB_02, exact=True)).to_have_count(0)
    shot("list shows the new name")

    open_server(page, new_name)
    rename(page, WEB_02)
