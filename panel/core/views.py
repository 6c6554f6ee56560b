import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from panel.accounts.decorators import admin_required
from panel.connections.models import Connection

from . import health

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def home(request):
    return redirect("servers:list")


@admin_required
@require_GET
def status(request):
    checks = [health.check_database(), health.check_redis(), health.check_celery()]
    connections = Connection.objects.with_server_counts()
    context = {"checks": checks, "connections": connections, "all_ok": all(c.ok for c in checks)}
    return render(request, "core/status.html", context)


@login_not_required
@require_GET
def healthz(request):
    """For load balancers and Docker: 200 when the database answers."""
    check = health.check_database()
    return HttpResponse(
        "ok" if check.ok else "database down",
        content_type="text/plain",
        status=200 if check.ok else 503,
    )


@login_not_required
@require_GET
@cache_control(max_age=300, public=True)
def branding_css(request):
    """The branding hooks as CSS variables (a stylesheet, so no inline style is needed)."""
    color = settings.PANEL_BRAND_PRIMARY_COLOR
    if not _COLOR.match(color):
        color = "#2563eb"
    css = f":root {{\n  --brand-primary: {color};\n}}\n"
    return HttpResponse(css, content_type="text/css")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke (the database, the session) must not break this.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
