"""One click, one submit: static/js/forms.js on every page, served; hx-disabled-elt only
where htmx makes the request (on a plain form it does nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
HTMX_REQUEST = re.compile(r"\shx-(get|post|put|patch|delete)=")


def test_every_page_loads_the_double_submit_script(alice_client, client, servers):
    html = alice_client.get(reverse("servers:list")).text
    assert '<script src="/static/js/forms.js" defer></script>' in html
    client.logout()
    assert 'src="/static/js/forms.js"' in client.get(reverse("accounts:login")).text


def test_the_script_is_served(client, settings, db):
    settings.WHITENOISE_USE_FINDERS = True  # the test run has no collectstatic output
    response = client.get("/static/js/forms.js")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    body = b"".join(response.streaming_content).decode()
    assert 'addEventListener("submit"' in body
    assert 'addEventListener("pageshow"' in body


@pytest.mark.parametrize("folder", ["servers", "grants"])
def test_hx_disabled_elt_sits_only_on_elements_that_make_htmx_requests(folder):
    for template in (ROOT / "templates" / folder).glob("*.html"):
        for tag in re.findall(r"<[a-z]+\s[^>]*hx-disabled-elt[^>]*>", template.read_text()):
            assert HTMX_REQUEST.search(tag), f"{template.name}: {tag}"
