from panel.core.scrub import scrub

from .whitelabel import white_label


class WhiteLabelMiddleware:
    """The last guard of the white label: a page, partial or message that still names the
    provider (an upstream error, a server that has only its label as a name) has the name
    and host names replaced for users who must not see them. Templates hide what they
    can themselves; this catches the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/"):
            return response
        content = response.content
        if b"terrahost" not in content.lower() or not white_label(request):
            return response
        charset = response.charset or "utf-8"
        response.content = scrub(content.decode(charset, errors="replace")).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
