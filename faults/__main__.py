"""`python -m faults` (make faults): the full fault run against a stack of its own. It prints
its figures, then every defect it found, and writes them to bench/faults.json; the exit
status is 1 when a figure misses its target. `--short`: the version inside `make test`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

OUT = Path(__file__).resolve().parents[1] / "bench" / "faults.json"


def _setup_django(data_dir: Path) -> None:
    """This process only resolves the panel's URLs; the stack runs the panel with its own
    (production) settings. panel.settings reads the environment at django.setup()."""
    values = {
        "DJANGO_SETTINGS_MODULE": "panel.settings",
        "PANEL_DEBUG": "1",
        "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),  # never used: no warning
        "PANEL_DATA_DIR": str(data_dir),
    }
    for name, value in values.items():
        os.environ[name] = value
        os.environ.pop(f"{name}_FILE", None)  # settings prefer NAME_FILE over NAME
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__)
    parser.add_argument("--short", action="store_true", help="the short run of `make test`")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="panel-faults-"))
    logs, stack_dir = work / "logs", work / "stack"
    logs.mkdir()
    stack_dir.mkdir()
    _setup_django(work / "django")
    from tests.e2e.stack import Stack

    from .run import FULL, SHORT, run

    stack = Stack(stack_dir, logs)
    try:
        stack.start()
        result = run(stack, SHORT if args.short else FULL)
    finally:
        stack.stop()
        shutil.rmtree(stack_dir, ignore_errors=True)

    width = max(len(key) for key in result.figures)
    for key, value in result.figures.items():
        print(f"{key:<{width}}  {value}")
    print(f"\n{len(result.defects)} defects")
    for defect in result.defects:
        print(f"- {defect}")
    for note in result.notes:
        print(note)
    print(f"\nlogs of the stack: {logs}")
    args.out.write_text(json.dumps(result.figures, indent=2) + "\n")
    print(f"written: {args.out}")
    missed = [
        key
        for key, target in result.figures.items()
        if key.endswith("_target") and result.figures[key.removesuffix("_target")] != target
    ]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
