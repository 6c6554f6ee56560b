"""The users pages: a user is reseller staff or one of a customer's people, with a role;
a customer's person is never a panel admin; a customer's user limit holds."""

from django.urls import reverse

from panel.accounts.models import User
from panel.audit.models import AuditEntry


def _new(**values):
    data = {"username": "anna", "password": "correct horse battery staple", "email": ""}
    data.update({"first_name": "", "last_name": "", "customer_role": "member"})
    return {**data, **values}


def test_it_creates_a_customer_admin(alice_client, fjord):
    page = alice_client.get(reverse("users:user_create"), {"customer": fjord.pk}).content.decode()
    assert "Reseller staff" in page and "Customer admin" in page
    assert f'<option value="{fjord.pk}" selected>' in page
    response = alice_client.post(
        reverse("users:user_create"), _new(customer=fjord.pk, customer_role="admin")
    )
    assert response.status_code == 302
    anna = User.objects.get(username="anna")
    assert anna.customer == fjord and anna.customer_role == "admin"
    details = AuditEntry.objects.get(action="user.create").details
    assert details["customer"] == "Fjord Bakery" and details["role"] == "admin"


def test_a_customers_person_cannot_be_a_panel_admin(alice_client, fjord):
    response = alice_client.post(
        reverse("users:user_create"), _new(customer=fjord.pk, is_panel_admin="on")
    )
    assert response.status_code == 200
    assert "A customer&#x27;s people cannot be panel admins." in response.content.decode()
    assert not User.objects.filter(username="anna").exists()


def test_the_customers_user_limit_is_kept(alice_client, fjord, charlie):
    fjord.max_users = 1
    fjord.save()
    charlie.customer = fjord
    charlie.save()
    response = alice_client.post(reverse("users:user_create"), _new(customer=fjord.pk))
    assert "Fjord Bakery already has its maximum of 1 users." in response.content.decode()
    assert not User.objects.filter(username="anna").exists()
    # Editing someone already in it is fine.
    url = reverse("users:detail", args=[charlie.pk])
    data = {"username": "charlie", "email": "", "customer": fjord.pk, "customer_role": "admin"}
    assert alice_client.post(url, data).status_code == 302
    charlie.refresh_from_db()
    assert charlie.customer_role == "admin"


def test_an_edit_moves_a_user_to_a_customer_and_back_to_the_staff(alice_client, fjord, charlie):
    url = reverse("users:detail", args=[charlie.pk])
    data = {"username": "charlie", "email": "", "customer_role": "member"}
    alice_client.post(url, {**data, "customer": fjord.pk})
    charlie.refresh_from_db()
    assert charlie.customer == fjord
    assert AuditEntry.objects.get(action="user.update").details["customer"] == "Fjord Bakery"
    alice_client.post(url, {**data, "customer": ""})
    charlie.refresh_from_db()
    assert charlie.customer is None
