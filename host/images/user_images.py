"""Container images users name as a function's code: resolved against the local Docker engine.

No registry is ever asked: an ``ImageUri`` (a local tag, or an ECR-style name a user tagged a
local image with) must name an image this engine has. Resolving pins the function to the
image's ID, so re-tagging the name later changes nothing until UpdateFunctionCode, as a
digest pins a function on AWS.

1. ``ResolvedImageUri`` is ``<repository>@sha256:<digest>``: the registry digest when the image
   came from one, else its image ID (locally built images have no digest).
2. The image's own ENTRYPOINT, CMD, WORKDIR and ENV are recorded with the function's ImageConfig
   overrides; environments start the runtime from them (``host.core.model.ImageRef``).
"""

from __future__ import annotations

import docker
import docker.errors

from host.core.errors import InvalidParameterValue
from host.core.image_config import resolved_uri, source_image_missing
from host.core.model import ImageRef

# Where an image may have the Python the environment agent runs on: Debian's (the project's
# images and most Debian/Ubuntu-based ones), AWS's Python images', the python:3.x images'.
AGENT_PYTHONS = ("/usr/bin/python3", "/var/lang/bin/python3", "/usr/local/bin/python3")


def agent_python(client: docker.DockerClient, image_id: str) -> str | None:
    """The first of ``AGENT_PYTHONS`` the image has, or None: asked of a created, never started
    container (a HEAD on its archive path each, ~70 ms; done once per image)."""
    labels = {"lambda-host": "1", "lambda-host.probe": image_id}  # never started; removed at once
    container = client.api.create_container(image_id, entrypoint=["/nonexistent"], command=[], labels=labels)["Id"]
    try:
        for path in AGENT_PYTHONS:
            response = client.api.head(client.api._url("/containers/{0}/archive", container), params={"path": path})
            if response.status_code == 200:
                return path
        return None
    finally:
        client.api.remove_container(container, force=True)


def resolve(client: docker.DockerClient, uri: str) -> ImageRef:
    """The local image ``uri`` names, pinned; AWS's InvalidParameterValueException when there is none."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidParameterValue("Please provide a source for function code.")
    try:
        attrs = client.api.inspect_image(uri)
    except docker.errors.ImageNotFound as exc:
        raise source_image_missing(uri) from exc
    except docker.errors.APIError as exc:  # an invalid reference format, for one
        if exc.status_code in (400, 404):
            raise source_image_missing(uri) from exc
        raise
    config = attrs.get("Config") or {}
    env = tuple(tuple(item.split("=", 1)) for item in config.get("Env") or () if "=" in item)
    return ImageRef(
        uri=uri,
        resolved_uri=resolved_uri(uri, attrs["Id"], attrs.get("RepoDigests") or []),
        image_id=attrs["Id"],
        entrypoint=tuple(config.get("Entrypoint") or ()),
        command=tuple(config.get("Cmd") or ()),
        working_dir=config.get("WorkingDir") or "",
        env=env,
    )
