"""Masking of the secrets that pass through the API, for logs, caches and error reports."""

from __future__ import annotations

MASK = "********"

SECRET_KEYS = frozenset(
    {
        "authorization",
        # The whole object: it carries the root password of a running install (API notes).
        "install_details",
        "password",
        "passwd",
        "code",
        "token",
        "root_passwd",
        "root_password",
        "kvm_password",
        "kvm_username",
        "srv_vnc_password",
        "srv_vnc_token",
        # 32 hex characters that the recorder of the live responses marks REDACTED.
        "srv_serverkey",
        "username",
    }
)


def is_secret(key: object) -> bool:
    return isinstance(key, str) and key.lower() in SECRET_KEYS


def redact(value: object) -> object:
    """A deep copy of `value` with every secret key's value masked (empty values stay empty).

    Written as a plain loop: it runs over every field of every server of a listing.
    """
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if not isinstance(value, dict):
        return value
    masked = {}
    for key, item in value.items():
        if isinstance(item, dict | list | tuple):
            masked[key] = MASK if item and is_secret(key) else redact(item)
        elif item not in ("", None) and is_secret(key):
            masked[key] = MASK
        else:
            masked[key] = item
    return masked
