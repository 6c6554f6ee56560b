"""`make bench` (python -m bench): every figure in one run, each beside its target, written
to bench/results.json and from there to bench/RESULTS.md (bench/report.py).

In order: the client and the sandbox alone (context), the list page in process on SQLite
and on PostgreSQL (figure 5, bench/panel_list.py), then the live panel over HTTP (every
other figure and the load run, bench/live.py). PostgreSQL is BENCH_POSTGRES_URL (default
postgres://root@127.0.0.1:5432/postgres); a database of our own is created on it and
dropped each time. Without one answering, everything runs on SQLite and figure 5 says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import client_overhead, live, report, sandbox_http
from bench.panel_list import S5
from bench.report import figure

ROOT = Path(__file__).resolve().parents[1]


def postgres_url() -> str:
    """BENCH_POSTGRES_URL if a PostgreSQL server answers there, else ""."""
    import psycopg

    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432/postgres")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return ""
    return url


def in_process_list(postgres: str) -> list[dict]:
    """Figure 5, once per database: panel_list sets Django up once per process."""
    figures = []
    for name, url in (("SQLite", ""), ("PostgreSQL", postgres)):
        if name == "PostgreSQL" and not url:
            missing = "not measured: no PostgreSQL answers at BENCH_POSTGRES_URL"
            figures.append(figure(S5, "PostgreSQL", missing, "same count; time ≤ 2x", False))
            continue
        with tempfile.NamedTemporaryFile(suffix=".json") as output:
            command = [sys.executable, "-m", "bench.panel_list", output.name]
            environment = {**os.environ, "DATABASE_URL": url}
            done = subprocess.run(command, cwd=ROOT, env=environment)  # noqa: S603 - our own
            if done.returncode != 0:
                failed = f"error: bench.panel_list exited with {done.returncode} (see above)"
                figures.append(figure(S5, name, failed, "", False))
                continue
            figures += json.load(output)
    return figures


def machine(database: str, load_at_start: float) -> dict:
    cpus = os.cpu_count() or 0
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    shared = (
        f"only {cpus} cores: locust, gunicorn, the Celery worker, the sandbox, Redis and the "
        "database all run on them, so throughput figures are lower than with the load "
        "generated elsewhere"
    )
    return {
        "CPUs": f"{cpus} x {model}" + (f" ({shared})" if cpus <= 2 else ""),
        "load average (1 min) at start / end": f"{load_at_start:.2f} / {os.getloadavg()[0]:.2f}"
        " (above 0 means other processes shared the machine)",
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "database, live figures": database,
        "database, figure 5": "SQLite (temporary file) and PostgreSQL (a database of its own)",
        "web": "gunicorn, 3 sync workers (1 for figure 8), production settings "
        "(PANEL_DEBUG=0, WhiteNoise, plain HTTP), loopback; a Celery worker and beat",
        "upstream": f"the sandbox over a socket, {live.LATENCY_MS} ms latency on every call",
        "settings": ", ".join(f"{key}={value}" for key, value in live.SETTINGS.items())
        + " (cold pages are made on purpose; power cooldown as in production)",
        "load generator": "locust (FastHttpUser) on the same machine",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure every benchmark figure and write bench/results.json and "
        "bench/RESULTS.md (about 8 minutes; BENCH_QUICK=1 or --quick: about 5).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK") == "1",
        help="fewer samples and a 15 s load run instead of 60 s (also BENCH_QUICK=1)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="measure nothing: write RESULTS.md again from results.json, with the current "
        "bench/faults.json",
    )
    args = parser.parse_args(argv)
    if args.report:
        results = json.loads(report.RESULTS_JSON.read_text())
        report.write({**results, "faults": report.read_faults()})
        return

    started, load_at_start = time.monotonic(), os.getloadavg()[0]

    def stage(name: str) -> None:
        print(f"== {name} (at {time.monotonic() - started:.0f} s)", flush=True)

    plan = live.QUICK if args.quick else live.Plan()
    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    stage(f"client and sandbox alone; the live panels will log to {log_dir}")
    figures = client_overhead.run() + sandbox_http.run()
    stage("list page in process (figure 5)")
    postgres = postgres_url()
    figures += in_process_list(postgres)
    stage("live panel over HTTP")
    live_figures, database = live.run(plan, log_dir, postgres)
    report.write(
        {
            "command": "make bench" + (" (BENCH_QUICK=1)" if args.quick else ""),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_seconds": time.monotonic() - started,
            "machine": machine(database, load_at_start),
            "figures": figures + live_figures,
            "faults": report.read_faults(),
        }
    )
    stage(f"written: {report.RESULTS_JSON} and {report.RESULTS_MD}")


if __name__ == "__main__":
    main()
