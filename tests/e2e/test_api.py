"""The API in a real browser: its documentation page (Swagger UI from the panel's own
files) runs within the panel's Content Security Policy, and an admin makes an application
token on the API tokens page, uses it, and revokes it."""

from playwright.sync_api import expect

from .helpers import button, log_in


def test_the_documentation_runs_within_the_content_security_policy(page, shot):
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="Server panel API")).to_be_visible()
    expect(page.get_by_text("/api/v1/servers/{id}/power/").first).to_be_visible()
    shot("api documentation")
    refused = [text for text in problems if "Content Security Policy" in text]
    assert not refused, refused


def test_an_admin_makes_uses_and_revokes_an_application_token(page, shot):
    log_in(page, "admin")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="Create token").click()
    page.get_by_role("textbox", name="Name:").fill("billing")
    page.get_by_label("Application: acts as the panel").check()
    page.get_by_label("See servers, their details and reverse DNS").check()
    shot("create token")
    button(page, "Create token").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("pnl_")
    shot("token shown once")

    api = page.context.request
    headers = {"Authorization": f"Bearer {secret}"}
    answer = api.get("/api/v1/servers/", headers=headers)
    assert answer.status == 200 and answer.json()["count"] > 0

    page.get_by_role("link", name="Done").click()
    row = page.get_by_role("row").filter(has_text="billing")
    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("it no longer works")).to_be_visible()
    shot("token revoked")
    refused = api.get("/api/v1/servers/", headers=headers)
    assert refused.status == 401
    assert refused.headers["content-type"] == "application/problem+json"
