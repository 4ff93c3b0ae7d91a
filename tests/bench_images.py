"""Container image functions in `make bench` (called from tests/bench.py; also runs alone).

A no-op Python handler in an image built FROM public.ecr.aws/lambda/python:3.11:

- cold start without a spare: the first invoke of the first function on a new image
  (a container of that image must be created and started: images cannot use the runtime stems);
- cold start with the image's spare ready: a second function on the same image, once the spare
  the first invoke asked for is up;
- warm invoke p50 over sequential boto3 invokes.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from host.host import Host, HostConfig
from host.images.builder import ImageBuilder
from host.images.definitions import load_definitions
from host.testing.plugin import DEFAULT_ROLE, client_for

DOCKERFILE = 'FROM public.ecr.aws/lambda/python:3.11\nCOPY app.py ${LAMBDA_TASK_ROOT}\nCMD ["app.handler"]\n'
NOOP = "def handler(event, context):\n    return None\n"


def _timed(client, name: str) -> float:
    started = time.perf_counter()
    client.invoke(FunctionName=name)["Payload"].read()
    return (time.perf_counter() - started) * 1000


def _create(client, name: str, image: str) -> None:
    client.create_function(FunctionName=name, Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": image})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})


def _spare_ready(host: Host, image_id: str) -> bool:
    runtime = "image-" + image_id.split(":")[1][:12]
    return any(env.runtime.id == runtime and env.state.value == "Stem" for env in host.scheduler.stems.all())


def rows(host: Host, client, percentile: Callable[[list[float], float], float], sequential: int = 300) -> list:
    docker_client = docker.from_env()
    ImageBuilder(docker_client, say=lambda line: None, chatty=False).ensure(load_definitions()["python3.11"])
    tag = f"lambda-host-bench/image:{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Dockerfile").write_text(DOCKERFILE)
        (Path(folder) / "app.py").write_text(NOOP)
        for chunk in docker_client.api.build(path=folder, tag=tag, rm=True, forcerm=True, decode=True):
            if "error" in chunk:
                raise RuntimeError(chunk["error"])
    image_id = docker_client.images.get(tag).id
    try:
        _create(client, "image-noop", tag)
        result = [("image function cold start (no spare: container start)", f"{_timed(client, 'image-noop'):.0f} ms")]
        _create(client, "image-noop-2", tag)
        deadline = time.monotonic() + 30
        while not _spare_ready(host, image_id) and time.monotonic() < deadline:
            time.sleep(0.05)
        result.append(("image function cold start (image's spare ready)", f"{_timed(client, 'image-noop-2'):.0f} ms"))
        latencies = [_timed(client, "image-noop") for _ in range(sequential)]
        result.append(
            (f"image function warm invoke p50 ({sequential} sequential)", f"{percentile(latencies, 0.5):.2f} ms")
        )
        return result
    finally:
        for name in ("image-noop", "image-noop-2"):
            with contextlib.suppress(Exception):
                client.delete_function(FunctionName=name)
        docker_client.images.remove(tag, force=True)


if __name__ == "__main__":
    from tests.bench import percentile

    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            for label, value in rows(host, client_for(host), percentile):
                print(f"{label:60} {value}")
        finally:
            host.stop_thread()
