"""Run the sandbox CLI as a child process, for tests, benchmarks and end-to-end runs."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LISTENING = re.compile(r"^Terrahost sandbox listening on (http://\S+/api/v3)$")
_ROOT = Path(__file__).resolve().parents[2]


class SandboxDidNotStart(RuntimeError):
    pass


def start(*args: str, host: str = "127.0.0.1", port: int = 0, wait: float = 10.0):
    """Start `python -m terrahost_client.sandbox`; returns (process, base URL of the API)."""
    path = os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "terrahost_client.sandbox", "--host", host]
    # Our own interpreter and module; stderr is inherited so a long run can never fill a pipe.
    process = subprocess.Popen(  # noqa: S603
        [*command, "--port", str(port), *args],
        env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], wait)
    line = process.stdout.readline().strip() if ready else ""
    match = LISTENING.match(line)
    if not match:
        process.kill()
        process.wait(timeout=5)
        raise SandboxDidNotStart(f"no address within {wait:.0f} s; first line: {line!r}")
    return process, match.group(1)


def stop(process: subprocess.Popen, timeout: float = 5.0) -> int | None:
    process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=timeout)


@contextmanager
def running(*args: str, **options) -> Iterator[str]:
    """`with running("--servers", "50") as api_url: ...` — stopped on the way out."""
    process, url = start(*args, **options)
    try:
        yield url
    finally:
        stop(process)
