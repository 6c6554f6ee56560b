"""One signed POST to an endpoint, and nowhere else.

The host name is resolved here and every address it has is checked: loopback, private,
link-local, reserved, multicast and other non-public addresses are refused (unless
PANEL_WEBHOOK_ALLOW_PRIVATE, for a demo or a receiver on the same network). The request
then goes to the checked address itself, with the host name only in the Host header and,
for HTTPS, in SNI and the certificate check: a DNS answer that changes between the check
and the connection (DNS rebinding) cannot send it elsewhere. Redirects are not followed,
proxies from the environment are not used, and the answer's body is never read.

Signatures follow the Standard Webhooks specification (the `standardwebhooks` package):
webhook-id, webhook-timestamp and webhook-signature, "v1,<base64 HMAC-SHA256>" per
secret, space-separated while a rotated secret still signs.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from standardwebhooks import Webhook

TIMEOUT = 10
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix the specification gives secrets
USER_AGENT = "panel-webhooks/1"


class Failed(Exception):
    """The request was not made, or got no answer; `reason` in plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    status_code: int
    reason: str
    location: str = ""


def new_secret() -> str:
    """A signing secret: "whsec_" and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def signed_headers(message_id: str, body: str, signing_secrets: list[str], now: datetime) -> dict:
    signatures = " ".join(Webhook(secret).sign(message_id, now, body) for secret in signing_secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(now.timestamp())),
        "webhook-signature": signatures,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


def checked_address(host: str, port: int) -> str:
    """The address to connect to for `host`, every one of its addresses checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Failed(_("The host name %(host)s could not be found.") % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.PANEL_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                raise Failed(
                    _(
                        "%(host)s is a private, local or reserved address (%(address)s): the "
                        "panel does not send webhooks there."
                    )
                    % {"host": host, "address": address}
                )
    return addresses[0]


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's address (the checked one) while TLS names the real host."""

    def __init__(self, host: str):
        self.host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs.update(server_hostname=self.host, assert_hostname=self.host)
        super().init_poolmanager(*args, **kwargs)


def post(url: str, body: str, headers: dict) -> Answer:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = checked_address(host, port)
    netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment between check and send
        session.mount(f"{parts.scheme}://", _PinnedAdapter(host))
        try:
            response = session.post(
                pinned,
                data=body.encode(),
                headers={**headers, "Host": host_header},
                timeout=TIMEOUT,
                allow_redirects=False,
                stream=True,  # the body is never read
            )
        except requests.Timeout:
            raise Failed(
                _("No answer within %(seconds)d seconds.") % {"seconds": TIMEOUT}
            ) from None
        except requests.exceptions.SSLError:
            raise Failed(
                _("The secure connection failed: its certificate was not accepted.")
            ) from None
        except requests.ConnectionError:
            raise Failed(_("Nothing answered at that address (the connection failed).")) from None
        except requests.RequestException as error:
            reason = _("The request failed (%(error)s).") % {"error": type(error).__name__}
            raise Failed(reason) from None
        response.close()
    return Answer(response.status_code, response.reason or "", response.headers.get("Location", ""))
