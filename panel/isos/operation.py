"""An ISO upload as a long operation: one POST /isos with the URL, then reads of the ISO
list until the new image is ready. The answer does not say which ISO it made, so the ids
listed before are remembered and the new one is the id that was not there, fetched from
the same URL (the list is the account's: another server may upload at the same time)."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.operations.kinds import Check, Kind, register
from panel.orders.upstream import in_their_words, read_before, remember


def send(client, op) -> dict:
    before = read_before(lambda: client.isos.list(op.srv_id))
    remember(op, before=[iso.id for iso in before])
    in_their_words(lambda: client.isos.upload(op.srv_id, op.input["url"]))
    return {}


def check(client, op) -> Check:
    before = op.result.get("before")
    if before is None:  # never sent (see read_before)
        return Check(seen=False, progress=_("Waiting for the provider…"))
    url = op.input["url"]
    new = [iso for iso in client.isos.list(op.srv_id) if iso.id not in before]
    # Lenient: a list without iso_url still finds the image by being the only new one.
    iso = next((i for i in new if i.url == url), None) or (new[0] if len(new) == 1 else None)
    if iso is None:
        return Check(seen=False, progress=_("Waiting for the provider to list the image…"))
    if iso.is_ready:
        if op.server is not None:
            op.server.changed()
        summary = _("%(name)s is ready to be mounted.") % {"name": iso.name}
        return Check(done=True, result={"iso_id": iso.id, "name": iso.name, "summary": summary})
    if iso.size and iso.name:
        text = _("The provider is downloading %(name)s (%(size)s so far)…")
    elif iso.size:
        text = _("The provider is downloading the image (%(size)s so far)…")
    elif iso.name:
        text = _("The provider is downloading %(name)s…")
    else:
        text = _("The provider is downloading the image…")
    size = filesizeformat(iso.size) if iso.size else ""
    return Check(progress=text % {"name": iso.name, "size": size})


register(
    Kind(
        name="iso_upload",
        key="iso.manage",
        label=gettext_lazy("ISO upload"),
        send=send,
        check=check,
        started=gettext_lazy("The provider is fetching the image…"),
        first_check=3.0,
        longest_pause=10.0,
        give_up_after=3 * 3600,
    )
)
