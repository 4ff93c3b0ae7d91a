"""Which image runs a function of a given AWS runtime, building it on first need."""

from __future__ import annotations

import threading

from host.images.builder import ImageBuilder
from host.images.definitions import RuntimeDefinition, definition_for


class RuntimeCatalog:
    def __init__(self, definitions: dict[str, RuntimeDefinition], builder: ImageBuilder) -> None:
        self.definitions = definitions
        self.builder = builder
        self._tags: dict[str, str] = {}
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
                    tag = self._tags[definition.id] = self.builder.ensure(definition)
        return tag

    def ready(self, runtime: str) -> bool:
        """True when ``runtime``'s image is known to exist (so ``image`` returns at once)."""
        definition = self.definition(runtime)
        return definition is not None and definition.id in self._tags

    def available(self) -> list[str]:
        return sorted(self.definitions)
