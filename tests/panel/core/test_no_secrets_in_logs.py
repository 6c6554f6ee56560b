"""The secrets a representative flow handles appear in none of its log records.

One flow, with every logger at DEBUG (the Terrahost client's request/response lines
included) and a real worker thread: a panel login (a wrong password first), adding a
two-factor Terrahost connection, re-authenticating it with a fresh code, opening a
console, a reinstall and the one-time reveal of its root password. Then every captured
record is searched for every secret used or produced on the way.

Limits: it sees what goes through Python's logging in this process during this flow
(the worker runs as a thread here, so its records are included). It does not see
output written straight to stdout/stderr, a web server's access log, loggers that do
not propagate to the root, nor code paths this flow does not take; each of those needs
its own test (see e.g. test_reinstall.py for the cache and the queued task messages).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from panel.accounts import throttle
from panel.accounts.models import User
from panel.connections.models import Connection
from panel.operations.models import Operation
from panel.servers import mirror
from tests.panel.conftest import API_URL, calls, totp, wait_for
from tests.panel.operations.test_reinstall import REINSTALL, choices, confirm
from tests.panel.servers.test_console import open_console

# Secrets of this test only, distinct enough to be searched for.
PANEL_PASSWORD = "Erin-panel-pw-5c1d8a"
WRONG_PASSWORD = "Erin-wrong-pw-77aa3f"
TERRAHOST_PASSWORD = "Th-2fa-pw-9e3b71c4"


def test_no_secret_of_a_representative_flow_is_logged(worker, servers, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("terrahost_client", "panel", "django", "celery"):
        caplog.set_level(logging.DEBUG, logger=name)
    sandbox.state.accounts["demo-2fa"].password = TERRAHOST_PASSWORD
    User.objects.create_user("erin", password=PANEL_PASSWORD, is_panel_admin=True)
    codes = []

    # The panel's own login, a wrong password first.
    browser = Client()
    login = reverse("accounts:login")
    browser.post(login, {"username": "erin", "password": WRONG_PASSWORD})
    assert browser.post(login, {"username": "erin", "password": PANEL_PASSWORD}).status_code == 302

    # A two-factor Terrahost account, added through the form.
    codes.append(totp())
    response = browser.post(
        reverse("connections:add"),
        {
            "name": "Secure",
            "username": "demo-2fa",
            "password": TERRAHOST_PASSWORD,
            "code": codes[-1],
            "base_url": API_URL,
        },
    )
    assert response.status_code == 302, response.text[-2000:]
    conn = Connection.objects.get(name="Secure")

    # Its token expires; a fresh code restores it.
    sandbox.set_faults({"expire_tokens": True})
    Connection.objects.filter(pk=conn.pk).update(servers_checked_at=None)
    browser.get(reverse("servers:list"))
    sandbox.set_faults({"expire_tokens": False})
    codes.append(totp())
    response = browser.post(reverse("connections:reauth", args=[conn.pk]), {"code": codes[-1]})
    assert response.status_code == 302
    mirror.refresh_connection(Connection.objects.get(pk=conn.pk), force=True)

    # A console, and a reinstall whose root password is revealed once.
    row = servers[0]
    assert open_console(browser, row, HTTP_HX_REQUEST="true").status_code == 200
    console_password = sandbox.state.servers[row.srv_id].ipmi["kvm_password"]
    answers, _ = choices(browser, row)
    assert confirm(browser, row, answers).status_code == 302
    wait_for(lambda: calls(sandbox, REINSTALL) == 1, what="the reinstall call")
    wait_for(lambda: Operation.objects.get().progress.startswith("Installing"), what="install")
    sandbox.advance(300)
    wait_for(lambda: Operation.objects.get().status == "succeeded", what="the install")
    op = Operation.objects.get()
    reveal = browser.post(
        reverse("operations:reveal", args=[row.pk, op.pk]), HTTP_HX_REQUEST="true"
    )
    root_password = reveal.context["password"]

    secrets = {
        "the panel password": PANEL_PASSWORD,
        "a mistyped panel password": WRONG_PASSWORD,
        "the Terrahost password": TERRAHOST_PASSWORD,
        "the console password": console_password,
        "the root password": root_password,
        "the session key": browser.cookies[settings.SESSION_COOKIE_NAME].value,
        "the device cookie": browser.cookies[throttle.DEVICE_COOKIE].value,
        "the secret key": settings.SECRET_KEY,
        **{f"encryption key {n}": key for n, key in enumerate(settings.PANEL_ENCRYPTION_KEYS)},
        **{f"Terrahost token {n}": token for n, token in enumerate(sandbox.state.tokens)},
    }
    assert len([name for name in secrets if name.startswith("Terrahost token")]) >= 2
    logged = "\n".join(
        [caplog.text]
        + [f"{record.msg!r} {record.args!r}" for record in caplog.records]  # unformatted too
    )
    # The flow was logged at DEBUG, the client's request lines included.
    assert any(r.name == "terrahost_client" and r.levelno == logging.DEBUG for r in caplog.records)
    for name, secret in secrets.items():
        assert secret and secret not in logged, f"{name} is in the log"
    for code in codes:  # six digits: as a whole number only
        assert not re.search(rf"(?<!\d){code}(?!\d)", logged), "a two-factor code is in the log"
