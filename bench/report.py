"""bench/results.json -> bench/RESULTS.md. The only writer of the report: it renders
whatever results dict it is given, so a test can render one of its own (and
`python -m bench --report` renders the last results again).

Each figure is a dict made by figure(): its section, what it is, the value measured, the
target (if it has one) and whether the value meets it (True, False, None for no target).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
# Written by `make faults` (another tool); copied into the results when present.
FAULTS_JSON = HERE / "faults.json"
LOAD = "Load"


def figure(
    section: str,
    name: str,
    value: str,
    target: str = "",
    ok: bool | None = None,
    note: str = "",
    data: dict | None = None,
) -> dict:
    """One row of the report. `value` and `target` are shown as they are; `data` keeps the
    raw numbers behind the value for anyone reading results.json."""
    return {
        "section": section,
        "name": name,
        "value": value,
        "target": target,
        "ok": ok,
        "note": note,
        "data": data or {},
    }


def read_faults() -> dict | None:
    try:
        return json.loads(FAULTS_JSON.read_text())
    except (OSError, ValueError):
        return None


def write(results: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    RESULTS_MD.write_text(render(results))


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _verdict(ok: bool | None) -> str:
    return {True: "pass", False: "**miss**", None: "—"}[ok]


def _section_order(section: str) -> tuple[int, int]:
    """Numbered sections by number, then the load run, then the rest as they came."""
    number = section.split(".", 1)[0]
    if number.isdigit():
        return (0, int(number))
    return (1, 0) if section == LOAD else (2, 0)


def _flatten(value, prefix: str = "") -> list[tuple[str, object]]:
    """Nested keys as "a.b": the fault run's file has whatever shape its writer chose."""
    if isinstance(value, dict) and value:
        rows = []
        for key, inner in value.items():
            rows += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list):
        return [(prefix, json.dumps(value))]
    return [(prefix, value)]


def _fault_rows(faults: dict) -> list[list]:
    """Each figure of the fault run beside its target ("<name>_target" in the file)."""
    rows = []
    for key, value in _flatten(faults):
        if key.endswith("_target"):
            continue
        target = faults.get(f"{key}_target")
        if target is None:
            rows.append([key, value, "—", "—"])
        else:
            rows.append([key, value, target, "pass" if value == target else "**miss**"])
    return rows


def _label(item: dict) -> str:
    """ "3: <name>" for a numbered section's figure, "<section>: <name>" for another."""
    number = item["section"].split(".", 1)[0]
    return f"{number if number.isdigit() else item['section']}: {item['name']}"


def render(results: dict) -> str:
    figures = sorted(results["figures"], key=lambda item: _section_order(item["section"]))
    judged = [f for f in figures if f["ok"] is not None]
    missed = [f for f in judged if not f["ok"]]
    machine = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{results['command']}` on {results['finished']} "
        f"({results['duration_seconds']:.0f} s); every figure below comes from that one run.",
        "Do not edit: `make bench` rewrites this file from `bench/results.json`.",
        "",
        "## Machine and set-up",
        "",
        *_table(["", ""], [[key, value] for key, value in machine.items()]),
        "",
        f"**{len(judged) - len(missed)} of {len(judged)} figures with a target meet it.**"
        + (" Missed: " + "; ".join(_label(f) for f in missed) + "." if missed else ""),
    ]
    sections = list(dict.fromkeys(f["section"] for f in figures))
    for section in sections:
        rows = [
            [f["name"], f["value"], f["target"] or "—", _verdict(f["ok"]), f["note"]]
            for f in figures
            if f["section"] == section
        ]
        lines += ["", f"## {section}", ""]
        lines += _table(["figure", "value", "target", "result", "notes"], rows)
        if section == LOAD:
            for f in figures:
                if f["section"] == LOAD and f["data"].get("requests"):
                    lines += ["", *_load_table(f["data"])]
    lines += ["", "## Fault run (`make faults`, bench/faults.json)", ""]
    faults = results.get("faults")
    if faults:
        lines += _table(["figure", "value", "target", "result"], _fault_rows(faults))
    else:
        lines.append("Not in this report: bench/faults.json was absent when it was written.")
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _load_table(load: dict) -> list[str]:
    rows = [
        [
            r["name"],
            r["requests"],
            r["failures"],
            _ms(r["p50_ms"]),
            _ms(r["p95_ms"]),
            f"{r['rps']:.1f}",
        ]
        for r in load["requests"]
    ]
    header = ["request", "requests", "failures", "p50 ms", "p95 ms", "req/s"]
    lines = _table(header, rows)
    for failure in load.get("failure_samples", []):
        lines.append(f"- failure: {failure}")
    return lines
