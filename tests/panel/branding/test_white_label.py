"""White label: a user without billing.view sees no trace of the provider (its name, its
host names) on any page, partial, message, error page or e-mail, unless the brand allows
it. The walk follows tests/panel/core/test_layout.py over every page such a user can open."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse

from panel.branding.middleware import WhiteLabelMiddleware
from panel.branding.models import Brand
from panel.connections.errors import explain
from panel.core.scrub import scrub
from panel.grants import services as grant_services
from panel.grants.permissions import ALL_KEYS
from panel.operations import notify
from panel.operations.models import Operation
from panel.servers.models import MirroredServer
from panel.site.views import server_error
from terrahost_client.errors import BadRequest

from ..conftest import log_in
from ..core.urlwalk import (
    NOT_HTML,
    POST_ONLY,
    REDIRECTS,
    SERVER_KEYS,
    STATUS,
    USER,
    url_builder,
)


@pytest.fixture
def dana(alice, servers, sandbox):
    """Every key but billing.view on the first server, whose only name is its label."""
    user = alice.__class__.objects.create_user("dana", "dana@example.org", "password")
    grant_services.grant(alice, user, ALL_KEYS - {"billing.view"}, server=servers[0])
    row = servers[0]
    sandbox.state.servers[row.srv_id].name = ""
    MirroredServer.objects.filter(pk=row.pk).update(name="", display_name=row.label)
    return user


def _leaks(html: str) -> list[str]:
    return [
        html[max(0, m.start() - 60) : m.end() + 60] for m in re.finditer("terrahost", html, re.I)
    ]


def test_the_sandbox_gives_servers_provider_labels_and_ptrs(servers):
    """The walk below means something: the data does name the provider."""
    assert re.fullmatch(r"srv\d+\.terrahost\.no", servers[0].label)


def test_every_page_a_customer_can_open_never_names_the_provider(client, dana, servers):
    log_in(client, dana)  # in sudo mode: the reinstall wizard shows itself, not a question
    build = url_builder(connection=None, server=servers[0], user=dana, grant=None)
    names = USER | set(SERVER_KEYS)
    names -= POST_ONLY | NOT_HTML | set(REDIRECTS) | {"accounts:logout"}
    pages = {}
    for name in sorted(names):
        url = build(name)
        response = client.get(url)
        assert response.status_code == STATUS.get(name, 200), url
        pages[url] = response.text
    detail = pages[reverse("servers:detail", args=[servers[0].pk])]
    # The reverse DNS editor, as the Edit button opens it (its input holds the value).
    ip_id = re.search(r'name="ip_id" value="(\d+)"', detail).group(1)
    rdns = reverse("servers:reverse_dns", args=[servers[0].pk])
    pages["rdns editor"] = client.get(f"{rdns}?ip_id={ip_id}", headers={"HX-Request": "true"}).text
    pages["404"] = client.get("/no/such/page/").text
    pages["403"] = client.get(reverse("connections:list")).text
    pages["login"] = client.get(reverse("accounts:login")).text
    assert len(pages) > 20
    for where, html in pages.items():
        assert _leaks(html) == [], where
    # The server still has a name to click on, and its page says what it is.
    assert f"Server {servers[0].srv_id}" in detail


def test_the_500_page_never_names_the_provider(rf, db):
    assert "terrahost" not in server_error(rf.get("/")).content.decode().lower()


def test_with_billing_view_the_provider_is_named(client, alice, servers):
    user = alice.__class__.objects.create_user("erin", "erin@example.org", "password")
    grant_services.grant(alice, user, {"billing.view"}, connection=servers[0].connection)
    client.force_login(user)
    html = client.get(reverse("servers:detail", args=[servers[0].pk])).text
    assert servers[0].label in html


def test_admins_see_the_provider(alice_client, servers):
    html = alice_client.get(reverse("servers:detail", args=[servers[0].pk])).text
    assert servers[0].label in html


def test_a_brand_may_show_the_provider_to_its_customers(client, dana, servers, settings):
    settings.ALLOWED_HOSTS = ["*"]
    brand = Brand.objects.create(name="Open Co", show_provider=True)
    brand.hosts.create(host="open.example.org")
    from panel.branding import services

    services.changed()
    client.force_login(dana)
    url = reverse("servers:detail", args=[servers[0].pk])
    assert servers[0].label in client.get(url, HTTP_HOST="open.example.org").text
    assert servers[0].label not in client.get(url).text


def test_the_provider_s_own_words_never_carry_its_name():
    outcome = explain(BadRequest(400, "Terrahost could not do this for srv12.terrahost.no"))
    assert "terrahost" not in outcome.message.lower()
    assert outcome.message.startswith("The provider did not accept this: ")
    assert "Terrahost" in outcome.detail  # admins read the words as they came


def test_scrub_replaces_the_name_and_host_names():
    assert scrub("Terrahost did not answer.") == "The provider did not answer."
    assert scrub("Reboot of srv1234.terrahost.no finished") == "Reboot of Server 1234 finished"
    assert scrub("<td>static.192.0.2.13.customers.terrahost.no</td>") == (
        "<td>provider default</td>"
    )
    assert scrub("asked TERRAHOST AS.") == "asked the provider."
    assert scrub("Terrahost as well") == "The provider as well"
    assert scrub("nothing to hide") == "nothing to hide"


def test_the_middleware_guards_messages_for_customers_only(rf, bob, alice):
    def view(request):
        return HttpResponse("<p>Terrahost did not answer in time.</p>")

    middleware = WhiteLabelMiddleware(view)
    request = rf.get("/")
    request.user = bob
    assert middleware(request).content == b"<p>The provider did not answer in time.</p>"
    request = rf.get("/")
    request.user = alice
    assert b"Terrahost" in middleware(request).content


def _failed_operation(server, user):
    return Operation.objects.create(
        kind="reinstall",
        server=server,
        srv_id=server.srv_id,
        server_name=server.label,
        connection=server.connection,
        initiator=user,
        status=Operation.Status.FAILED,
        error="Terrahost answered: no",
        idempotency_key=f"mail-{user.pk}",
    )


def test_e_mails_carry_the_user_s_brand_and_never_the_provider(client, dana, servers, settings):
    settings.ALLOWED_HOSTS = ["*"]
    brand = Brand.objects.create(name="Acme Cloud", support_email="help@acme.test")
    brand.hosts.create(host="panel.acme.test")
    # Logging in through a brand's host makes it the brand of the user's e-mails.
    client.post(
        reverse("accounts:login"),
        {"username": "dana", "password": "password"},
        HTTP_HOST="panel.acme.test",
    )
    notify.finished(_failed_operation(servers[0], dana))
    message = mail.outbox[-1]
    text = message.subject + message.body
    assert "terrahost" not in text.lower()
    assert "Acme Cloud" in message.body and "help@acme.test" in message.body
    assert f"Server {servers[0].srv_id}" in message.subject
    assert message.from_email == "Acme Cloud <panel@localhost>"


def test_e_mails_to_admins_keep_the_provider_s_words(alice, servers):
    notify.finished(_failed_operation(servers[0], alice))
    assert "Terrahost answered: no" in mail.outbox[-1].body


def test_a_customer_confirms_with_the_name_they_see(servers):
    from panel.servers.forms import ConfirmForm

    label = servers[0].label
    shown = scrub(label)
    for typed in (label, shown):
        form = ConfirmForm({"confirm_name": typed, "idempotency_key": "0" * 32}, server_name=label)
        assert form.is_valid(), (typed, form.errors)
