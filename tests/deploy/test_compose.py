"""docker-compose.yml and .env.example: the production deployment is what README promises."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from .conftest import ROOT

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to parse docker-compose.yml")

PANEL_SETTINGS = {
    "PANEL_SECRET_KEY",
    "PANEL_DEBUG",
    "PANEL_ALLOWED_HOSTS",
    "PANEL_ENCRYPTION_KEYS",
    "PANEL_API_PEPPER",
    "PANEL_DATA_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "TERRAHOST_API_URL",
}
# Secrets with no safe default: compose must refuse to start without them.
REQUIRED = {
    "PANEL_SECRET_KEY",
    "PANEL_ENCRYPTION_KEYS",
    "PANEL_API_PEPPER",
    "DATABASE_URL",
    "POSTGRES_PASSWORD",
}
PANEL_SERVICES = ("web", "worker", "beat")
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")

COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_TEXT)


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def env_example_names() -> set[str]:
    """Names set or shown (commented out) in .env.example."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.MULTILINE))


def filled_env_file() -> str:
    """.env.example with every required value filled in, as a user would."""
    values = {
        "PANEL_SECRET_KEY": "test-secret-key",
        "PANEL_ENCRYPTION_KEYS": "9cWn0gqfYmNOmVNyJ1bR1zH3eTObYmhlZAWuOX1ojOM=",
        "PANEL_API_PEPPER": "test-pepper-0123456789-0123456789-0123456789",
        "POSTGRES_PASSWORD": "pw",
        "DATABASE_URL": "postgres://panel:pw@postgres:5432/panel",
    }
    text = ENV_EXAMPLE
    for name, value in values.items():
        text, count = re.subn(rf"^{name}=$", f"{name}={value}", text, flags=re.MULTILINE)
        assert count == 1, f".env.example should have an empty {name}= line"
    return text


def test_it_has_the_five_services(services):
    assert set(services) == {"web", "worker", "beat", "redis", "postgres"}


def test_panel_services_build_one_image_from_the_repo(services):
    for name in PANEL_SERVICES:
        assert services[name]["build"] == ".", name
    assert len({services[name]["image"] for name in PANEL_SERVICES}) == 1
    assert services["redis"]["image"] == "redis:7-alpine"
    assert services["postgres"]["image"] == "postgres:16-alpine"


def test_commands(services):
    web = services["web"]["command"]
    assert web[:2] == ["gunicorn", "panel.wsgi:application"]
    assert web[web.index("-b") + 1] == "0.0.0.0:8000"
    # Several worker processes (WEB_CONCURRENCY, default 3), and room for a slow upstream.
    assert web[web.index("--workers") + 1] == "${WEB_CONCURRENCY:-3}"
    assert web[web.index("--timeout") + 1] == "60"
    assert services["worker"]["command"][:4] == ["celery", "-A", "panel", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "panel", "beat"]
    # The schedule file must live on the data volume, not in the read-only app directory.
    assert beat[beat.index("-s") + 1].startswith("/data/")


def test_the_web_port_is_published_on_localhost_only(services):
    """The panel speaks plain HTTP: only a reverse proxy on the same machine reaches it."""
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in services["redis"] and "ports" not in services["postgres"]
    readme = (ROOT / "README.md").read_text()
    assert "127.0.0.1:8000" in readme and "reverse proxy" in readme


def test_panel_services_get_every_setting_by_its_exact_name(services):
    for name in PANEL_SERVICES:
        service = services[name]
        assert service["env_file"] in (".env", [".env"]), name
        assert set(service["environment"]) == PANEL_SETTINGS, name
        assert "panel-data:/data" in service["volumes"], name
        assert service["environment"]["PANEL_DATA_DIR"] == "/data"


def test_secrets_without_a_safe_default_are_required():
    kinds = {name: kind for name, kind, _ in VARIABLE.findall(COMPOSE_TEXT)}
    for name in REQUIRED:
        assert kinds.get(name) == ":?", f"{name} should be ${{{name}:?message}}"
    messages = [message for _, kind, message in VARIABLE.findall(COMPOSE_TEXT) if kind == ":?"]
    assert all(".env" in message for message in messages), "say where to set it"


def test_debug_is_off_unless_asked_for(services):
    assert services["web"]["environment"]["PANEL_DEBUG"] == "${PANEL_DEBUG:-0}"


def test_start_order_waits_for_healthy_services(services):
    def conditions(name):
        return {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}

    assert conditions("web") == {"postgres": "service_healthy", "redis": "service_healthy"}
    # Worker and beat wait for a healthy web, i.e. for the migrations its entrypoint runs.
    for name in ("worker", "beat"):
        assert conditions(name) == {"web": "service_healthy", "redis": "service_healthy"}


def test_every_service_waited_for_has_a_healthcheck(services):
    dockerfile = (ROOT / "Dockerfile").read_text()
    waited_for = {dep for s in services.values() for dep in s.get("depends_on", {})}
    for name in waited_for:
        check = services[name].get("healthcheck")
        if check is None:  # falls back to the image's own HEALTHCHECK
            assert services[name].get("build") == "." and "\nHEALTHCHECK " in dockerfile
        else:
            assert not check.get("disable") and check["test"], name


def test_postgres_keeps_its_data_in_a_volume(compose, services):
    postgres = services["postgres"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert {"panel-data", "redis-data", "postgres-data"} <= set(compose["volumes"])


def test_env_example_documents_every_variable_the_compose_file_uses():
    used = {name for name, _, _ in VARIABLE.findall(COMPOSE_TEXT)}
    assert used, "the compose file should read its settings from .env"
    missing = (used | PANEL_SETTINGS) - env_example_names()
    assert not missing, f".env.example does not mention {sorted(missing)}"


def test_env_example_comments_every_variable():
    """Every NAME= line comes after a comment block that explains it."""
    lines = ENV_EXAMPLE.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert lines[number - 1].startswith("#"), f"no comment above {line!r}"


def test_env_example_documents_branding_time_zone_and_the_mirror():
    names = env_example_names()
    for name in (
        "PANEL_BRAND_NAME",
        "PANEL_BRAND_LOGO_URL",
        "PANEL_BRAND_PRIMARY_COLOR",
        "PANEL_TIME_ZONE",
        "PANEL_MIRROR_TTL",
        "PANEL_MIRROR_PURGE_AFTER",
        "WEB_CONCURRENCY",
    ):
        assert name in names, name
    # Optional ones are shown with their default, commented out, and explained above.
    lines = ENV_EXAMPLE.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^# (PANEL_BRAND_|PANEL_TIME_ZONE|PANEL_MIRROR_)[A-Z_]*=", line):
            assert lines[number - 1].startswith("# ") and "=" not in lines[number - 1], line


def test_env_example_explains_keys():
    assert "Fernet.generate_key().decode()" in ENV_EXAMPLE
    assert re.search(r"new key first", ENV_EXAMPLE, re.IGNORECASE)
    # Required secrets are empty, so compose's ":?" check catches a forgotten one.
    for name in REQUIRED:
        assert re.search(rf"^{name}=$", ENV_EXAMPLE, re.MULTILINE), name


def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture
def compose_project(tmp_path):
    """A copy of the compose file in an empty directory, as a user's checkout would be."""
    command = compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    return command, tmp_path


def test_docker_compose_accepts_the_file(compose_project):
    command, project = compose_project
    (project / ".env").write_text(filled_env_file())
    result = subprocess.run(
        [*command, "config", "-q"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_the_secrets(compose_project):
    command, project = compose_project
    (project / ".env").write_text(ENV_EXAMPLE)  # copied but not filled in
    result = subprocess.run(
        [*command, "config", "-q"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "in .env (see .env.example)" in result.stderr
