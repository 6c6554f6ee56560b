"""Suspending a customer (asks first, optionally powering their servers off) and
reactivating it."""

from django.urls import reverse

from panel.audit.models import AuditEntry


def test_suspend_asks_first_without_javascript(alice_client, fjord):
    page = alice_client.get(reverse("customers:suspend", args=[fjord.pk])).content.decode()
    assert "Suspend Fjord Bakery?" in page and "Also power off their servers" in page
    fjord.refresh_from_db()
    assert not fjord.is_suspended


def test_it_suspends_and_reactivates(alice_client, fjord):
    response = alice_client.post(reverse("customers:suspend", args=[fjord.pk]), follow=True)
    page = response.content.decode()
    assert "Fjord Bakery is suspended." in page and "Reactivate customer" in page
    fjord.refresh_from_db()
    assert fjord.is_suspended
    assert not AuditEntry.objects.filter(action="power.off").exists()
    response = alice_client.post(reverse("customers:reactivate", args=[fjord.pk]), follow=True)
    assert "Fjord Bakery is active again." in response.content.decode()
    fjord.refresh_from_db()
    assert not fjord.is_suspended
    entries = AuditEntry.objects.filter(action__startswith="customer.").order_by("pk")
    actions = list(entries.values_list("action", flat=True))
    assert actions == ["customer.suspend", "customer.reactivate"]


def test_suspending_twice_does_nothing_more(alice_client, fjord):
    url = reverse("customers:suspend", args=[fjord.pk])
    alice_client.post(url)
    response = alice_client.post(url, follow=True)
    assert "Fjord Bakery is suspended already." in response.content.decode()
    assert AuditEntry.objects.filter(action="customer.suspend").count() == 1


def test_it_can_power_their_servers_off_too(alice_client, fjord, servers, sandbox):
    running = [s for s in servers if s.status == "running"][:2]
    for server in running:
        server.customer = fjord
        server.save()
    alice_client.post(reverse("customers:suspend", args=[fjord.pk]), {"power_off": "1"})
    fjord.refresh_from_db()
    assert fjord.is_suspended
    offs = AuditEntry.objects.filter(action="power.off")
    assert sorted(e.server_id for e in offs) == sorted(s.pk for s in running)
