"""Customers in a real browser: the reseller suspends a customer while one of its people
has a server open, views the panel as that person, and reactivates the customer."""

from playwright.sync_api import expect

from .helpers import WEB_01, button, log_in, open_server


def _second_page(browser, panel):
    context = browser.new_context(base_url=panel.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _customer_page(page, name: str):
    page.goto("/customers/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_a_suspended_customers_open_page_stops_and_comes_back(page, browser, panel, shot):
    context, customer = _second_page(browser, panel)
    try:
        log_in(customer, "customer")
        open_server(customer, WEB_01)
        log_in(page, "admin")
        _customer_page(page, "Fjord Bakery")
        button(page, "Suspend customer").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("checkbox", name="Also power off their servers")).to_be_visible()
        button(dialog, "Suspend customer").click()
        expect(button(page, "Reactivate customer")).to_be_visible()
        # Their next click, on the page they had open.
        customer.get_by_role("link", name="Activity", exact=True).click()
        expect(customer.get_by_role("heading", name="Your account is suspended")).to_be_visible()
        shot("suspended")
    finally:
        _customer_page(page, "Fjord Bakery")
        if button(page, "Reactivate customer").count():
            button(page, "Reactivate customer").click()
    expect(button(page, "Suspend customer").first).to_be_visible()
    open_server(customer, WEB_01)
    context.close()


def test_viewing_as_a_person_shows_their_panel_and_changes_nothing(page, shot):
    log_in(page, "admin")
    page.goto("/users/")
    page.get_by_role("link", name="customer", exact=True).click()
    button(page, "View as this user").click()
    expect(page.get_by_text("You are viewing the panel as")).to_be_visible()
    # Their list, not the reseller's: only their two servers, no admin pages.
    expect(page.get_by_role("link", name="Customers", exact=True)).to_have_count(0)
    open_server(page, WEB_01)
    button(page, "Rename").click()
    page.get_by_role("textbox", name="New name").fill("renamed-while-viewing")
    button(page, "Save name").click()
    expect(page.get_by_text("nothing can be changed from it").first).to_be_visible()
    shot("viewing")
    page.reload()
    expect(page.get_by_role("heading", name=WEB_01, level=1)).to_be_visible()
    button(page, "Stop viewing").click()
    expect(page.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    open_server(page, WEB_01)  # still called web-01: the rename never happened


def test_a_customer_admin_views_the_panel_as_a_colleague(page, shot):
    log_in(page, "fjord-admin")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", name="Fjord Bakery", level=1)).to_be_visible()
    button(page, "View as this user (customer)").click()
    expect(page.get_by_text("You are viewing the panel as customer")).to_be_visible()
    open_server(page, WEB_01)
    shot("customer-admin-viewing")
    button(page, "Stop viewing").click()
    expect(page.get_by_role("heading", name="Fjord Bakery", level=1)).to_be_visible()
