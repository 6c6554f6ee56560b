"""A server's graphs: the page (no upstream call), each section's partial (asks the
service when htmx loads it) and the PNG itself, served from the panel's own URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from panel.core.htmx import render_page
from panel.grants.access import get_server_for_user

from . import services
from .services import KINDS, PERIOD_PHRASES, PERIODS

# What a section says while it loads, when its graph failed, and when there is none yet:
# whole sentences per kind (the kind's name is not glued into a sentence).
LOADING = {
    "bandwidth": gettext_lazy("Loading the bandwidth graph…"),
    "packets": gettext_lazy("Loading the packets graph…"),
}
FAILED = {
    "bandwidth": gettext_lazy("The bandwidth graph could not be loaded just now."),
    "packets": gettext_lazy("The packets graph could not be loaded just now."),
}
NONE_YET = {
    "bandwidth": gettext_lazy("There is no bandwidth graph for the %(period)s yet."),
    "packets": gettext_lazy("There is no packets graph for the %(period)s yet."),
}


@dataclass
class Section:
    """One graph section of the page: its kind, the period shown and, once asked, the graph
    (None while the page waits for htmx to load it)."""

    kind: str
    period: str
    page_url: str
    image_url: str
    query: dict
    graph: services.Graph | None = None

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    @property
    def element_id(self) -> str:
        return f"graph-{self.kind}"

    @property
    def period_label(self) -> str:
        return str(PERIOD_PHRASES[self.period])

    @property
    def alt(self) -> str:
        return _("%(kind)s, %(period)s") % {"kind": self.title, "period": self.period_label}

    @property
    def tabs_label(self) -> str:
        return _("%(kind)s: period") % {"kind": self.title}

    @property
    def loading_text(self) -> str:
        return str(LOADING[self.kind])

    @property
    def failed_text(self) -> str:
        return str(FAILED[self.kind])

    @property
    def empty_text(self) -> str:
        return NONE_YET[self.kind] % {"period": self.period_label}

    @property
    def url(self) -> str:
        return self._url_for(self.period)

    @property
    def tabs(self) -> list[dict]:
        return [
            {"label": label, "url": self._url_for(period), "current": period == self.period}
            for period, label in PERIODS.items()
        ]

    def _url_for(self, period: str) -> str:
        # The other section's period stays in the link, so a page reload without JS keeps it.
        query = self.query.copy()
        query[self.kind] = period
        return f"{self.page_url}?{query.urlencode()}"


@require_GET
def server_graphs(request, pk: int):
    row = get_server_for_user(request.user, pk, "graphs.view")
    page_url = reverse("graphs:server", args=[row.pk])
    sections = {}
    for kind in KINDS:
        period = request.GET.get(kind, "day")
        if period not in PERIODS:
            period = "day"
        sections[kind] = Section(
            kind=kind,
            period=period,
            page_url=page_url,
            image_url=reverse("graphs:image", args=[row.pk, kind, period]),
            query=request.GET,
        )
    # The page itself never asks Terrahost: each section's partial does, when htmx
    # requests it (revealed on screen, a tab clicked, "Try again").
    partial = None
    target = request.htmx.target if request.htmx else None
    for section in sections.values():
        if target == section.element_id:
            section.graph = services.get_graph(row, section.kind, section.period)
            partial = section.element_id
    context = {"row": row, **sections}
    return render_page(request, "graphs/server_graphs.html", partial, context)


@require_GET
def graph_image(request, pk: int, kind: str, period: str):
    if kind not in KINDS or period not in PERIODS:
        raise Http404("No such graph.")
    row = get_server_for_user(request.user, pk, "graphs.view")
    graph = services.get_graph(row, kind, period)
    if not graph.png:
        # The section's partial says what went wrong in words; the image only fails.
        response = HttpResponse(status=503 if graph.error else 404)
        patch_cache_control(response, no_store=True)
        return response
    response = HttpResponse(graph.png, content_type="image/png")
    patch_cache_control(response, private=True, max_age=settings.PANEL_GRAPH_TTL)
    return response
