"""The sandbox's throughput over HTTP on loopback (the CLI as a subprocess).

Bounded: a fixed number of requests from a few threads, each with its own session.
"""

import threading
import time

import requests

from terrahost_client.sandbox import process as sandbox_process

THREADS = 4
REQUESTS_PER_THREAD = 250


def run() -> list[str]:
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

        lines = []
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
            lines.append(
                f"GET {path:<14} {total / elapsed:7.0f} req/s over HTTP "
                f"({THREADS} threads, {total} requests, {sum(results)} ok)"
            )
        return lines
    finally:
        sandbox_process.stop(process)
