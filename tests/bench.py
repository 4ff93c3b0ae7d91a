"""`make bench`: how fast lambda-host answers, measured through boto3 like a user would.

Prints one table for a no-op Python function:

- cold start: the first invoke of a new function, with a stem ready (the usual case
  on a running host) and with none (a container must be started);
- warm latency p50/p99 over sequential boto3 invokes;
- invokes per second with 8 concurrent boto3 clients (8 processes, so the clients'
  own CPU is not serialised by one interpreter lock), and with 8 raw keep-alive HTTP
  clients, which shows what the host itself can carry;
- Event invocations accepted per second, and the time until 10,000 have run;
- ten parallel 1-second invokes, end to end;
- ruby3.3 and java21 (``tests/bench_runtimes.py``): first invoke with a stem ready, warm p50.
- Step Functions (tests/bench_sfn.py): a 50-Pass Standard execution, the same as Express
  StartSyncExecution, inline Maps of 200 Pass items and of 1,000 function calls, transitions/s.
- event source mappings (``tests/bench_esm.py``): SendMessage to function start, SQS and
  Kinesis throughput, the host's CPU per batch.
- CloudWatch metrics (``tests/bench_metrics.py``): warm p50 with metrics recorded and without.
- CloudWatch Logs (``tests/bench_logs.py``): warm p50 with the logs store off and on.
- extensions (``tests/bench_extensions.py``): warm p50 without and with one INVOKE extension.
- container image functions (``tests/bench_images.py``): cold start without and with the
  image's spare, warm p50.

Nothing here is asserted; the figures are for the README and the issue notes.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.bench_runtimes import runtime_rows
from tests.bench_sfn import sfn_rows

NOOP = {"app.py": "def handler(event, context):\n    return None\n"}
SLEEP = {"app.py": "import time\ndef handler(event, context):\n    time.sleep(1)\n    return None\n"}


def create(client, name: str, code: dict, **params) -> None:
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip(code)}, **params,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})


def invoke(client, name: str) -> bytes:
    # Reading the payload also hands the connection back to boto3's pool for the next call.
    return client.invoke(FunctionName=name)["Payload"].read()


def timed_invoke(client, name: str) -> float:
    started = time.perf_counter()
    invoke(client, name)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _boto3_worker(endpoint: str, name: str, count: int, ready, go, results) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    invoke(client, name)
    ready.put(True)
    go.wait()
    started = time.perf_counter()
    for _ in range(count):
        invoke(client, name)
    results.put((count, time.perf_counter() - started))


def boto3_throughput(endpoint: str, name: str, clients: int, per_client: int) -> float:
    context = multiprocessing.get_context("fork")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    workers = [
        context.Process(target=_boto3_worker, args=(endpoint, name, per_client, ready, go, results))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get()
    started = time.perf_counter()
    go.set()
    total = sum(results.get()[0] for _ in workers)
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return total / elapsed


def raw_clients(port: int, request: bytes, answered, clients: int, per_client: int) -> float:
    """Requests per second from ``clients`` keep-alive connections, each sending ``request``
    ``per_client`` times and reading until ``answered(data)``."""

    def run() -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(per_client):
            sock.sendall(request)
            data = b""
            while not answered(data):
                data += sock.recv(65536)
        sock.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def raw_throughput(port: int, name: str, clients: int, per_client: int) -> float:
    """Synchronous invokes per second (the no-op function answers null)."""
    request = (
        f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: bench\r\nContent-Length: 2\r\n\r\n{{}}"
    ).encode()
    return raw_clients(port, request, lambda data: data.endswith(b"null"), clients, per_client)


def raw_events(port: int, name: str, clients: int, per_client: int) -> float:
    """Event invocations accepted per second (202 each, no body)."""
    request = (
        f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: bench\r\n"
        "X-Amz-Invocation-Type: Event\r\nContent-Length: 2\r\n\r\n{}"
    ).encode()

    def accepted(data: bytes) -> bool:
        if b"\r\n\r\n" not in data:
            return False
        assert data.startswith(b"HTTP/1.1 202"), data[:100]
        return True

    return raw_clients(port, request, accepted, clients, per_client)


def drained(host: Host, timeout: float = 600) -> None:
    """Wait until the host's Event queue is empty."""
    deadline = time.monotonic() + timeout
    while host.dispatcher.queue.count() and time.monotonic() < deadline:
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=1000)
    parser.add_argument("--per-client", type=int, default=500)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--esm-samples", type=int, default=200)
    parser.add_argument("--esm-messages", type=int, default=5000)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            client = client_for(host)
            create(client, "warmup", NOOP)  # the runtime is now in use: stems start
            invoke(client, "warmup")
            time.sleep(5)

            create(client, "noop", NOOP)
            rows.append(("cold start, first invoke (stem ready)", f"{timed_invoke(client, 'noop'):.0f} ms"))

            latencies = [timed_invoke(client, "noop") for _ in range(args.sequential)]
            rows.append(
                (f"warm invoke p50 ({args.sequential} sequential, boto3)", f"{percentile(latencies, 0.5):.2f} ms")
            )
            rows.append(
                (f"warm invoke p99 ({args.sequential} sequential, boto3)", f"{percentile(latencies, 0.99):.2f} ms")
            )
            rows.append(("warm invoke mean", f"{statistics.mean(latencies):.2f} ms"))

            rate = boto3_throughput(host.endpoint, "noop", 8, args.per_client)
            rows.append(("invokes/s, 8 concurrent boto3 clients", f"{rate:.0f}"))
            rate = raw_throughput(host.port, "noop", 8, args.per_client * 2)
            rows.append(("invokes/s, 8 concurrent raw HTTP clients", f"{rate:.0f}"))
            noop_arn = client.get_function(FunctionName="noop")["Configuration"]["FunctionArn"]
            rows.extend(sfn_rows(host.endpoint, noop_arn))  # Step Functions over the same host
            rows.extend(runtime_rows(client))  # ruby3.3 and java21 (tests/bench_runtimes.py)

            # The same function behind an alias sending 20% of invokes to a second version.
            client.publish_version(FunctionName="noop")
            client.update_function_code(FunctionName="noop", ZipFile=make_zip({**NOOP, "v2.txt": "2"}))
            client.get_waiter("function_updated_v2").wait(FunctionName="noop", WaiterConfig={"Delay": 0.1})
            client.publish_version(FunctionName="noop")
            client.create_alias(
                FunctionName="noop", Name="weighted", FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
            )  # fmt: skip
            for _ in range(50):  # both versions warm
                invoke(client, "noop:weighted")
            rate = boto3_throughput(host.endpoint, "noop:weighted", 8, args.per_client)
            rows.append(("invokes/s, 8 boto3 clients, alias weighted 0.8/0.2", f"{rate:.0f}"))
            rate = raw_throughput(host.port, "noop:weighted", 8, args.per_client * 2)
            rows.append(("invokes/s, 8 raw HTTP clients, alias weighted 0.8/0.2", f"{rate:.0f}"))

            # Event invocations: accepted (committed to SQLite, 202) per second, then run to the end.
            started = time.perf_counter()
            rate = raw_events(host.port, "noop", 8, args.events // 8)
            drained(host)
            rows.append(("Event invokes accepted/s, 8 raw HTTP clients", f"{rate:.0f}"))
            rows.append(
                (
                    f"Event invokes: {args.events // 8 * 8} accepted and run to the end",
                    f"{time.perf_counter() - started:.1f} s",
                )
            )

            from tests.bench_esm import rows as esm_rows

            rows.extend(esm_rows(host, client, percentile, samples=args.esm_samples, messages=args.esm_messages))

            from tests.bench_images import rows as image_rows

            rows.extend(image_rows(host, client, percentile))  # container image functions

            from tests.bench_streaming import rows as streaming_rows

            rows.extend(streaming_rows(host, client, percentile))  # response streaming: time to first chunk

            create(client, "sleep1", SLEEP, Timeout=10)
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                list(pool.map(lambda _: invoke(client, "sleep1"), range(10)))
            rows.append(("10 parallel 1-second invokes (cold), total", f"{time.perf_counter() - started:.2f} s"))
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                list(pool.map(lambda _: invoke(client, "sleep1"), range(10)))
            rows.append(("10 parallel 1-second invokes (warm), total", f"{time.perf_counter() - started:.2f} s"))
        finally:
            host.stop_thread()

        cold = Host(
            HostConfig(port=0, state_dir=Path(state) / "cold", function_logs=False, prewarm=0,
                       labels={"lambda-host.bench": "1"})
        )  # fmt: skip
        cold.start_in_thread()
        try:
            client = client_for(cold)
            create(client, "noop", NOOP)
            rows.append(
                ("cold start, first invoke (no stem: container start)", f"{timed_invoke(client, 'noop'):.0f} ms")
            )
        finally:
            cold.stop_thread()

        from tests.bench_metrics import metrics_rows

        rows.extend(metrics_rows(Path(state), percentile))
    from tests.bench_logs import rows as logs_rows

    rows.extend(logs_rows())  # warm p50 with CloudWatch Logs off and on
    from tests.bench_extensions import rows as extensions_rows

    rows.extend(extensions_rows())  # warm p50 without and with an external extension

    from tests.bench_bursts import rows as burst_rows

    rows.extend(burst_rows())  # Node.js first invoke; two bursts of 100, the second on stems sized by the first

    width = max(len(label) for label, _ in rows)
    print(f"\nlambda-host benchmark ({os.cpu_count()} CPUs)")
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 10}")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
    print(json.dumps(dict(rows)), file=sys.stderr)


if __name__ == "__main__":
    main()
