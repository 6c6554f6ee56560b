from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from panel.accounts.decorators import admin_required
from panel.api import problems
from panel.api.middleware import PREFIX as API_PREFIX
from panel.branding.services import brand_for, brand_for_host, default_brand, request_host
from panel.branding.views import vary_on_host
from panel.connections.models import Connection

from . import health


def home(request):
    return redirect("servers:list")


@admin_required
@require_GET
def status(request):
    checks = health.checks()
    connections = Connection.objects.with_server_counts()
    context = {"checks": checks, "connections": connections, "all_ok": all(c.ok for c in checks)}
    return render(request, "site/status.html", context)


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
    """The brand of the request's host as CSS variables (a stylesheet, so no inline style
    is needed). Pages link it with ?v=<brand version>, so a change shows on the next page;
    it varies on the Host, so no cache hands one brand's colours to another host."""
    css = brand_for(request).css()
    return vary_on_host(HttpResponse(css, content_type="text/css"))


def permission_denied(request, exception=None):
    if _api(request):
        return problems.plain_response(403, _("This token may not do that."))
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if _api(request):
        return problems.plain_response(404, str(problems.NOT_FOUND))
    return render(request, "404.html", status=404)


def _api(request) -> bool:
    """An address of the API, which answers problems (RFC 9457), never a page."""
    return request is not None and request.path.startswith(API_PREFIX)


def server_error(request):
    if _api(request):
        return problems.plain_response(500, str(problems.FAILED))
    # No request context: whatever broke (the database, the session) must not break this.
    # The brand of the host when it can be had, else the environment's default brand.
    try:
        brand = brand_for_host(request_host(request)) if request is not None else None
    except Exception:  # anything at all: the default brand
        brand = None
    html = loader.get_template("500.html").render({"brand": brand or default_brand()})
    return HttpResponse(html, status=500)
