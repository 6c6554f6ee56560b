"""What goes wrong with a Terrahost account, in plain words: the problems only an
administrator can fix (ConnectionProblem), `describe()`, the sentence an admin reads for
any other upstream error, and `explain()`, the Outcome a person reads for it. The one
place for this wording."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panel.core.outcomes import Outcome, Result
from panel.core.scrub import scrub
from terrahost_client.errors import (
    APIError,
    AuthError,
    BadRequest,
    IncompleteListing,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    ReauthenticationRequired,
    ServerError,
    TerrahostError,
    Timeout,
    TransportError,
    UnexpectedResponse,
)

# Lazy: in the language of the request (or task) that uses them. The provider's name is
# written out and, for users who must not see it, replaced by whitelabel.scrub().
# Translators: keep "Terrahost" as a word of its own (no genitive -s), so that it can be
# replaced by "the provider".
NEEDS_REAUTH_MESSAGE = gettext_lazy(
    "The Terrahost login expired and this account uses two-factor authentication: "
    "an administrator must enter a fresh code."
)
# Translators: keep "Terrahost" as a word of its own (no genitive -s).
LOGIN_REFUSED_MESSAGE = gettext_lazy(
    "Terrahost refused the stored password; an administrator must enter the new one."
)
UNDECRYPTABLE_MESSAGE = gettext_lazy(
    "The stored credentials cannot be decrypted with the current PANEL_ENCRYPTION_KEYS: "
    "enter the password again."
)
DUPLICATE_NAME_MESSAGE = gettext_lazy("A connection with this name already exists.")


class ConnectionProblem(Exception):
    """Why a Terrahost account cannot be used right now, in plain words.

    `code`: bad_credentials, code_needed, unreachable, needs_reauth, login_refused,
    undecryptable, duplicate_name, upstream.
    """

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def describe(error: TerrahostError) -> str:
    """A plain sentence for an admin about what went wrong upstream."""
    if isinstance(error, RecentLoginFailure):
        return str(error)
    if isinstance(error, ReauthenticationRequired):
        return NEEDS_REAUTH_MESSAGE
    if isinstance(error, AuthError):
        # Logins are handled by the token provider; this is an ordinary call refused even
        # with a fresh token (e.g. another program logged in to the same account).
        return _("Terrahost refused the panel's login token; the next try logs in again.")
    # In every language "Terrahost" stays a word of its own (no genitive -s), so that
    # whitelabel.scrub() can replace it for users who must not see it.
    if isinstance(error, Timeout):
        return _("Terrahost did not answer in time.")
    if isinstance(error, TransportError):
        return _("Terrahost could not be reached.")
    if isinstance(error, RateLimited):
        return _("Terrahost asked the panel to slow down; it will try again shortly.")
    if isinstance(error, IncompleteListing):
        # Retrying does not fix this one: the listing's pages do not add up.
        return _(
            "The server list from Terrahost could not be read whole (its pages did not add "
            "up), so the panel kept the list it had. Nothing was removed."
        )
    if isinstance(error, ServerError | UnexpectedResponse):
        return _("Terrahost had a problem answering; it will be tried again shortly.")
    if isinstance(error, PermissionDenied):
        return _("Terrahost does not allow this for the account.")
    if isinstance(error, NotFound):
        return _("Terrahost does not show this right now.")
    if isinstance(error, NotSupported):
        return _("Terrahost does not support this for this server.")
    if isinstance(error, APIError):
        # The provider's own words follow (as it wrote them).
        return (_("Terrahost answered: %(answer)s") % {"answer": error.message})[:400]
    return _("Terrahost could not be used just now.")


class RecentLoginFailure(TerrahostError):
    """A login to this account failed a moment ago (Terrahost down, timing out): the
    requests that waited for it get its outcome instead of trying again one by one."""


def explain(error: Exception, *, write: bool = True, not_supported: str = "") -> Outcome:
    """Any upstream error as an Outcome in plain words (never raw JSON), with the
    technical reason in `detail` for admins. `write`: the call would have changed
    something (a timeout then leaves it unknown whether it did)."""
    if isinstance(error, ConnectionProblem):
        return Outcome(
            False,
            _(
                "This server's account needs an administrator's attention, so nothing could "
                "be done. Please try again later."
            ),
            Result.FAILED,
            detail=error.message,
        )
    detail = describe(error)
    if isinstance(error, NotSupported):
        message = not_supported or _("This cannot be done for this server from the panel.")
    elif isinstance(error, RateLimited) and error.retry_after:
        seconds = int(error.retry_after) + 1
        message = ngettext(
            "Too many requests just now. Please try again in %(seconds)d second.",
            "Too many requests just now. Please try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    elif isinstance(error, RateLimited):
        message = _("Too many requests just now. Please try again in a minute.")
    elif isinstance(error, TransportError) and write:
        # The request may have reached the provider: never repeated automatically.
        message = _(
            "The provider did not answer in time, so it is not known whether this was "
            "done. Check the server's state before trying again."
        )
    elif isinstance(error, TransportError):
        message = _("The provider did not answer in time. Please try again.")
    elif isinstance(error, NotFound):
        message = _(
            "The provider is not showing this server right now (this happens for a short "
            "while at times). Please try again in a minute."
        )
    elif isinstance(error, PermissionDenied):
        message = _("The provider refused this for this server.")
    elif isinstance(error, BadRequest):
        # The provider's own words, shown to customers: never its name (white label);
        # admins read the words unchanged in `detail`.
        message = _("The provider did not accept this: %(reason)s") % {
            "reason": scrub(error.message)
        }
        message = message[:300]
    else:
        message = _("The provider had a problem answering. Please try again in a minute.")
    return Outcome(False, message, Result.FAILED, detail=detail)
