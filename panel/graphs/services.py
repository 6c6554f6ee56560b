"""A server's bandwidth and packet graphs: PNG images from the API, cached per server, kind
and period.

The API answers all four periods of a kind in one call, so one miss fills the four cache
entries. The cache is an optimisation: when Redis does not answer, a read is a miss and a
write is skipped, and the graph is asked from Terrahost directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panel.connections.errors import ConnectionProblem, describe
from panel.connections.services import api
from panel.core import softcache
from panel.servers.models import MirroredServer
from terrahost_client.errors import TerrahostError

logger = logging.getLogger(__name__)

KINDS = {"bandwidth": _("Bandwidth"), "packets": _("Packets")}
# The period tabs.
PERIODS = {
    "day": _("Last day"),
    "week": _("Last week"),
    "month": _("Last month"),
    "year": _("Last year"),
}
# The period inside a sentence or an image's description ("Bandwidth, last day").
PERIOD_PHRASES = {
    "day": pgettext_lazy("graph period", "last day"),
    "week": pgettext_lazy("graph period", "last week"),
    "month": pgettext_lazy("graph period", "last month"),
    "year": pgettext_lazy("graph period", "last year"),
}

# The panel serves these bytes from its own origin as image/png: anything that is not a
# PNG (a broken or hostile answer) is treated as no graph at all.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Graph:
    """One graph image; `png` is b"" when there is none, `error` says why for an admin
    when Terrahost could not be asked."""

    png: bytes = b""
    error: str = ""


def cache_key(row: MirroredServer, kind: str, period: str) -> str:
    return f"graph:{row.connection_id}:{row.srv_id}:{kind}:{period}"


def get_graph(row: MirroredServer, kind: str, period: str) -> Graph:
    """The `kind` graph ("bandwidth" or "packets") of `period` for this server."""
    cached = softcache.get(cache_key(row, kind, period))
    if cached is not None:
        return Graph(cached)
    try:
        with api(row.connection) as client:
            # client.graphs.bandwidth / client.graphs.packets: the names are the kinds.
            graphs = getattr(client.graphs, kind)(row.srv_id)
    except ConnectionProblem as problem:
        return Graph(error=problem.message)
    except TerrahostError as error:
        logger.warning("The %s graphs of server %s failed: %r", kind, row.srv_id, error)
        return Graph(error=describe(error))
    images = {}
    for name in PERIODS:
        png = getattr(graphs, name)
        images[name] = png if png.startswith(PNG_SIGNATURE) else b""
    softcache.set_many(
        {cache_key(row, kind, name): png for name, png in images.items()},
        settings.PANEL_GRAPH_TTL,
    )
    return Graph(images[period])
