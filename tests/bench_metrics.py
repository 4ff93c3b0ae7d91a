"""The cost of CloudWatch metrics on the warm invoke path (part of ``make bench``; runs alone too).

Two hosts, one with metrics recorded (the default) and one with ``HostConfig(metrics=False)``,
each with a warm no-op function, invoked sequentially through boto3 in alternating rounds so
that both see the same machine load; the row compares their warm p50s (the budget: within 10 %).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

NOOP = {"app.py": "def handler(event, context):\n    return None\n"}


def _host(state: Path, metrics: bool) -> tuple[Host, object]:
    host = Host(
        HostConfig(port=0, state_dir=state, function_logs=False, metrics=metrics, labels={"lambda-host.bench": "1"})
    )
    host.start_in_thread()
    client = client_for(host)
    client.create_function(
        FunctionName="noop", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip(NOOP)},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="noop", WaiterConfig={"Delay": 0.1})
    for _ in range(50):
        client.invoke(FunctionName="noop", Payload=b"{}")
    return host, client


def _timed(client) -> float:
    started = time.perf_counter()
    client.invoke(FunctionName="noop", Payload=b"{}")["Payload"].read()
    return (time.perf_counter() - started) * 1000


def metrics_rows(state: Path, percentile, invokes: int = 2000, rounds: int = 20) -> list[tuple[str, str]]:
    """Warm p50 with metrics on and off, measured in alternating rounds."""
    on, on_client = _host(state / "metrics-on", True)
    try:
        off, off_client = _host(state / "metrics-off", False)
        try:
            with_metrics: list[float] = []
            without: list[float] = []
            per_round = max(1, invokes // rounds)
            for _ in range(rounds):
                with_metrics.extend(_timed(on_client) for _ in range(per_round))
                without.extend(_timed(off_client) for _ in range(per_round))
        finally:
            off.stop_thread()
    finally:
        on.stop_thread()
    p50_on, p50_off = percentile(with_metrics, 0.5), percentile(without, 0.5)
    change = (p50_on - p50_off) / p50_off * 100
    return [
        (f"warm invoke p50, metrics off ({len(without)} sequential, boto3)", f"{p50_off:.2f} ms"),
        (f"warm invoke p50, metrics on ({len(with_metrics)} sequential, boto3)", f"{p50_on:.2f} ms ({change:+.1f} %)"),
    ]


if __name__ == "__main__":
    import tempfile

    from tests.bench import percentile

    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-metrics-") as state:
        for label, value in metrics_rows(Path(state), percentile):
            print(f"{label}: {value}")
