"""Who asks for a change, and through which door: every command and every audit entry and
operation it leaves carries both.

The actor's `user` is whose permissions count: the person, the token's owner, the
schedule's owner; None for the system itself and for an application token (which acts as
the panel, within its scopes and servers: panel.tokens.access).
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
    # An API token (panel.tokens.models.ApiToken) for kind TOKEN: its scopes and servers
    # bound what `user` may do through it.
    token: object = None

    @classmethod
    def person(cls, user, *, origin=Origin.WEB, address=None, user_agent="") -> Actor:
        return cls(ActorKind.USER, user, origin, address, user_agent[:200])

    @classmethod
    def schedule(cls, owner) -> Actor:
        """A schedule acting for the person who set it up (their permissions count)."""
        return cls(ActorKind.SCHEDULE, owner, Origin.SCHEDULE)

    @classmethod
    def api(cls, token, *, address=None, user_agent="") -> Actor:
        """An API token: its owner's (a personal token) or the panel's (an application
        token) permissions, within the token's scopes and servers."""
        return cls(ActorKind.TOKEN, token.owner, Origin.API, address, user_agent[:200], token)

    @property
    def name(self) -> str:
        """Who, for the audit log and operations: "alice", "API token 'billing' (of alice)"."""
        if self.token is not None:
            return self.token.actor_name
        return self.user.get_username() if self.user is not None else ""

    @property
    def claimant(self) -> str:
        """Whose idempotency keys these are: each person's and each token's are their own."""
        if self.token is not None:
            return f"token-{self.token.identity}"
        return str(self.user.pk)
