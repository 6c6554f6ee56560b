"""Reinstalling a server: what it can be reinstalled with, and the reinstall itself (a long
operation, panel.reinstall.commands), checked as the page's wizard checks it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from panel.reinstall import services
from panel.reinstall.choices import (
    DEFAULT_KEYBOARD,
    DEFAULT_LANGUAGE,
    DEFAULT_TIMEZONE,
    KEYBOARDS,
    LANGUAGES,
)
from panel.reinstall.commands import Reinstall as ReinstallCommand
from panel.reinstall.forms import SettingsForm
from panel.servers.detail import get_server_detail

from . import serializers as s
from .base import TokenView, not_available
from .idempotency import idempotent
from .problems import Problem, invalid


class Reinstall(TokenView):
    @extend_schema(
        summary="What the server can be reinstalled with",
        description="Distributions with the systems this server can run, and the language "
        "and keyboard codes (time zones: the tz database's names).",
        responses=s.ReinstallChoices,
    )
    def get(self, request, id):
        row = self.server(id)
        server = self._reinstallable(row)
        distros, problem = services.distros(row.connection)
        if problem is not None:
            raise not_available(problem.message)
        listed = []
        for distro in distros:
            systems = self._systems(row, server, distro.id)
            listed.append({"id": distro.id, "name": distro.name, "systems": systems})
        choices = {
            "distros": listed,
            "languages": [code for code, _name in LANGUAGES],
            "keyboards": [code for code, _name in KEYBOARDS],
        }
        return Response(s.ReinstallChoices(choices).data)

    @extend_schema(
        summary="Reinstall the server",
        description="Erases the server's disks and installs the system chosen. Starts an "
        "operation (202); its new root password is revealed once at "
        "/api/v1/operations/{id}/reveal-password/.",
        request=s.Reinstall,
        responses={202: s.Operation},
    )
    @idempotent
    def post(self, request, id):
        row = self.server(id)
        data = s.Reinstall(data=request.data)
        data.is_valid(raise_exception=True)
        asked = data.validated_data
        server = self._reinstallable(row)
        distros, problem = services.distros(row.connection)
        if problem is not None:
            raise not_available(problem.message)
        distro = next((d for d in distros if d.id == asked["distro_id"]), None)
        if distro is None:
            raise invalid("distro_id", _("Pick a distribution this server offers."))
        systems = self._systems(row, server, distro.id)
        system = next((o for o in systems if o.id == asked["os_id"]), None)
        if system is None:
            raise invalid("os_id", _("Pick a system of this distribution this server can run."))
        settings = s.checked_by(
            SettingsForm,
            {
                "hostname": asked["hostname"],
                "language": asked.get("language", DEFAULT_LANGUAGE),
                "keyboard": asked.get("keyboard", DEFAULT_KEYBOARD),
                "timezone": asked.get("timezone", DEFAULT_TIMEZONE),
            },
        )
        answers = {"os_id": system.id, "os_name": system.name, "distro": distro.name, **settings}
        command = ReinstallCommand(
            actor=self.actor, server=row, key=request.command_key, asked=answers
        )
        return self.start(command)

    @staticmethod
    def _reinstallable(row):
        """The server's live record; a problem when it cannot be reinstalled."""
        detail = get_server_detail(row)
        if not detail.ok:
            raise not_available(detail.error)
        if not detail.server.can_reinstall:
            raise Problem(
                409, _("This server cannot be reinstalled from the panel."), kind="refused"
            )
        return detail.server

    @staticmethod
    def _systems(row, server, distro_id):
        systems, problem = services.operating_systems(
            row.connection, distro_id, server.ram_gb, row.type == "vps"
        )
        if problem is not None:
            raise not_available(problem.message)
        return systems
