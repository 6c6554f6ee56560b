"""Response envelopes, as API v3 shapes them."""

import json
from http import HTTPStatus


class Reply:
    """A response before it is encoded: payload is a dict/list, str or bytes."""

    def __init__(self, status, payload, headers=None, content_type="application/json"):
        self.status = status
        self.payload = payload
        self.headers = list(headers or [])
        self.content_type = content_type

    def body(self):
        if isinstance(self.payload, bytes):
            return self.payload
        if isinstance(self.payload, str):
            return self.payload.encode("utf-8")
        return json.dumps(self.payload, separators=(",", ":")).encode("utf-8")

    def wsgi(self):
        """(status line, headers, body) for start_response."""
        body = self.body()
        headers = [("Content-Type", self.content_type), ("Content-Length", str(len(body)))]
        return status_line(self.status), headers + self.headers, body


class ApiError(Exception):
    """An error answer with the meta envelope; `key` is "message" or "error"."""

    def __init__(self, status, message, key="message", headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.key = key
        self.headers = headers or []


def status_line(status):
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def meta(status, now, **extra):
    # `maintenance` and `time` are on every live response recorded.
    return {
        "status": status,
        "status_message": status_line(status),
        "maintenance": False,
        "time": int(now),
        **extra,
    }


def ok(data, now, **meta_extra):
    return Reply(200, {"meta": meta(200, now, **meta_extra), "data": data})


def done(message, now):
    """A write's answer: only meta.message, no data (as the live API does)."""
    return Reply(200, {"meta": meta(200, now, message=message)})


def error(status, message, now, key="message", headers=None):
    return Reply(status, {"meta": meta(status, now, **{key: message}), "data": []}, headers)


BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def bad_gateway():
    return Reply(502, BAD_GATEWAY_HTML, content_type="text/html")
