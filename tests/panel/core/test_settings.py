"""Start-up from the environment: secure defaults, plain errors, `check --deploy` clean."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
SECRET = "x7Gq2-" + "k9Lm4PzR8sT1vW6yB3nC5dF0hJ2aQ" * 2
PEPPER = "p3pp3r-" + "Zq8Rt5Vw2Xy7Bn4Mk1" * 2


def _run(tmp_path, *args, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PANEL_", "DATABASE_URL", "DJANGO_"))
    }
    base.update({"PANEL_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "panel.settings"})
    base.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_a_missing_secret_key_is_a_plain_startup_error(tmp_path):
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="0")
    assert result.returncode != 0
    assert "PANEL_SECRET_KEY is not set" in result.stderr


def test_missing_encryption_keys_are_a_plain_startup_error(tmp_path):
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="0", PANEL_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "PANEL_ENCRYPTION_KEYS is not set" in result.stderr


def test_a_bad_encryption_key_is_named(tmp_path):
    result = _run(
        tmp_path,
        "manage.py",
        "check",
        PANEL_DEBUG="0",
        PANEL_SECRET_KEY=SECRET,
        PANEL_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},not-a-key",
    )
    assert result.returncode != 0
    assert "key number 2 is not a valid Fernet key" in result.stderr


def test_a_missing_api_pepper_is_a_plain_startup_error(tmp_path):
    keys = {"PANEL_SECRET_KEY": SECRET, "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="0", **keys)
    assert result.returncode != 0
    assert "PANEL_API_PEPPER is not set" in result.stderr
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="0", PANEL_API_PEPPER="short", **keys)
    assert result.returncode != 0
    assert "pepper number 1 is too short" in result.stderr


def test_a_bad_api_rate_is_named(tmp_path):
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="1", PANEL_API_RATE="lots")
    assert result.returncode != 0
    assert "PANEL_API_RATE must be a number of requests per" in result.stderr


def test_debug_mode_runs_without_secrets(tmp_path):
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(
        tmp_path,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PANEL_DEBUG="0",
        PANEL_SECRET_KEY=SECRET,
        PANEL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PANEL_API_PEPPER=PEPPER,
        PANEL_ALLOWED_HOSTS="panel.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    keys_file = tmp_path / "keys"
    keys_file.write_text(Fernet.generate_key().decode())
    pepper_file = tmp_path / "pepper"
    pepper_file.write_text(PEPPER + "\n")
    result = _run(
        tmp_path,
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY == " + repr(SECRET) + ", settings.SESSION_COOKIE_SECURE, "
        "settings.PANEL_API_PEPPERS == [" + repr(PEPPER) + "])",
        PANEL_DEBUG="0",
        PANEL_SECRET_KEY_FILE=str(secret_file),
        PANEL_ENCRYPTION_KEYS_FILE=str(keys_file),
        PANEL_API_PEPPER_FILE=str(pepper_file),
    )
    assert result.stdout.strip() == "True True True", result.stderr


# --- the helpers, imported (panel.settings is already loaded; nothing is reloaded) ---------


def test_a_file_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from panel import settings as panel_settings

    missing = tmp_path / "nope"
    monkeypatch.setenv("PANEL_SECRET_KEY_FILE", str(missing))
    with pytest.raises(ImproperlyConfigured) as error:
        panel_settings.env("PANEL_SECRET_KEY")
    message = str(error.value)
    assert "PANEL_SECRET_KEY_FILE" in message and str(missing) in message
    assert "No such file or directory" in message


def test_a_directory_instead_of_a_file_is_named(tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from panel import settings as panel_settings

    monkeypatch.setenv("PANEL_ENCRYPTION_KEYS_FILE", str(tmp_path))
    with pytest.raises(ImproperlyConfigured, match=r"PANEL_ENCRYPTION_KEYS_FILE points at"):
        panel_settings.envlist("PANEL_ENCRYPTION_KEYS")


def test_a_missing_secret_file_stops_the_start_up_plainly(tmp_path):
    result = _run(
        tmp_path, "manage.py", "check", PANEL_DEBUG="1", PANEL_SECRET_KEY_FILE="/run/no/such"
    )
    assert result.returncode != 0
    assert "PANEL_SECRET_KEY_FILE points at /run/no/such, which cannot be read" in result.stderr


def test_the_development_key_is_announced_once(tmp_path):
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("DEVELOPMENT encryption key") == 1


def test_no_development_key_warning_with_real_keys(tmp_path):
    result = _run(
        tmp_path,
        "manage.py",
        "check",
        PANEL_DEBUG="1",
        PANEL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stderr
    assert "DEVELOPMENT encryption key" not in result.stderr


def test_the_encryption_keys_helper(monkeypatch):
    from panel.settings import encryption_keys

    warnings = []
    keys = encryption_keys([], debug=True, secret_key="s", warn=warnings.append)
    assert len(keys) == 1 and Fernet(keys[0])
    assert len(warnings) == 1 and "DEVELOPMENT encryption key" in warnings[0]
    real = Fernet.generate_key().decode()
    assert encryption_keys([real], debug=True, secret_key="s", warn=warnings.append) == [real]
    assert len(warnings) == 1


# --- the data folder and the SQLite database -------------------------------------------------

_OPEN_DB = (
    "import django; django.setup(); from django.db import connection; "
    "connection.cursor().execute('create table if not exists t (x int)'); "
    "connection.cursor().execute('insert into t values (1)')"
)


def test_the_sqlite_database_and_its_folder_are_private(tmp_path):
    data = tmp_path / "new" / "data"
    result = _run(tmp_path, "-c", _OPEN_DB, PANEL_DEBUG="1", PANEL_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("panel.sqlite3", "panel.sqlite3-wal", "panel.sqlite3-shm"):
        path = data / name
        if path.exists() or name == "panel.sqlite3":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_a_loose_data_folder_and_database_are_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    (data / "panel.sqlite3").touch()
    (data / "panel.sqlite3").chmod(0o644)
    result = _run(tmp_path, "manage.py", "check", PANEL_DEBUG="1", PANEL_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "panel.sqlite3").stat().st_mode) == 0o600


def test_demo_mode_keeps_debug_off_with_the_demo_conveniences(tmp_path):
    result = _run(
        tmp_path,
        "-c",
        "from panel.wsgi import application; from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.WHITENOISE_USE_FINDERS, s.EMAIL_BACKEND.rsplit('.', 2)[1], "
        "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1])",
        PANEL_DEBUG="0",
        PANEL_DEMO="1",
        PANEL_SECRET_KEY=SECRET,
        PANEL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PANEL_API_PEPPER=PEPPER,
    )
    assert result.stdout.split() == [
        "False",
        "False",
        "False",
        "True",
        "console",
        "StaticFilesStorage",
    ], result.stderr
    # No collectstatic in the demo: an empty STATIC_ROOT is no cause for a warning.
    assert "No directory at" not in result.stderr


def test_production_settings_are_secure_and_hsts_is_configurable(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, "
        "s.SECURE_REFERRER_POLICY, s.DEBUG)"
    )
    keys = {
        "PANEL_DEBUG": "0",
        "PANEL_SECRET_KEY": SECRET,
        "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PANEL_API_PEPPER": PEPPER,
    }
    result = _run(tmp_path, "-c", show, **keys)
    assert result.stdout.split() == [
        "True", "True", "True", "True", "31536000", "DENY", "same-origin", "False"
    ], result.stderr  # fmt: skip
    result = _run(tmp_path, "-c", show, PANEL_HSTS_SECONDS="600", **keys)
    assert result.stdout.split()[4] == "600", result.stderr
