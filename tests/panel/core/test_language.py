"""English and Norwegian Bokmål: picked from the browser, switchable by anyone."""

from django.conf import settings
from django.urls import reverse


def test_the_browser_picks_norwegian(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="nb-NO,nb;q=0.9")
    assert '<html lang="nb">' in response.text


def test_english_without_a_preference(client, db):
    response = client.get(reverse("accounts:login"))
    assert '<html lang="en">' in response.text
    assert 'value="nb" lang="nb">Norsk</button>' in response.text


def test_anyone_can_switch_and_the_choice_stays(client, db):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "nb", "next": login})
    assert response.status_code == 302
    assert response["Location"] == login
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nb">' in page.text
    assert 'value="en" lang="en">English</button>' in page.text


def test_a_foreign_next_address_is_not_followed(client, db):
    response = client.post(
        reverse("set_language"), {"language": "nb", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
