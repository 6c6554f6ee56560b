"""Browser tests: Playwright (sync API) drives Debian's Chromium against a live panel.

The panel, its Celery worker and beat, Redis and the sandbox start once per session
(stack.py) and stop at the end. Each test gets a fresh browser context (no cookies) and
saves a screenshot of each step in $E2E_ARTIFACTS/screenshots/<test>/ (default
tests/e2e/artifacts/), with the processes' logs in logs/ and, for a failed test, a
Playwright trace in traces/ (open it with `.venv/bin/playwright show-trace <file>`).

Without Chromium (chromium.py) the whole folder is skipped, in one line (helpers.py),
except under CI (CI=true), where the tests fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .chromium import CHROMIUM
from .stack import Stack

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or Path(__file__).parent / "artifacts")
# Pages wait on the sandbox and the worker: more than Playwright's 5 s default, and still
# far below the test timeout so that a failure names the element it waited for.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium() -> str:
    # Under CI a missing Chromium fails these tests (a skip there would go unnoticed),
    # without stopping the rest of the suite as a collection error would.
    if CHROMIUM is None:
        pytest.fail("CI=true but no Chromium for the browser tests: apt install chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def panel(chromium):
    """The live panel; .url is its address (http://127.0.0.1:<port>)."""
    # Artifacts show the last run only. Only our own subfolders go: E2E_ARTIFACTS may
    # name a folder that holds other things too.
    for folder in ("screenshots", "logs", "traces"):
        shutil.rmtree(ARTIFACTS / folder, ignore_errors=True)
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="panel-e2e-") as work_dir:
        stack = Stack(Path(work_dir), logs)
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    with sync_playwright() as playwright:
        # Playwright's own browser download is not used: the system's Chromium is.
        browser = playwright.chromium.launch(executable_path=chromium)
        yield browser
        browser.close()


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets the page fixture know, in its teardown, whether the test failed.
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
def page(browser, panel, request):
    context = browser.new_context(base_url=panel.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()
    yield page
    if request.node.stash.get(FAILED, False):
        screenshot(page, request.node.name, "failed")
        traces = ARTIFACTS / "traces"
        traces.mkdir(exist_ok=True)
        context.tracing.stop(path=traces / f"{request.node.name}.zip")
    else:
        context.tracing.stop()
    context.close()


def screenshot(page, test_name: str, step: str) -> None:
    folder = ARTIFACTS / "screenshots" / test_name
    folder.mkdir(parents=True, exist_ok=True)
    number = len(list(folder.glob("*.png"))) + 1
    slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
    page.screenshot(path=folder / f"{number:02d}-{slug}.png", full_page=True)


# `make screenshots` sets E2E_SCREENSHOTS=docs/screenshots: the pages the README shows.
README_SHOTS = os.environ.get("E2E_SCREENSHOTS")


def readme_shots(page, name: str, themes=("light", "dark")) -> None:
    """With E2E_SCREENSHOTS=<folder>: the visible part of the page as the README shows it,
    <name>-light.png and <name>-dark.png (the theme switched in place, no reload)."""
    if not README_SHOTS:
        return
    folder = Path(README_SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for theme in themes:
        page.evaluate("theme => document.documentElement.setAttribute('data-theme', theme)", theme)
        page.screenshot(path=folder / f"{name}-{theme}.png")
    page.evaluate("() => document.documentElement.removeAttribute('data-theme')")


@pytest.fixture
def shot(page, request):
    """shot("what the page shows now"): a numbered full-page screenshot of this step."""
    return lambda step: screenshot(page, request.node.name, step)
