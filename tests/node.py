"""Run one of our static scripts in Node with a test's stand-in for the page."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.deploy.conftest import ROOT

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node")


def run_script(harness: str, script: str, *args: str):
    """Run `harness` (JavaScript that evals the script named by process.argv[1] and prints
    one JSON line) against static/js/`script`, with `args` after it; returns what it
    printed, parsed."""
    result = subprocess.run(
        [NODE, "-e", harness, str(ROOT / "static" / "js" / script), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)
