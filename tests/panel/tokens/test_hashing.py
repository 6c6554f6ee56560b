"""The secret is never stored: the row keeps its prefix and an HMAC-SHA256 keyed with a
pepper the database never sees; the pepper can rotate (a token hashed with an older one
works while that pepper is listed, and moves to the first on its next use)."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.db import connection

from panel.audit.models import AuditEntry
from panel.tokens import services
from panel.tokens.models import ApiToken

from ..api.conftest import make_token

OLD = "old-pepper-" + "o" * 40
NEW = "new-pepper-" + "n" * 40


def test_the_database_never_holds_the_token(api, bob, caplog):
    secret = make_token(bob)
    assert re.fullmatch(r"pnl_[A-Za-z0-9_-]{43}", secret)
    api(secret).get("/api/v1/servers/")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert secret not in repr(row), table
                assert secret[4:] not in repr(row), table
    token = ApiToken.objects.get()
    assert token.prefix == secret[:12]
    assert secret not in caplog.text
    assert not AuditEntry.objects.filter(details__icontains=secret[4:]).exists()


def test_the_digest_is_a_keyed_hash(bob, settings):
    secret = make_token(bob)
    token = ApiToken.objects.get()
    pepper = settings.PANEL_API_PEPPERS[0]
    expected = hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()
    assert token.digest == expected and token.pepper_id == services.pepper_id(pepper)
    assert pepper not in str(ApiToken.objects.values().get())


def test_a_new_pepper_goes_first_and_old_tokens_move_to_it(api, bob, settings):
    settings.PANEL_API_PEPPERS = [OLD]
    secret = make_token(bob)
    settings.PANEL_API_PEPPERS = [NEW, OLD]
    assert api(secret).get("/api/v1/servers/").status_code == 200
    token = ApiToken.objects.get()
    assert token.pepper_id == services.pepper_id(NEW)
    settings.PANEL_API_PEPPERS = [NEW]
    assert api(secret).get("/api/v1/servers/").status_code == 200


def test_a_token_whose_pepper_is_gone_stops(api, bob, settings):
    settings.PANEL_API_PEPPERS = [OLD]
    secret = make_token(bob)
    settings.PANEL_API_PEPPERS = [NEW]
    assert api(secret).get("/api/v1/servers/").status_code == 401


def test_a_near_miss_is_no_match(api, bob):
    secret = make_token(bob)
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert api(wrong).get("/api/v1/servers/").status_code == 401
