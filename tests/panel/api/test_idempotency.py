"""Idempotency-Key: the same key with the same request gives the same answer and Terrahost
sees one call; with another request, 422 and no call. Secrets are never kept for a replay,
a refusal that did nothing leaves the key free, and each token's keys are its own."""

from __future__ import annotations

import time

import time_machine
from django.core.cache import cache

from panel.operations.models import Operation

from ..conftest import calls
from .conftest import make_token

REBOOT = "GET /servers/{id}/reboot"


def power(row):
    return f"/api/v1/servers/{row.pk}/power/"


def test_the_same_key_and_body_reboot_once(bob_api, servers, sandbox):
    first = bob_api.post(power(servers[0]), {"action": "reboot"}, key="invoice-42")
    again = bob_api.post(power(servers[0]), {"action": "reboot"}, key="invoice-42")
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert calls(sandbox, REBOOT) == 1


def test_the_same_key_with_another_body_is_422_and_sends_nothing(bob_api, servers, sandbox):
    assert bob_api.post(power(servers[0]), {"action": "reboot"}, key="k-1").status_code == 202
    other = bob_api.post(power(servers[0]), {"action": "off"}, key="k-1")
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert other.json()["type"].endswith("idempotency-key-reused")
    elsewhere = bob_api.post(power(servers[1]), {"action": "reboot"}, key="k-1")
    assert elsewhere.status_code == 422
    assert calls(sandbox, REBOOT) == 1
    assert calls(sandbox, "GET /servers/{id}/power/off") == 0


def test_an_operation_is_started_once_per_key(bob_api, servers, queued):
    url = f"/api/v1/servers/{servers[0].pk}/snapshots/"
    first = bob_api.post(url, {"name": "nightly"}, key="snap-1")
    again = bob_api.post(url, {"name": "nightly"}, key="snap-1")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"] and first["Location"] == again["Location"]
    assert Operation.objects.count() == 1 and len(queued) == 1


def test_without_the_answer_kept_the_executor_still_does_it_once(bob_api, servers, sandbox):
    """Even if the kept answer were lost, the key reaches the executor as the same key."""
    assert bob_api.post(power(servers[0]), {"action": "reboot"}, key="lost").status_code == 202
    for key in list(cache._cache.get_client().scan_iter("*api-idempotency*")):
        cache._cache.get_client().delete(key)
    again = bob_api.post(power(servers[0]), {"action": "reboot"}, key="lost")
    assert again.status_code == 202
    assert calls(sandbox, REBOOT) == 1


def test_each_tokens_keys_are_its_own(api, bob, servers, sandbox, settings):
    settings.PANEL_POWER_COOLDOWN = 0
    one, two = api(make_token(bob, name="one")), api(make_token(bob, name="two"))
    assert one.post(power(servers[0]), {"action": "reboot"}, key="same").status_code == 202
    assert two.post(power(servers[0]), {"action": "reboot"}, key="same").status_code == 202
    assert calls(sandbox, REBOOT) == 2


def test_a_console_password_is_never_kept_nor_shown_twice(bob_api, servers, sandbox):
    url = f"/api/v1/servers/{servers[0].pk}/console/"
    first = bob_api.post(url, key="console-1")
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    password = first.json()["password"]
    assert password
    again = bob_api.post(url, key="console-1")
    assert again.status_code == 409 and password not in again.content.decode()
    assert again.json()["type"].endswith("secret-not-replayed")
    assert calls(sandbox, "POST /servers/{id}/ipmi") == 1
    client = cache._cache.get_client()
    for key in client.scan_iter("*"):  # every value Redis holds as text (the cache's are)
        if client.type(key) == b"string":
            assert password.encode() not in (client.get(key) or b""), key


def test_a_refusal_that_did_nothing_leaves_the_key_free(bob_api, servers, sandbox):
    """A cooldown (429) is answered, and the same key may try again once it is over."""
    start = time.time()
    with time_machine.travel(start, tick=False):
        assert bob_api.post(power(servers[0]), {"action": "reboot"}).status_code == 202
        refused = bob_api.post(power(servers[0]), {"action": "reboot"}, key="retry-me")
        assert refused.status_code == 429 and refused["Retry-After"] == "10"
        assert refused.json()["type"].endswith("cooldown")
    with time_machine.travel(start + 11, tick=False):
        later = bob_api.post(power(servers[0]), {"action": "reboot"}, key="retry-me")
    assert later.status_code == 202
    assert calls(sandbox, REBOOT) == 2


def test_invalid_input_is_not_kept_either(bob_api, servers, sandbox):
    assert bob_api.post(power(servers[0]), {"action": "dance"}, key="typo").status_code == 400
    assert bob_api.post(power(servers[0]), {"action": "reboot"}, key="typo").status_code == 202


def test_a_key_must_be_visible_ascii(bob_api, servers, sandbox):
    for key in ("x" * 256, "with space"):
        answer = bob_api.post(power(servers[0]), {"action": "reboot"}, key=key)
        assert answer.status_code == 400, key
    assert calls(sandbox, REBOOT) == 0


def test_without_a_key_each_request_is_new(bob_api, servers, sandbox, settings):
    settings.PANEL_POWER_COOLDOWN = 0
    for _ in range(2):
        assert bob_api.post(power(servers[0]), {"action": "reboot"}).status_code == 202
    assert calls(sandbox, REBOOT) == 2


def test_a_database_made_afresh_beside_the_same_redis_finds_no_old_answers():
    """Token 1 of yesterday's database and token 1 of today's are different tokens: their
    keys in Redis (answers, the executor's claims, rates) never meet."""
    from panel.api.idempotency import command_key
    from panel.core.actors import Actor
    from panel.tokens.models import ApiToken

    old, new = ApiToken(pk=1, prefix="pnl_aaaaaaaa"), ApiToken(pk=1, prefix="pnl_bbbbbbbb")
    assert command_key(old, "create-C-42") != command_key(new, "create-C-42")
    assert Actor.api(old).claimant != Actor.api(new).claimant
