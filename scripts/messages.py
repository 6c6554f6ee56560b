"""Update the Norwegian Bokmål catalogue (`make messages`): collect every marked string of
the panel into locale/nb/LC_MESSAGES/django.po, then compile it to django.mo.

Only the panel's own code and templates are searched: the tests, the benchmarks, the fault
run, the scripts and the Terrahost client (whose words reach admins only, inside the
panel's own sentences) are not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "nb"
IGNORE = [
    ".venv/*",
    "tests/*",
    "bench/*",
    "faults/*",
    "scripts/*",
    "terrahost_client/*",
    "static/*",
    "build/*",
]


def catalogue(root: Path = ROOT) -> Path:
    return root / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def collect(root: Path = ROOT) -> None:
    """makemessages in `root` (a checkout, or a copy of one)."""
    ignores = [arg for pattern in IGNORE for arg in ("--ignore", pattern)]
    _manage(
        root, "makemessages", "--locale", LANGUAGE, "--no-obsolete", "--add-location=file", *ignores
    )


def compile_(root: Path = ROOT) -> None:
    _manage(root, "compilemessages", "--locale", LANGUAGE, "--ignore", ".venv")


def _manage(root: Path, *args: str) -> None:
    env = {**os.environ, "PANEL_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "panel.settings"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, check=True)  # noqa: S603 (our own manage.py)


if __name__ == "__main__":
    collect()
    compile_()
