"""Building and tagging runtime images, offline by default.

Each runtime image is two stages:

1. one base image per Debian suite, shared by every runtime of that suite: ``mmdebstrap``
   writes a minimal root file system with what every image needs (the agent's Python,
   CA certificates), ``docker import`` makes it an image (``lambda-host/base:<suite>-<hash>``);
   with ``registry_base`` it is ``debian:<suite>-slim`` plus those packages instead;
2. the runtime image on top: the runtime's own packages installed with apt from the same
   archive, then the agent, the runtime client, the bootstrap and, for Python, boto3
   (``lambda-host/<runtime>:<hash>``).

Why one base per suite: bootstrapping a Debian root (unpacking and configuring its
essential packages) is most of an image's build time and is the same for every runtime of
a suite, so it is done once; the runtime's packages on top take seconds. The images hold
exactly the packages they held when each had a base of its own.

Tags carry a content hash of everything that goes into them, so an image is rebuilt
only when its definition changed. Builds are locked per tag across processes, so hosts
starting together build each image once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import docker
import docker.errors

from host.images import aws_bases
from host.images.definitions import RuntimeDefinition
from host.images.rootfs import build_rootfs_tarball
from host.images.rootfs_cache import default_cache_dir

# Bump when the way images are assembled changes, so every tag changes with it.
BUILD_FORMAT = "3"
IMAGE_LABEL = "lambda-host.image"
# In every image's base: the environment agent runs on python3-minimal; TLS needs the certificates.
COMMON_PACKAGES = ("ca-certificates", "python3-minimal")
APT_OPTIONS = "-o Acquire::Retries=3 -q"
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
    """The suite's shared base; the same for every runtime of ``definition.suite``."""
    recipe = {"suite": definition.suite, "packages": sorted(COMMON_PACKAGES), "format": BUILD_FORMAT}
    if registry_base:
        recipe["from"] = f"debian:{definition.suite}-slim"
    digest = _digest([json.dumps(recipe, sort_keys=True).encode()])
    return f"lambda-host/base:{definition.suite}-{digest}"


def runtime_packages(definition: RuntimeDefinition) -> list[str]:
    """The runtime's packages the suite's base does not have, installed in its own image."""
    return sorted(set(definition.packages) - set(COMMON_PACKAGES))


def _layer_files(definition: RuntimeDefinition) -> list[tuple[str, Path]]:
    """(path in the build context, file on this host) for the runtime layer."""
    files = [("agent.py", definition.agent_path), ("runtime.toml", definition.folder / "runtime.toml")]
    if definition.client_dir.is_dir():
        for path in _files_under(definition.client_dir):
            files.append(("runtime/" + path.relative_to(definition.client_dir).as_posix(), path))
    return files


def runtime_tag(definition: RuntimeDefinition, registry_base: bool = False) -> str:
    parts = [BUILD_FORMAT.encode(), base_tag(definition, registry_base).encode()]
    parts += [package.encode() for package in runtime_packages(definition)]
    for name, path in _layer_files(definition):
        parts += [name.encode(), path.read_bytes(), str(path.stat().st_mode & 0o111).encode()]
    if definition.bundle_boto3:
        parts += [v.encode() for v in _bundled_versions()]
    return f"lambda-host/{definition.id}:{_digest(parts)}"


def _apt_install(packages: Iterable[str]) -> str:
    """A shell command installing ``packages`` from the image's own apt sources, leaving no lists behind."""
    return (
        f"apt-get {APT_OPTIONS} update && DEBIAN_FRONTEND=noninteractive apt-get {APT_OPTIONS} install -y"
        f" --no-install-recommends {' '.join(sorted(packages))} && apt-get clean && rm -rf /var/lib/apt/lists/*"
    )


def _layer_script(definition: RuntimeDefinition) -> str:
    """What runs once in the build container: the runtime's packages, then its client's setup."""
    # The minimal root has no man pages; OpenJDK's maintainer scripts link into man1 all the same.
    packages = runtime_packages(definition)
    steps = ["mkdir -p /usr/share/man/man1", _apt_install(packages)] if packages else []
    steps += [
        "if [ -f /var/runtime/setup.sh ]; then sh /var/runtime/setup.sh && rm /var/runtime/setup.sh; fi",
        "mkdir -p /var/task /opt /var/runtime",
        "chmod 1777 /tmp",
    ]
    return " && ".join(steps)


def _layer_changes(definition: RuntimeDefinition) -> list[str]:
    """The image's configuration, set when the build container is committed."""
    return [
        "WORKDIR /var/task",
        'ENTRYPOINT ["/usr/bin/python3", "-I", "-S", "/var/lambda-host/agent.py"]',
        "CMD []",
        f'LABEL {IMAGE_LABEL}="{definition.id}"',
    ]


def _layer_archive(definition: RuntimeDefinition) -> io.BytesIO:
    """The runtime's files at their places in the image: the agent, the client, bundled boto3."""
    files = [("var/lambda-host/agent.py", definition.agent_path)]
    files += [("var/" + name, path) for name, path in _layer_files(definition) if name.startswith("runtime/")]
    if definition.bundle_boto3:
        files += [("var/lambda-host/site-packages/" + name, path) for name, path in _bundled_distribution_files()]
    buf = io.BytesIO()
    folders: set[str] = set()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, path in files:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                if folder not in folders:
                    folders.add(folder)
                    info = tarfile.TarInfo(folder)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
                    tar.addfile(info)
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            with open(path, "rb") as data:
                tar.addfile(info, data)
    buf.seek(0)
    return buf


def _registry_base_dockerfile(definition: RuntimeDefinition) -> str:
    return f"FROM debian:{definition.suite}-slim\nRUN {_apt_install(COMMON_PACKAGES)}\n"


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
        lock_dir: Path | None = None,
        chatty: bool = True,
    ) -> None:
        self.client = client
        self.say = say
        self.registry_base = registry_base
        self.chatty = chatty  # every line of every build step, or only the steps (a host's log)
        self.lock_dir = lock_dir or default_cache_dir() / "build-locks"
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._rebuilt: set[str] = set()  # built by this builder: ``force`` rebuilds a shared base once

    @contextmanager
    def _lock(self, tag: str) -> Iterator[None]:
        """One build of ``tag`` at a time: across this process's threads, and across processes."""
        with self._locks_guard:
            lock = self._locks.setdefault(tag, threading.Lock())
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        with lock, open(self.lock_dir / (tag.replace("/", "_").replace(":", "_") + ".lock"), "w") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            yield

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
            if (force and tag not in self._rebuilt) or not self.exists(tag):
                base = self._ensure_base(definition, force)
                started = time.monotonic()
                self.say(f"[{definition.id}] building runtime image {tag}")
                self._build_layer(definition, base, tag)
                self._rebuilt.add(tag)
                self.say(f"[{definition.id}] built {tag} in {time.monotonic() - started:.0f} s")
        try:
            self.ensure_aws_base(definition, tag)
        except (docker.errors.DockerException, OSError) as exc:  # the runtime itself is ready: never fail it
            self.say(f"[{definition.id}] could not tag AWS's base image name: {exc}")
        return tag

    def ensure_aws_base(self, definition: RuntimeDefinition, tag: str) -> str | None:
        """AWS's name for the runtime (``public.ecr.aws/lambda/...``) on its AWS-compatible layer."""
        name = aws_bases.aws_name(definition.id)
        if name is None:
            return None
        with self._lock(aws_bases.layer_tag(definition, tag)):
            return aws_bases.ensure(self.client, definition, tag)

    def _ensure_base(self, definition: RuntimeDefinition, force: bool) -> str:
        tag = base_tag(definition, self.registry_base)
        suite = definition.suite
        with self._lock(tag):
            if (not force or tag in self._rebuilt) and self.exists(tag):
                return tag
            started = time.monotonic()
            if self.registry_base:
                self.say(f"[{suite}] building base image {tag} from debian:{suite}-slim")
                self._docker_build(_context_tar(_registry_base_dockerfile(definition), []), tag, suite, pull=True)
            else:
                self.say(f"[{suite}] building base image {tag} from Debian's archive (shared by every {suite} runtime)")
                with tempfile.TemporaryDirectory(prefix="lambda-host-rootfs-") as tmp:
                    tarball = Path(tmp) / "rootfs.tar"
                    build_rootfs_tarball(suite, COMMON_PACKAGES, tarball, self.say)
                    repository, _, version = tag.partition(":")
                    self.client.api.import_image_from_file(str(tarball), repository=repository, tag=version)
            self._rebuilt.add(tag)
            self.say(f"[{suite}] built {tag} in {time.monotonic() - started:.0f} s")
            return tag

    def _build_layer(self, definition: RuntimeDefinition, base: str, tag: str) -> None:
        """One container on ``base`` gets the runtime's files, installs and sets up, and is committed as
        ``tag``: one layer and one commit (a Dockerfile step each would cost seconds per step here)."""
        # Named, not labelled (labels would pass into the image); a killed build's container goes here,
        # under the tag's build lock.
        name = "lambda-host-build-" + tag.replace("/", "-").replace(":", "-")
        with contextlib.suppress(docker.errors.NotFound):
            self.client.api.remove_container(name, force=True)
        container = self.client.containers.create(
            base, entrypoint=["/bin/sh", "-ec"], command=[_layer_script(definition)], name=name, network_mode="bridge"
        )
        try:
            container.put_archive("/", _layer_archive(definition))
            container.start()
            tail: list[str] = []
            for line in container.logs(stream=True, follow=True):
                text = line.decode("utf-8", "replace").rstrip()
                tail = [*tail[-19:], text]
                if self.chatty:
                    self.say(f"  [{definition.id}] {text}")
            status = container.wait().get("StatusCode")
            if status != 0:
                raise RuntimeError(f"building {tag} failed (exit status {status}):\n" + "\n".join(tail))
            repository, _, version = tag.partition(":")
            container.commit(repository=repository, tag=version, changes=_layer_changes(definition))
        finally:
            container.remove(force=True)

    def _docker_build(self, context: io.BytesIO, tag: str, what: str, pull: bool = False) -> None:
        stream = self.client.api.build(
            fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True, decode=True, pull=pull
        )
        for chunk in stream:
            if "error" in chunk:
                raise RuntimeError(f"building {tag} failed: {chunk['error'].strip()}")
            text = chunk.get("stream", "").strip()
            if text and (self.chatty or text.startswith("Step ")):
                self.say(f"  [{what}] {text}")
