"""Docker HEALTHCHECK for the web service: exit 0 when the panel answers HTTP.

It asks /healthz, which answers 503 when the database does not. Any status below 500
counts as healthy: with PANEL_HTTPS on, Django may answer plain HTTP with a redirect to
HTTPS, and that still proves a live server. The request carries a Host from
PANEL_ALLOWED_HOSTS so that Django does not log a DisallowedHost error every 30 seconds.
"""

from __future__ import annotations

import http.client
import os
import sys


def health_host(allowed_hosts: str) -> str:
    """A host name Django accepts, taken from a PANEL_ALLOWED_HOSTS value."""
    for host in allowed_hosts.split(","):
        host = host.strip().lstrip(".")  # ".example.com" allows example.com itself
        if host and host != "*":
            return host
    return "localhost"


def check(port: int = 8000, path: str = "/healthz", timeout: float = 4.0) -> int:
    host = health_host(os.environ.get("PANEL_ALLOWED_HOSTS", ""))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"unhealthy: {exc}")
        return 1
    finally:
        conn.close()
    if status >= 500:
        print(f"unhealthy: HTTP {status}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(check())
