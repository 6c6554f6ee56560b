"""RFC 6238 TOTP (SHA-1, 30 s steps, 6 digits) with the standard library.

Not pyotp: pyotp 2.12 refuses secrets shorter than 112 bits, and the documented
demo secret JBSWY3DPEHPK3PXP is 80 bits. Authenticator apps accept it.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

from .constants import TOTP_SECRET

STEP = 30


def _key(secret):
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def hotp(key, counter, digits=6):
    """RFC 4226 HOTP value for a raw key and a counter."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def totp_code(secret=TOTP_SECRET, for_time=None):
    """The current code for `secret` (base32), e.g. to log in as demo-2fa in a test."""
    now = time.time() if for_time is None else for_time
    return hotp(_key(secret), int(now // STEP))


def verify(secret, code, for_time=None, window=1):
    """True if `code` matches the step of `for_time` or `window` steps either side."""
    if not isinstance(code, str) or re.fullmatch(r"[0-9]{6}", code) is None:
        return False  # compare_digest() raises TypeError on non-ASCII text
    now = time.time() if for_time is None else for_time
    key = _key(secret)
    counter = int(now // STEP)
    matches = [
        hmac.compare_digest(hotp(key, counter + drift), code)
        for drift in range(-window, window + 1)
    ]
    return any(matches)
