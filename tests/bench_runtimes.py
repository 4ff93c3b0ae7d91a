"""First and warm invokes of the Ruby and Java runtimes (ruby3.3, java21), through boto3.

Run alone (``python tests/bench_runtimes.py``) or as rows of ``make bench``. For each runtime:
the first invoke of a new function with the runtime's stem ready (a function of that
runtime ran before, as on a running host), and the warm p50 of sequential invokes.
Nothing is asserted; the figures are for the README and the issue notes.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.integration.java_build import JAVA_SAMPLE, compile_java

RUBY = {"app.rb": "def handler(event:, context:)\n  nil\nend\n"}
STEM_WAIT_S = 8  # long enough for the runtime's stems to be started after its first function ran


def _create(client, name: str, runtime: str, handler: str, package: bytes) -> None:
    client.create_function(
        FunctionName=name, Runtime=runtime, Role=DEFAULT_ROLE, Handler=handler,
        Code={"ZipFile": package}, MemorySize=512,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.5})


def _timed(client, name: str) -> float:
    started = time.perf_counter()
    response = client.invoke(FunctionName=name, Payload=b'"x"')
    response["Payload"].read()
    assert "FunctionError" not in response, name
    return (time.perf_counter() - started) * 1000


def runtime_rows(client, sequential: int = 200) -> list[tuple[str, str]]:
    """Rows for ruby3.3 and java21: first invoke with a stem ready, warm p50 and mean."""
    cases = [
        ("ruby3.3", "app.handler", make_zip(RUBY)),
        ("java21", "example.Hello::shout", compile_java("java21", JAVA_SAMPLE, "bench")),
    ]
    rows = []
    for runtime, handler, package in cases:
        stem = runtime.replace(".", "-")
        _create(client, f"{stem}-warmup", runtime, handler, package)
        _timed(client, f"{stem}-warmup")
        time.sleep(STEM_WAIT_S)
        _create(client, f"{stem}-bench", runtime, handler, package)
        rows.append((f"{runtime}: first invoke (stem ready)", f"{_timed(client, f'{stem}-bench'):.0f} ms"))
        latencies = sorted(_timed(client, f"{stem}-bench") for _ in range(sequential))
        rows.append(
            (f"{runtime}: warm invoke p50 ({sequential} sequential)", f"{latencies[len(latencies) // 2]:.2f} ms")
        )
        rows.append((f"{runtime}: warm invoke mean", f"{statistics.mean(latencies):.2f} ms"))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            rows = runtime_rows(client_for(host))
        finally:
            host.stop_thread()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
