"""Building a SAM image function's image at deploy, as ``sam build`` does, with the Docker SDK.

The build runs on the local engine (the classic builder: a ``FROM`` image already here, such as
the project's ``public.ecr.aws/lambda/python:3.11``, is used without a registry) and each line of
its progress goes to ``say`` as it arrives. A failed step raises ``TemplateError`` with the
builder's message.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import docker

from host.templates.loader import TemplateError
from host.templates.plan import ImageBuild


def build_image(client: docker.DockerClient, build: ImageBuild, logical: str, say: Callable[[str], None]) -> str:
    """Build ``build`` and tag it; returns the tag (the function's ImageUri)."""
    if not (build.context / build.dockerfile).is_file():
        raise TemplateError(f"function {logical}: no Dockerfile at {build.context / build.dockerfile}")
    started = time.monotonic()
    say(f"{logical}: building image {build.tag} from {build.context / build.dockerfile}")
    stream = client.api.build(
        path=str(build.context),
        dockerfile=build.dockerfile,
        tag=build.tag,
        buildargs=build.buildargs or None,
        rm=True,
        forcerm=True,
        decode=True,
    )
    for chunk in stream:
        if "error" in chunk:
            raise TemplateError(f"function {logical}: building {build.tag} failed: {chunk['error'].strip()}")
        text = (chunk.get("stream") or chunk.get("status") or "").strip()
        if text:
            say(f"  [{logical}] {text}")
    say(f"{logical}: built {build.tag} in {time.monotonic() - started:.1f} s")
    return build.tag
