"""Shared helpers of the deployment tests: paths, and scripts/*.py loaded as modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str):
    """Import scripts/<name>.py (scripts/ is not a package) under a private module name."""
    module_name = f"_deploy_script_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def demo():
    module = load_script("demo")
    module.Stop.signals.clear()
    yield module
    module.Stop.signals.clear()


@pytest.fixture
def healthcheck():
    return load_script("healthcheck")
