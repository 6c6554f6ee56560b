"""README.md stays true to the code: every setting the panel reads is documented, and
every setting the README documents is read somewhere."""

from __future__ import annotations

import re

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
SETTINGS = ROOT / "panel" / "settings.py"
# Read by the Docker image (entrypoint) or by gunicorn itself, not by panel/settings.py.
CONTAINER_ONLY = {"PANEL_MIGRATE", "WEB_CONCURRENCY"}


def settings_names() -> set[str]:
    text = SETTINGS.read_text()
    return set(re.findall(r"env(?:bool|int|list)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def documented_names() -> set[str]:
    rows = [line for line in README.splitlines() if line.startswith("| `")]
    names = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    return names | set(re.findall(r"`((?:PANEL_)[A-Z0-9_]+)`", README))


def test_every_setting_the_panel_reads_is_documented():
    missing = settings_names() - documented_names()
    assert not missing, f"README.md's Settings table lacks {sorted(missing)}"


def test_every_documented_panel_setting_exists():
    read = settings_names() | CONTAINER_ONLY | {"PANEL_SECRET_KEY_FILE", "PANEL_BRAND_"}
    invented = {n for n in documented_names() if n.startswith("PANEL_")} - read
    assert not invented, f"README.md documents settings nothing reads: {sorted(invented)}"


def test_the_two_commands_come_first():
    sections = re.findall(r"^## (.+)$", README, re.MULTILINE)
    assert sections[0] == "Two commands"
    assert README.index("make demo") < README.index("make test") < README.index("## Settings")


def test_it_shows_the_screenshots_and_the_demo_logins():
    images = re.findall(r"\]\((docs/[^)]+\.png)\)", README)
    assert "docs/screenshots/servers-light.png" in images
    missing = [image for image in images if not (ROOT / image).is_file()]
    assert not missing, missing
    assert "`admin` | `demo`" in README and "`customer` | `demo`" in README
