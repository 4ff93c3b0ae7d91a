"""`make bench` rows for CloudWatch Logs: what keeping functions' logs costs a warm invoke.

Two hosts side by side, the same no-op Python function on each, the console quiet on both:
one with ``cloudwatch_logs`` off (no START/END/REPORT lines are even formatted), one with it
on (every line queued for ``logs.db``). Invokes alternate between them in rounds, so drift of
the machine (other work on the shared cores) falls on both alike. Then the throughput of each
with 8 raw keep-alive clients, where the writer thread's CPU shows.
Run alone: ``python tests/bench_logs.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

NOOP = {"app.py": "def handler(event, context):\n    return None\n"}


def _host(state: Path, logs: bool) -> Host:
    config = HostConfig(
        port=0, state_dir=state, function_logs=False, cloudwatch_logs=logs, labels={"lambda-host.bench": "1"}
    )
    host = Host(config)
    host.start_in_thread()
    return host


def _timed(client) -> float:
    started = time.perf_counter()
    client.invoke(FunctionName="noop")["Payload"].read()
    return (time.perf_counter() - started) * 1000


def rows(samples: int = 1000, rounds: int = 50, per_client: int = 500) -> list[tuple[str, str]]:
    from tests.bench import raw_throughput

    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-logs-") as state:
        hosts = {logs: _host(Path(state) / ("on" if logs else "off"), logs) for logs in (False, True)}
        try:
            clients = {logs: client_for(host) for logs, host in hosts.items()}
            for client in clients.values():
                client.create_function(
                    FunctionName="noop", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
                    Code={"ZipFile": make_zip(NOOP)},
                )  # fmt: skip
                client.get_waiter("function_active_v2").wait(FunctionName="noop", WaiterConfig={"Delay": 0.2})
                for _ in range(50):
                    _timed(client)
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(rounds):
                for logs, client in clients.items():
                    times[logs].extend(_timed(client) for _ in range(samples // rounds))
            rates: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(4):  # alternating, as above
                for logs, host in hosts.items():
                    rates[logs].append(raw_throughput(host.port, "noop", 8, per_client // 4))
            lines = sum(
                1 for _ in hosts[True].logs.store.group_events("/aws/lambda/noop", None, None, None, None, None)
            )
        finally:
            for host in hosts.values():
                host.stop_thread()
    p50 = {logs: sorted(values)[len(values) // 2] for logs, values in times.items()}
    rate = {logs: sorted(values)[len(values) // 2] for logs, values in rates.items()}
    return [
        (f"warm invoke p50, CloudWatch Logs off ({samples} sequential, boto3)", f"{p50[False]:.2f} ms"),
        (f"warm invoke p50, CloudWatch Logs on ({samples} sequential, boto3)", f"{p50[True]:.2f} ms"),
        ("warm invoke p50, cost of CloudWatch Logs", f"{(p50[True] / p50[False] - 1) * 100:+.1f} %"),
        (
            "invokes/s, 8 raw HTTP clients, CloudWatch Logs off / on (median of 4)",
            f"{rate[False]:.0f} / {rate[True]:.0f}",
        ),
        ("log events kept for those invokes (3 per invoke, and INIT_START)", f"{lines}"),
    ]


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
