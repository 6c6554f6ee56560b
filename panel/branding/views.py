from __future__ import annotations

import base64
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.http.request import validate_host
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from panel.accounts.decorators import admin_required
from panel.audit.log import record

from . import services
from .forms import BrandForm
from .models import Brand

# An uploaded SVG opened on its own must not run anything, whatever slipped through.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def allowed_hosts() -> list[str]:
    from django.conf import settings

    # As Django checks Host: with DEBUG on and no list, the local names are allowed.
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def vary_on_host(response):
    """Answers that depend on the brand depend on the Host (and a proxy's forwarded host)."""
    from django.conf import settings

    headers = ["Host"] + (
        ["X-Forwarded-Host"] if getattr(settings, "USE_X_FORWARDED_HOST", False) else []
    )
    patch_vary_headers(response, headers)
    return response


@admin_required
@require_GET
def brand_list(request):
    brands = Brand.objects.defer("logo", "favicon").prefetch_related("hosts")
    context = {
        "brands": brands,
        "default": services.default_brand(),
        "current_host": services.request_host(request),
        "current": services.brand_for(request),
    }
    return render(request, "branding/brand_list.html", context)


def _edit(request, brand: Brand | None):
    form = BrandForm(request.POST or None, request.FILES or None, instance=brand)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            form.add_error("hosts", _("One of these host names was just given to another brand."))
        else:
            services.changed()
            action = "branding.update" if brand is not None else "branding.create"
            record(
                action,
                request=request,
                details={"brand": saved.name, "hosts": form.cleaned_data["hosts"]},
            )
            messages.success(request, _("Saved the brand “%(name)s”.") % {"name": saved.name})
            refused = [
                h for h in form.cleaned_data["hosts"] if not validate_host(h, allowed_hosts())
            ]
            if refused:
                text = ngettext(
                    "The panel does not answer to %(hosts)s yet: add it to PANEL_ALLOWED_HOSTS "
                    "and restart.",
                    "The panel does not answer to %(hosts)s yet: add them to "
                    "PANEL_ALLOWED_HOSTS and restart.",
                    len(refused),
                )
                messages.warning(request, text % {"hosts": ", ".join(refused)})
            return redirect("branding:list")
    preview = {}
    if brand is not None:
        for field in ("logo", "favicon"):
            data, kind = bytes(getattr(brand, field) or b""), getattr(brand, f"{field}_type")
            if kind:
                preview[field] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "branding/brand_form.html",
        {"form": form, "brand": brand, "preview": preview},
        status=status,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def brand_create(request):
    return _edit(request, None)


@admin_required
@require_http_methods(["GET", "POST"])
def brand_edit(request, pk):
    return _edit(request, get_object_or_404(Brand, pk=pk))


@admin_required
@require_http_methods(["GET", "POST"])
def brand_delete(request, pk):
    brand = get_object_or_404(Brand.objects.defer("logo", "favicon"), pk=pk)
    if request.method == "POST":
        name, hosts = brand.name, list(brand.hosts.values_list("host", flat=True))
        brand.delete()
        services.changed()
        record("branding.delete", request=request, details={"brand": name, "hosts": hosts})
        messages.success(
            request,
            _("Removed the brand “%(name)s”. Its host names now show the default brand.")
            % {"name": name},
        )
        return redirect("branding:list")
    # The host names as one value, so the page's sentence is translated whole.
    hosts = format_html_join(", ", "<code>{}</code>", ((h.host,) for h in brand.hosts.all()))
    return render(request, "branding/brand_delete.html", {"brand": brand, "hosts": hosts})


def _image(request, field: str):
    brand = services.brand_for(request)
    data, kind = b"", ""
    if brand.pk is not None:
        row = Brand.objects.filter(pk=brand.pk).values(field, f"{field}_type").first()
        if row:
            data, kind = bytes(row[field] or b""), row[f"{field}_type"]
    if not kind:
        # No upload: the panel's own mark (pages link here only when there is one).
        path = finders.find("img/favicon.svg")
        if not path:
            raise Http404("This brand has no such image.")
        data, kind = Path(path).read_bytes(), "image/svg+xml"
    response = HttpResponse(data, content_type=kind)
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Content-Disposition"] = "inline"
    # Pages link to it with ?v=<version>: a new upload is a new address.
    if request.GET.get("v") == brand.version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return vary_on_host(response)


@login_not_required
@require_GET
def logo(request):
    return _image(request, "logo")


@login_not_required
@require_GET
def favicon(request):
    return _image(request, "favicon")
