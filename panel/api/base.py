"""What every API view shares: the token's actor, the one way to a server, the outcome of
a command as an HTTP answer, and answers that no cache keeps and that keep the white label.

    class Power(TokenView):
        @idempotent
        def post(self, request, id):
            row = self.server(id)             # 404 unless the token sees it, 403 without the key
            command = commands.Power(actor=self.actor, server=row, key=request.command_key, ...)
            return self.run(command, 202)     # the executor's Outcome, as an answer
            # (self.start(command) for one that starts an operation: 202 with it)
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.accounts.throttle import client_address
from panel.branding.whitelabel import white_label
from panel.commands import executor
from panel.core.actors import Actor
from panel.core.ids import parse_id
from panel.core.outcomes import NOT_ALLOWED_MESSAGE, Outcome, Result
from panel.core.scrub import scrub
from panel.grants.access import is_panel_admin
from panel.operations.models import Operation
from panel.tokens.access import allows, servers_of
from panel.tokens.scopes import ENDPOINTS, endpoint

from . import serializers as s
from .problems import Problem


class TokenView(APIView):
    # No OPTIONS: nothing to say that the OpenAPI document does not (405 like any other).
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def needs(self) -> tuple[str, str | None] | None:
        """(scope, permission key) this request's endpoint needs (panel.tokens.scopes)."""
        match = self.request.resolver_match
        return ENDPOINTS.get(endpoint(self.request.method, match.route))

    @property
    def actor(self) -> Actor:
        request = self.request
        return Actor.api(
            request.auth,
            address=client_address(request._request) or None,
            user_agent=request.headers.get("User-Agent", ""),
        )

    @property
    def staff(self) -> bool:
        """The panel's own (an application token, or an admin's): sees provider accounts."""
        token = self.request.auth
        return token.is_application or is_panel_admin(token.owner)

    def servers(self):
        """The servers this token sees (one query), for lists."""
        return servers_of(self.request.auth)

    def server(self, pk, *, initiator_id=None):
        """The server with this id if the token sees it (else 404) and may use the
        endpoint's key on it now (else 403; see grants.access.holds for `initiator_id`)."""
        number = parse_id(pk)
        row = None
        if number is not None:
            row = self.servers().select_related("connection").filter(pk=number).first()
        if row is None:
            raise Http404
        if not allows(self.actor, row, self.needs()[1], initiator_id=initiator_id):
            raise Problem(403, NOT_ALLOWED_MESSAGE)
        return row

    def run(self, command, status: int = 200, answer=None) -> Response:
        """Carry out `command` (panel.commands.executor) and answer its outcome: when done,
        `status` with `answer(outcome)` (default: its message); else a problem in its words."""
        outcome = executor.execute(command)
        if not outcome.ok:
            raise refusal(outcome)
        data = {"message": outcome.message} if answer is None else answer(outcome)
        return Response(data, status=status)

    def start(self, command) -> Response:
        """Carry out a command that starts an operation: 202 with the operation (the same
        one for a replayed key) and its address in Location; else a problem."""
        outcome = executor.execute(command)
        op_id = outcome.data.get("operation")
        if not outcome.ok or op_id is None:
            raise refusal(outcome)
        op = Operation.objects.get(pk=op_id)
        location = reverse("api:operation", kwargs={"id": op.pk})
        return Response(s.Operation(op).data, status=202, headers={"Location": location})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a token reads is its own: no shared or browser cache keeps it.
        response["Cache-Control"] = "no-store"
        token = getattr(request, "_auth", None)
        if token is not None and token.owner is not None:
            response.add_post_render_callback(lambda rendered: _white_label(request, rendered))
        return response


def _white_label(request, response):
    """The white label of a person's token: the provider's name and host names out of the
    answer (the words that replace them hold no character that JSON escapes)."""
    text = response.content.decode()
    if "terrahost" in text.lower() and white_label(request._request):
        response.content = scrub(text).encode()
    return response


def refusal(outcome: Outcome) -> Problem:
    """A command's outcome that is not done, as a problem: no access 403, a cooldown 429
    (Retry-After), the panel unable to act now 503, another change under way 409 (Retry-After),
    something the server cannot do 422, the provider failing 502, anything else the server's
    state refuses 409; always in the outcome's words."""
    data = outcome.data
    if data.get("not_allowed") or data.get("suspended"):
        return Problem(403, outcome.message)
    if "retry_after" in data:
        return Problem(
            429, outcome.message, kind="cooldown", headers={"Retry-After": str(data["retry_after"])}
        )
    if data.get("unavailable"):
        return Problem(503, outcome.message, kind="unavailable", headers={"Retry-After": "10"})
    if data.get("busy"):
        return Problem(409, outcome.message, kind="refused", headers={"Retry-After": "5"})
    if data.get("not_supported"):
        return Problem(422, outcome.message, kind="not-supported")
    if outcome.result == Result.FAILED:
        return Problem(502, outcome.message, kind="provider-failed")
    return Problem(409, outcome.message, kind="refused")


def not_available(message: str) -> Problem:
    """A read from the provider that failed: 502, in the page's words."""
    return Problem(502, message or _("The provider did not answer."), kind="provider-failed")
