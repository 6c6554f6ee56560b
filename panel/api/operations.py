"""Long operations: the list and one operation (on servers the token sees), and revealing a
reinstall's root password, once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from panel.commands import executor
from panel.core.ids import parse_id
from panel.operations.commands import RevealRootPassword
from panel.operations.models import Operation

from . import serializers as s
from .base import TokenView, refusal
from .idempotency import idempotent
from .problems import NOT_FOUND, Problem


def _operations(view: TokenView):
    return Operation.objects.filter(server__in=view.servers())


@extend_schema(
    summary="List operations, newest first",
    parameters=[
        OpenApiParameter("server", int, description="Only this server's."),
        OpenApiParameter("status", str, enum=Operation.Status.values),
        OpenApiParameter("kind", str, description="reinstall, snapshot_create, ..."),
    ],
)
class OperationList(TokenView, generics.ListAPIView):
    """The operations on servers this token sees."""

    serializer_class = s.Operation

    def get_queryset(self):
        operations = _operations(self)
        params = self.request.query_params
        if params.get("server"):
            operations = operations.filter(server_id=parse_id(params["server"]) or -1)
        if params.get("status"):
            operations = operations.filter(status=params["status"])
        if params.get("kind"):
            operations = operations.filter(kind=params["kind"])
        return operations


def _operation(view: TokenView, pk) -> Operation:
    number = parse_id(pk)
    op = _operations(view).filter(pk=number).first() if number is not None else None
    if op is None:
        raise Problem(404, NOT_FOUND)
    return op


class OperationDetail(TokenView):
    @extend_schema(summary="One operation", responses=s.Operation)
    def get(self, request, id):
        return Response(s.Operation(_operation(self, id)).data)


class RevealPassword(TokenView):
    @extend_schema(
        summary="Reveal a reinstall's new root password, once",
        description="For the token of the person who started the reinstall, or of a holder "
        "of the reveal permission (with the reinstall scope). Once revealed, it is gone; "
        "unrevealed, it is erased after 24 hours. The answer is never stored.",
        request=None,
        responses=s.RootPassword,
    )
    @idempotent
    def post(self, request, id):
        op = _operation(self, id)
        if op.kind != "reinstall":
            raise Problem(404, NOT_FOUND)
        row = self.server(op.server_id, initiator_id=op.initiator_id)
        outcome = executor.execute(RevealRootPassword(actor=self.actor, server=row, operation=op))
        if not outcome.ok:
            op.refresh_from_db()
            if op.password_revealed_at or op.password_wiped_at:
                raise Problem(410, outcome.message, kind="refused")  # once, then gone
            raise refusal(outcome)
        response = Response(
            s.RootPassword({"message": outcome.message, "password": outcome.secret}).data
        )
        response.secret = True  # never kept for a replay (idempotency)
        return response
