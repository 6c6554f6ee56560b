"""The invitation path, end to end: the admin makes a team, invites someone by e-mail and
gives the team one server as Operator; the invitee accepts from the e-mail's link in a
browser of their own, turns on two-factor login and logs in with a code, sees exactly
that server, reboots it and cannot reinstall it, and sees nothing of the provider; the
admin removes them from the team, and their open page stops working on its next request;
the audit log tells all of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot
from .helpers import (
    button,
    enable_two_factor,
    log_in,
    log_in_with_code,
    open_server,
    press_and_confirm,
    reboot_and_wait,
)

TEAM = "Night crew"
EMAIL = "dana@example.org"
USERNAME = "dana"
NEW_PASSWORD = "a long and unusual passphrase"
SERVER = "db-primary"  # none of the other personas holds it
LINK = re.compile(r"https?://\S+/teams/join/\?token=\S+")
# What a white-labelled user must never see: the provider's name, its host names, prices.
PROVIDER = re.compile(r"terrahost|srv\d+\.terrahost\.|\bNOK\b|\bkr\b", re.IGNORECASE)


@pytest.fixture
def invitee(browser, panel, request):
    """A second browser of its own (no cookies shared with the admin's `page`); `.shot`
    saves a numbered screenshot next to the admin's."""
    context = browser.new_context(base_url=panel.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.shot = lambda step: screenshot(page, request.node.name, f"invitee {step}")
    yield page
    context.close()


def create_team(page: Page, name: str) -> None:
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Name").fill(name)
    button(page, "Create the team").click()
    expect(page.get_by_role("heading", name=f"Team {name}", level=1)).to_be_visible()


def invite(page: Page, email: str) -> None:
    section = page.get_by_role("region", name="Invitations")
    section.get_by_label("E-mail address").fill(email)
    section.get_by_label("Role").select_option(label="Member")
    button(section, "Send the invitation").click()
    expect(section.get_by_role("status")).to_contain_text(f"{email} is invited.")
    expect(section.get_by_role("cell", name=email, exact=True)).to_be_visible()


def give_team_access(page: Page, server: str, preset: str) -> None:
    section = page.get_by_role("region", name="Give the team access")
    section.get_by_role("searchbox", name="Find servers by name, address or connection").fill(
        server
    )
    section.get_by_role("checkbox", name=re.compile(rf"^{re.escape(server)}\b")).check()
    section.get_by_role("radio", name=re.compile(rf"^{preset}\b")).check()
    button(section, "Give access").click()
    access = page.get_by_role("region", name="What the team may do")
    expect(access.get_by_role("link", name=server, exact=True)).to_be_visible()


def link_from_the_e_mail(panel, email: str) -> str:
    """The stack writes every e-mail into a file (stack.py: PANEL_EMAIL_FILE_PATH)."""
    for path in sorted(Path(panel.work_dir, "mail").glob("*.log"), reverse=True):
        text = path.read_text(errors="replace")
        if f"To: {email}" in text and LINK.search(text):
            return LINK.search(text).group(0)
    pytest.fail(f"no invitation e-mail to {email}")


def accept(page: Page, link: str, username: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Join team {TEAM}")).to_be_visible()
    page.shot("the invitation")
    page.get_by_label("Username").fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    button(page, "Create my login and join").click()


def after_joining(page: Page) -> None:
    """Where a new member lands once they have joined: their servers, with a welcome. They
    turn on two-factor login, and from then on log in with a code."""
    expect(page.get_by_role("heading", name="Servers", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"You are in team {TEAM}")).to_be_visible()
    secret = enable_two_factor(page, NEW_PASSWORD)
    page.shot("two-factor login is on")
    button(page, "Log out").click()
    log_in_with_code(page, USERNAME, NEW_PASSWORD, secret)


def sees_nothing_of_the_provider(page: Page) -> None:
    assert not PROVIDER.search(page.content()), PROVIDER.search(page.content())


def audit_row(page: Page, what: str, text: str):
    return (
        page.get_by_role("row")
        .filter(has=page.get_by_role("cell", name=what, exact=True))
        .filter(has_text=text)
    )


def test_an_invitation_from_the_e_mail_to_a_reboot_and_out_again(page, invitee, panel, shot):
    log_in(page, "admin")
    create_team(page, TEAM)
    invite(page, EMAIL)
    give_team_access(page, SERVER, "Operator")
    shot("team with a pending invitation and its access")

    accept(invitee, link_from_the_e_mail(panel, EMAIL), USERNAME)
    after_joining(invitee)
    # Exactly that server: one row besides the header.
    servers = invitee.get_by_role("table")
    expect(servers.get_by_role("row")).to_have_count(2)
    expect(servers.get_by_role("link", name=SERVER, exact=True)).to_be_visible()
    sees_nothing_of_the_provider(invitee)
    invitee.shot("their one server")

    open_server(invitee, SERVER)
    expect(button(invitee, "Reboot")).to_be_visible()
    expect(invitee.get_by_role("button", name=re.compile("Reinstall"))).to_have_count(0)
    expect(invitee.get_by_role("link", name=re.compile("Reinstall"))).to_have_count(0)
    sees_nothing_of_the_provider(invitee)
    reboot_and_wait(invitee)
    invitee.shot("rebooted")

    # The admin removes them from the team (after the question).
    page.reload()
    members = page.get_by_role("region", name="Members")
    button(members.get_by_role("row").filter(has_text=USERNAME), "Remove").click()
    button(page.get_by_role("dialog"), "Remove from the team").click()
    expect(members.get_by_role("status")).to_contain_text(f"{USERNAME} was removed")

    # The invitee's open page: its next request (htmx) is refused, and so is a reload.
    press_and_confirm(invitee, "Reboot")
    expect(invitee.get_by_role("alert").filter(has_text="no longer there")).to_be_visible()
    invitee.shot("the next click is refused")
    invitee.reload()
    expect(invitee.get_by_role("heading", name="We could not find that page")).to_be_visible()
    expect(button(invitee, "Reboot")).to_have_count(0)
    invitee.shot("gone after a reload")

    page.goto("/audit/")
    for what, text in [
        ("Invited someone to a team", EMAIL),
        ("Joined a team by invitation", TEAM),
        ("Gave access", TEAM),
        ("Reboot", USERNAME),
        ("Removed someone from a team", USERNAME),
    ]:
        expect(audit_row(page, what, text).first).to_be_visible()
    shot("the audit log")
