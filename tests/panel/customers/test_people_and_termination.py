"""What a billing system does to a customer through the API, as services: a new person
(welcomed by e-mail, or not), and terminating the customer for good."""

from __future__ import annotations

import pytest
from django.core import mail

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.core.actors import Actor
from panel.customers import services
from panel.customers.models import Customer
from panel.grants.access import visible_servers
from panel.grants.models import Grant
from panel.teams import services as team_services
from panel.teams.models import Team


@pytest.fixture
def actor(alice):
    return Actor.person(alice)


def test_a_new_person_gets_a_welcome_with_a_link_to_choose_a_password(
    fjord, actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.add_person(
            fjord, email="kari@bakery.example", name="Kari Nordmann", role="admin", actor=actor
        )
    assert (user.username, user.first_name, user.last_name) == (
        "kari@bakery.example",
        "Kari",
        "Nordmann",
    )
    assert user.customer == fjord and user.customer_role == "admin"
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["kari@bakery.example"]
    assert "/users/reset/" in message.body and "kari@bakery.example" in message.body
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.details["customer"] == "Fjord Bakery" and entry.details["invited"] is True


def test_without_an_invitation_no_mail_goes(fjord, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_person(fjord, email="x@example.org", invite=False, actor=actor)
    assert not mail.outbox


def test_a_taken_username_or_a_full_customer_is_refused_in_words(fjord, actor, ola):
    with pytest.raises(services.Refused, match="already a user with this username"):
        services.add_person(fjord, email="x@example.org", username="OLA", actor=actor)
    fjord.max_users = 1
    fjord.save()
    with pytest.raises(services.Refused, match="maximum of 1 users"):
        services.add_person(fjord, email="y@example.org", actor=actor)


def test_terminating_removes_people_teams_and_access_and_frees_the_servers(
    fjord, nordlys, actor, alice, dag, ola, nina, servers
):
    team = team_services.create_team(alice, "Bakers", customer=fjord)
    counts = services.terminate(fjord, actor=actor)
    assert counts == {"customer": "Fjord Bakery", "people": 2, "teams": 1, "servers": 2}
    assert not Customer.objects.filter(name="Fjord Bakery").exists()
    assert not User.objects.filter(username__in=["dag", "ola"]).exists()
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Grant.objects.filter(server__in=servers[:2]).exists()
    assert {s.customer_id for s in servers[:2] if s.refresh_from_db() is None} == {None}
    assert set(visible_servers(nina)) == set(servers[2:4])  # Nordlys untouched
    assert AuditEntry.objects.filter(action="customer.server_assign").count() == 2
    assert AuditEntry.objects.get(action="customer.terminate").details == counts
