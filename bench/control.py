"""The benchmark's hand inside a running panel: `python -m bench.control`, started with the
stack's environment (bench/live.py), reads one JSON command a line on stdin and answers
one JSON line on stdout.

The figures need a few changes no page makes: a mirror made stale on purpose, a
connection never listed, users with grants. Done through the panel's own models and
services, in one long-lived process: Django starts once, not once per sample.
"""

from __future__ import annotations

import json
import sys
import traceback


def stale() -> int:
    """As if PANEL_MIRROR_TTL had passed since every connection's last GET /servers."""
    from panel.connections.models import Connection

    return Connection.objects.update(servers_checked_at=None)


def servers() -> list[dict]:
    """The demo connection's servers, in the sandbox's order (srv_id)."""
    from panel.servers.models import MirroredServer

    rows = MirroredServer.objects.filter(connection__name="Sandbox").order_by("srv_id")
    return [
        {"pk": pk, "name": name, "type": kind}
        for pk, name, kind in rows.values_list("pk", "display_name", "type")
    ]


def add_connection(name: str) -> int:
    """A second connection to the same sandbox account, logged in but never listed: the
    next list page has nothing to show for it and must wait for its first listing."""
    from django.conf import settings

    from panel.connections import services

    new = services.NewConnection(
        name=name,
        username="demo",
        password="demo",  # noqa: S106 - the sandbox's documented demo login
        base_url=settings.TERRAHOST_API_URL,
    )
    return services.add_connection(new).pk


def delete_connection(pk: int) -> None:
    from panel.connections.models import Connection

    Connection.objects.filter(pk=pk).delete()


def operators(count: int, servers_each: int) -> dict[str, list[int]]:
    """Users load-1..load-<count> (password "demo"), each an Operator (power included) on
    servers of their own that are not colocation boxes (those have no power buttons)."""
    from panel.accounts.models import User
    from panel.grants.permissions import PRESETS
    from panel.grants.services import grant
    from panel.servers.models import MirroredServer

    admin = User.objects.get(username="admin")
    rows = list(
        MirroredServer.objects.filter(connection__name="Sandbox", type="vps").order_by("srv_id")
    )
    granted = {}
    for number in range(count):
        user = User.objects.create_user(f"load-{number + 1}", password="demo")  # noqa: S106
        mine = rows[number * servers_each : (number + 1) * servers_each]
        for row in mine:
            grant(admin, user, PRESETS["operator"], server=row)
        granted[user.username] = [row.pk for row in mine]
    return granted


def database() -> str:
    """The database's name and version, for the report's machine line."""
    from django.db import connection

    connection.ensure_connection()
    version = ".".join(str(part) for part in connection.get_database_version())
    return f"{connection.display_name} {version}"


COMMANDS = {
    function.__name__: function
    for function in (stale, servers, add_connection, delete_connection, operators, database)
}


def main() -> None:
    import django

    django.setup()
    # Answers go to the real stdout; anything else that prints goes to stderr.
    answers, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        name, *args = json.loads(line)
        try:
            answer = {"result": COMMANDS[name](*args)}
        except Exception:
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
