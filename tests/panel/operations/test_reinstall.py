"""The reinstall end to end through the views, with a real worker on the real Redis:
the wizard, one upstream reinstall, the progress, the root password shown once."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.operations.models import Operation
from panel.operations.tasks import wipe_root_passwords
from terrahost_client.sandbox import SandboxApp

from ..conftest import calls, log_in, wait_for

REINSTALL = "POST /servers/{id}/reinstall"


@pytest.fixture(params=["answer", "server record"])
def sandbox(request):
    """Both places Terrahost may put the root password (API notes, issue 10)."""
    return SandboxApp(
        seed=1, servers=8, root_password_in_server_record=request.param == "server record"
    )


def wizard_url(row):
    return reverse("reinstall:wizard", args=[row.pk])


def choices(client, row):
    """Walk the wizard's GET steps; the answers for the confirmation."""
    page = client.get(wizard_url(row))
    assert page.status_code == 200
    distro = page.context["distros"][0]
    page = client.get(wizard_url(row), {"distro": distro.id})
    system = page.context["systems"][0]
    answers = {
        "distro": distro.id,
        "os": system.id,
        "hostname": "fresh.example.com",
        "language": "nb_NO",
        "keyboard": "no",
        "timezone": "Europe/Oslo",
    }
    page = client.get(wizard_url(row), answers)
    assert page.context["step"] == "confirm"
    assert "will be erased" in page.text
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]*)"', page.text)
    assert len(keys) == 1 and len(keys[0]) == 32  # one key, filled in
    return answers, system


def confirm(client, row, answers, key=None):
    data = {**answers, "confirm_name": row.display_name, "idempotency_key": key or uuid.uuid4().hex}
    return client.post(wizard_url(row), data)


def test_the_wizard_then_one_reinstall_and_the_password_once(
    worker, alice_client, alice, servers, sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    alice.email = "alice@example.org"
    alice.save()
    row = servers[0]
    answers, system = choices(alice_client, row)
    response = confirm(alice_client, row, answers)
    assert response.status_code == 302
    op = Operation.objects.get()
    assert op.input["os_id"] == system.id and op.input["hostname"] == "fresh.example.com"
    wait_for(lambda: calls(sandbox, REINSTALL) == 1, what="the reinstall call")
    wait_for(lambda: Operation.objects.get().progress.startswith("Installing"), what="the install")
    sandbox.advance(300)  # the sandbox's installer takes 180 s
    wait_for(lambda: Operation.objects.get().status == "succeeded", what="the install")
    assert calls(sandbox, REINSTALL) == 1
    op.refresh_from_db()
    assert op.root_password_encrypted  # captured and encrypted, in either mode
    page = alice_client.get(reverse("servers:detail", args=[row.pk])).text
    assert "Reveal root password" in page
    reveal = reverse("operations:reveal", args=[row.pk, op.pk])
    first = alice_client.post(reveal, HTTP_HX_REQUEST="true")
    assert "no-store" in first["Cache-Control"]
    password = first.context["password"]
    assert len(password) >= 12 and password in first.text
    op.refresh_from_db()
    assert op.root_password_encrypted == "" and op.password_revealed_by == "alice"
    second = alice_client.post(reveal, HTTP_HX_REQUEST="true")
    assert password not in second.text and "already shown, to alice" in second.text
    assert (
        "Reveal root password"
        not in alice_client.get(reverse("servers:detail", args=[row.pk])).text
    )
    # Nowhere else: not in the database, the audit log or the e-mail.
    dump = str(list(Operation.objects.values())) + str(list(AuditEntry.objects.values()))
    assert password not in dump
    assert len(mail.outbox) == 1 and password not in mail.outbox[0].body
    assert password not in caplog.text  # the worker's logs and the client's debug lines
    redis = cache._cache.get_client(write=True)
    for key in redis.scan_iter(match="*", _type="string"):  # cache, locks, task results
        value = redis.get(key)
        assert value is None or password.encode() not in value, key
    for key in redis.scan_iter(match="*", _type="list"):  # queued task messages
        assert not any(password.encode() in item for item in redis.lrange(key, 0, -1)), key
    assert "finished" in mail.outbox[0].subject
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"reinstall.requested", "reinstall.started", "reinstall.finished"} <= actions
    assert "reinstall.password_reveal" in actions


def test_a_double_submit_is_one_operation_and_one_reinstall(worker, alice_client, servers, sandbox):
    row = servers[0]
    answers, _ = choices(alice_client, row)
    key = uuid.uuid4().hex
    confirm(alice_client, row, answers, key)
    confirm(alice_client, row, answers, key)
    confirm(alice_client, row, answers)  # another tab: refused while one runs
    wait_for(lambda: calls(sandbox, REINSTALL) == 1, what="the reinstall call")
    assert Operation.objects.count() == 1


def test_the_name_must_be_typed(alice_client, servers, sandbox):
    row = servers[0]
    answers, _ = choices(alice_client, row)
    data = {**answers, "confirm_name": "something else", "idempotency_key": uuid.uuid4().hex}
    response = alice_client.post(wizard_url(row), data)
    assert response.status_code == 400
    assert "exactly" in response.text
    assert not Operation.objects.exists()


def test_bad_settings_get_messages_and_nothing_starts(alice_client, servers, sandbox):
    row = servers[0]
    answers, _ = choices(alice_client, row)
    bad = {**answers, "hostname": "bad_host!", "timezone": "Mars/Olympus"}
    response = alice_client.get(wizard_url(row), bad)
    assert response.status_code == 400
    assert "Pick one from the list." in response.text
    assert "is not allowed in a hostname" in response.text


def test_systems_a_vps_cannot_run_are_not_offered(alice_client, servers, sandbox):
    row = servers[0]  # a VPS with 2 GB
    page = alice_client.get(wizard_url(row))
    for distro in page.context["distros"]:
        systems = alice_client.get(wizard_url(row), {"distro": distro.id}).context["systems"]
        assert not any(system.dedicated_only for system in systems)


def test_a_revoked_grant_stops_the_task_before_the_write(
    operation_queue, transactional_db, client, alice, bob, servers, sandbox
):
    from celery.contrib.testing.worker import start_worker

    from panel.celery import app
    from panel.grants import services as grants
    from panel.grants.models import Grant
    from panel.grants.permissions import PRESETS

    row = servers[0]
    grants.grant(alice, bob, PRESETS["manager"], server=row)
    log_in(client, bob)
    answers, _ = choices(client, row)
    confirm(client, row, answers)
    Grant.objects.filter(user=bob).delete()  # revoked before any worker took the task
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[operation_queue]):
        wait_for(lambda: Operation.objects.get().status == "failed", what="the refusal")
    assert "Permission withdrawn" in Operation.objects.get().error
    assert calls(sandbox, REINSTALL) == 0


def test_with_the_queue_down_nothing_is_left_behind(alice_client, servers, sandbox, monkeypatch):
    from kombu.exceptions import OperationalError

    from panel.operations import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_operation, "apply_async", down)
    row = servers[0]
    answers, _ = choices(alice_client, row)
    response = confirm(alice_client, row, answers)
    assert response.status_code == 400
    assert "Background jobs are not available right now" in response.text
    assert not Operation.objects.exists()
    assert calls(sandbox, REINSTALL) == 0
    # The server page still loads.
    assert alice_client.get(reverse("servers:detail", args=[row.pk])).status_code == 200


def test_unrevealed_passwords_are_wiped_after_a_day(db, alice, servers):
    from datetime import timedelta

    from django.utils import timezone

    from panel.core import crypto

    op = Operation.objects.create(
        kind="reinstall",
        server=servers[0],
        srv_id=servers[0].srv_id,
        idempotency_key=uuid.uuid4().hex,
        status="succeeded",
        root_password_encrypted=crypto.encrypt("secret-root"),
    )
    assert wipe_root_passwords() == 0
    Operation.objects.filter(pk=op.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert wipe_root_passwords() == 1
    op.refresh_from_db()
    assert op.root_password_encrypted == "" and op.password_wiped_at


def test_key_rotation_re_encrypts_waiting_root_passwords(db, servers, settings):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from panel.core import crypto

    op = Operation.objects.create(
        kind="reinstall",
        server=servers[0],
        srv_id=servers[0].srv_id,
        idempotency_key=uuid.uuid4().hex,
        root_password_encrypted=crypto.encrypt("waiting-root"),
    )
    old, new = settings.PANEL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.PANEL_ENCRYPTION_KEYS = [new]
    op.refresh_from_db()
    assert crypto.decrypt(op.root_password_encrypted) == "waiting-root"


def test_reinstall_is_not_offered_while_one_runs(alice_client, servers, queued):
    row = servers[0]
    answers, _ = choices(alice_client, row)
    page = alice_client.get(reverse("servers:detail", args=[row.pk])).text
    assert ">Reinstall</button>" in page
    confirm(alice_client, row, answers)
    page = alice_client.get(reverse("servers:detail", args=[row.pk])).text
    assert ">Reinstall</button>" not in page
    assert "Waiting for a background worker" in page  # the operation shows instead


def test_with_no_worker_taking_jobs_nothing_starts(alice_client, servers, sandbox):
    from panel.core.workers import WORKERS_ALIVE_KEY

    row = servers[0]
    answers, _ = choices(alice_client, row)
    cache.delete(WORKERS_ALIVE_KEY)  # no heartbeat: beat or every worker is down
    response = confirm(alice_client, row, answers)
    assert response.status_code == 400
    assert "Background jobs are not available right now" in response.text
    assert not Operation.objects.exists()
    assert AuditEntry.objects.get(action="reinstall.requested").result == "refused"
