"""ISO images of a server: the list, uploading one by its address (a long operation), and
mounting or unmounting (one call each; panel.isos.commands)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from panel.isos import services
from panel.isos.commands import MountIso, UnmountIso, UploadIso
from panel.isos.forms import UploadForm

from . import serializers as s
from .base import TokenView, not_available
from .idempotency import idempotent
from .problems import Problem


def _isos(row) -> list:
    isos, problem = services.list_isos(row)
    if problem is not None:
        raise not_available(problem.message)
    return isos


class Isos(TokenView):
    @extend_schema(
        summary="The ISO images, each saying if it is mounted", responses=s.Iso(many=True)
    )
    def get(self, request, id):
        return Response(s.Iso(_isos(self.server(id)), many=True).data)

    @extend_schema(
        summary="Upload an ISO image by its address",
        description="The provider downloads it; starts an operation (202).",
        request=s.UploadIso,
        responses={202: s.Operation},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.UploadIso(data=request.data)
        data.is_valid(raise_exception=True)
        url = s.checked_by(UploadForm, data.validated_data)["url"]
        return self.start(UploadIso(actor=self.actor, server=row, key=request.command_key, url=url))


class Mount(TokenView):
    @extend_schema(summary="Mount an ISO image", request=s.MountIso, responses=s.Message)
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.MountIso(data=request.data)
        data.is_valid(raise_exception=True)
        iso = next((i for i in _isos(row) if i.id == data.validated_data["iso_id"]), None)
        if iso is None:
            raise Problem(404, _("There is no such ISO image."))
        return self.run(MountIso(actor=self.actor, server=row, key=request.command_key, iso=iso))


class Unmount(TokenView):
    @extend_schema(summary="Unmount the ISO image", request=None, responses=s.Message)
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        return self.run(UnmountIso(actor=self.actor, server=row, key=request.command_key))
