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


def test_rotation_never_writes_back_a_token_renewed_meanwhile(connection, settings, monkeypatch):
    """A login stores a new token while the rotation works on the row: the new token
    stays (rotated), the old one is not written back over it."""
    from panel.connections import services

    old = settings.PANEL_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, old]
    stored = Connection.objects.get(pk=connection.pk).token_encrypted
    real_rotate = crypto.rotate
    renewed = []

    def rotate_while_a_login_happens(ciphertext):
        if ciphertext == stored and not renewed:
            renewed.append(crypto.encrypt("renewed-token"))
            Connection.objects.filter(pk=connection.pk).update(token_encrypted=renewed[0])
        return real_rotate(ciphertext)

    monkeypatch.setattr(crypto, "rotate", rotate_while_a_login_happens)
    result = services.rotate_secrets()
    settings.PANEL_ENCRYPTION_KEYS = [new]
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.token == "renewed-token"
    assert conn.password == "demo"
    assert result.rotated == 1


def test_rotation_skips_and_names_a_connection_no_key_decrypts(connection, settings):
    from io import StringIO

    from django.core.management import call_command

    other = Fernet(Fernet.generate_key())
    Connection.objects.filter(pk=connection.pk).update(
        password_encrypted=other.encrypt(b"demo").decode()
    )
    err = StringIO()
    call_command("rotate_encryption_keys", stdout=StringIO(), stderr=err)
    assert "Sandbox: no key in PANEL_ENCRYPTION_KEYS decrypts" in err.getvalue()
