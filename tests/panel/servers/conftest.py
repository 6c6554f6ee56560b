from __future__ import annotations

from django.urls import reverse

# The htmx request the server page makes right after it shows (hx-trigger="load").
LIVE = {"HX-Request": "true", "HX-Target": "server-detail-body"}


def open_server_page(client, row):
    """The server page as a browser opens it: the page (from the mirror's record when the
    detail is not cached), then its body from the API's record, as its htmx load asks for
    it (with the status the page showed). Returns both responses."""
    page = client.get(reverse("servers:detail", args=[row.pk]))
    assert page.status_code == 200
    url = reverse("servers:detail_live", args=[row.pk])
    live = client.get(url, {"shown": page.context["row"].status}, headers=LIVE)
    assert live.status_code == 200
    return page, live
