"""Searching the server list: names everywhere, addresses only for what looks like one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.servers.listing import looks_like_address
from panel.servers.models import MirroredServer

URL = reverse("servers:list")


def _found(response) -> list[MirroredServer]:
    ids = [row["pk"] for row in response.context["result"].page.object_list]
    return list(MirroredServer.objects.filter(pk__in=ids))


@pytest.mark.parametrize(
    "query", ["192.0.2", "203.0.113.7", "2001:db8", "2001:DB8::", "::1", "10", "db8:"]
)
def test_what_looks_like_an_address(query):
    assert looks_like_address(query)


@pytest.mark.parametrize("query", ["db", "cafe", "web-1", "srv 12", "a.b", "", "1.2.3.4/24"])
def test_what_does_not(query):
    assert not looks_like_address(query)


def test_a_word_made_of_hex_letters_does_not_match_every_ipv6_address(alice_client, servers):
    """Sandbox IPv6 addresses lie in 2001:db8::/32; "db" must only find names with "db"."""
    with_ipv6 = [server for server in servers if "2001:db8" in server.ips]
    found = _found(alice_client.get(URL, {"q": "db"}))
    for server in found:
        text = " ".join([server.display_name, server.name, server.label, server.hostname])
        assert "db" in text.lower(), server.display_name
    assert len(found) < len(with_ipv6)


def test_an_ipv6_prefix_finds_the_servers_with_one(alice_client, servers):
    found = _found(alice_client.get(URL, {"q": "2001:db8"}))
    assert {s.pk for s in found} == {s.pk for s in servers if "2001:db8" in s.ips}


def test_a_secondary_address_is_still_found(alice_client, servers):
    server = servers[0]
    secondary = server.ips.split()[1]
    found = _found(alice_client.get(URL, {"q": secondary}))
    assert server.pk in [s.pk for s in found]
