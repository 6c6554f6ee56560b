"""Graphs: bandwidth and packets, as images that load, per period."""

import re

from playwright.sync_api import Locator, Page, expect

from .helpers import WEB_01, log_in, open_server, server_nav


def wait_loaded(page: Page, image: Locator) -> None:
    # A broken image is in the page too: only a decoded one has a width.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_graphs_show_bandwidth_and_packets_per_period(page, shot):
    log_in(page, "customer")
    open_server(page, WEB_01)
    server_nav(page).get_by_role("link", name="Graphs", exact=True).click()
    expect(page.get_by_role("heading", name="Bandwidth", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Packets", exact=True)).to_be_visible()

    # Hidden images have no role: this is the bandwidth graph on show.
    bandwidth = page.get_by_role("img", name=re.compile("Bandwidth")).first
    expect(bandwidth).to_be_visible()
    wait_loaded(page, bandwidth)
    shot("graphs")

    before = bandwidth.get_attribute("src")
    # Period tabs ("Last week"): links marked aria-current, or ARIA tabs; the first one
    # named so belongs to the bandwidth section, the first on the page.
    week = page.get_by_role("link", name="Week").or_(page.get_by_role("tab", name="Week"))
    week.first.click()
    expect(bandwidth).not_to_have_attribute("src", before)
    wait_loaded(page, bandwidth)
    shot("week")
