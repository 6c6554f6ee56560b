from django.urls import reverse

from panel.connections.models import Connection
from panel.servers.models import MirroredServer
from tests.panel.conftest import API_URL, calls


def test_it_shows_the_connection(alice_client, connection):
    response = alice_client.get(reverse("connections:detail", args=[connection.pk]))
    assert response.status_code == 200
    html = response.text
    assert "<h1>Sandbox</h1>" in html
    assert "<dt>Terrahost username</dt><dd>demo</dd>" in html
    assert "<dt>Two-factor authentication</dt><dd>Off</dd>" in html
    assert f"<dt>API URL</dt><dd><code>{API_URL}</code></dd>" in html
    assert "<dt>Servers</dt><dd>8</dd>" in html
    assert '<span class="badge badge-success">Connected</span>' in html
    assert response.context["conn"].server_count == 8
    # Neither the password nor the token is ever shown.
    assert connection.token not in html
    assert 'value="demo"' not in html
    assert connection.password_encrypted not in html


def test_the_list_shows_each_connection(alice_client, connection):
    response = alice_client.get(reverse("connections:list"))
    html = response.text
    detail = reverse("connections:detail", args=[connection.pk])
    assert f'<a href="{detail}">Sandbox</a>' in html
    assert '<td class="num">8</td>' in html


def test_it_fetches_the_servers_on_demand(alice_client, connection, sandbox):
    response = alice_client.post(reverse("connections:refresh", args=[connection.pk]))
    assert response.status_code == 302
    assert calls(sandbox, "GET /servers") == 2


def test_it_checks_a_new_password_before_saving_it(alice_client, connection):
    url = reverse("connections:password", args=[connection.pk])
    response = alice_client.post(url, {"password": "wrong", "code": ""})
    assert response.status_code == 400
    assert "the username or password is wrong" in response.text
    assert Connection.objects.get(pk=connection.pk).password == "demo"
    response = alice_client.post(url, {"password": "demo", "code": ""})
    assert response.status_code == 302


def test_it_removes_a_connection_and_its_servers(alice_client, connection):
    url = reverse("connections:delete", args=[connection.pk])
    assert "Yes, remove it" in alice_client.get(url).text
    response = alice_client.post(url)
    assert response.status_code == 302
    assert not Connection.objects.exists()
    assert not MirroredServer.objects.exists()
