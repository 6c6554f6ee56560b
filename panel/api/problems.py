"""Every error of the API as an RFC 9457 problem: `application/problem+json` with `type`,
`title`, `status` and `detail` in plain words (in the request's language), and for invalid
input the fields, each with what is wrong (`errors`: `pointer` and `detail`). Nothing else
ever leaves the API as an error: an unexpected exception is logged here and answered 500
without a traceback.

Problems that only the HTTP status describes have the type `about:blank` and the status's
phrase as their title; the API's own problems have a type of their own (TYPES), so that a
client can tell, say, a cooldown from a rate limit.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TAG = "tag:server-panel,2026:problem:"
TYPES = {
    "validation": gettext_lazy("Some fields are not valid"),
    "refused": gettext_lazy("Refused"),
    "cooldown": gettext_lazy("Wait a moment"),
    "provider-failed": gettext_lazy("The provider failed"),
    "unavailable": gettext_lazy("Not available just now"),
    "not-supported": gettext_lazy("Not supported for this server"),
    "idempotency-key-reused": gettext_lazy("Idempotency key used for another request"),
    "idempotency-key-in-use": gettext_lazy("Idempotency key still in use"),
    "secret-not-replayed": gettext_lazy("Secret shown once"),
}

NOT_FOUND = gettext_lazy("There is nothing here, or this token may not see it.")
NO_TOKEN = gettext_lazy(
    "This API needs a token: send it as “Authorization: Bearer pnl_…”. Make one on the "
    "panel's API tokens page."
)
FAILED = gettext_lazy(
    "Something went wrong on the panel's side. Please try again; if it keeps happening, "
    "tell the panel's administrator."
)


class Problem(exceptions.APIException):
    """An answer in plain words: raise it from a view, or turn it into a Response."""

    def __init__(self, status: int, detail: str, *, kind: str = "", headers=None, **extra) -> None:
        super().__init__(str(detail))
        self.status_code, self.kind = status, kind
        self.headers, self.extra = dict(headers or {}), extra

    def body(self) -> dict:
        return problem_body(self.status_code, str(self.detail), kind=self.kind, **self.extra)


def problem_body(status: int, detail: str, *, kind: str = "", **extra) -> dict:
    if kind:
        kind_type, title = _TAG + kind, str(TYPES[kind])
    else:
        kind_type, title = "about:blank", HTTPStatus(status).phrase
    return {"type": kind_type, "title": title, "status": status, "detail": detail, **extra}


def response(problem: Problem) -> Response:
    return Response(
        problem.body(), status=problem.status_code, headers=problem.headers, content_type=MEDIA_TYPE
    )


def plain_response(status: int, detail: str) -> JsonResponse:
    """For an /api/ address outside any API view (no such address, a failure before the
    view): the same body, without REST framework."""
    return JsonResponse(problem_body(status, detail), status=status, content_type=MEDIA_TYPE)


def exception_handler(exc, context):
    set_rollback()
    return response(_problem(exc, context["request"]))


def _problem(exc, request) -> Problem:
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Problem(404, NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Problem(403, str(exc) or _("This token may not do that."))
    if isinstance(exc, exceptions.NotAuthenticated):
        return Problem(401, NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, exceptions.AuthenticationFailed):
        return Problem(401, str(exc.detail), headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, exceptions.ValidationError):
        return _invalid(exc.detail)
    if isinstance(exc, exceptions.ParseError):
        return Problem(400, _("The body is not valid JSON."))
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Problem(415, _("Send the body as JSON (Content-Type: application/json)."))
    if isinstance(exc, exceptions.NotAcceptable):
        return Problem(406, _("This API answers in JSON only (application/json)."))
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Problem(405, _("%(method)s is not allowed here.") % {"method": request.method})
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, exc.wait or 1)
        detail = _("Too many requests with this token: try again in %(seconds)d seconds.") % {
            "seconds": wait
        }
        return Problem(429, detail, headers={"Retry-After": str(wait)})
    if isinstance(exc, exceptions.PermissionDenied):
        return Problem(403, str(exc.detail))
    if isinstance(exc, exceptions.APIException):
        return Problem(exc.status_code, str(exc.detail))
    logger.exception("API request failed", exc_info=exc)
    return Problem(500, FAILED)


def invalid(field: str, detail: str) -> Problem:
    """One field of the request is not valid (a check that needs more than the field)."""
    return Problem(
        400,
        _("Some fields are not valid: %(fields)s.") % {"fields": field},
        kind="validation",
        errors=[{"pointer": f"#/{field}", "detail": detail}],
    )


def _invalid(detail) -> Problem:
    errors = list(_flatten(detail, "#"))
    fields = sorted({error["pointer"].split("/")[1] for error in errors if "/" in error["pointer"]})
    if fields:
        text = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
    else:
        text = " ".join(error["detail"] for error in errors) or _("The request is not valid.")
    return Problem(400, text, kind="validation", errors=errors)


def _flatten(detail, pointer: str):
    """DRF's nested errors as [{"pointer": "#/name", "detail": "..."}] (JSON pointers)."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            inner_pointer = pointer if name == "non_field_errors" else f"{pointer}/{name}"
            yield from _flatten(inner, inner_pointer)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for item in detail:
                yield {"pointer": pointer, "detail": str(item)}
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{pointer}/{index}")
    else:
        yield {"pointer": pointer, "detail": str(detail)}
