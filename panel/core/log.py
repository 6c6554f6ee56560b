"""Logging helpers installed by settings.LOGGING."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """A refused request (403, 400, 404: the client's doing, answered with a page) is one
    line in the log, with the reason, not a traceback. Django logs PermissionDenied and
    SuspiciousOperation with the exception attached; 5xx errors keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and status < 500:
            error = record.exc_info[1]
            reason = str(error) if error is not None else ""
            if reason and reason not in record.getMessage():
                # The reason joins the message; a % in it must not be read as a format.
                record.msg = f"{record.msg} ({reason.replace('%', '%%')})"
            record.exc_info = None
            record.exc_text = None
        return True
