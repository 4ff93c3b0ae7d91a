"""Compiling a Java function without Maven: javac inside the runtime's own image."""

import io
import tarfile
import zipfile
from pathlib import Path

import docker

from host.images.builder import ImageBuilder
from host.images.definitions import load_definitions
from host.testing.plugin import TEST_LABEL

JAVA_SAMPLE = Path(__file__).resolve().parents[2] / "sample_functions" / "java_hello" / "src"


def compile_java(runtime: str, source: Path, run_id: str) -> bytes:
    """A deployment zip (classes at its root) of the ``.java`` files under ``source``, compiled with
    javac inside ``runtime``'s image against its com.amazonaws.services.lambda.runtime classes."""
    client = docker.from_env()
    tag = ImageBuilder(client, say=lambda _: None).ensure(load_definitions()[runtime])
    sources = sorted(source.rglob("*.java"))
    script = "mkdir -p /build/out && cd /build/src && javac -nowarn -cp '/var/runtime/lib/*' -d /build/out " + " ".join(
        str(path.relative_to(source)) for path in sources
    )
    labels = {TEST_LABEL: run_id}
    container = client.containers.create(tag, entrypoint=["/bin/sh", "-ec"], command=[script], labels=labels)
    try:
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            tar.add(str(source), arcname="build/src")
        container.put_archive("/", archive.getvalue())
        container.start()
        status = container.wait(timeout=120)["StatusCode"]
        assert status == 0, container.logs().decode()
        stream, _ = container.get_archive("/build/out")
        packed = io.BytesIO(b"".join(stream))
    finally:
        container.remove(force=True)
    package = io.BytesIO()
    with tarfile.open(fileobj=packed) as tar, zipfile.ZipFile(package, "w") as zipped:
        for member in tar.getmembers():
            if member.isfile():
                zipped.writestr(member.name.removeprefix("out/"), tar.extractfile(member).read())
    return package.getvalue()
