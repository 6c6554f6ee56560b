"""An operation's task writes in the language of the request that started it: its
progress, its failure and the e-mail at the end (the task runs outside any request)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import mail
from django.utils import translation

from panel.operations import notify, tasks
from panel.operations.models import Operation

from .test_reinstall import choices, wizard_url


def test_the_task_runs_in_the_language_of_the_request(alice_client, alice, servers, monkeypatch):
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    queued = []
    monkeypatch.setattr(
        tasks.run_operation,
        "apply_async",
        lambda args, kwargs=None, **options: queued.append((args, kwargs)),
    )
    follows = []
    monkeypatch.setattr(
        tasks.follow_operation,
        "apply_async",
        lambda args, kwargs=None, **options: follows.append((args, kwargs)),
    )
    row = servers[0]
    answers, _ = choices(alice_client, row)  # the wizard's steps, read in English
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    data = {**answers, "confirm_name": row.display_name, "idempotency_key": uuid.uuid4().hex}
    alice_client.post(wizard_url(row), data)
    op = Operation.objects.get()
    assert queued == [((op.pk,), {"language": "nb"})]

    tasks.run_operation(*queued[0][0], **queued[0][1])
    assert follows and all(kwargs == {"language": "nb"} for _, kwargs in follows)

    # The e-mail at the end is written in it too; and the task leaves the language as it was.
    translation.activate("en")
    seen = []
    real = notify.finished
    monkeypatch.setattr(
        notify, "finished", lambda op: seen.append(translation.get_language()) or real(op)
    )
    Operation.objects.filter(pk=op.pk).update(sent_at=op.created_at.replace(year=2000))
    args, kwargs = follows[-1]
    tasks.follow_operation(*args, **kwargs)  # overdue: it fails, and says so by e-mail
    assert seen == ["nb"] and len(mail.outbox) == 1
    assert translation.get_language() == "en"


def test_without_a_language_the_task_uses_the_panels(db, monkeypatch):
    seen = []
    monkeypatch.setattr(
        tasks, "_run", lambda op_id, language: seen.append(translation.get_language())
    )
    with translation.override("nb"):  # whatever the worker's thread did last
        tasks.run_operation(1)
    assert seen == [settings.LANGUAGE_CODE]
