"""The project's runtime images also tagged as AWS's base images, and made to behave like them.

``public.ecr.aws/lambda/python:3.11`` and its kin name, here, a thin layer on the project's
own runtime image (``lambda-host/<runtime>:<hash>``, left as it is): AWS's image configuration
and the files a Dockerfile ``FROM`` one of AWS's images relies on:

1. ``/lambda-entrypoint.sh`` as ENTRYPOINT, the handler as CMD (none by default, as AWS's);
   WORKDIR ``/var/task``; ENV with ``LAMBDA_TASK_ROOT``, ``LAMBDA_RUNTIME_DIR``, the runtime's
   PATH and library paths and, for language runtimes, ``AWS_EXECUTION_ENV``;
2. ``/usr/local/bin/aws-lambda-rie``: the project's own Runtime Interface Emulator
   (``runtimes/_aws/emulator.py``), so ``docker run -p 9000:8080 <image> app.handler`` answers on
   ``/2015-03-31/functions/function/invocations`` as AWS's images do.

The layer is one container created on the runtime image, given the files and committed with the
configuration (no build step runs), tagged with a content hash (``lambda-host/aws-<runtime>:<hash>``)
and then with AWS's name. Rebuilding happens only when the runtime image or these files change.
Caveats: a tag AWS's name already had on this machine (an image pulled from AWS) is moved here; the
names are global to the engine, so a host of an older checkout (a lower ``LAYER_FORMAT``) leaves a
newer layer's names where they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import tarfile
import time
from pathlib import Path

import docker
import docker.errors

from host.images.definitions import RuntimeDefinition

AWS_REGISTRY = "public.ecr.aws/lambda"
# Bump when the layer's files or configuration change in a way older checkouts must not undo: the
# AWS names are global to the engine, so a host running an older checkout leaves a newer layer's tags.
LAYER_FORMAT = "2"
LABEL = "lambda-host.aws-base"
FORMAT_LABEL = "lambda-host.aws-base-format"


def aws_name(runtime: str) -> str | None:
    """AWS's base image for an AWS runtime identifier, or None if AWS publishes none by that pattern.

    Examples: python3.11 -> public.ecr.aws/lambda/python:3.11, nodejs20.x -> .../nodejs:20,
    provided.al2023 -> .../provided:al2023, java21 -> .../java:21, ruby3.3 -> .../ruby:3.3.
    """
    patterns = (
        (r"python(\d+\.\d+)", "python"),
        (r"nodejs(\d+)\.x", "nodejs"),
        (r"provided\.(\w+)", "provided"),
        (r"java(\d+)", "java"),
        (r"ruby(\d+\.\d+)", "ruby"),
    )
    for pattern, language in patterns:
        match = re.fullmatch(pattern, runtime)
        if match:
            return f"{AWS_REGISTRY}/{language}:{match.group(1)}"
    return None


def files_dir(definition: RuntimeDefinition) -> Path:
    return definition.folder.parent / "_aws"


def _files(definition: RuntimeDefinition) -> list[tuple[str, Path, int]]:
    """(path in the image, file here, mode)."""
    folder = files_dir(definition)
    return [
        ("lambda-entrypoint.sh", folder / "lambda-entrypoint.sh", 0o755),
        ("usr/local/bin/aws-lambda-rie", folder / "aws-lambda-rie", 0o755),
        ("var/lambda-host/emulator.py", folder / "emulator.py", 0o644),
    ]


def image_env(definition: RuntimeDefinition) -> dict[str, str]:
    """ENV of the AWS-compatible image: the runtime's own variables and those AWS's images set."""
    env = dict(definition.env)
    env["LAMBDA_TASK_ROOT"] = "/var/task"
    env["LAMBDA_RUNTIME_DIR"] = "/var/runtime"
    execution_env = definition.execution_env(definition.id)
    if execution_env:  # AWS's bootstrap scripts export it; the project's read it to find the interpreter
        env["AWS_EXECUTION_ENV"] = execution_env
    return env


def changes(definition: RuntimeDefinition) -> list[str]:
    env = [f'ENV {key}="{value}"' for key, value in sorted(image_env(definition).items())]
    return [
        *env,
        "WORKDIR /var/task",
        'ENTRYPOINT ["/lambda-entrypoint.sh"]',
        "CMD []",
        f'LABEL {LABEL}="{definition.id}"',
        f'LABEL {FORMAT_LABEL}="{LAYER_FORMAT}"',
    ]


def layer_tag(definition: RuntimeDefinition, runtime_tag: str) -> str:
    h = hashlib.sha256()
    for part in [LAYER_FORMAT, runtime_tag, *changes(definition)]:
        h.update(part.encode() + b"\0")
    for name, path, mode in _files(definition):
        h.update(name.encode() + b"\0" + str(mode).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"lambda-host/aws-{definition.id}:{h.hexdigest()[:16]}"


def _archive(definition: RuntimeDefinition) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, path, mode in _files(definition):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def ensure(client: docker.DockerClient, definition: RuntimeDefinition, runtime_tag: str) -> str | None:
    """Make AWS's name for ``definition`` point at its AWS-compatible layer; returns that name."""
    name = aws_name(definition.id)
    if name is None:
        return None
    tag = layer_tag(definition, runtime_tag)
    try:
        layer = client.images.get(tag)
    except docker.errors.ImageNotFound:
        layer = build_layer(client, definition, runtime_tag, tag)
    repository, _, version = name.rpartition(":")
    if name not in (layer.tags or []) and not _newer_there(client, name):
        layer.tag(repository, version)
    return name


def _newer_there(client: docker.DockerClient, name: str) -> bool:
    """True when ``name`` is a layer of a newer format than this checkout's (left as it is)."""
    try:
        return _format_of(client.images.get(name)) > int(LAYER_FORMAT)
    except docker.errors.ImageNotFound:
        return False


def _format_of(image) -> int:
    value = (image.labels or {}).get(FORMAT_LABEL) or "0"
    return int(value) if value.isdigit() else 0


def build_layer(client: docker.DockerClient, definition: RuntimeDefinition, runtime_tag: str, tag: str):
    """The AWS-compatible layer on ``runtime_tag``, tagged ``tag``."""
    container_name = "lambda-host-build-" + tag.replace("/", "-").replace(":", "-")
    with contextlib.suppress(docker.errors.NotFound):
        client.api.remove_container(container_name, force=True)
    container = client.containers.create(runtime_tag, name=container_name, entrypoint=["/bin/true"])
    try:
        container.put_archive("/", _archive(definition))
        repository, _, version = tag.partition(":")
        container.commit(repository=repository, tag=version, changes=changes(definition))
    finally:
        container.remove(force=True)
    _untag_older(client, tag)
    return client.images.get(tag)


def _untag_older(client: docker.DockerClient, tag: str) -> None:
    """Layers of an older format of the same runtime go (kept while user images built on them need
    them); another checkout's layer of the same format stays, as it may be in use."""
    repository = tag.partition(":")[0]
    for image in client.images.list(name=repository):
        if _format_of(image) >= int(LAYER_FORMAT):
            continue
        for old in image.tags:
            if old.partition(":")[0] == repository and old != tag:
                with contextlib.suppress(docker.errors.APIError):
                    client.images.remove(old, noprune=False)
