"""Every named URL of the panel, classified, and a way to build each one (shared by the
URL walk and the layout checks)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"accounts:login", "core:healthz", "core:branding_css"}
# Pages any logged-in user may open (they show only what the user may see).
USER = {
    "core:home",
    "servers:list",
    "servers:refresh",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
}
SERVER_SCOPED = {"servers:detail"}
ADMIN = {
    "core:status",
    "accounts:user_list",
    "accounts:user_create",
    "connections:list",
    "connections:add",
    "connections:detail",
    "connections:reauth",
    "connections:password",
    "connections:refresh",
    "connections:delete",
    "grants:user",
    "grants:revoke",
}
# Answer only POST: a GET is 405 for anyone allowed past the login and access checks.
POST_ONLY = {
    "servers:refresh",
    "accounts:logout",
    "connections:reauth",
    "connections:password",
    "connections:refresh",
    "grants:revoke",
}
# Answer only GET (and HEAD): a POST is 405 before any lookup.
GET_ONLY = {"servers:detail"}
# GET answers a redirect by design (where to).
REDIRECTS = {"core:home": "servers:list"}


def _names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.converters


def all_names() -> dict:
    return dict(_names())


def url_builder(*, connection, server, user, grant):
    """A function name -> URL, with `connection`, `server`, `user` and `grant` for the
    names that take an id."""

    def build(name: str) -> str:
        kwargs = {}
        for key in all_names()[name]:
            if name.startswith("connections:"):
                kwargs[key] = connection.pk
            elif name == "grants:revoke":
                kwargs[key] = grant.pk
            elif key == "user_id":
                kwargs[key] = user.pk
            else:
                kwargs[key] = server.pk
        return reverse(name, kwargs=kwargs)

    return build
