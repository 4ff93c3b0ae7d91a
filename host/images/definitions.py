"""Runtime definitions: what each runtime image is made of, read from ``runtimes/<id>/``.

A runtime folder holds ``runtime.toml`` (the Debian suite and packages, which client to
install, the variables the runtime process starts with). The clients themselves live in
``runtimes/_clients/<client>/`` and the environment agent in ``runtimes/_agent/``. This
module only reads definitions; it never talks to Docker.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

RUNTIMES_DIR = Path(os.environ.get("LAMBDA_HOST_RUNTIMES_DIR") or Path(__file__).resolve().parents[2] / "runtimes")


@dataclass(frozen=True)
class RuntimeDefinition:
    """One runtime image: an AWS runtime identifier and how to build and start it."""

    id: str
    suite: str
    packages: tuple[str, ...]
    client: str  # "python", "nodejs" or "provided"
    env: tuple[tuple[str, str], ...]
    folder: Path
    runtime_version: str = ""
    bundle_boto3: bool = False
    serves: tuple[str, ...] = ()  # other AWS runtimes this image stands in for
    image: str | None = None  # a container image function's image (client "image"): run as it is

    @property
    def client_dir(self) -> Path:
        return self.folder.parent / "_clients" / self.client

    @property
    def agent_path(self) -> Path:
        return self.folder.parent / "_agent" / "agent.py"

    def execution_env(self, runtime: str) -> str | None:
        """AWS_EXECUTION_ENV for a function of ``runtime``; OS-only runtimes have none."""
        return None if self.client in ("provided", "image") else f"AWS_Lambda_{runtime}"

    @property
    def entrypoints(self) -> tuple[str, ...]:
        """Where the runtime's bootstrap may be, in the order Lambda looks."""
        if self.client == "provided":
            return ("/var/task/bootstrap", "/opt/bootstrap")
        return ("/var/runtime/bootstrap",)


def load_definition(folder: Path) -> RuntimeDefinition:
    with open(folder / "runtime.toml", "rb") as f:
        data = tomllib.load(f)
    return RuntimeDefinition(
        id=folder.name,
        suite=data["suite"],
        packages=tuple(data["packages"]),
        client=data["client"],
        env=tuple(data.get("env", {}).items()),
        folder=folder,
        runtime_version=data.get("runtime_version", ""),
        bundle_boto3=bool(data.get("bundle_boto3", False)),
        serves=tuple(data.get("serves", ())),
    )


def load_definitions(runtimes_dir: Path = RUNTIMES_DIR) -> dict[str, RuntimeDefinition]:
    """Every runtime under ``runtimes_dir``, keyed by AWS identifier."""
    found = {}
    for folder in sorted(runtimes_dir.iterdir()):
        if (folder / "runtime.toml").is_file():
            definition = load_definition(folder)
            found[definition.id] = definition
    return found


def definition_for(definitions: dict[str, RuntimeDefinition], runtime: str) -> RuntimeDefinition | None:
    """The image definition that runs functions of ``runtime``: its own, or one standing in."""
    if runtime in definitions:
        return definitions[runtime]
    for definition in definitions.values():
        if runtime in definition.serves:
            return definition
    return None
