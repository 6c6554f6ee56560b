"""Snapshots of a server: the list (from the provider, cached briefly), taking one and
deleting one (long operations, panel.snapshots.commands)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from panel.operations.models import Operation
from panel.snapshots import services
from panel.snapshots.commands import DeleteSnapshot, TakeSnapshot
from panel.snapshots.forms import TakeSnapshotForm

from . import serializers as s
from .base import TokenView, not_available
from .idempotency import idempotent
from .problems import Problem


def _listing(row):
    listing = services.list_snapshots(row)
    if listing.unsupported:
        raise Problem(422, listing.unsupported, kind="not-supported")
    if listing.problem is not None:
        raise not_available(listing.problem.message)
    return listing


class Snapshots(TokenView):
    @extend_schema(summary="A server's snapshots, newest first", responses=s.Snapshot(many=True))
    def get(self, request, id):
        listing = _listing(self.server(id))
        return Response(s.Snapshot(listing.snapshots, many=True).data)

    @extend_schema(
        summary="Take a snapshot",
        description="Starts an operation; follow it at /api/v1/operations/{id}/. Without a "
        "name, the server's name and the time.",
        request=s.TakeSnapshot,
        responses={202: s.Operation},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.TakeSnapshot(data=request.data)
        data.is_valid(raise_exception=True)
        asked = {"name": data.validated_data.get("name") or services.default_name(row)}
        name = s.checked_by(TakeSnapshotForm, asked)["name"]
        command = TakeSnapshot(actor=self.actor, server=row, key=request.command_key, name=name)
        return self.start(command)


class Snapshot(TokenView):
    @extend_schema(
        summary="Delete a snapshot",
        description="Starts an operation; follow it at /api/v1/operations/{id}/.",
        request=None,
        responses={202: s.Operation},
    )
    @idempotent
    def delete(self, request, id, snapshot_id):
        row = self.server(id)
        key = request.command_key
        replay = Operation.objects.filter(idempotency_key=key, server=row).exists()
        snapshot = _listing(row).get(snapshot_id)
        if snapshot is None and not replay:  # a replay may find it gone already: it counts
            raise Problem(404, _("This server has no such snapshot."))
        name = (snapshot.display_name or snapshot.name) if snapshot else ""
        command = DeleteSnapshot(
            actor=self.actor, server=row, key=key, snap_id=snapshot_id, name=name
        )
        return self.start(command)
