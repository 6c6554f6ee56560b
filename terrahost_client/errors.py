"""One hierarchy for everything the client raises.

TerrahostError
├── TransportError            the request may not have reached Terrahost, or its answer was lost
│   └── Timeout
├── UnexpectedResponse        an answer that is not the JSON the API promises (HTML, garbage)
│   └── IncompleteListing     the pages of a listing do not add up to the whole list
└── APIError(status, message) Terrahost answered with an error status
    ├── BadRequest            400
    ├── AuthError             401 (and failed logins)
    │   └── ReauthenticationRequired   a 2FA account needs a fresh code
    ├── PermissionDenied      403
    ├── NotFound              404
    ├── NotSupported          405: the server does not support this operation
    ├── RateLimited           429, with retry_after seconds
    └── ServerError           5xx
"""

from __future__ import annotations


class TerrahostError(Exception):
    """Base of every error the client raises."""


class TransportError(TerrahostError):
    """The connection failed or broke: a write may or may not have been applied.

    `retryable` is False where repeating cannot help (a malformed URL, a bad certificate).
    """

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Timeout(TransportError):
    """No answer within the read or connect timeout."""


class UnexpectedResponse(TerrahostError):
    """The body is not the JSON envelope the API promises."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class IncompleteListing(UnexpectedResponse):
    """A listing could not be read whole (e.g. the API ignores `page`). Raised rather than
    returning part of it: whoever stores a listing marks the servers it lacks as missing."""


class APIError(TerrahostError):
    """Terrahost answered with an error status and (usually) a message."""

    def __init__(self, status: int, message: str, body: object = None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.body = body  # redacted by the client
        self.retry_after: float | None = None  # seconds, from a Retry-After header


class BadRequest(APIError):
    pass


class AuthError(APIError):
    pass


class ReauthenticationRequired(AuthError):
    """The token expired on an account with 2FA: only a person with a fresh code can log in."""


class PermissionDenied(APIError):
    pass


class NotFound(APIError):
    pass


class NotSupported(APIError):
    """405: the live API answers it for power on/off on some KVM VPSes."""


class RateLimited(APIError):
    """429: `retry_after` says how long Terrahost asked us to wait."""


class ServerError(APIError):
    pass


_BY_STATUS = {
    400: BadRequest,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    405: NotSupported,
    429: RateLimited,
}


def error_for_status(status: int, message: str, body: object = None) -> APIError:
    if status >= 500:
        return ServerError(status, message, body)
    return _BY_STATUS.get(status, APIError)(status, message, body)


class WaitTimeout(TerrahostError):
    """A wait helper's deadline passed before the state was reached."""


class ServerGone(NotFound):
    """A server stayed missing longer than the wait helper's grace period."""
