"""Every error of the API is an RFC 9457 problem (application/problem+json: type, title,
status, detail in plain words), never a page and never a traceback."""

from __future__ import annotations

import pytest
from django.test import Client

from panel.api import servers as server_views

PROBLEM = "application/problem+json"


def assert_problem(answer, status):
    assert answer.status_code == status
    assert answer["Content-Type"] == PROBLEM
    body = answer.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in answer.content.decode()
    return body


def test_invalid_fields_are_listed(bob_api, servers):
    body = assert_problem(bob_api.patch(f"/api/v1/servers/{servers[0].pk}/", {}), 400)
    assert body["type"].endswith("validation")
    assert body["errors"] == [{"pointer": "#/name", "detail": "This field is required."}]
    assert "name" in body["detail"]


def test_a_pages_check_is_the_apis_check(bob_api, servers):
    """Reverse DNS is checked by the page's form: the same words, by the API's field."""
    row = servers[0]
    address = row.primary_ip
    answer = bob_api.post(
        f"/api/v1/servers/{row.pk}/reverse-dns/",
        {"address": address, "value": "no_good.example.com"},
    )
    body = assert_problem(answer, 400)
    assert body["errors"][0]["pointer"] == "#/value"
    assert "not allowed in a host name" in body["errors"][0]["detail"]


def test_not_json_is_400_and_a_form_is_415(bob_api, servers):
    url = f"/api/v1/servers/{servers[0].pk}/power/"
    headers = bob_api._headers(None)
    broken = bob_api.client.post(url, "{", content_type="application/json", headers=headers)
    assert_problem(broken, 400)
    form = bob_api.client.post(url, {"action": "reboot"}, headers=headers)
    assert_problem(form, 415)


def test_no_token_is_401(api, db):
    body = assert_problem(api(None).get("/api/v1/servers/"), 401)
    assert "Authorization: Bearer" in body["detail"]


def test_an_address_under_the_api_that_does_not_exist_is_a_problem(bob_api, db):
    assert_problem(bob_api.get("/api/v1/nothing-here/"), 404)
    assert_problem(Client().get("/api/v2/servers/"), 404)


def test_a_page_past_the_end_is_404(bob_api):
    assert_problem(bob_api.get("/api/v1/servers/", {"page": 99}), 404)


def test_a_failure_is_500_in_plain_words(bob_api, servers, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("something internal")

    monkeypatch.setattr(server_views.ServerDetail, "get", broken)
    client = Client(raise_request_exception=False)
    answer = client.get(
        f"/api/v1/servers/{servers[0].pk}/",
        headers={"Authorization": bob_api._headers(None)["Authorization"]},
    )
    body = assert_problem(answer, 500)
    assert "something internal" not in answer.content.decode()
    assert "panel's side" in body["detail"]
    assert "something internal" in caplog.text  # logged for the administrator


@pytest.mark.parametrize("language", ["en", "nb"])
def test_problems_are_in_the_requests_language(api, db, language):
    answer = api(None).get("/api/v1/servers/", headers={"Accept-Language": language})
    detail = answer.json()["detail"]
    assert ("token" in detail) and (("needs" in detail) == (language == "en"))
