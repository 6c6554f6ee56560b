"""What an actor may do on a server, API tokens included: the one rule that the command
executor checks before a command and the operations' tasks check again at run time.

A token is bounded three times: it must still be usable (not revoked, not expired), its
scopes must cover the key (panel.tokens.scopes) and its server list, if it has one, must
name the server. Within that, a personal token may do what its owner may do at this moment
(panel.grants.access, read afresh: a grant revoked, a user disabled or a customer suspended
stops it at once); an application token acts as the panel, on every server.
"""

from __future__ import annotations

from django.db.models import QuerySet

from panel.core.actors import ActorKind
from panel.grants.access import holds, visible_servers

from .scopes import keys_of


def allows(actor, server, key: str, *, initiator_id=None) -> bool:
    """Whether `actor` may use `key` on `server` now (see grants.access.holds for
    `initiator_id`)."""
    if actor.kind != ActorKind.TOKEN:
        return holds(actor.user, server, key, initiator_id=initiator_id)
    token = actor.token
    if token is None or not token.is_usable or key not in keys_of(token.scopes):
        return False
    if token.limit_servers and not token.servers.filter(pk=server.pk).exists():
        return False
    if token.is_application:
        return True
    return holds(token.owner, server, key, initiator_id=initiator_id)


def servers_of(token) -> QuerySet:
    """The servers this token sees, as one query: its owner's visible servers (the panel's
    for an application token), within its server list."""
    from panel.servers.models import MirroredServer

    servers = MirroredServer.objects.all() if token.is_application else visible_servers(token.owner)
    if token.limit_servers:
        listed = token.servers.through.objects.filter(apitoken_id=token.pk)
        servers = servers.filter(pk__in=listed.values("mirroredserver_id"))
    return servers
