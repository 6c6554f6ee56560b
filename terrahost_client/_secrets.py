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


_CONTAINERS = (dict, list, tuple)
# The secret keys of each dict shape seen (its keys in order): the records of a listing
# share a few shapes, so a key is looked at once per shape, not once per record.
_SECRETS_BY_SHAPE: dict[tuple, tuple] = {}
_MAX_SHAPES = 1000  # a bound, should some caller feed it dicts of ever new shapes


def _secret_keys(value: dict) -> tuple:
    shape = tuple(value)
    keys = _SECRETS_BY_SHAPE.get(shape)
    if keys is None:
        if len(_SECRETS_BY_SHAPE) >= _MAX_SHAPES:
            _SECRETS_BY_SHAPE.clear()
        keys = _SECRETS_BY_SHAPE[shape] = tuple(key for key in shape if is_secret(key))
    return keys


def redact(value: object) -> object:
    """A deep copy of `value` with every secret key's value masked, at any depth (empty
    values stay as they are: "", None, an empty list or object).

    It runs over every field of every server of a listing, so the one loop over a dict's
    items only looks for nested dicts and lists; the secret keys come from its shape.
    """
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if not isinstance(value, dict):
        return value
    masked = value.copy()
    for key, item in value.items():
        if isinstance(item, _CONTAINERS):
            masked[key] = redact(item)
    for key in _secret_keys(value):
        if _has_value(value[key]):
            masked[key] = MASK
    return masked


def _has_value(item: object) -> bool:
    if isinstance(item, _CONTAINERS):
        return bool(item)
    return item not in ("", None)
