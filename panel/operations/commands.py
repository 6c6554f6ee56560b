"""Revealing a reinstall's root password, once: for its initiator or a holder of
password.reveal (the executor asks grants.access.holds with the initiator)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from panel.commands.base import LocalChange
from panel.core.outcomes import Outcome, refused

from . import services
from .models import Operation


@dataclass(kw_only=True)
class RevealRootPassword(LocalChange):
    operation: Operation

    permission = "password.reveal"
    action = "reinstall.password_reveal"

    def initiator_id(self) -> int | None:
        return self.operation.initiator_id

    def refusal(self) -> Outcome | None:
        return None  # a password already given is shown even on a suspended server

    def apply(self) -> Outcome:
        password, why_not = services.reveal_password(self.operation, self.actor)
        if not password:
            return refused(why_not)
        return Outcome(True, _("The root password is shown once: copy it now."), secret=password)
