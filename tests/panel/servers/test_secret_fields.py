"""srv_serverkey and install_details are secrets: never in the mirror or the detail cache."""

from django.core.cache import cache
from django.urls import reverse

from panel.servers.models import detail_cache_key

from .conftest import open_server_page


def test_the_server_key_is_in_neither_the_mirror_nor_the_detail_cache(
    alice_client, servers, sandbox
):
    row = servers[0]
    key = sandbox.state.servers[row.srv_id].serverkey
    assert len(key) == 32
    page, live = open_server_page(alice_client, row)  # fills the detail cache
    assert key not in page.text and key not in live.text
    row.refresh_from_db()
    assert key not in str(row.raw)
    assert row.raw["srv_serverkey"] == "********"
    cached = cache.get(detail_cache_key(row))
    assert cached is not None and key not in str(cached)
    assert key not in alice_client.get(reverse("servers:detail", args=[row.pk])).text
