"""Building and tagging runtime images, offline by default.

Each runtime image is two stages:

1. a base image per (Debian suite, package set): ``mmdebstrap`` writes the root file
   system, ``docker import`` makes it an image (``lambda-host/base:<suite>-<hash>``);
   with ``registry_base`` it is ``debian:<suite>-slim`` plus ``apt-get install`` instead;
2. the runtime layer on top: the agent, the runtime client, the bootstrap and, for
   Python, boto3 (``lambda-host/<runtime>:<hash>``).

Tags carry a content hash of everything that goes into them, so an image is rebuilt
only when its definition changed, and changing a client rebuilds only the thin layer.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import docker
import docker.errors

from host.images.definitions import RuntimeDefinition
from host.images.rootfs import build_rootfs_tarball

# Bump when the way images are assembled changes, so every tag changes with it.
BUILD_FORMAT = "1"
IMAGE_LABEL = "lambda-host.image"
BOTO3_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


@dataclass(frozen=True)
class ImageStatus:
    runtime: str
    tag: str
    present: bool
    size: int | None


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()[:16]


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def _bundled_distribution_files() -> list[tuple[str, Path]]:
    """(path in site-packages, file on this host) for boto3 and its dependencies."""
    files = []
    for name in BOTO3_DISTRIBUTIONS:
        dist = metadata.distribution(name)
        for entry in dist.files or ():
            if "__pycache__" in entry.parts or entry.suffix == ".pyc" or entry.parts[0] == "..":
                continue
            source = Path(str(dist.locate_file(entry)))
            if source.is_file():
                files.append((entry.as_posix(), source))
    return sorted(files)


def _bundled_versions() -> list[str]:
    return [f"{name}=={metadata.version(name)}" for name in BOTO3_DISTRIBUTIONS]


def base_tag(definition: RuntimeDefinition, registry_base: bool = False) -> str:
    recipe = {"suite": definition.suite, "packages": sorted(definition.packages), "format": BUILD_FORMAT}
    if registry_base:
        recipe["from"] = f"debian:{definition.suite}-slim"
    digest = _digest([json.dumps(recipe, sort_keys=True).encode()])
    return f"lambda-host/base:{definition.suite}-{digest}"


def _layer_files(definition: RuntimeDefinition) -> list[tuple[str, Path]]:
    """(path in the build context, file on this host) for the runtime layer."""
    files = [("agent.py", definition.agent_path), ("runtime.toml", definition.folder / "runtime.toml")]
    if definition.client_dir.is_dir():
        for path in _files_under(definition.client_dir):
            files.append(("runtime/" + path.relative_to(definition.client_dir).as_posix(), path))
    return files


def runtime_tag(definition: RuntimeDefinition, registry_base: bool = False) -> str:
    parts = [BUILD_FORMAT.encode(), base_tag(definition, registry_base).encode()]
    for name, path in _layer_files(definition):
        parts += [name.encode(), path.read_bytes(), str(path.stat().st_mode & 0o111).encode()]
    if definition.bundle_boto3:
        parts += [v.encode() for v in _bundled_versions()]
    return f"lambda-host/{definition.id}:{_digest(parts)}"


def _layer_dockerfile(definition: RuntimeDefinition, base: str) -> str:
    lines = [f"FROM {base}", "COPY agent.py /var/lambda-host/agent.py"]
    if any(name.startswith("runtime/") for name, _ in _layer_files(definition)):
        lines.append("COPY runtime/ /var/runtime/")
    if definition.bundle_boto3:
        lines.append("COPY site-packages/ /var/lambda-host/site-packages/")
    lines += [
        "RUN if [ -f /var/runtime/setup.sh ]; then sh /var/runtime/setup.sh && rm /var/runtime/setup.sh; fi"
        " && mkdir -p /var/task /opt /var/runtime && chmod 1777 /tmp",
        "WORKDIR /var/task",
        'ENTRYPOINT ["/usr/bin/python3", "-I", "-S", "/var/lambda-host/agent.py"]',
        f'LABEL {IMAGE_LABEL}="{definition.id}"',
    ]
    return "\n".join(lines) + "\n"


def _registry_base_dockerfile(definition: RuntimeDefinition) -> str:
    packages = " ".join(sorted(definition.packages))
    return (
        f"FROM debian:{definition.suite}-slim\n"
        "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y"
        f" --no-install-recommends {packages} && rm -rf /var/lib/apt/lists/*\n"
    )


def _context_tar(dockerfile: str, files: Iterable[tuple[str, Path]]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for name, path in files:
            tar.add(str(path), arcname=name, recursive=False)
    buf.seek(0)
    return buf


class ImageBuilder:
    """Makes sure each runtime's image exists, building what is missing."""

    def __init__(
        self,
        client: docker.DockerClient,
        say: Callable[[str], None] = print,
        registry_base: bool = False,
    ) -> None:
        self.client = client
        self.say = say
        self.registry_base = registry_base
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def exists(self, tag: str) -> bool:
        try:
            self.client.images.get(tag)
            return True
        except docker.errors.ImageNotFound:
            return False

    def status(self, definition: RuntimeDefinition) -> ImageStatus:
        tag = runtime_tag(definition, self.registry_base)
        try:
            image = self.client.images.get(tag)
            return ImageStatus(definition.id, tag, True, image.attrs.get("Size"))
        except docker.errors.ImageNotFound:
            return ImageStatus(definition.id, tag, False, None)

    def ensure(self, definition: RuntimeDefinition, force: bool = False) -> str:
        """The runtime's image tag, built first if it is missing (or ``force``)."""
        tag = runtime_tag(definition, self.registry_base)
        with self._lock(tag):
            if force or not self.exists(tag):
                base = self._ensure_base(definition, force)
                self.say(f"building runtime image {tag}")
                files = _layer_files(definition)
                if definition.bundle_boto3:
                    files += [("site-packages/" + name, path) for name, path in _bundled_distribution_files()]
                self._docker_build(_context_tar(_layer_dockerfile(definition, base), files), tag)
                self.say(f"built {tag}")
        return tag

    def _ensure_base(self, definition: RuntimeDefinition, force: bool) -> str:
        tag = base_tag(definition, self.registry_base)
        with self._lock(tag):
            if not force and self.exists(tag):
                return tag
            if self.registry_base:
                self.say(f"building base image {tag} from debian:{definition.suite}-slim")
                self._docker_build(_context_tar(_registry_base_dockerfile(definition), []), tag, pull=True)
                return tag
            self.say(
                f"building base image {tag} from Debian's archive ({definition.suite}: "
                f"{', '.join(definition.packages)})"
            )
            with tempfile.TemporaryDirectory(prefix="lambda-host-rootfs-") as tmp:
                tarball = Path(tmp) / "rootfs.tar"
                build_rootfs_tarball(definition.suite, definition.packages, tarball, self.say)
                repository, _, version = tag.partition(":")
                self.client.api.import_image_from_file(str(tarball), repository=repository, tag=version)
            return tag

    def _docker_build(self, context: io.BytesIO, tag: str, pull: bool = False) -> None:
        stream = self.client.api.build(
            fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True, decode=True, pull=pull
        )
        for chunk in stream:
            if "error" in chunk:
                raise RuntimeError(f"building {tag} failed: {chunk['error'].strip()}")
            text = chunk.get("stream", "").strip()
            if text:
                self.say(f"  {text}")
