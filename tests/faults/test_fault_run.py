"""The short fault run (faults/run.py, SHORT) on a live stack of its own: every kind of page
and action once, as admin and as customer, under sandbox faults, with the worker killed
twice during operations. `make faults` runs the full one."""

from __future__ import annotations

import pytest

from faults.run import SHORT, run
from tests.e2e.stack import Stack


@pytest.fixture
def stack(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "logs").mkdir()
    stack = Stack(tmp_path / "work", tmp_path / "logs")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


# A limit for slow machines only (the run waits for operations up to SHORT.final_within).
@pytest.mark.timeout(600)
def test_under_faults_no_500_no_traceback_no_repeated_write_every_operation_ends(stack):
    result = run(stack, SHORT)
    figures, defects = result.figures, "\n".join(result.defects)
    assert figures["server_errors"] == 0, defects
    assert figures["no_answer"] == 0, defects
    assert figures["tracebacks"] == 0, defects
    assert figures["repeated_non_idempotent_calls"] == 0, defects
    assert figures["operations_started"] >= 2  # the reinstall and the snapshot at least
    assert figures["operations_final"] == figures["operations_started"], defects
    assert figures["worker_kills"] == SHORT.worker_kills
    # The faults did happen: the run is no proof otherwise.
    assert figures["upstream_5xx_injected"] and figures["upstream_401"]
