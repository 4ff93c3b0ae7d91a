"""First invokes and bursts in `make bench` (called from tests/bench.py; also runs alone).

- first invoke of a new Node.js function with a stem ready (the Python one is in tests/bench.py);
- a burst of ``size`` parallel 1-second invokes on a new Python function: the host has
  ``prewarm`` stems, so most environments wait on container starts (Docker starts about five
  a second here);
- the same burst on a second new function, once the stems the first burst asked for are up:
  every invoke should find one ready, so the burst takes about the handler's second.
"""

from __future__ import annotations

import concurrent.futures
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

NODE_NOOP = {"index.mjs": "export const handler = async () => null;\n"}
PY_NOOP = {"app.py": "def handler(event, context):\n    return None\n"}
PY_SECOND = {"app.py": "import time\n\ndef handler(event, context):\n    time.sleep(1)\n    return None\n"}


def _create(client, name: str, runtime: str, handler: str, code: dict, timeout: int = 3) -> None:
    client.create_function(
        FunctionName=name, Runtime=runtime, Role=DEFAULT_ROLE, Handler=handler, Timeout=timeout,
        Code={"ZipFile": make_zip(code)},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})


def _timed(client, name: str) -> float:
    started = time.perf_counter()
    client.invoke(FunctionName=name)["Payload"].read()
    return (time.perf_counter() - started) * 1000


def _stems_ready(host: Host, runtime: str, count: int, deadline: float) -> int:
    """Wait (until ``deadline``) for ``count`` ready stems of ``runtime``; returns how many there are."""
    while True:
        ready = sum(env.runtime.id == runtime and env.state.value == "Stem" for env in host.scheduler.stems.all())
        if ready >= count or time.monotonic() > deadline:
            return ready
        time.sleep(0.2)


def _burst(endpoint: str, name: str, size: int) -> tuple[float, float]:
    """Wall time of ``size`` parallel invokes and the slowest one's latency, in seconds."""
    config = Config(max_pool_connections=size, read_timeout=120, retries={"max_attempts": 1})
    client = client_for_endpoint(endpoint, config)
    latencies: list[float] = []

    def one(_: int) -> None:
        started = time.perf_counter()
        answer = client.invoke(FunctionName=name)
        answer["Payload"].read()
        if answer.get("FunctionError"):
            raise RuntimeError(f"{name} failed in the burst")
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(size) as pool:
        list(pool.map(one, range(size)))
    return time.perf_counter() - started, max(latencies)


def client_for_endpoint(endpoint: str, config: Config):
    """A Lambda client with a connection per burst member (boto3's default pool holds ten)."""
    return boto3.client(
        "lambda", endpoint_url=endpoint, region_name="us-east-1", config=config,
        aws_access_key_id="lambda-host", aws_secret_access_key="lambda-host",
    )  # fmt: skip


def rows(size: int = 100) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-bursts-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            client = client_for(host)
            _create(client, "node-warmup", "nodejs20.x", "index.handler", NODE_NOOP)
            client.invoke(FunctionName="node-warmup")  # Node.js is now in use: its stems start
            _stems_ready(host, "nodejs20.x", 2, time.monotonic() + 60)
            _create(client, "node-first", "nodejs20.x", "index.handler", NODE_NOOP)
            found.append(
                ("cold start, first invoke, Node.js 20 (stem ready)", f"{_timed(client, 'node-first'):.0f} ms")
            )

            _create(client, "py-warmup", "python3.11", "app.handler", PY_NOOP)
            client.invoke(FunctionName="py-warmup")
            _stems_ready(host, "python3.11", 2, time.monotonic() + 60)
            _create(client, "burst-one", "python3.11", "app.handler", PY_SECOND)
            wall, slowest = _burst(host.endpoint, "burst-one", size)
            found.append(
                (f"burst of {size} parallel 1-s invokes, new function: wall / slowest", f"{wall:.1f} / {slowest:.1f} s")
            )

            ready = _stems_ready(host, "python3.11", size, time.monotonic() + 180)
            _create(client, "burst-two", "python3.11", "app.handler", PY_SECOND)
            wall, slowest = _burst(host.endpoint, "burst-two", size)
            found.append(
                (
                    f"the same burst, second new function ({ready} stems ready): wall / slowest",
                    f"{wall:.1f} / {slowest:.1f} s",
                )
            )
        finally:
            host.stop_thread()
    return found


if __name__ == "__main__":
    for label, value in rows(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
        print(f"{label}: {value}")
