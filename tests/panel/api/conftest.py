"""Tokens for the API's tests, made as the page makes them (panel.tokens.services), and a
client that sends one. bob (Operator on the first two servers) and alice (admin) come from
tests/panel/conftest.py."""

from __future__ import annotations

import pytest

from panel.core.actors import Actor
from panel.tokens import services
from panel.tokens.scopes import SCOPES, offered


def make_token(user, *, application=False, scopes=None, servers=(), **options) -> str:
    """A new token of `user` (application: made by `user`, a panel admin); its secret."""
    if scopes is None:
        scopes = [scope.name for scope in offered(user, application=application)]
    _token, secret = services.create(
        Actor.person(user),
        name=options.pop("name", "test"),
        application=application,
        scopes=scopes,
        servers=servers,
        **options,
    )
    return secret


class Api:
    """The Django test client with a token in every request."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, headers):
        auth = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**auth, **(headers or {})}

    def get(self, url, data=None, headers=None, **extra):
        return self.client.get(url, data, headers=self._headers(headers), **extra)

    def post(self, url, data=None, headers=None, key=None, **extra):
        return self._send("post", url, data, headers, key, **extra)

    def patch(self, url, data=None, headers=None, key=None, **extra):
        return self._send("patch", url, data, headers, key, **extra)

    def delete(self, url, data=None, headers=None, key=None, **extra):
        return self._send("delete", url, data, headers, key, **extra)

    def _send(self, method, url, data, headers, key, **extra):
        headers = self._headers(headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return getattr(self.client, method)(
            url,
            data if data is not None else {},
            content_type="application/json",
            headers=headers,
            **extra,
        )


@pytest.fixture
def api(client):
    """api(secret) -> a client sending that token."""
    return lambda secret: Api(client, secret)


@pytest.fixture
def bob_api(api, bob):
    return api(make_token(bob))


@pytest.fixture
def app_api(api, alice):
    """An application token with every scope."""
    return api(make_token(alice, application=True))


ALL_SCOPES = sorted(SCOPES)
