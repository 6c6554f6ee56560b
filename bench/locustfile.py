"""Locust users for the benchmarks, run by bench/load.py (`locust --headless`).

The bench logs in before the run and passes the sessions in BENCH_SESSIONS (a JSON list of
{"cookie", "csrf", "servers"}), the rest in BENCH_PATH and BENCH_THINK. Logging in hashes
a password for about half a second, which would otherwise be most of what a short run
measures. Users share these sessions in turn.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task

SESSIONS = json.loads(os.environ.get("BENCH_SESSIONS", "[]"))
_next_session = itertools.count()
# The page polls a power action's status every 2 s (servers/views.py power_status);
# a person leaves the page after a few polls at most.
POLL_EVERY = 2.0
POLLS = 5
# (URL, action, the power state it ends in), as servers/urls.py and actions.POWER name them.
POWER = [("reboot", "reboot", "on"), ("power-off", "off", "off"), ("power-on", "on", "on")]


class SessionUser(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        self.session = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.headers = {"Cookie": self.session["cookie"]}


class Hammer(SessionUser):
    """One path (BENCH_PATH), again and again without a pause: throughput."""

    wait_time = constant(0)

    @task
    def get(self) -> None:
        path = os.environ["BENCH_PATH"]
        self.client.get(path, headers=self.headers, name=path)


class Visitor(SessionUser):
    """A person with power on a few servers: the list, a server's page, and now and then a
    power action (the form as htmx posts it) followed by the page's status polls."""

    def wait_time(self) -> float:
        """BENCH_THINK: [fewest, most] seconds between a person's clicks."""
        fewest, most = json.loads(os.environ["BENCH_THINK"])
        return random.uniform(fewest, most)

    @task(5)
    def server_list(self) -> None:
        self.client.get("/servers/", headers=self.headers, name="list")

    @task(3)
    def server_page(self) -> None:
        pk = random.choice(self.session["servers"])
        self.client.get(f"/servers/{pk}/", headers=self.headers, name="server page")

    @task(1)
    def power(self) -> None:
        pk = random.choice(self.session["servers"])
        url, action, goal = random.choice(POWER)
        form = {"csrfmiddlewaretoken": self.session["csrf"], "idempotency_key": uuid.uuid4().hex}
        headers = {
            **self.headers,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        started = int(time.time())
        self.client.post(
            f"/servers/{pk}/{url}/", data=urlencode(form), headers=headers, name="power action"
        )
        query = urlencode({"action": action, "goal": goal, "started": started})
        for _ in range(POLLS):
            time.sleep(POLL_EVERY)  # gevent's sleep under locust: other users run meanwhile
            with self.client.get(
                f"/servers/{pk}/power/?{query}",
                headers=headers,
                name="power status poll",
                catch_response=True,
            ) as answer:
                if answer.status_code != 286:
                    continue
                answer.success()  # htmx's "stop polling": the server got there
                break
