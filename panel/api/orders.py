"""The two billable orders: an upgrade package and an extra IPv4 address (long operations,
panel.orders.commands). Prices are the provider account's and are not shown here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from panel.orders import services
from panel.orders.commands import OrderIPv4, OrderUpgrade
from panel.orders.forms import ip_types

from . import serializers as s
from .base import TokenView, not_available
from .idempotency import idempotent
from .problems import invalid


class Upgrade(TokenView):
    @extend_schema(
        summary="The packages the server can be upgraded to", responses=s.Package(many=True)
    )
    def get(self, request, id):
        offers, problem = services.offers(self.server(id))
        if problem is not None:
            raise not_available(problem.message)
        return Response(s.Package(offers, many=True).data)

    @extend_schema(
        summary="Order an upgrade (billable)",
        description="Starts an operation (202).",
        request=s.OrderUpgrade,
        responses={202: s.Operation},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.OrderUpgrade(data=request.data)
        data.is_valid(raise_exception=True)
        offers, problem = services.offers(row)
        if problem is not None:
            raise not_available(problem.message)
        offer = services.pick(offers, data.validated_data["package_id"])
        if offer is None:
            raise invalid("package_id", _("Not a package offered for this server."))
        command = OrderUpgrade(
            actor=self.actor, server=row, key=request.command_key, package=offer.package
        )
        return self.start(command)


class IPv4(TokenView):
    @extend_schema(
        summary="Order an extra IPv4 address (billable)",
        description="Starts an operation (202). Virtual servers take routed (l3) addresses only.",
        request=s.OrderIPv4,
        responses={202: s.Operation},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.OrderIPv4(data=request.data)
        data.is_valid(raise_exception=True)
        ip_type = data.validated_data["type"]
        if ip_type not in ip_types(row):
            raise invalid("type", _("This server takes routed (l3) addresses only."))
        command = OrderIPv4(actor=self.actor, server=row, key=request.command_key, ip_type=ip_type)
        return self.start(command)
