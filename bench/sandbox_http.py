"""The sandbox's throughput over HTTP on loopback (the CLI as a subprocess).

Bounded: a fixed number of requests from a few threads, each with its own session.
"""

import threading
import time

import requests

from bench.client_overhead import CONTEXT
from bench.report import figure
from terrahost_client.sandbox import process as sandbox_process

THREADS = 4
REQUESTS_PER_THREAD = 250


def run() -> list[dict]:
    process, base = sandbox_process.start()
    try:
        token = requests.post(
            base + "/authenticate", json={"username": "demo", "password": "demo"}, timeout=10
        ).json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        srv_id = requests.get(base + "/servers", headers=headers, timeout=10).json()["data"][0][
            "srv_id"
        ]
        results = []

        def worker(path):
            with requests.Session() as session:
                ok = sum(
                    session.get(base + path, headers=headers, timeout=10).status_code == 200
                    for _ in range(REQUESTS_PER_THREAD)
                )
            results.append(ok)

        figures = []
        for path in ("/servers", f"/servers/{srv_id}"):
            results.clear()
            threads = [threading.Thread(target=worker, args=(path,)) for _ in range(THREADS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            total = THREADS * REQUESTS_PER_THREAD
            figures.append(
                figure(
                    CONTEXT,
                    f"the sandbox alone over HTTP: GET {path}",
                    f"{total / elapsed:.0f} req/s",
                    note=f"{THREADS} threads, {total} requests, {sum(results)} answered 200",
                )
            )
        return figures
    finally:
        sandbox_process.stop(process)
