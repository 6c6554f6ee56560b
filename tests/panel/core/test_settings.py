"""Start-up from the environment: secure defaults, plain errors, `check --deploy` clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
SECRET = "x7Gq2-" + "k9Lm4PzR8sT1vW6yB3nC5dF0hJ2aQ" * 2


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
        PANEL_ALLOWED_HOSTS="panel.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    keys_file = tmp_path / "keys"
    keys_file.write_text(Fernet.generate_key().decode())
    result = _run(
        tmp_path,
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY == " + repr(SECRET) + ", settings.SESSION_COOKIE_SECURE)",
        PANEL_DEBUG="0",
        PANEL_SECRET_KEY_FILE=str(secret_file),
        PANEL_ENCRYPTION_KEYS_FILE=str(keys_file),
    )
    assert result.stdout.strip() == "True True", result.stderr
