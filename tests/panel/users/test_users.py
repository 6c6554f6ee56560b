from django.urls import reverse

from panel.accounts.models import User


def test_admins_list_users(alice_client, bob):
    response = alice_client.get(reverse("users:user_list"))
    assert response.status_code == 200
    assert "bob" in response.text


def test_admins_create_a_user(alice_client):
    response = alice_client.post(
        reverse("users:user_create"),
        {"username": "erin", "password": "a-long-enough-secret-7", "is_panel_admin": ""},
    )
    erin = User.objects.get(username="erin")
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:user", args=[erin.pk])
    assert erin.check_password("a-long-enough-secret-7")
    assert not erin.is_panel_admin


def test_it_refuses_a_weak_password(alice_client):
    response = alice_client.post(
        reverse("users:user_create"), {"username": "erin", "password": "123"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="erin").exists()


def test_superusers_are_panel_admins(db):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert root.is_panel_admin
