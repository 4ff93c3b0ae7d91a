"""`make bench` rows for extensions: a warm invoke without extensions, and with one external extension.

One host, two no-op Python functions: ``plain`` and ``withext`` (a layer whose Python extension
subscribes to INVOKE and loops on ``event/next``). Invokes alternate between them in rounds, so
drift of the shared cores falls on both alike. ``--plain-only`` measures only ``plain`` (to run
against a checkout without extensions, for a before/after of the fast path).
Run alone: ``python tests/bench_extensions.py``.
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
EXTENSION = (
    "#!/usr/bin/python3\n"
    "import os, urllib.request\n"
    "api = 'http://' + os.environ['AWS_LAMBDA_RUNTIME_API'] + '/2020-01-01/extension/'\n"
    "r = urllib.request.Request(api + 'register', data=b'{\"events\":[\"INVOKE\"]}', method='POST',\n"
    "                           headers={'Lambda-Extension-Name': 'bench-ext'})\n"
    "ident = urllib.request.urlopen(r).headers['Lambda-Extension-Identifier']\n"
    "while True:\n"
    "    urllib.request.urlopen(urllib.request.Request(api + 'event/next',\n"
    "                           headers={'Lambda-Extension-Identifier': ident})).read()\n"
)


def _timed(client, name: str) -> float:
    started = time.perf_counter()
    client.invoke(FunctionName=name)["Payload"].read()
    return (time.perf_counter() - started) * 1000


def _create(client, name: str, **params) -> None:
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip(NOOP)}, **params,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})


def rows(samples: int = 1000, rounds: int = 50, plain_only: bool = False) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-ext-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            client = client_for(host)
            names = ["plain"]
            _create(client, "plain")
            if not plain_only:
                layer = client.publish_layer_version(
                    LayerName="bench-ext",
                    Content={"ZipFile": make_zip({"extensions/bench-ext": EXTENSION}, {"extensions/bench-ext": 0o755})},
                )
                _create(client, "withext", Layers=[layer["LayerVersionArn"]])
                names.append("withext")
            for name in names:
                for _ in range(50):
                    _timed(client, name)
            times: dict[str, list[float]] = {name: [] for name in names}
            for _ in range(rounds):
                for name in names:
                    times[name].extend(_timed(client, name) for _ in range(samples // rounds))
        finally:
            host.stop_thread()
    p50 = {name: sorted(values)[len(values) // 2] for name, values in times.items()}
    result = [(f"warm invoke p50, no extension ({samples} sequential, boto3)", f"{p50['plain']:.2f} ms")]
    if not plain_only:
        result.append(
            (f"warm invoke p50, one INVOKE extension ({samples} sequential, boto3)", f"{p50['withext']:.2f} ms")
        )
    return result


if __name__ == "__main__":
    for label, value in rows(plain_only="--plain-only" in sys.argv):
        print(f"{label:70} {value}")
