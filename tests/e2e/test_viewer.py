"""A viewer (Viewer preset on web-01) reads the server and can change nothing."""

import re

from playwright.sync_api import expect

from .helpers import EDIT_RDNS, WEB_01, WEB_02, button, log_in, open_server, server_nav


def test_a_viewer_sees_no_action(page, shot):
    log_in(page, "viewer")
    expect(page.get_by_role("link", name=WEB_02, exact=True)).to_have_count(0)
    open_server(page, WEB_01)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # The new server page has loaded (the viewer may see graphs), so the absences below
    # are not just a page still on its way.
    expect(server_nav(page).get_by_role("link", name="Graphs", exact=True)).to_be_visible()
    for name in ("Reboot", "Power off", "Power on", "Open console", "Rename"):
        expect(button(page, name)).to_have_count(0)
    expect(page.get_by_role("button", name=EDIT_RDNS)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Copy"))).to_have_count(0)
    shot("read only")
