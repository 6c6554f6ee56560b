"""ISO images: uploading one (a long operation, operation.py) and mounting or unmounting
(one call whose answer already says it is done, "ISO has been mounted.")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from panel.commands.base import StartOperation, UpstreamCall
from panel.orders.upstream import in_their_words

UNMOUNT = 0  # mounting ISO 0 unmounts (what the API takes; there is no unmount endpoint)


@dataclass(kw_only=True)
class UploadIso(StartOperation):
    url: str

    kind = "iso_upload"

    def input(self) -> dict:
        return {"url": self.url}


@dataclass(kw_only=True)
class MountIso(UpstreamCall):
    iso: object  # terrahost_client.models.Iso, from the provider's list

    permission = "iso.manage"
    action = "iso.mount"
    scope = "iso"

    def fingerprint(self) -> str:
        return str(self.iso.id)

    def details(self) -> dict:
        return {"iso_id": self.iso.id, "name": self.iso.name}

    def call(self, client):
        return in_their_words(lambda: client.isos.mount(self.server.srv_id, self.iso.id))

    def done(self) -> str:
        if self.iso.name:
            return _("%(name)s is mounted: the server can start from it.") % {"name": self.iso.name}
        return _("The ISO image is mounted: the server can start from it.")


@dataclass(kw_only=True)
class UnmountIso(UpstreamCall):
    permission = "iso.manage"
    action = "iso.unmount"
    scope = "iso"

    def fingerprint(self) -> str:
        return "unmount"

    def call(self, client):
        return in_their_words(lambda: client.isos.mount(self.server.srv_id, UNMOUNT))

    def done(self) -> str:
        return _("The ISO image is unmounted: the server starts from its own disk again.")
