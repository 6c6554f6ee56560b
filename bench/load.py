"""Locust, headless, in a process of its own (it patches the standard library with gevent,
which the rest of the bench must not get), and its figures read back from its CSV files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


class LocustFailed(RuntimeError):
    pass


def run(
    url: str, user_class: str, users: int, seconds: int, sessions: list[dict], **env: str
) -> dict:
    """`users` users of `user_class` (bench/locustfile.py) for `seconds`, all started at
    once. Returns {"requests": [{name, requests, failures, p50_ms, p95_ms, rps}, ...] with
    the "Aggregated" row last, "failure_samples": [...]}."""
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as work:
        prefix = os.path.join(work, "locust")
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", url, "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{seconds}s", "--stop-timeout", "15", "--csv", prefix,
            "--only-summary", "--loglevel", "WARNING", user_class,
        ]  # fmt: skip
        environment = {**os.environ, "BENCH_SESSIONS": json.dumps(sessions), **env}
        # Exit code 1 means "some requests failed": those are figures, read from the CSV.
        done = subprocess.run(  # noqa: S603 - our interpreter, locust and our locustfile
            command, env=environment, capture_output=True, text=True, timeout=seconds + 120
        )
        try:
            with open(prefix + "_stats.csv", newline="") as stats:
                rows = list(csv.DictReader(stats))
            with open(prefix + "_failures.csv", newline="") as failures:
                samples = [
                    f"{row['Method']} {row['Name']}: {row['Error']} (x{row['Occurrences']})"
                    for row in csv.DictReader(failures)
                ]
        except OSError:
            raise LocustFailed(f"locust wrote no statistics:\n{done.stderr[-3000:]}") from None
    return {
        "requests": [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "rps": float(row["Requests/s"]),
            }
            for row in rows
        ],
        "failure_samples": samples[:10],
    }


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def total(figures: dict) -> dict:
    """The "Aggregated" row: every request of the run."""
    return figures["requests"][-1]
