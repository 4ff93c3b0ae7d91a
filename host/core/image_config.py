"""Container image functions' pure rules: ImageConfig as AWS bounds and shows it, and how an
ImageUri reads (repository, ResolvedImageUri, CodeSha256). No I/O: ``host.images.user_images``
asks the Docker engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from host.core.errors import InvalidParameterValue
from host.core.model import ImageRef

MAX_LIST = 1500  # ImageConfig.EntryPoint and Command: at most this many items (botocore's model)
MAX_WORKING_DIRECTORY = 1000


def source_image_missing(uri: str) -> InvalidParameterValue:
    """AWS's answer for an ImageUri that names no image."""
    return InvalidParameterValue(f"Source image {uri} does not exist. Provide a valid source image.")


def repository_of(uri: str) -> str:
    """``host:5000/team/app:v1`` -> ``host:5000/team/app``; a digest reference loses its digest."""
    if "@" in uri:
        return uri.split("@", 1)[0]
    name, _, tag = uri.rpartition(":")
    return name if name and "/" not in tag else uri


def resolved_uri(uri: str, image_id: str, repo_digests: list[str]) -> str:
    """``<repository>@sha256:<digest>``: the repository's registry digest if it has one, else the image ID."""
    repository = repository_of(uri)
    for entry in repo_digests:
        name, _, digest = entry.partition("@")
        if name == repository and digest:
            return f"{repository}@{digest}"
    return f"{repository}@{image_id}"


def image_config(value: Any) -> dict[str, Any]:
    """ImageConfig checked as AWS's model bounds it; returns the overrides given."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParameterValue("ImageConfig must be an object with EntryPoint, Command or WorkingDirectory.")
    config: dict[str, Any] = {}
    for key in ("EntryPoint", "Command"):
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or len(items) > MAX_LIST or not all(isinstance(i, str) for i in items):
            raise InvalidParameterValue(f"ImageConfig.{key} must be a list of at most {MAX_LIST} strings.")
        config[key] = tuple(items)
    directory = value.get("WorkingDirectory")
    if directory is not None:
        if not isinstance(directory, str) or len(directory) > MAX_WORKING_DIRECTORY:
            raise InvalidParameterValue("ImageConfig.WorkingDirectory must be a path of at most 1000 characters.")
        config["WorkingDirectory"] = directory
    return config


def with_image_config(image: ImageRef, config: Mapping[str, Any]) -> ImageRef:
    """``image`` with ImageConfig's overrides (an empty one clears them)."""
    return image.with_changes(
        config_entry_point=config.get("EntryPoint"),
        config_command=config.get("Command"),
        config_working_directory=config.get("WorkingDirectory"),
    )


def image_config_of(image: ImageRef) -> dict[str, Any]:
    """The ImageConfig overrides ``image`` carries, as a request gives them."""
    config: dict[str, Any] = {}
    if image.config_entry_point is not None:
        config["EntryPoint"] = image.config_entry_point
    if image.config_command is not None:
        config["Command"] = image.config_command
    if image.config_working_directory is not None:
        config["WorkingDirectory"] = image.config_working_directory
    return config


def image_config_response(image: ImageRef) -> dict[str, Any]:
    """ImageConfigResponse: ``{}`` when the function has no ImageConfig, as AWS shows it."""
    config = {key: list(value) if isinstance(value, tuple) else value for key, value in image_config_of(image).items()}
    return {"ImageConfig": config} if config else {}


def code_sha256(image: ImageRef) -> str:
    """CodeSha256 of an image function: the hex digest its ResolvedImageUri ends with."""
    return image.resolved_uri.rsplit(":", 1)[-1]
