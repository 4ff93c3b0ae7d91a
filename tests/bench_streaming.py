"""Response streaming in `make bench` (called from tests/bench.py; also runs alone).

A Node.js handler wrapped in ``awslambda.streamifyResponse`` writes a first chunk, works 200 ms
more, then writes the rest:

- time to the first chunk of a warm InvokeWithResponseStream, as boto3 reads it (p50);
- time to InvokeComplete on the same invokes (about 200 ms later: the first chunk did not wait);
- the same function through plain Invoke, which returns only once the handler has ended;
- throughput of a 100 MB stream read through boto3.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

HANDLER = """
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  if (event.megabytes) {
    const block = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < event.megabytes; i++) {
      if (!responseStream.write(block)) await new Promise((resolve) => responseStream.once('drain', resolve));
    }
    responseStream.end();
    return;
  }
  responseStream.write('first chunk|');
  await new Promise((resolve) => setTimeout(resolve, 200));
  responseStream.end('the rest');
});
"""


def _streamed(client, name: str, payload: bytes = b"{}") -> tuple[float, float, int]:
    """Milliseconds to the first chunk and to InvokeComplete, and the bytes streamed."""
    started = time.perf_counter()
    response = client.invoke_with_response_stream(FunctionName=name, Payload=payload)
    first, size = None, 0
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            size += len(event["PayloadChunk"]["Payload"])
            if first is None:
                first = time.perf_counter()
    ended = time.perf_counter()
    return (first - started) * 1000, (ended - started) * 1000, size


def rows(host: Host, client, percentile: Callable[[list[float], float], float], sequential: int = 50) -> list:
    name = "stream-bench"
    client.create_function(
        FunctionName=name, Runtime="nodejs20.x", Role=DEFAULT_ROLE, Handler="index.handler",
        Code={"ZipFile": make_zip({"index.mjs": HANDLER})}, Timeout=60, MemorySize=512,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    try:
        _streamed(client, name)  # warm
        runs = [_streamed(client, name) for _ in range(sequential)]
        buffered = []
        for _ in range(sequential // 5):
            started = time.perf_counter()
            client.invoke(FunctionName=name)["Payload"].read()
            buffered.append((time.perf_counter() - started) * 1000)
        _, total_ms, size = _streamed(client, name, b'{"megabytes":100}')
        return [
            (
                f"streamed invoke: first chunk p50 ({sequential} warm, handler runs 200 ms on)",
                f"{percentile([first for first, _, _ in runs], 0.5):.2f} ms",
            ),
            ("streamed invoke: InvokeComplete p50", f"{percentile([end for _, end, _ in runs], 0.5):.1f} ms"),
            ("same function, plain Invoke p50 (whole payload)", f"{percentile(buffered, 0.5):.1f} ms"),
            ("streamed invoke: 100 MB read through boto3", f"{size / total_ms / 1000:.0f} MB/s"),
        ]
    finally:
        client.delete_function(FunctionName=name)


if __name__ == "__main__":
    from tests.bench import percentile

    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            for label, value in rows(host, client_for(host), percentile):
                print(f"{label:70} {value}")
        finally:
            host.stop_thread()
