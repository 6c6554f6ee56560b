from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.commands import executor
from panel.commands.web import actor, posted_key, tell
from panel.core.htmx import render_page
from panel.core.outcomes import Outcome
from panel.grants.access import get_server_for_user
from panel.operations.models import Operation

from . import services
from .commands import DeleteSnapshot, SaveSnapshotSchedule, TakeSnapshot
from .forms import ScheduleForm, TakeSnapshotForm
from .models import SnapshotSchedule

PAGE = "snapshots/snapshots.html"


def _context(row, **extra) -> dict:
    listing = extra.pop("listing", None) or services.list_snapshots(row)
    schedule = SnapshotSchedule.objects.filter(server=row).select_related("last_operation").first()
    context = {
        "row": row,
        "keys": row.keys,
        "tab": "snapshots",
        "listing": listing,
        "operations": services.operations_of(row),
        "polling": services.any_active(row) or listing.has_pending,
        "schedule": schedule,
        **extra,
    }
    context.setdefault("take_form", TakeSnapshotForm(initial={"name": services.default_name(row)}))
    if "schedule_form" not in context:
        initial = {"enabled": True}
        if schedule is not None:
            fields = ("enabled", "frequency", "weekday", "hour", "keep")
            initial = {name: getattr(schedule, name) for name in fields}
        context["schedule_form"] = ScheduleForm(initial=initial)
    return context


@require_GET
def snapshot_list(request, pk: int):
    """The page; htmx polls its list every 2 s while a snapshot is being taken or deleted,
    and 286 (stop polling) comes with a list where nothing is under way."""
    row = get_server_for_user(request.user, pk, "snapshot.view")
    context = _context(row)
    response = render_page(request, PAGE, "snapshot-list", context)
    if request.htmx and request.htmx.target == "snapshot-list" and not context["polling"]:
        response.status_code = 286
    return response


def _answer(request, row, outcome: Outcome, status: int = 200, **extra):
    """An action's answer: the page's main part for htmx; without JavaScript, back to the
    page with the outcome as a message."""
    if not request.htmx and status == 200:
        tell(request, outcome)
        return redirect("snapshots:list", pk=row.pk)
    context = _context(row, outcome=outcome, **extra)
    template = f"{PAGE}#snapshots-main" if request.htmx else PAGE
    return render(request, template, context, status=status)


def _invalid(request) -> int:
    """Forms with errors: 422 for htmx (swapped in place, see base.html), 400 for a page."""
    return 422 if request.htmx else 400


@require_POST
def take_snapshot(request, pk: int):
    row = get_server_for_user(request.user, pk, "snapshot.manage")
    form = TakeSnapshotForm(request.POST)
    if not form.is_valid():
        problem = Outcome(False, _("The snapshot was not started: see the name."), "refused")
        return _answer(request, row, problem, _invalid(request), take_form=form)
    name = form.cleaned_data["name"]
    command = TakeSnapshot(actor=actor(request), server=row, key=form.key(), name=name)
    return _answer(request, row, executor.execute(command))


@require_http_methods(["GET", "POST"])
def delete_snapshot(request, pk: int, snap_id: int):
    """GET: the confirmation page (without JavaScript; with it, a dialog asks on the
    Snapshots page). POST: start the deletion."""
    row = get_server_for_user(request.user, pk, "snapshot.manage")
    listing = services.list_snapshots(row)
    snapshot = listing.get(snap_id)
    if request.method == "GET":
        context = _context(row, listing=listing, confirm=snapshot, confirm_id=snap_id)
        return render(request, "snapshots/delete_confirm.html", context)
    key = posted_key(request)
    replay = Operation.objects.filter(idempotency_key=key, server=row).exists()
    if snapshot is None and not replay:  # a resubmit may find it gone already: it counts
        if not listing.ok:
            outcome = listing.problem or Outcome(False, _(listing.unsupported), "refused")
            return _answer(request, row, outcome)
        raise Http404("No such snapshot on this server.")
    name = (snapshot.display_name or snapshot.name) if snapshot else ""
    command = DeleteSnapshot(actor=actor(request), server=row, key=key, snap_id=snap_id, name=name)
    return _answer(request, row, executor.execute(command))


@require_POST
def save_schedule(request, pk: int):
    row = get_server_for_user(request.user, pk, "snapshot.manage")
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        context = _context(row, schedule_form=form)
        template = f"{PAGE}#snapshot-schedule" if request.htmx else PAGE
        return render(request, template, context, status=_invalid(request))
    command = SaveSnapshotSchedule(actor=actor(request), server=row, values=form.cleaned_data)
    outcome = executor.execute(command)
    if not request.htmx:
        tell(request, outcome)
        return redirect("snapshots:list", pk=row.pk)
    context = _context(row, schedule_outcome=outcome)
    context["schedule_form"] = ScheduleForm(initial=form.cleaned_data)
    return render(request, f"{PAGE}#snapshot-schedule", context)
