"""Secrets out of the URLs the panel's web servers log.

Two links carry a secret that works on its own: an invitation (/teams/join/?token=...)
and a password reset (/users/reset/<uid>/<token>/). Both must work with one click from
an e-mail, also without JavaScript, so the secret travels in the URL (a #fragment never
reaches a server, but only a script can read it). Both views take it out of the address
bar at once; this hides it in the access logs: gunicorn's (AccessLog, named in
gunicorn.conf.py, which gunicorn reads from the folder it starts in) and runserver's under
`make demo` (HideSecrets on the `django.server` logger). A reverse proxy in front keeps a
log of its own: leave query strings out of it (README, Production).
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

HIDDEN = "[hidden]"
_QUERY_TOKEN = re.compile(r"([?&]token=)[^&\s#\"]+")
# Django's reset view redirects to .../set-password/, which is no secret.
_RESET_TOKEN = re.compile(r"(/users/reset/[^/\s?]+/)(?!set-password/)[^/\s?\"]+")


def hide_secrets(text: str) -> str:
    """`text` (a URL, a request line) with every secret replaced by [hidden]."""
    return _RESET_TOKEN.sub(rf"\1{HIDDEN}", _QUERY_TOKEN.sub(rf"\1{HIDDEN}", text))


class AccessLog(Logger):
    """gunicorn's logger, with the secrets hidden in every part of an access log line
    (the request line, the query string, the Referer and any other header or variable)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: hide_secrets(v) if isinstance(v, str) else v for k, v in atoms.items()}


class HideSecrets(logging.Filter):
    """For runserver's request lines (`django.server`: "GET /path?query HTTP/1.1")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide_secrets(a) if isinstance(a, str) else a for a in record.args)
        return True
