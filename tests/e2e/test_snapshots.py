"""Take a snapshot and watch it complete; then schedule daily snapshots."""

import re

from playwright.sync_api import expect

from .helpers import WEB_02, button, log_in, open_server
from .test_reinstall import advance_sandbox_clock

SNAPSHOT_TIMEOUT = 60_000


def test_take_a_snapshot_and_see_it_complete_then_schedule_them(page, panel, shot):
    log_in(page, "customer")
    open_server(page, WEB_02)
    page.get_by_role("link", name="Snapshots", exact=True).click()
    expect(page.get_by_role("heading", name="Take snapshot")).to_be_visible()
    page.get_by_role("textbox", name="Name").fill("before-the-upgrade")
    button(page, "Take snapshot").click()
    row = page.get_by_role("row").filter(has_text="before-the-upgrade")
    expect(row).to_contain_text("Pending", timeout=SNAPSHOT_TIMEOUT)
    shot("pending")
    advance_sandbox_clock(panel.api_url, 40)  # the sandbox completes a snapshot in 30 s
    expect(row).to_contain_text("Completed", timeout=SNAPSHOT_TIMEOUT)
    shot("completed")

    schedule = page.locator("#snapshot-schedule")
    schedule.get_by_role("checkbox", name="Take snapshots on a schedule").check()
    schedule.get_by_role("combobox", name="How often").select_option("daily")
    button(schedule, "Save schedule").click()
    expect(page.locator("#snapshot-schedule")).to_contain_text(re.compile("every day", re.I))
    shot("scheduled daily")
