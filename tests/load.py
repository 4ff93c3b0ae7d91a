"""`make load`: 50 concurrent clients, 20,000 mixed invokes across 5 functions, limits in force.

Runs `lambda-host serve` in its own process (so its memory can be read) with
--max-concurrency 40, and five functions: fast, slow (reserved concurrency 8), failing,
timing out and out of memory. Fifty keep-alive HTTP clients send the invokes in a random
mix. Prints: errors that were not the functions' own (must be 0), throttles by Reason,
the host's memory before and after, and containers left afterwards (must be 0). Exits 1
when either must-be-0 figure is not. Not part of `make test`: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
import docker
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.testing.plugin import DEFAULT_ROLE, make_zip

FUNCTIONS = {
    "load-fast": ("def handler(event, context):\n    return 'ok'\n", {}),
    "load-slow": (
        "import time\ndef handler(event, context):\n    time.sleep(0.2)\n    return 'ok'\n",
        {"reserved": 8},
    ),
    "load-failing": ("def handler(event, context):\n    raise ValueError('failing on purpose')\n", {}),
    "load-timeout": ("import time\ndef handler(event, context):\n    time.sleep(5)\n", {"Timeout": 1}),
    "load-oom": (
        "def handler(event, context):\n    hog = [bytearray(2**20) for _ in range(400)]\n    return len(hog)\n",
        {"MemorySize": 128},
    ),
}
MIX = [("load-fast", 70), ("load-slow", 12), ("load-failing", 10), ("load-timeout", 3), ("load-oom", 5)]
EXPECTED_ERRORS = {  # what each failing function may answer; all of them are the function's own doing
    "load-failing": {"ValueError"},
    "load-timeout": {"Sandbox.Timedout"},
    # Killed at its memory limit, or (on a loaded machine) still allocating when its 3 s run out.
    "load-oom": {"Runtime.ExitError", "Runtime.OutOfMemory", "Sandbox.Timedout"},
}
THROTTLE_REASONS = {"ReservedFunctionConcurrentInvocationLimitExceeded", "ConcurrentInvocationLimitExceeded"}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_host(state_dir: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "host.cli.main", "serve", "--port", str(port), "--state-dir", state_dir, "--quiet",
         "--max-concurrency", "40"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the host did not start")


def deploy(endpoint: str) -> None:
    client = boto3.client(
        "lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    for name, (code, settings) in FUNCTIONS.items():
        params = {k: v for k, v in settings.items() if k != "reserved"}
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": code})}, **params,
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.5})
        if "reserved" in settings:
            client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=settings["reserved"])


def classify(name: str, status: int, headers: dict, body: bytes) -> str:
    """'ok', 'function error', 'throttle:<Reason>' or 'host error: ...'."""
    if status == 200 and "x-amz-function-error" not in headers:
        return "ok" if name not in EXPECTED_ERRORS else f"host error: {name} succeeded"
    if status == 200:
        error_type = json.loads(body).get("errorType", "")
        if error_type in EXPECTED_ERRORS.get(name, ()):
            return "function error"
        return f"host error: {name} failed with {error_type or body[:100]!r}"
    if status == 429:
        reason = json.loads(body).get("Reason", "")
        return f"throttle:{reason}" if reason in THROTTLE_REASONS else f"host error: 429 with Reason {reason!r}"
    return f"host error: HTTP {status} {body[:120]!r}"


def client_loop(port: int, plan: list[str], results: collections.Counter, lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine = collections.Counter()
    for name in plan:
        try:
            connection.request("POST", f"/2015-03-31/functions/{name}/invocations", body=b"{}")
            answer = connection.getresponse()
            body = answer.read()
            headers = {k.lower(): v for k, v in answer.getheaders()}
            mine[classify(name, answer.status, headers, body)] += 1
        except (OSError, http.client.HTTPException) as exc:
            mine[f"host error: {type(exc).__name__}"] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.close()
    with lock:
        results.update(mine)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--invokes", type=int, default=20000)
    args = parser.parse_args()
    names = [name for name, weight in MIX for _ in range(weight)]
    rng = random.Random(7)
    plans = [[rng.choice(names) for _ in range(args.invokes // args.clients)] for _ in range(args.clients)]
    with tempfile.TemporaryDirectory(prefix="lambda-host-load-") as state:
        port = free_port()
        host = start_host(state, port)
        try:
            deploy(f"http://127.0.0.1:{port}")
            memory_before = rss_mb(host.pid)
            results: collections.Counter = collections.Counter()
            lock = threading.Lock()
            threads = [threading.Thread(target=client_loop, args=(port, plan, results, lock)) for plan in plans]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            memory_after = rss_mb(host.pid)
        finally:
            host.send_signal(signal.SIGTERM)
            host.wait(120)
        left = docker.from_env().containers.list(all=True, filters={"label": "lambda-host=1"})
        owner_left = [c.name for c in left if c.labels.get("lambda-host.test-run") is None]

    host_errors = {k: v for k, v in results.items() if k.startswith("host error")}
    throttles = {k.split(":", 1)[1]: v for k, v in results.items() if k.startswith("throttle:")}
    total = sum(results.values())
    rows = [
        ("invokes", f"{total} in {elapsed:.1f} s ({total / elapsed:.0f}/s), {args.clients} clients"),
        ("succeeded", str(results["ok"])),
        ("the functions' own errors", str(results["function error"])),
        ("throttles, by Reason", ", ".join(f"{k} {v}" for k, v in sorted(throttles.items())) or "0"),
        ("errors not the functions' own (must be 0)", str(sum(host_errors.values()))),
        ("host memory before / after", f"{memory_before:.0f} MB / {memory_after:.0f} MB"),
        ("containers left afterwards (must be 0)", str(len(owner_left))),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\nlambda-host load test ({os.cpu_count()} CPUs)")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
    for kind, count in sorted(host_errors.items()):
        print(f"  {count} x {kind}")
    return 1 if host_errors or owner_left else 0


if __name__ == "__main__":
    sys.exit(main())
