"""Two-factor login in a real browser: a user sets it up (the code computed here from
the secret the page shows as text), logs out, and logs in with the password and a code."""

from playwright.sync_api import expect

from .helpers import PASSWORD, button, enable_two_factor, log_in, totp_code

# Their own user: the demo users keep logging in with a password alone in other tests.
CREATE_USER = """
from panel.accounts.models import User
User.objects.create_user("tessa", password="demo")
"""


def test_a_user_sets_up_two_factor_login_and_logs_in_with_a_code(page, panel, shot):
    panel.shell(CREATE_USER)
    log_in(page, "tessa")

    page.get_by_role("link", name="Two-factor login", exact=True).click()
    shot("two-factor login is off")
    secret = enable_two_factor(page)
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    shot("two-factor login is on")

    button(page, "Log out").click()
    page.get_by_label("Username").fill("tessa")
    page.get_by_label("Password").fill(PASSWORD)
    button(page, "Log in").click()
    # The password alone does not log in: the panel asks for the code.
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.goto("/servers/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.go_back()
    shot("the code step")

    page.get_by_label("Code").fill(totp_code(secret, steps_ahead=1))
    button(page, "Log in").click()
    expect(page.get_by_role("heading", name="Servers", exact=True)).to_be_visible()
    shot("logged in")
