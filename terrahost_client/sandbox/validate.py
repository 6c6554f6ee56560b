"""Input checks. Each raises BadRequest with the message the API answers."""

import math
import re
from urllib.parse import urlsplit

LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# ASCII only: str.isdigit() and int() also take superscript, full-width and
# Arabic-Indic digits ("\u0661\u0662" is 12 to int()).
ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_ID = 10**18 - 1  # the longest id a path accepts has 18 digits


class BadRequest(ValueError):
    """An input problem: becomes a 400 with `meta.message` (or `meta.error`)."""

    def __init__(self, message, key="message"):
        super().__init__(message)
        self.message = message
        self.key = key


def require(body, name):
    if name not in body or body[name] is None:
        raise BadRequest(f"Missing required field: {name}.")
    return body[name]


def is_digits(value, max_length=None):
    """True for a non-empty string of ASCII digits 0-9 (and at most max_length of them)."""
    if not isinstance(value, str) or ASCII_DIGITS.fullmatch(value) is None:
        return False
    return max_length is None or len(value) <= max_length


def integer(value, name):
    """A numeric id, 0 to MAX_ID: an int, an integral float or a string of ASCII digits."""
    if isinstance(value, bool):
        raise BadRequest(f"Invalid {name}: expected a number.")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and is_digits(value.strip(), 18):
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    raise BadRequest(f"Invalid {name}: expected a number.")


def text(value, name, max_length, allow_empty=False):
    if not isinstance(value, str):
        raise BadRequest(f"Invalid {name}: expected a string.")
    value = value.strip()
    if not value and not allow_empty:
        raise BadRequest(f"Invalid {name}: must not be empty.")
    if len(value) > max_length:
        raise BadRequest(f"Invalid {name}: at most {max_length} characters.")
    if CONTROL_CHARS.search(value):
        raise BadRequest(f"Invalid {name}: control characters are not allowed.")
    return value


def is_hostname(value):
    """RFC 1123: dot-separated labels of letters, digits and inner hyphens."""
    if not isinstance(value, str) or not value or len(value) > 253:
        return False
    labels = value.split(".")
    if not all(LABEL.match(label) for label in labels):
        return False
    # A name whose last label is all digits would read as an IP address.
    return not is_digits(labels[-1])


def hostname(value, name="hostname"):
    if not isinstance(value, str) or not is_hostname(value.strip()):
        raise BadRequest(f"Invalid {name}: not a valid hostname.")
    return value.strip()


def dns_name(value, name="dns"):
    """A fully qualified name (two labels or more); one trailing dot allowed."""
    if not isinstance(value, str):
        raise BadRequest(f"Invalid {name}: not a valid DNS name.")
    value = value.strip()
    if value.endswith("."):
        value = value[:-1]
    if not is_hostname(value) or "." not in value:
        raise BadRequest(f"Invalid {name}: not a valid DNS name.")
    return value.lower()


def iso_url(value):
    if not isinstance(value, str):
        raise BadRequest("Invalid iso_url: expected a string.")
    value = value.strip()
    if len(value) > 2048 or re.search(r"\s", value):
        raise BadRequest("Invalid iso_url: not a valid URL.")
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise BadRequest("Invalid iso_url: not a valid URL.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("Invalid iso_url: only http:// and https:// URLs are accepted.")
    if not parts.path.lower().endswith(".iso") or parts.path.endswith("/.iso"):
        raise BadRequest("Invalid iso_url: the URL must point to an .iso file.")
    return value


def number(value, name, minimum, maximum):
    """A finite number within bounds (control plane); never a string or a bool.

    The bounds are checked before anything converts the value to a float: an
    int of 400 digits compares fine but overflows math.isfinite().
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"Invalid {name}: expected a number.")
    in_bounds = minimum <= value <= maximum  # False for NaN; exact for huge ints
    if not in_bounds or (isinstance(value, float) and not math.isfinite(value)):
        raise BadRequest(f"Invalid {name}: expected a number between {minimum} and {maximum}.")
    return value
