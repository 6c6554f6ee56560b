"""The benchmark's report and command line, without running a benchmark (`make bench`
takes minutes): RESULTS.md from a given results dict, the page-form reader, --help."""

from __future__ import annotations

import subprocess
import sys

from bench.live import form
from bench.report import LOAD, figure, render
from tests.deploy.conftest import ROOT


def results(**extra) -> dict:
    load = {
        "requests": [
            {"name": "list", "requests": 90, "failures": 0, "p50_ms": 41.0, "p95_ms": 120.0,
             "rps": 1.5},
            {"name": "Aggregated", "requests": 100, "failures": 1, "p50_ms": 44.0,
             "p95_ms": 130.0, "rps": 1.7},
        ],
        "failure_samples": ["POST power action: HTTPError(500) (x1)"],
    }  # fmt: skip
    return {
        "command": "make bench",
        "finished": "2026-11-30T08:00:00+00:00",
        "duration_seconds": 412.4,
        "machine": {"CPUs": "2 x AMD EPYC", "Python": "3.11.7"},
        "figures": [
            figure("Context", "sandbox alone", "1069 req/s"),
            figure(LOAD, "errors", "1 of 100 requests", "0", False, data=load),
            figure("3. Cold list page", "p50 ÷ latency", "1.53 (p50 153 ms)", "≤ 1.15", False),
            figure("1. Upstream calls", "list page, warm", "none", "none", True),
        ],
        "faults": None,
        **extra,
    }


def test_the_report_shows_each_figure_beside_its_target_in_section_order():
    text = render(results())

    assert "`make bench` on 2026-11-30T08:00:00+00:00 (412 s)" in text
    assert "| CPUs | 2 x AMD EPYC |" in text
    assert (
        "**1 of 3 figures with a target meet it.** Missed: 3: p50 ÷ latency; Load: errors." in text
    )
    assert "| list page, warm | none | none | pass |  |" in text
    assert "| p50 ÷ latency | 1.53 (p50 153 ms) | ≤ 1.15 | **miss** |  |" in text
    assert "| sandbox alone | 1069 req/s | — | — |  |" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Machine and set-up",
        "## 1. Upstream calls",
        "## 3. Cold list page",
        f"## {LOAD}",
        "## Context",
        "## Fault run (`make faults`, bench/faults.json)",
    ]
    assert "| list | 90 | 0 | 41 | 120 | 1.5 |" in text
    assert "- failure: POST power action: HTTPError(500) (x1)" in text
    assert "bench/faults.json was absent" in text


def test_the_fault_run_is_a_table_of_whatever_keys_it_has_beside_their_targets():
    faults = {
        "pages": 41,
        "statuses": {"500": 0, "200": 812},
        "repeated_writes": [],
        "server_errors": 0,
        "server_errors_target": 0,
        "operations_final": 9,
        "operations_final_target": 10,
    }
    text = render(results(faults=faults))

    for row in (
        "| pages | 41 | — | — |",
        "| statuses.500 | 0 | — | — |",
        "| repeated_writes | [] | — | — |",
        "| server_errors | 0 | 0 | pass |",
        "| operations_final | 9 | 10 | **miss** |",
    ):
        assert row in text
    assert "server_errors_target" not in text


def test_a_form_is_read_as_a_browser_would_submit_it():
    html = """
    <form action="/other/"><input name="x" value="1"></form>
    <form method="post" action="/servers/1/reinstall/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input type="radio" name="os" value="7"><input type="radio" name="os" value="8">
      <input type="checkbox" name="agree" value="yes"><input type="text" name="hostname">
      <select name="tz"><option value="UTC">UTC</option><option value="Oslo" selected>O</option>
      </select><button type="submit" name="go">Go</button>
    </form>"""

    assert form(html, "/servers/1/reinstall/") == {
        "csrfmiddlewaretoken": "t",
        "os": "7",
        "hostname": "",
        "tz": "Oslo",
    }


def test_bench_help_works():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert "usage: python -m bench" in done.stdout
