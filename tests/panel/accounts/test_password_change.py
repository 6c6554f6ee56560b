from django.urls import reverse

from tests.panel.conftest import PASSWORD

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
