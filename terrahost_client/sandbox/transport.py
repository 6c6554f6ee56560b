"""In-process transport: a requests adapter that calls the WSGI app directly.

No socket, but real `requests.Response` objects (status, reason, headers,
body, `raw`), so client code cannot tell the difference. Dropped calls turn
into the exceptions requests raises for real: ReadTimeout for a timeout (at
once, no waiting) and ConnectionError for a disconnect.
"""

import io
import sys
import time
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.response import HTTPResponse

from .app import DropConnection


class SandboxAdapter(BaseAdapter):
    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        environ = self._environ(request)
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers

        started = time.monotonic()
        try:
            chunks = self.app(environ, start_response)
            body = b"".join(chunks)
        except DropConnection as drop:
            if drop.kind == "timeout":
                raise requests.exceptions.ReadTimeout(
                    "Sandbox: read timed out (fault injected)", request=request
                ) from None
            raise requests.exceptions.ConnectionError(
                "Sandbox: connection closed without a response (fault injected)",
                request=request,
            ) from None
        # A slow answer (latency fault) still times out like a real one would,
        # after the request was processed.
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if read_timeout is not None and time.monotonic() - started > read_timeout:
            raise requests.exceptions.ReadTimeout("Sandbox: read timed out", request=request)
        return self._response(request, captured["status"], captured["headers"], body)

    def close(self):
        pass

    @staticmethod
    def _environ(request):
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):  # a file-like or generator body
            body = body.read() if hasattr(body, "read") else b"".join(body)
        environ = {
            "REQUEST_METHOD": request.method.upper(),
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(url.path) or "/",
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "sandbox.test",
            "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        return environ

    def _response(self, request, status, headers, body):
        code, _, reason = status.partition(" ")
        raw = HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=int(code),
            reason=reason,
            preload_content=False,
            decode_content=False,
        )
        response = requests.Response()
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.url = request.url
        response.request = request
        response.connection = self
        return response


def mount(session, app, prefix="http://sandbox.test"):
    """Route every request of `session` under `prefix` to `app`. Returns the adapter."""
    adapter = SandboxAdapter(app)
    session.mount(prefix, adapter)
    return adapter
