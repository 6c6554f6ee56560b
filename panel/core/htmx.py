"""htmx rendering shared by every app: a page and its partials come from one template
(django-template-partials' `{% partialdef %}`)."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(request, template: str, partial: str | None, context: dict, **kwargs):
    """The page, or only its partial `partial` when htmx targets the element of that id.

    `kwargs` go to render() (status, content_type). Responses vary on the htmx headers, so
    a cache never serves a partial for a page or the other way round.
    """
    if partial and request.htmx and request.htmx.target == partial:
        template = f"{template}#{partial}"
        context = {**context, "partial": True}  # out-of-band parts go with the partial only
    response = render(request, template, context, **kwargs)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
