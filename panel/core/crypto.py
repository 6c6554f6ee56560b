"""Encryption of stored secrets with MultiFernet.

Keys come from PANEL_ENCRYPTION_KEYS (settings), separate from SECRET_KEY: the first key
encrypts, every key decrypts, so a new key goes first and the old one stays until
`manage.py rotate_encryption_keys` has re-encrypted everything.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with any of PANEL_ENCRYPTION_KEYS."""


@functools.cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.PANEL_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs) -> None:
    if setting == "PANEL_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(text: str) -> str:
    """Ciphertext (text) for `text`; the empty string stays empty."""
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret cannot be decrypted: is the key that encrypted it still in "
            "PANEL_ENCRYPTION_KEYS?"
        ) from None


def rotate(ciphertext: str) -> str:
    """The same secret, re-encrypted with the first key."""
    if not ciphertext:
        return ""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError("A stored secret cannot be decrypted with any key.") from None
