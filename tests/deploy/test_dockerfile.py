"""The Dockerfile, its entrypoint and .dockerignore (read as text: no Docker daemon needed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def arguments(keyword: str) -> list[str]:
    return [rest for kw, rest in instructions() if kw == keyword]


def test_it_starts_from_python_311_slim():
    assert arguments("FROM") == ["python:3.11-slim"]


def test_it_runs_as_a_non_root_user():
    users = arguments("USER")
    assert users, "the image must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in ("root", "0")
    # The data volume's mount point must belong to that user, or the panel cannot write.
    assert "chown panel:panel /data" in " ".join(arguments("RUN"))
    assert users[-1] == "panel"


def test_it_installs_the_pinned_dependencies_and_runs_the_code_from_app():
    """ONE way to import the panel: PYTHONPATH=/app, where the code sits next to
    templates/ and static/; the project itself is not pip-installed a second time."""
    runs = " ".join(arguments("RUN"))
    assert "pip install -r /tmp/requirements.txt" in runs
    assert not re.search(r"pip install (--no-deps )?\.(\s|$)", runs)
    assert arguments("WORKDIR") == ["/app"]
    assert "PYTHONPATH=/app" in " ".join(arguments("ENV"))
    copies = [i for i, (kw, rest) in enumerate(instructions()) if kw == "COPY" and rest == ". ."]
    collect = next(i for i, (kw, rest) in enumerate(instructions()) if "collectstatic" in rest)
    assert copies and copies[0] < collect


def test_the_requirements_step_yields_the_pinned_dependencies(tmp_path):
    """Run the Dockerfile's own shell command on pyproject.toml, as the build would."""
    run = next(r for r in arguments("RUN") if "tomllib" in r)
    command = run.split(" && ")[0].replace("/tmp/requirements.txt", "requirements.txt")
    assert command.startswith("python -c ")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    bin_dir = Path(sys.executable).parent  # "python" is the venv's, like the image's
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    subprocess.run(["sh", "-c", command], cwd=tmp_path, env=env, check=True, timeout=60)
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert (tmp_path / "requirements.txt").read_text().splitlines() == pinned
    assert all("==" in requirement for requirement in pinned), "dependencies must be pinned"


def test_it_collects_static_files_with_throwaway_keys():
    run = next(r for r in arguments("RUN") if "collectstatic" in r)
    assert "manage.py collectstatic --noinput" in run
    assert "PANEL_SECRET_KEY=" in run and "PANEL_ENCRYPTION_KEYS=" in run
    assert "PANEL_API_PEPPER=" in run
    # The throwaway keys live only in that RUN step, never in the image's environment.
    assert not any(
        "PANEL_SECRET_KEY" in env or "ENCRYPTION" in env or "PEPPER" in env
        for env in arguments("ENV")
    )


def test_default_command_is_gunicorn_behind_the_entrypoint():
    cmd = json.loads(arguments("CMD")[-1])
    assert cmd[:2] == ["gunicorn", "panel.wsgi:application"]
    assert cmd[cmd.index("-b") + 1] == "0.0.0.0:8000"
    assert cmd[cmd.index("--timeout") + 1] == "60"
    # Workers: gunicorn reads WEB_CONCURRENCY itself; a fixed --workers would override it.
    assert "--workers" not in cmd and "-w" not in cmd
    assert json.loads(arguments("ENTRYPOINT")[-1]) == ["/app/scripts/docker-entrypoint.sh"]
    assert ENTRYPOINT.exists()
    assert os.access(ENTRYPOINT, os.X_OK) or "chmod 0755 scripts/docker-entrypoint.sh" in DOCKERFILE


def test_it_has_a_healthcheck():
    (check,) = arguments("HEALTHCHECK")
    assert "scripts/healthcheck.py" in check
    assert (ROOT / "scripts" / "healthcheck.py").exists()
    assert "8000" in arguments("EXPOSE")


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", ".git", "data"):
        assert entry in ignored, entry
    # The image needs these: the pinned dependencies, the code, templates and static files.
    needed_paths = ("pyproject.toml", "manage.py", "panel", "terrahost_client", "scripts")
    for needed in (*needed_paths, "templates", "static"):
        assert needed not in ignored, needed


# --------------------------------------------------------------------------- entrypoint


@pytest.fixture
def fake_bin(tmp_path):
    """Stand-ins for python, gunicorn and celery that only record how they were called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for name in ("python", "gunicorn", "celery"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{calls}"\n')
        script.chmod(0o755)
    return bin_dir, calls


def run_entrypoint(fake_bin, *command: str, migrate: str | None = None) -> list[str]:
    bin_dir, calls = fake_bin
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    if migrate is not None:
        env["PANEL_MIGRATE"] = migrate
    subprocess.run(["sh", str(ENTRYPOINT), *command], env=env, check=True, timeout=30)
    return calls.read_text().splitlines() if calls.exists() else []


def test_entrypoint_migrates_before_gunicorn(fake_bin):
    calls = run_entrypoint(fake_bin, "gunicorn", "panel.wsgi:application")
    assert calls == ["python manage.py migrate --noinput", "gunicorn panel.wsgi:application"]


def test_entrypoint_does_not_migrate_for_celery(fake_bin):
    calls = run_entrypoint(fake_bin, "celery", "-A", "panel", "worker")
    assert calls == ["celery -A panel worker"]


@pytest.mark.parametrize(
    ("migrate", "command", "migrates"),
    [("0", "gunicorn", False), ("1", "celery", True), ("auto", "gunicorn", True)],
)
def test_entrypoint_flag_overrides(fake_bin, migrate, command, migrates):
    calls = run_entrypoint(fake_bin, command, "--flag", migrate=migrate)
    assert ("python manage.py migrate --noinput" in calls) is migrates
    assert calls[-1] == f"{command} --flag"


def test_entrypoint_stops_when_migrations_fail(fake_bin):
    bin_dir, calls = fake_bin
    (bin_dir / "python").write_text("#!/bin/sh\nexit 3\n")
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "gunicorn"], env={"PATH": f"{bin_dir}:/usr/bin:/bin"}
    )
    assert result.returncode == 3
    assert not Path(calls).exists(), "gunicorn must not start on a half-migrated database"


# --------------------------------------------------------------------------- build step


@pytest.mark.skipif(
    not (ROOT / "panel" / "settings.py").exists(), reason="panel/settings.py does not exist yet"
)
def test_settings_load_for_collectstatic_with_only_the_build_time_keys(tmp_path):
    """What the Dockerfile's collectstatic step gets: three throwaway keys and nothing else."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PANEL_SECRET_KEY": "collectstatic-only-not-a-secret",
        "PANEL_ENCRYPTION_KEYS": "9cWn0gqfYmNOmVNyJ1bR1zH3eTObYmhlZAWuOX1ojOM=",
        "PANEL_API_PEPPER": "collectstatic-only-not-a-pepper-0123456789",
        "PANEL_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
