"""Who asks for a change, and through which door: every command and every audit entry and
operation it leaves carries both.

The actor's `user` is whose permissions count: the person, the token's owner, the
schedule's owner; None only for the system itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    SCHEDULE = "schedule", _("Schedule")
    BULK = "bulk", _("Bulk action")
    APPROVAL = "approval", _("Approval")


class ActorKind(models.TextChoices):
    USER = "user", _("Person")
    TOKEN = "token", _("API token")
    SCHEDULE = "schedule", _("Schedule")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    kind: str
    user: object = None
    origin: str = Origin.WEB
    # Where a person's request came from (web), for the audit log.
    address: str | None = None
    user_agent: str = ""

    @classmethod
    def person(cls, user, *, origin=Origin.WEB, address=None, user_agent="") -> Actor:
        return cls(ActorKind.USER, user, origin, address, user_agent[:200])

    @classmethod
    def schedule(cls, owner) -> Actor:
        """A schedule acting for the person who set it up (their permissions count)."""
        return cls(ActorKind.SCHEDULE, owner, Origin.SCHEDULE)

    @property
    def name(self) -> str:
        return self.user.get_username() if self.user is not None else ""
