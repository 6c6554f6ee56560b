"""What a command did, in words for the person who asked for it: `Outcome`, and the
sentences every action shares. Pure data and wording: no app, no request, no upstream."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# The form field that carries an idempotency key, and what a key looks like.
KEY_FIELD = "idempotency_key"
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


class Result(models.TextChoices):
    """How an action went; the audit log's result column uses the same values."""

    OK = "ok", gettext_lazy("Done")
    REFUSED = "refused", gettext_lazy("Refused")
    FAILED = "failed", gettext_lazy("Failed")


# Lazy: in the language of the request that uses them (Outcome keeps them as text).
UNAVAILABLE_MESSAGE = gettext_lazy(
    "The panel cannot take actions for a moment (its cache does not answer). Nothing was "
    "sent; please try again shortly."
)
SUSPENDED_MESSAGE = gettext_lazy(
    "This server is suspended: nothing can be changed until it is reactivated."
)
OUT_OF_DATE_MESSAGE = gettext_lazy(
    "This form is out of date. Please reload the page and try again."
)
NOT_ALLOWED_MESSAGE = gettext_lazy("You are not allowed to do that on this server.")


@dataclass
class Outcome:
    """What an action did, in words for the person who pressed the button.

    `detail` is the technical reason, for admins only. `data` holds non-secret facts for
    the page (kept for replays); `secret` is shown once and never stored or replayed.
    """

    ok: bool
    message: str
    result: str = Result.OK
    detail: str = ""
    data: dict = field(default_factory=dict)
    replayed: bool = False
    secret: object = field(default=None, repr=False)

    def __post_init__(self):
        # Lazy translations become text in the language of the request that made the
        # outcome (it is stored as JSON and replayed).
        self.message = str(self.message)
        self.detail = str(self.detail)

    @property
    def level(self) -> str:
        if self.ok:
            return "success"
        return "warning" if self.result == Result.REFUSED else "error"

    def stored(self) -> str:
        values = asdict(self) | {"secret": None, "replayed": False}
        return json.dumps(values, default=str)

    @classmethod
    def loads(cls, text: str) -> Outcome:
        return cls(**json.loads(text) | {"replayed": True})


def refused(message: str, **data) -> Outcome:
    return Outcome(False, message, Result.REFUSED, data=data)


def new_key() -> str:
    """A fresh idempotency key for a form (32 hex digits)."""
    return uuid.uuid4().hex


def cooling_down(scope: str, left: int) -> str:
    """Why a press so soon after the last one was refused (`scope` is a key, not words)."""
    if scope == "power":
        text = ngettext(
            "This server was given a power command moments ago. "
            "You can try again in %(seconds)d second.",
            "This server was given a power command moments ago. "
            "You can try again in %(seconds)d seconds.",
            left,
        )
    else:
        text = ngettext(
            "This server was changed moments ago. You can try again in %(seconds)d second.",
            "This server was changed moments ago. You can try again in %(seconds)d seconds.",
            left,
        )
    return text % {"seconds": left}


def still_running() -> Outcome:
    return refused(_("Your first click is still being carried out. Reload the page in a moment."))
