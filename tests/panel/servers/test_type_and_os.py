"""A server's type and operating system read the same on the list and on its page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from panel.core.templatetags.panel import server_type


def test_type_and_os_read_the_same_on_the_list_and_the_page(alice_client, servers):
    listing = alice_client.get(reverse("servers:list")).text
    for row in servers[:3]:
        kind = escape(server_type(row))
        page = alice_client.get(reverse("servers:detail", args=[row.pk])).text
        assert f"<td>{kind}</td>" in listing, kind
        assert page.count(f"<dt>Type</dt><dd>{kind}</dd>") >= 1, kind
        if row.os_name:
            assert f"<td>{escape(row.os_name)}</td>" in listing
            assert f"<dd>{escape(row.os_name)}</dd>" in page


def test_the_words_for_a_type():
    class Row:
        def __init__(self, type="", vps_type=""):
            self.type, self.vps_type = type, vps_type

    assert server_type(Row("vps", "kvm")) == "VPS (kvm)"
    assert server_type(Row("dedicated")) == "DEDICATED"
    assert server_type(Row()) == "—"
