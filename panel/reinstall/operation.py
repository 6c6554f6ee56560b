"""The reinstall as a long operation: one POST /reinstall, then reads of the server until
the new OS and hostname show. The root password comes from the reinstall's answer or,
on accounts that send it empty, from the server record during the install (API notes);
whichever carries it, it is stored once, encrypted, on the operation."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.operations.kinds import Check, Kind, register
from panel.servers import mirror


def send(client, op) -> dict:
    asked = op.input
    result = client.reinstall.start(
        op.srv_id,
        asked["os_id"],
        asked["hostname"],
        language=asked["language"],
        keyboard=asked["keyboard"],
        timezone=asked["timezone"],
    )
    op.store_password(result.root_password)
    return {"reboot": result.reboot}


def check(client, op) -> Check:
    server = client.servers.get(op.srv_id)
    op.store_password(server.install_root_password)
    asked = op.input
    has_new_os = server.os is not None and server.os.id == asked["os_id"]
    if has_new_os and server.hostname == asked["hostname"] and not server.is_installing:
        if op.server is not None:
            op.server.changed()
            mirror.update_row(op.server, server)
        summary = _("%(os)s is installed, as %(hostname)s.") % {
            "os": server.os.name,
            "hostname": server.hostname,
        }
        return Check(done=True, result={"os": server.os.name, "summary": summary})
    return Check(
        seen=server.is_installing or has_new_os,
        progress=_("Installing %(os)s: this usually takes a few minutes…")
        % {"os": asked["os_name"]},
    )


register(
    Kind(
        name="reinstall",
        key="reinstall",
        label=gettext_lazy("Reinstall"),
        send=send,
        check=check,
        started=gettext_lazy("The reinstall was accepted; the installer is starting…"),
        first_check=3.0,
        longest_pause=10.0,
        give_up_after=2 * 3600,
    )
)
