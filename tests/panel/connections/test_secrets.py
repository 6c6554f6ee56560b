"""Terrahost passwords and codes stay out of error reports and reprs."""

from __future__ import annotations

import sys

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from panel.connections import services, tokens, transport
from panel.connections.models import Connection
from panel.core import crypto
from tests.panel.conftest import API_URL

SECRET = "s3cret-Terrahost-pw"


def test_a_new_connection_never_shows_its_password_or_code():
    new = services.NewConnection(
        name="Main", username="demo", password=SECRET, base_url=API_URL, code="123456"
    )
    assert SECRET not in repr(new) and "123456" not in repr(new)
    assert "demo" in repr(new)


@pytest.mark.parametrize(
    ("name", "data", "hidden"),
    [
        ("connections:add", {"name": "X", "username": "u", "password": SECRET}, ["password"]),
        ("connections:password", {"password": SECRET, "code": "123456"}, ["password", "code"]),
        ("connections:reauth", {"code": "123456"}, ["code"]),
        ("users:user_create", {"username": "erin", "password": SECRET}, ["password"]),
        ("accounts:login", {"username": "alice", "password": SECRET}, ["password"]),
    ],
)
def test_views_that_take_a_secret_hide_it_from_error_reports(
    alice_client, connection, name, data, hidden
):
    with_pk = name in ("connections:password", "connections:reauth")
    url = reverse(name, args=[connection.pk]) if with_pk else reverse(name)
    request = alice_client.post(url, data).wsgi_request
    assert request.sensitive_post_parameters
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    for field in hidden:
        assert cleansed[field] != data[field], (name, field)
        assert SECRET not in str(cleansed[field])


def test_a_decrypted_password_is_hidden_from_tracebacks(connection, monkeypatch):
    """An error while building the login client must not print the stored password."""
    Connection.objects.filter(pk=connection.pk).update(password_encrypted=crypto.encrypt(SECRET))
    conn = Connection.objects.get(pk=connection.pk)

    def broken_session():
        raise RuntimeError("no session")

    monkeypatch.setattr(transport, "get_session", broken_session)
    try:
        tokens.login_client(conn)
    except RuntimeError:
        exc_info = sys.exc_info()
    request = RequestFactory().get("/")
    frames = ExceptionReporter(request, *exc_info).get_traceback_frames()
    login_frame = next(f for f in frames if f["function"] == "login_client")
    shown = dict(login_frame["vars"])
    assert "password" in shown and SECRET not in str(shown["password"])
    assert SECRET not in str([frame["vars"] for frame in frames])
