"""Masking of the secrets that pass through the API, for logs, caches and error reports."""

from __future__ import annotations

MASK = "********"

SECRET_KEYS = frozenset(
    {
        "authorization",
        "password",
        "passwd",
        "code",
        "token",
        "root_passwd",
        "kvm_password",
        "kvm_username",
        "srv_vnc_password",
        "srv_vnc_token",
        "username",
    }
)


def is_secret(key: object) -> bool:
    return isinstance(key, str) and key.lower() in SECRET_KEYS


def redact(value: object) -> object:
    """A deep copy of `value` with every secret key's value masked (empty values stay empty)."""
    if isinstance(value, dict):
        return {
            key: (MASK if item not in ("", None) else item) if is_secret(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value
