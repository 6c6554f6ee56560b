"""Run the tests on another wall clock, e.g. 15 minutes before midnight in Oslo, where a
test that compares clock text without freezing time fails (a time "today" becomes a
date):

    PANEL_TEST_CLOCK=2026-11-30T23:55 pytest -p tests.wall_clock tests/panel

The clock starts at PANEL_TEST_CLOCK (Europe/Oslo unless it names an offset) and ticks on
from there (time-machine); tests that freeze time themselves still do.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

_travel = None


def pytest_configure(config):
    global _travel
    moment = datetime.fromisoformat(os.environ.get("PANEL_TEST_CLOCK", "2026-11-30T23:55"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Oslo"))
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()


def pytest_unconfigure(config):
    if _travel is not None:
        _travel.stop()
