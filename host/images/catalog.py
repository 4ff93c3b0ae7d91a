"""Which image runs a function of a given AWS runtime, building it on first need."""

from __future__ import annotations

import threading

from host.images.builder import ImageBuilder
from host.images.definitions import RuntimeDefinition, definition_for
from host.images.rootfs_cache import RootfsCache


class RuntimeCatalog:
    def __init__(
        self, definitions: dict[str, RuntimeDefinition], builder: ImageBuilder, rootfs: RootfsCache | None = None
    ) -> None:
        self.definitions = definitions
        self.builder = builder
        self.rootfs = rootfs
        self._tags: dict[str, str] = {}
        self._mounts: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def definition(self, runtime: str) -> RuntimeDefinition | None:
        return definition_for(self.definitions, runtime)

    def image(self, runtime: str) -> str:
        """The image tag for ``runtime``, built first if missing (slow then; call off the loop)."""
        definition = self.definition(runtime)
        if definition is None:
            raise LookupError(f"no runtime image can run {runtime}")
        tag = self._tags.get(definition.id)
        if tag is None:
            with self._lock:
                tag = self._tags.get(definition.id)
                if tag is None:
                    tag = self.builder.ensure(definition)
                    self._mounts[definition.id] = self.rootfs.mounts(tag) if self.rootfs else []
                    self._tags[definition.id] = tag
        return tag

    def shared_mounts(self, runtime: str) -> list[tuple[str, str]]:
        """Host folders with the image's runtime files, to mount read-only (see ``rootfs_cache``)."""
        definition = self.definition(runtime)
        self.image(runtime)
        return self._mounts.get(definition.id, [])

    def ready(self, runtime: str) -> bool:
        """True when ``runtime``'s image is known to exist (so ``image`` returns at once)."""
        definition = self.definition(runtime)
        return definition is not None and definition.id in self._tags

    def available(self) -> list[str]:
        return sorted(self.definitions)
