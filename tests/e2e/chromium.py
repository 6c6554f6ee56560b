"""Which Chromium the browser tests use, if any.

E2E_CHROMIUM=/path/to/chromium picks the binary (a missing path counts as no Chromium:
E2E_CHROMIUM=/nonexistent shows the skip); otherwise /usr/bin/chromium or `chromium` on
PATH. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil


def chromium_path() -> str | None:
    if "E2E_CHROMIUM" in os.environ:
        chosen = os.environ["E2E_CHROMIUM"]
        return chosen if os.access(chosen, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = chromium_path()
# Under CI the browser tests must run: a missing Chromium fails them instead.
UNDER_CI = os.environ.get("CI", "").lower() in ("true", "1")
SKIP_REASON = "browser tests need Chromium: apt install chromium (or set E2E_CHROMIUM)"
