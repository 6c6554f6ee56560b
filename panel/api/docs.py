"""The OpenAPI document and its Swagger UI, served by the panel itself: the UI's files come
from drf-spectacular-sidecar through the panel's static files, and its start script from
its own address (?script), so the page keeps the panel's Content Security Policy (no
inline script or style, nothing from elsewhere)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class Schema(SpectacularAPIView):
    pass


class Docs(SpectacularSwaggerSplitView):
    url_name = "api:schema"
    template_name = "api/docs.html"
    template_name_js = "api/docs.js"
    title = _("API documentation")
