from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from panel.accounts.sudo import sudo_required
from panel.commands import executor
from panel.commands.web import actor, tell
from panel.grants.access import get_server_for_user
from panel.servers.detail import get_server_detail
from panel.servers.forms import ConfirmForm

from . import services
from .choices import KEYBOARDS, LANGUAGES, TIMEZONES
from .commands import Reinstall
from .forms import SettingsForm

STEPS = ["distro", "system", "settings", "confirm"]


def _pick(items, value):
    return next((item for item in items if str(item.id) == (value or "")), None)


@require_http_methods(["GET", "POST"])
def reinstall(request, pk: int):
    """The wizard: distribution -> operating system -> settings -> confirmation. Each step
    is a GET carrying the answers so far; only the confirmation POSTs."""
    return _wizard(request, get_server_for_user(request.user, pk, "reinstall"))


@sudo_required  # after the permission check: without it, a 403 before any question
def _wizard(request, row):
    detail = get_server_detail(row)
    server = detail.server
    data = request.POST if request.method == "POST" else request.GET
    context = {"row": row, "keys": row.keys, "detail": detail, "tab": "overview"}
    if server is not None and not server.can_reinstall:
        context["step"] = "unavailable"
        return render(request, "reinstall/wizard.html", context)
    distros, problem = services.distros(row.connection)
    distro = _pick(distros, data.get("distro"))
    context.update(distros=distros, distro=distro, problem=problem)
    if distro is None:
        return _step(request, context, "distro", invalid=bool(data.get("distro")))
    ram = server.ram_gb if server else None
    systems, problem = services.operating_systems(row.connection, distro.id, ram, row.type == "vps")
    system = _pick(systems, data.get("os"))
    context.update(systems=systems, system=system, problem=problem)
    if system is None:
        return _step(request, context, "system", invalid=bool(data.get("os")))
    initial = {"hostname": (server.hostname if server else row.hostname) or ""}
    settings_form = SettingsForm(data if "hostname" in data else None, initial=initial)
    context.update(settings_form=settings_form)
    if not settings_form.is_valid():
        return _step(request, context, "settings", invalid=settings_form.is_bound)
    confirm = ConfirmForm(
        request.POST if request.method == "POST" else None, server_name=row.display_name
    )
    context.update(confirm_form=confirm, settings=settings_form.cleaned_data)
    if request.method == "POST" and confirm.is_valid():
        asked = {
            "os_id": system.id,
            "os_name": system.name,
            "distro": distro.name,
            **settings_form.cleaned_data,
        }
        command = Reinstall(actor=actor(request), server=row, key=confirm.key(), asked=asked)
        outcome = executor.execute(command)
        tell(request, outcome)
        if outcome.data.get("operation") is None:
            return _step(request, context, "confirm", invalid=True)
        return redirect("servers:detail", pk=row.pk)
    return _step(request, context, "confirm", invalid=request.method == "POST")


def _step(request, context: dict, step: str, *, invalid: bool):
    """Render one step; 400 when its answer was given but cannot be taken."""
    context.update(
        step=step,
        number=STEPS.index(step) + 1,
        steps=len(STEPS),
        languages=LANGUAGES,
        keyboards=KEYBOARDS,
        timezones=TIMEZONES,
    )
    return render(request, "reinstall/wizard.html", context, status=400 if invalid else 200)
