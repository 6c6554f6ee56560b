"""Every id taken from a request goes through panel.core.ids.parse_id: a number beyond
64 bits is "not found" or a form error, never a 500 (the database driver would raise
OverflowError on it)."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from panel.core.ids import MAX_ID, parse_id
from panel.grants.models import Grant
from panel.teams.models import Team

from .urlwalk import QUERIES, all_names, url_builder

TOO_LARGE = [str(2**63), "9" * 40]


def test_it_reads_ids_up_to_the_largest_64_bit_number():
    assert parse_id("0") == 0
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in [*TOO_LARGE, "", "-1", "+1", " 1", "1.0", "²", "٣", "1e3", None, [1]]:
        assert parse_id(text) is None, text


@pytest.fixture
def team(alice):
    return Team.objects.create(name="Ops", created_by=alice)


def _id_parameters(team, bob, servers):
    """(method, URL, data) for every id read from a query string or a form, with `{}` where
    the id goes."""
    picker = reverse("grants:server_picker")
    server = servers[2]
    return [
        ("get", picker, {"servers": "{}"}),
        ("get", picker, {"for": "user:{}"}),
        ("get", picker, {"for": "team:{}"}),
        ("get", picker, {"q": "{}"}),
        ("get", reverse("teams:detail", args=[team.pk]), {"servers": "{}"}),
        ("post", reverse("teams:detail", args=[team.pk]), {"preset": "viewer", "servers": "{}"}),
        ("post", reverse("teams:detail", args=[team.pk]), {"preset": "viewer", "connection": "{}"}),
        ("post", reverse("grants:user", args=[bob.pk]), {"preset": "viewer", "servers": "{}"}),
        ("post", reverse("grants:user", args=[bob.pk]), {"preset": "viewer", "connection": "{}"}),
        ("get", reverse("audit:list"), {"server": "{}"}),
        ("post", reverse("isos:mount", args=[server.pk]), {"iso_id": "{}"}),
    ]


@pytest.mark.parametrize("value", TOO_LARGE)
def test_it_answers_an_out_of_range_id_in_a_query_or_form_without_a_500(
    alice_client, bob, servers, team, value
):
    for method, url, data in _id_parameters(team, bob, servers):
        filled = {key: text.format(value) for key, text in data.items()}
        response = getattr(alice_client, method)(url, filled)
        assert response.status_code < 500, (method, url, data)
        if response.status_code == 200 and method == "post":  # a form re-rendered
            assert "Select a valid choice" in response.text, (url, data)
    assert not Grant.objects.filter(team=team).exists()


@pytest.mark.parametrize("value", TOO_LARGE)
def test_it_answers_an_out_of_range_id_in_any_path_without_a_500(
    alice_client, alice, bob, connection, servers, value
):
    build = url_builder(
        connection=connection, server=servers[0], user=bob, grant=Grant.objects.first()
    )
    for name, converters in all_names().items():
        for key, converter in converters.items():
            if converter.regex != "[0-9]+":  # only the <int:...> parts
                continue
            kwargs = {**resolve(build(name).split("?")[0]).kwargs, key: value}
            url = reverse(name, kwargs=kwargs) + QUERIES.get(name, "")
            for method in (alice_client.get, alice_client.post):
                response = method(url)
                assert response.status_code < 500, (name, key, method.__name__)
