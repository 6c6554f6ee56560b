"""{% server_access row %}: who has access to a server, for admins on the server page."""

from django import template
from django.db.models import Count, OuterRef, Q, Subquery

register = template.Library()


@register.inclusion_tag("grants/server_access.html", takes_context=True)
def server_access(context, row):
    """Users and teams with a grant on this server or its whole connection (one query);
    nothing for non-admins."""
    from panel.teams.models import Membership

    from ..access import is_panel_admin
    from ..models import Grant
    from ..views import grant_rows

    request = context.get("request")
    if row is None or not is_panel_admin(getattr(request, "user", None)):
        return {"show": False}
    members = (
        Membership.objects.filter(team=OuterRef("team"))
        .values("team")
        .annotate(count=Count("pk"))
        .values("count")
    )
    grants = (
        Grant.objects.filter(Q(server=row) | Q(connection_id=row.connection_id))
        .annotate(team_members=Subquery(members))
        .order_by("team__name", "user__username", "server_id")
    )
    return {"show": True, "row": row, "grants": grant_rows(grants)}
