import pytest
from cryptography.fernet import Fernet

from panel.connections.models import Connection
from panel.core import crypto


def test_it_round_trips_and_never_stores_clear_text():
    token = crypto.encrypt("hunter2")
    assert "hunter2" not in token
    assert crypto.decrypt(token) == "hunter2"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_keys_rotate(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [old]
    stored = crypto.encrypt("secret")
    settings.PANEL_ENCRYPTION_KEYS = [new, old]  # the first encrypts, all decrypt
    assert crypto.decrypt(stored) == "secret"
    rotated = crypto.rotate(stored)
    settings.PANEL_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(crypto.DecryptionError, match="PANEL_ENCRYPTION_KEYS"):
        crypto.decrypt(stored)


def test_the_rotate_command_re_encrypts_connections(connection, settings):
    from django.core.management import call_command

    old = settings.PANEL_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")
    settings.PANEL_ENCRYPTION_KEYS = [new]
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.password == "demo"
    assert conn.token
