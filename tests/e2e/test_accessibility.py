"""Every main page, in both themes, as an admin and as a customer: no serious or critical
axe-core violation (contrast included, WCAG 2.1 AA), and nothing scrolls sideways on a
390 px phone except inside a table's own scroller.

With E2E_SCREENSHOTS=<folder> (`make screenshots` sets docs/screenshots) the pages the
README shows are saved there too, light and dark, and phone-sized.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import readme_shots
from .helpers import WEB_01, log_in, open_server

AXE = Axe()
# WCAG 2.1 A and AA, and axe's best practices (landmarks, headings, ...).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
PHONE = {"width": 390, "height": 844}
# The pages the README shows (docs/screenshots/).
SHOWN = {"servers", "server", "activity", "team"}
# A team with members and access, so the team page shows what managing one looks like.
CREATE_TEAM = """
from panel.accounts.models import User
from panel.grants.permissions import PRESETS
from panel.grants.services import grant
from panel.servers.models import MirroredServer
from panel.teams.models import Membership, Team

admin = User.objects.get(username="admin")
team, created = Team.objects.get_or_create(name="Support desk")
if created:
    lead = User.objects.create_user("ingrid", password="demo", first_name="Ingrid")
    Membership.objects.create(team=team, user=lead, role=Membership.Role.MANAGER)
    Membership.objects.create(team=team, user=User.objects.get(username="customer"))
    for name in ("web-01", "web-02"):
        server = MirroredServer.objects.filter(name=name).order_by("srv_id").first()
        grant(admin, team, PRESETS["operator"], server=server)
print(team.pk)
"""
# Admin pages reached from the menu (their names as the menu says them).
ADMIN_MENU = [
    "Connections",
    "Customers",
    "Users",
    "Teams",
    "Operations",
    "Audit log",
    "Webhooks",
    "Branding",
    "Status",
]
# Tabs and pages of one server, as its own navigation names them.
SERVER_TABS = ["Graphs", "Snapshots", "ISO images", "Operations", "Activity"]
# Pages of one server reached by a button rather than a tab (admin only here).
SERVER_PAGES = ["reinstall", "upgrade"]


def _serious(page: Page) -> list[str]:
    results = AXE.run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            for node in violation["nodes"][:3]:
                summary = node.get("failureSummary", "").replace("\n", " ")
                found.append(f"{violation['id']}: {' '.join(node['target'])}: {summary}")
    return found


def _sideways(page: Page) -> bool:
    """True when the page itself is wider than the window (a table scrolling inside its
    own .table-wrap does not widen the page)."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )


def _check(page: Page, where: str, problems: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    for found in _serious(page):
        problems.append(f"{where}: {found}")


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@pytest.fixture(scope="module")
def team_id(panel) -> int:
    return int(panel.shell(CREATE_TEAM).strip().splitlines()[-1])


def _pages(page: Page, admin: bool, team: int) -> list[tuple[str, str]]:
    """(name, URL) of every main page this user can open, found by following links."""
    found = [("servers", "/servers/")]
    open_server(page, WEB_01)
    found.append(("server", page.url))
    server_url = page.url
    tabs = page.get_by_role("navigation", name="Server sections")
    for tab in SERVER_TABS:
        link = tabs.get_by_role("link", name=tab, exact=True)
        if link.count():
            found.append((_slug(tab), link.get_attribute("href")))
    if admin:
        found += [(name, f"{server_url}{name}/") for name in SERVER_PAGES]
        menu = page.get_by_role("navigation", name="Main")
        for name in ADMIN_MENU:
            link = menu.get_by_role("link", name=name, exact=True)
            found.append((_slug(name), link.get_attribute("href")))
        found.append(("team", f"/teams/{team}/"))
    found.append(("password", "/accounts/password/"))
    found += [("api-tokens", "/tokens/"), ("create-token", "/tokens/new/")]
    return found


@pytest.fixture
def themed(browser, panel):
    """new(theme, viewport) -> a page in a fresh context with that colour theme chosen."""
    contexts = []

    def new(theme: str, viewport: dict | None = None) -> Page:
        context = browser.new_context(
            base_url=panel.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        context.add_init_script(f"window.localStorage.setItem('panel-theme', '{theme}')")
        return context.new_page()

    yield new
    for context in contexts:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_login_page_is_accessible(themed, theme):
    page = themed(theme)
    page.goto("/accounts/login/")
    problems: list[str] = []
    _check(page, f"login ({theme})", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("user", ["admin", "customer"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_main_page_is_accessible(themed, theme, user, team_id):
    page = themed(theme)
    log_in(page, user)
    problems: list[str] = []
    for name, url in _pages(page, admin=user == "admin", team=team_id):
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        _check(page, f"{name} as {user} ({theme})", problems)
        if user == "admin" and theme == "light" and name in SHOWN:
            readme_shots(page, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("user", ["admin", "customer"])
def test_nothing_scrolls_sideways_on_a_phone(themed, user, team_id):
    page = themed("light", PHONE)
    log_in(page, user)
    wide = []
    for name, url in _pages(page, admin=user == "admin", team=team_id):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if _sideways(page):
            wide.append(name)
        if user == "admin" and name in ("servers", "server"):
            readme_shots(page, f"{name}-phone", themes=("light",))
    assert not wide, f"pages wider than a 390 px phone: {wide}"
