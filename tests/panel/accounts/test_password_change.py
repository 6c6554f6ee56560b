from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.panel.conftest import PASSWORD, log_in

URL = reverse("accounts:password_change")


def test_it_changes_the_password(bob_client, bob):
    response = bob_client.post(
        URL,
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-secret-41",
            "new_password2": "a-much-longer-secret-41",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    bob.refresh_from_db()
    assert bob.check_password("a-much-longer-secret-41")


def test_it_re_renders_with_errors(bob_client, bob):
    response = bob_client.post(
        URL, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    assert response.status_code == 200
    assert "field-error" in response.text
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_it_ends_the_users_other_sessions_and_keeps_this_one(bob_client, bob):
    elsewhere = log_in(Client(), bob)
    other_key = elsewhere.session.session_key
    new = "a-much-longer-secret-41"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    assert bob_client.post(URL, data).status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()
    assert elsewhere.get(URL)["Location"].startswith(reverse("accounts:login"))
    assert bob_client.get(URL).status_code == 200
