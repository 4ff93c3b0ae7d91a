"""Copying runtime images from this machine's engine to other engines (a cluster's nodes).

A Swarm does not move images between nodes: a task runs only where its image is (or can be
pulled). Without a registry, ``lambda-host images copy --to URL ...`` (and the test cluster)
put the images on every node with this. Each image is saved once into a file and loaded into
the engines in parallel; layers a node already has are skipped by its ``docker load``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker


def copy_images(
    source: docker.DockerClient,
    names: Iterable[str],
    targets: Sequence[docker.DockerClient],
    scratch: Path | None = None,
) -> None:
    """Save each of ``names`` (``repo:tag``) from ``source`` and load it into every one of ``targets``."""
    with tempfile.TemporaryDirectory(prefix="lambda-host-images-", dir=scratch) as folder:
        for name in names:
            archive = Path(folder) / "image.tar"
            with archive.open("wb") as out:
                for chunk in source.images.get(name).save(named=name):
                    out.write(chunk)

            def load(target: docker.DockerClient, archive: Path = archive) -> None:
                with archive.open("rb") as data:
                    target.images.load(data)

            with ThreadPoolExecutor(max(1, len(targets))) as pool:
                list(pool.map(load, targets))
            archive.unlink()
