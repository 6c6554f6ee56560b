"""Servers: the list and one server (from the mirror, through the token's access path),
renaming, power, the console and reverse DNS. Every change is a command (panel.servers.
commands) carried out by the executor; these views only read the request and answer."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from panel.core.ids import parse_id
from panel.servers import commands
from panel.servers.detail import get_server_detail
from panel.servers.forms import DelegationForm, PTRForm, RenameForm
from panel.servers.listing import looks_like_address
from panel.servers.models import MirroredServer

from . import serializers as s
from .base import TokenView, not_available
from .idempotency import idempotent
from .problems import Problem, invalid


@extend_schema(
    summary="List servers",
    parameters=[
        OpenApiParameter("search", str, description="Part of a name, host name or address."),
        OpenApiParameter("status", str, enum=MirroredServer.Status.values),
        OpenApiParameter("customer", int, description="Only the servers of this customer."),
    ],
)
class ServerList(TokenView, generics.ListAPIView):
    """The servers this token may see, by name, as the panel's mirror has them."""

    serializer_class = s.Server

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": self.staff}

    def get_queryset(self):
        servers = self.servers().select_related("connection")
        params = self.request.query_params
        search = params.get("search", "").strip()[:100]
        if search:
            match = (
                Q(display_name__icontains=search)
                | Q(name__icontains=search)
                | Q(label__icontains=search)
                | Q(hostname__icontains=search)
            )
            if looks_like_address(search):
                match |= Q(ips__icontains=search)
            servers = servers.filter(match)
        if params.get("status"):
            servers = servers.filter(status=params["status"])
        if params.get("customer"):
            servers = servers.filter(customer_id=parse_id(params["customer"]) or -1)
        return servers.order_by(Lower("display_name"), "srv_id")


class ServerDetail(TokenView):
    @extend_schema(summary="One server", responses=s.Server)
    def get(self, request, id):
        return Response(s.Server(self.server(id), context={"staff": self.staff}).data)

    @extend_schema(summary="Rename a server", request=s.Rename, responses=s.Server)
    @idempotent
    def patch(self, request, id):
        row = self.server(id)
        data = s.Rename(data=request.data)
        data.is_valid(raise_exception=True)
        name = s.checked_by(RenameForm, data.validated_data)["name"]
        command = commands.Rename(actor=self.actor, server=row, key=request.command_key, name=name)
        self.run(command)
        return Response(s.Server(row, context={"staff": self.staff}).data)


class Power(TokenView):
    @extend_schema(
        summary="Reboot, power on or power off",
        request=s.Power,
        responses={202: s.Message},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.Power(data=request.data)
        data.is_valid(raise_exception=True)
        power = data.validated_data["action"]
        command = commands.Power(actor=self.actor, server=row, key=request.command_key, power=power)
        return self.run(command, 202)


class Console(TokenView):
    @extend_schema(
        summary="Open the console",
        description="The console's address, username and password, for three hours. The "
        "answer is never stored (Cache-Control: no-store), and a replay of its "
        "Idempotency-Key does not show the password again.",
        request=None,
        responses=s.Console,
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        command = commands.OpenConsole(actor=self.actor, server=row, key=request.command_key)
        response = self.run(command, answer=_console)
        response.secret = True  # never kept for a replay (idempotency)
        return response


def _console(outcome) -> dict:
    session = outcome.secret
    if session is None:  # the key's first answer, replayed by the executor: no password
        raise Problem(
            409,
            _("This console was opened already with this key; its password is shown once."),
            kind="secret-not-replayed",
        )
    return s.Console(
        {
            "message": outcome.message,
            "ip_address": session.ip_address,
            "username": session.username,
            "password": session.password,
            "expires_at": session.expires_at,
        }
    ).data


class ReverseDNS(TokenView):
    @extend_schema(summary="Reverse DNS of each address", responses=s.ReverseDNS(many=True))
    def get(self, request, id):
        server = self._live(self.server(id))
        entries = [
            {"address": ip.address, "version": 4, "value": ip.reverse}
            for ip in server.ips
            if ip.version == 4
        ] + [
            {"address": subnet.cidr, "version": 6, "value": ", ".join(subnet.nameservers)}
            for subnet in server.subnets
        ]
        return Response(s.ReverseDNS(entries, many=True).data)

    @extend_schema(
        summary="Change one address's reverse DNS", request=s.SetReverseDNS, responses=s.Message
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.SetReverseDNS(data=request.data)
        data.is_valid(raise_exception=True)
        address, value = data.validated_data["address"], data.validated_data["value"]
        server = self._live(row)
        ip = next((i for i in server.ips if i.version == 4 and i.address == address), None)
        subnet = next((n for n in server.subnets if n.cidr == address), None)
        if ip is None and subnet is None:
            raise invalid(
                "address", _("Not an IPv4 address or IPv6 subnet of this server, as listed.")
            )
        if ip is not None:
            value = s.checked_by(PTRForm, {"hostname": value}, names={"hostname": "value"})
            value = value["hostname"]
        else:
            names = {"nameservers": "value"}
            value = s.checked_by(DelegationForm, {"nameservers": value}, names=names)
            value = value["nameservers"]
        command = commands.SetReverseDNS(
            actor=self.actor,
            server=row,
            key=request.command_key,
            address=address,
            ip_id=ip.id if ip is not None else None,
            sub_id=subnet.id if ip is None else None,
            value=value,
        )
        return self.run(command)

    @staticmethod
    def _live(row):
        detail = get_server_detail(row)
        if not detail.ok:
            raise not_available(detail.error)
        return detail.server
