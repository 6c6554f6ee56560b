"""Snapshots as long operations: one POST (or DELETE) upstream, then reads of the list.

The create call answers only "Snapshot is currently being created." with no id, so the ids
listed just before it are kept on the operation: the new snapshot is the one with the name
that was not there before (an older namesake does not count). Every check writes the list
it read to the page's cache, so the Snapshots page is never older than the last check.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core import events
from panel.operations.kinds import Check, Kind, register
from panel.operations.models import Operation
from terrahost_client.errors import BadRequest, NotFound, NotSupported

from . import services
from .models import ScheduledSnapshot

# The follow task looks after 1 s, then every 1.5, 2.25, 3, 3... s (less up to 20 %
# jitter). With the page polling every 2 s, a completion shows within about 5 s of the
# provider finishing it; one list read every 3 s is what that costs while one runs.
FIRST_CHECK = 1.0
LONGEST_PAUSE = 3.0


def _in_its_words(error: Exception) -> Exception:
    """A refusal to show as the provider worded it. explain() words a 404 as "server not
    shown" and a 405 as "cannot be done"; for snapshots they mean "no such snapshot" and
    "snapshots are for virtual servers", which the provider's own message says best."""
    if isinstance(error, (NotFound, NotSupported)):
        return BadRequest(error.status, error.message, error.body)
    return error


def send_create(client, op) -> dict:
    try:
        known = sorted(s.id for s in client.snapshots.list(op.srv_id) if s.id is not None)
        # Kept before the write: if its answer is lost, the check still tells new from old.
        op.result = {**op.result, "known_ids": known}
        Operation.objects.filter(pk=op.pk).update(result=op.result)
        client.snapshots.create(op.srv_id, op.input["name"])
    except (NotFound, NotSupported) as error:
        raise _in_its_words(error) from error
    return {"known_ids": known}


def _new_snapshot(snapshots, op):
    known = set(op.result.get("known_ids", ()))
    name = op.input["name"]
    matches = [s for s in snapshots if s.id not in known and name in (s.display_name, s.name)]
    return max(matches, key=lambda s: s.id or 0) if matches else None


def check_create(client, op) -> Check:
    if "known_ids" not in op.result:
        # The list before the write failed, so nothing was written: never "seen".
        return Check(seen=False)
    snapshots = client.snapshots.list(op.srv_id)
    services.remember(op, snapshots)
    new = _new_snapshot(snapshots, op)
    if new is not None:
        ScheduledSnapshot.objects.filter(operation_id=op.pk).update(snap_id=new.id)
    name = op.input["name"]
    if new is not None and new.is_completed:
        summary = _("The snapshot “%(name)s” is complete.") % {"name": name}
        return Check(done=True, result={"snap_id": new.id, "summary": summary})
    if new is None and _deleted_since(op):
        # Taken, and deleted through the panel before this check saw it (e.g. while the
        # worker was down): looking for it would wait until give_up_after.
        summary = _("The snapshot “%(name)s” was taken, and has been deleted since.") % {
            "name": name
        }
        return Check(done=True, result={"summary": summary})
    return Check(
        seen=new is not None,
        progress=_("Taking the snapshot “%(name)s”: this usually takes a minute or two…")
        % {"name": name},
    )


def _deleted_since(op) -> bool:
    """Whether the panel was asked to delete this operation's snapshot: a later deletion on
    the same server of a snapshot with its name that was not there before it."""
    known = op.result.get("known_ids", ())
    return (
        Operation.objects.filter(
            kind="snapshot_delete",
            server_id=op.server_id,
            created_at__gt=op.created_at,
            input__name=op.input["name"],
        )
        .exclude(input__snap_id__in=known)
        .exists()
    )


def send_delete(client, op) -> dict:
    try:
        client.snapshots.delete(op.srv_id, op.input["snap_id"])
    except (NotFound, NotSupported) as error:
        raise _in_its_words(error) from error
    return {}


def check_delete(client, op) -> Check:
    snapshots = client.snapshots.list(op.srv_id)
    services.remember(op, snapshots)
    gone = all(s.id != op.input["snap_id"] for s in snapshots)
    if gone:
        # A schedule's snapshot that is gone is no longer one to prune.
        ScheduledSnapshot.objects.filter(
            schedule__server_id=op.server_id, snap_id=op.input["snap_id"]
        ).delete()
        return Check(done=True)
    progress = _("Deleting the snapshot “%(name)s”…") % {"name": op.input["name"]}
    return Check(seen=False, progress=progress)


def _announce(type: str, op, snap_id) -> None:
    server = op.server
    if server is None:  # gone from the mirror meanwhile: nothing to say it of
        return
    events.announce(
        type,
        {
            "server": events.server_facts(server),
            "snapshot": {"id": snap_id, "name": op.input["name"]},
            "operation": {"id": op.pk},
        },
        customer_id=server.customer_id,
    )


def created(op) -> None:
    _announce("snapshot.created", op, op.result.get("snap_id"))


def deleted(op) -> None:
    _announce("snapshot.deleted", op, op.input["snap_id"])


register(
    Kind(
        name="snapshot_create",
        key="snapshot.manage",
        label=gettext_lazy("Snapshot"),
        send=send_create,
        check=check_create,
        started=gettext_lazy("The snapshot was accepted and is being taken…"),
        first_check=FIRST_CHECK,
        longest_pause=LONGEST_PAUSE,
        give_up_after=3 * 3600,
        succeeded=created,
    )
)
register(
    Kind(
        name="snapshot_delete",
        key="snapshot.manage",
        label=gettext_lazy("Snapshot deletion"),
        send=send_delete,
        check=check_delete,
        started=gettext_lazy("The deletion was accepted…"),
        first_check=FIRST_CHECK,
        longest_pause=LONGEST_PAUSE,
        give_up_after=3600,
        succeeded=deleted,
    )
)
