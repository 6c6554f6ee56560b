"""Activity: what was done on a server, and by whom. The test does the three actions itself
(on web-02, which it leaves as it found it), so it does not depend on the other tests."""

import re

from playwright.sync_api import expect

from .helpers import (
    WEB_02,
    log_in,
    open_server,
    reboot_and_wait,
    rename,
    server_nav,
    set_reverse_dns,
)


def test_activity_lists_each_action_with_its_actor(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_02)
    rename(page, "web-02-activity")
    rename(page, WEB_02)
    set_reverse_dns(page, "activity.example.com")
    reboot_and_wait(page)

    server_nav(page).get_by_role("link", name="Activity", exact=True).click()
    entries = page.get_by_role("row").or_(page.get_by_role("listitem"))
    for what in ("reboot", "renam", "reverse DNS"):
        entry = entries.filter(has_text=re.compile(what, re.IGNORECASE)).filter(has_text="customer")
        expect(entry.first).to_be_visible()
    shot("activity")
