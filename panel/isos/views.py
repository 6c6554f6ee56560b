"""ISO images of a server: the list with each image's state, the upload form (a long
operation), and Mount/Unmount (immediate actions). The list polls itself while an image
is being fetched, so its state is always the provider's."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget

from panel.commands import executor
from panel.commands.web import actor, posted_key, tell
from panel.core.htmx import render_page
from panel.core.outcomes import new_key
from panel.grants.access import get_server_for_user

from . import services
from .commands import MountIso, UnmountIso, UploadIso
from .forms import MountForm, UploadForm

PAGE = "isos/isos.html"
STATE = "iso-state"


def _context(row, **extra) -> dict:
    isos, problem = services.list_isos(row)
    uploads = services.uploads(row)
    busy = any(op.is_active for op in uploads) or any(not iso.is_ready for iso in isos)
    return {
        "row": row,
        "keys": row.keys,
        "tab": "isos",
        "isos": isos,
        "problem": problem,
        "operations": uploads,
        "busy": busy,
        **extra,
    }


def _upload_form(data=None) -> UploadForm:
    return UploadForm(data, initial={"idempotency_key": new_key()})


def _state(request, row, **extra):
    """The list part alone (htmx: a poll, or the answer to an action); 286 once nothing
    is on its way, so the poll stops."""
    context = _context(row, **extra)
    response = render_page(request, PAGE, STATE, context)
    if request.method == "GET" and not context["busy"]:
        response.status_code = 286
    return response


def _back(request, row, outcome):
    """Without JavaScript: back to the page, with the outcome as a message."""
    tell(request, outcome)
    return redirect("isos:list", pk=row.pk)


@require_http_methods(["GET"])
def iso_list(request, pk: int):
    row = get_server_for_user(request.user, pk, "iso.manage")
    if request.htmx and request.htmx.target == STATE:
        return _state(request, row)
    context = _context(row, upload_form=_upload_form())
    return render_page(request, PAGE, None, context)


@require_POST
def upload(request, pk: int):
    row = get_server_for_user(request.user, pk, "iso.manage")
    form = UploadForm(request.POST)
    if not form.is_valid():  # nothing is sent: the errors go by the field
        if request.htmx:  # the form alone, in place of itself (its target is the list)
            context = {"row": row, "form": form}
            response = render(request, "isos/upload_form.html", context, status=422)
            return retarget(response, "#upload-form")
        return render_page(request, PAGE, None, _context(row, upload_form=form), status=400)
    url = form.cleaned_data["url"]
    outcome = executor.execute(UploadIso(actor=actor(request), server=row, key=form.key(), url=url))
    if not request.htmx:
        return _back(request, row, outcome)
    # A fresh form (a new key) replaces the used one, out of band, when the upload started.
    fresh = _upload_form() if outcome.ok else None
    return _state(request, row, outcome=outcome, fresh_form=fresh)


def _iso(row, request) -> object:
    """The ISO the form names, from the provider's list (404 when it lists no such id)."""
    form = MountForm(request.POST)
    if not form.is_valid():
        raise Http404("No such ISO image.")
    isos, problem = services.list_isos(row)
    iso = next((i for i in isos if i.id == form.cleaned_data["iso_id"]), None)
    return form, iso, problem


@require_POST
def mount(request, pk: int):
    row = get_server_for_user(request.user, pk, "iso.manage")
    form, iso, problem = _iso(row, request)
    if problem is not None:  # the list could not be read: say so, nothing was sent
        outcome = problem
    elif iso is None:
        raise Http404("No such ISO image.")
    else:
        command = MountIso(actor=actor(request), server=row, key=form.key(), iso=iso)
        outcome = executor.execute(command)
    if not request.htmx:
        return _back(request, row, outcome)
    return _state(request, row, outcome=outcome)


@require_POST
def unmount(request, pk: int):
    row = get_server_for_user(request.user, pk, "iso.manage")
    command = UnmountIso(actor=actor(request), server=row, key=posted_key(request))
    outcome = executor.execute(command)
    if not request.htmx:
        return _back(request, row, outcome)
    return _state(request, row, outcome=outcome)
