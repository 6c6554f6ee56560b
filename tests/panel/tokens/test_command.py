"""manage.py create_api_token prints the new token and nothing else."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from panel.audit.models import AuditEntry
from panel.tokens.models import ApiToken

from ..api.conftest import Api


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_it_prints_only_the_token(bob, client):
    printed = run("bob", "--name", "ci", "--scopes", "servers:read")
    secret = printed.strip()
    assert printed == secret + "\n" and secret.startswith("pnl_")
    token = ApiToken.objects.get()
    assert token.owner == bob and token.scopes == ["servers:read"]
    assert Api(client, secret).get("/api/v1/servers/").status_code == 200
    entry = AuditEntry.objects.get(action="token.create")
    assert entry.details["via"] == "manage.py create_api_token"


def test_without_scopes_every_scope_the_owner_may_have(bob):
    run("BOB", "--name", "all")
    assert "servers:power" in ApiToken.objects.get().scopes
    assert "reinstall" not in ApiToken.objects.get().scopes


def test_an_application_token_by_an_admin(alice):
    run("alice", "--name", "billing", "--application")
    token = ApiToken.objects.get()
    assert token.is_application and "customers:write" in token.scopes


def test_it_refuses_in_plain_words(bob):
    with pytest.raises(CommandError, match="no active user"):
        run("nobody", "--name", "x")
    with pytest.raises(CommandError, match="Only panel admins"):
        run("bob", "--name", "x", "--application")
    with pytest.raises(CommandError, match="not available"):
        run("bob", "--name", "x", "--scopes", "reinstall")
    assert not ApiToken.objects.exists()
