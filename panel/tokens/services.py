"""Making, finding and revoking API tokens.

The secret is `pnl_` and 43 URL-safe characters (256 random bits); secret scanners know
tokens by the prefix. Only its first PREFIX_LENGTH characters and its HMAC-SHA256, keyed
with a pepper the database never sees (settings.PANEL_API_PEPPERS), are kept. A token is
found by its prefix and then its digest is compared in constant time. Each row names the
pepper that hashed it (its id is a digest of the pepper, never the pepper): when a new
pepper goes first, a token hashed with an older one still works and is hashed anew on its
next use; one not used before the old pepper is removed stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from panel.audit.log import record
from panel.grants.access import is_panel_admin

from .models import ApiToken
from .scopes import SCOPES, offered

PREFIX = "pnl_"
PREFIX_LENGTH = len(PREFIX) + 8
# The last use is written at most this often per token (and whenever the address changes).
TOUCH_EVERY = timedelta(minutes=1)


def pepper_id(pepper: str) -> str:
    return hashlib.sha256(b"panel-api-pepper-id:" + pepper.encode()).hexdigest()[:12]


def _peppers() -> dict[str, str]:
    return {pepper_id(pepper): pepper for pepper in settings.PANEL_API_PEPPERS}


def _digest(secret: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def parse_networks(text: str) -> list[str]:
    """Addresses and networks (CIDR), one per line or separated by commas or spaces, as
    networks ("192.0.2.7/32"); ValueError names the first that is not one."""
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(item) from None
    return networks


def address_allowed(token: ApiToken, address: str) -> bool:
    if not token.allowed_ips:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in token.allowed_ips)


def create(
    actor,
    *,
    name: str,
    application: bool = False,
    scopes,
    servers=(),
    expires_at=None,
    allowed_ips=(),
    via: str = "",
) -> tuple[ApiToken, str]:
    """A new token made by the person `actor` (panel.core.actors: an application token
    only by a panel admin), and its secret, to be shown once. The scopes must be offered
    to them for that kind of token; the servers are the caller's to check (the form offers
    only those they see)."""
    by = actor.user
    if application and not is_panel_admin(by):
        raise PermissionDenied("Only panel admins make application tokens.")
    allowed = {scope.name for scope in offered(by, application=application)}
    unknown = set(scopes) - allowed
    if unknown:
        raise PermissionDenied(f"Scopes not available here: {', '.join(sorted(unknown))}")
    secret = PREFIX + secrets.token_urlsafe(32)
    pepper = settings.PANEL_API_PEPPERS[0]
    servers = list(servers)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            kind=ApiToken.Kind.APPLICATION if application else ApiToken.Kind.PERSONAL,
            owner=None if application else by,
            created_by=by,
            created_by_name=by.get_username(),
            scopes=[scope for scope in SCOPES if scope in set(scopes)],
            limit_servers=bool(servers),
            expires_at=expires_at,
            allowed_ips=list(allowed_ips),
            prefix=secret[:PREFIX_LENGTH],
            digest=_digest(secret, pepper),
            pepper_id=pepper_id(pepper),
        )
        token.servers.set(servers)
        details = {**_facts(token), "servers": ", ".join(s.display_name for s in servers)}
        if via:
            details["via"] = via
        record("token.create", actor=actor, details=details)
    return token, secret


def revoke(actor, token: ApiToken) -> None:
    """Revoke `token` (its owner, or a panel admin): refused from its next request on, and
    by queued operations it started."""
    by = actor.user
    if not may_revoke(by, token):
        raise PermissionDenied("You cannot revoke this token.")
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by_name=by.get_username()
    )
    if done:
        record("token.revoke", actor=actor, details=_facts(token))


def may_revoke(user, token: ApiToken) -> bool:
    """Its owner; and panel admins any token (an application token, or someone's that
    leaked)."""
    return is_panel_admin(user) or (token.owner_id is not None and token.owner_id == user.pk)


def _facts(token: ApiToken) -> dict:
    """For the audit log: never the secret (its prefix only)."""
    facts = {
        "token": token.name,
        "kind": token.kind,
        "prefix": token.prefix,
        "scopes": ", ".join(token.scopes),
    }
    if token.expires_at is not None:
        facts["expires"] = token.expires_at.isoformat()
    if token.allowed_ips:
        facts["allowed addresses"] = ", ".join(token.allowed_ips)
    return facts


def find(secret: str) -> ApiToken | None:
    """The token with this secret (revoked and expired ones too: the caller says why they
    do not work), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    peppers = _peppers()
    candidates = ApiToken.objects.filter(prefix=secret[:PREFIX_LENGTH]).select_related(
        "owner", "owner__customer"
    )
    for token in candidates:
        pepper = peppers.get(token.pepper_id)
        if pepper is not None and hmac.compare_digest(token.digest, _digest(secret, pepper)):
            if token.pepper_id != pepper_id(settings.PANEL_API_PEPPERS[0]):
                _rehash(token, secret)
            return token
    return None


def _rehash(token: ApiToken, secret: str) -> None:
    """Hash the token with the first pepper (it was hashed with an older one)."""
    pepper = settings.PANEL_API_PEPPERS[0]
    token.digest, token.pepper_id = _digest(secret, pepper), pepper_id(pepper)
    ApiToken.objects.filter(pk=token.pk).update(digest=token.digest, pepper_id=token.pepper_id)


def touch(token: ApiToken, address: str) -> None:
    """Remember the last use (time and address), at most once a minute per address."""
    now = timezone.now()
    address = address or None
    if (
        token.last_used_at is not None
        and now - token.last_used_at < TOUCH_EVERY
        and token.last_used_from == address
    ):
        return
    token.last_used_at, token.last_used_from = now, address
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)


def visible_tokens(user):
    """The tokens the API tokens page lists for `user`: their own; for panel admins every
    token (the application tokens, and everyone's, to revoke one that leaked)."""
    tokens = ApiToken.objects.all() if is_panel_admin(user) else ApiToken.objects.filter(owner=user)
    return tokens.select_related("owner").prefetch_related("servers")
