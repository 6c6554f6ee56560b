"""The server picker of the access form: a search over the mirror in SQL, a few rows at a
time, naming each server's connection and marking servers the subject has already."""

from __future__ import annotations

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel.servers.models import MirroredServer

URL = reverse("grants:server_picker")
PARTIAL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "server-results"}


def _fill(connection, count):
    now = timezone.now()
    MirroredServer.objects.bulk_create(
        [
            MirroredServer(
                connection=connection,
                srv_id=200000 + i,
                display_name=f"node-{i:05d}",
                primary_ip=f"198.51.{i // 250}.{i % 250}",
                ips=f"198.51.{i // 250}.{i % 250}",
                first_seen_at=now,
                last_seen_at=now,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def test_it_finds_servers_and_names_their_connection(alice_client, bob, servers):
    row = servers[4]
    response = alice_client.get(URL, {"q": row.display_name, "for": f"user:{bob.pk}"}, **PARTIAL)
    assert response.status_code == 200
    assert "<html" not in response.text  # the partial only
    assert f'value="{row.pk}"' in response.text
    assert f'{row.display_name} <span class="muted">· Sandbox' in response.text


def test_it_marks_servers_the_subject_has_already(alice_client, bob, servers):
    response = alice_client.get(URL, {"for": f"user:{bob.pk}"}, **PARTIAL)
    assert response.text.count("Has access already") == 2  # bob's two servers


def test_ticked_servers_stay_ticked_across_searches(alice_client, bob, servers):
    response = alice_client.get(
        URL, {"q": servers[6].display_name, "servers": [servers[2].pk]}, **PARTIAL
    )
    assert f'value="{servers[2].pk}" id="pick-{servers[2].pk}" checked' in response.text
    assert f'value="{servers[6].pk}"' in response.text


def test_at_5000_servers_it_shows_a_few_with_a_few_queries(alice_client, connection, bob):
    _fill(connection, 5000)
    alice_client.get(URL, **PARTIAL)  # the per-site settings are cached from now on
    with CaptureQueriesContext(db_connection) as ctx:
        response = alice_client.get(URL, {"for": f"user:{bob.pk}"}, **PARTIAL)
    assert response.status_code == 200
    assert response.text.count('name="servers"') == 20
    assert "Showing 20 of 5008 servers" in response.text
    assert len(ctx.captured_queries) <= 6
    narrowed = alice_client.get(URL, {"q": "node-0499"}, **PARTIAL)
    assert narrowed.text.count('name="servers"') == 10  # node-04990 … node-04999
    page = alice_client.get(reverse("grants:user", args=[bob.pk]))
    assert page.text.count('name="servers"') == 20  # the page itself holds no 5,000 rows


def test_without_javascript_the_search_button_reloads_the_page(alice_client, charlie, servers):
    response = alice_client.get(
        reverse("grants:user", args=[charlie.pk]), {"q": servers[7].display_name}
    )
    assert f'value="{servers[7].pk}"' in response.text
    assert 'formmethod="get"' in response.text


def test_others_get_403(charlie_client):
    assert charlie_client.get(URL).status_code == 403
