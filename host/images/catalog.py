"""Which image runs a function of a given AWS runtime, building it on first need.

A host serves as soon as the runtimes it needs now are built: ``prepare`` starts those
builds in parallel (a template's runtimes, before its functions are created), and
``build_rest_in_background`` builds every other runtime's image afterwards, one at a
time, so a function created later finds its image ready. A function whose image is
still being built stays Pending until it is there (``FunctionService``); asking for an
image that a background build is making waits for that build instead of starting another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from host.core.model import FunctionConfig, ImageRef
from host.images import user_images
from host.images.builder import ImageBuilder, runtime_tag
from host.images.definitions import RUNTIMES_DIR, RuntimeDefinition, definition_for
from host.images.rootfs_cache import RootfsCache

log = logging.getLogger("lambda_host.images")

PARALLEL_BUILDS = 3  # builds are mostly one process each (dpkg, docker build): a few overlap well on 2 cores


class RuntimeCatalog:
    def __init__(
        self, definitions: dict[str, RuntimeDefinition], builder: ImageBuilder, rootfs: RootfsCache | None = None
    ) -> None:
        self.definitions = definitions
        self.builder = builder
        self.rootfs = rootfs
        self._tags: dict[str, str] = {}
        self._mounts: dict[str, list[tuple[str, str]]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._builds: ThreadPoolExecutor | None = None
        self.building: set[str] = set()  # runtime ids whose image a background build is making
        self._images: dict[str, RuntimeDefinition] = {}  # container image functions' images, by runtime id
        self._pythons: dict[str, str] = {}  # each image's Python for the environment agent, once found

    def definition(self, runtime: str) -> RuntimeDefinition | None:
        if runtime in self._images:
            return self._images[runtime]
        return definition_for(self.definitions, runtime)

    def definition_of(self, function: FunctionConfig) -> RuntimeDefinition | None:
        """What runs ``function``: its runtime's image, or for PackageType Image its own image."""
        if function.image is not None:
            return self.register_image(function.image)
        return self.definition(function.runtime)

    # -- container image functions ----------------------------------------------------------------

    def resolve_image(self, uri: str) -> ImageRef:
        """``uri`` resolved against the local engine (``host.images.user_images``); registered."""
        image = user_images.resolve(self.builder.client, uri)
        self.register_image(image)
        return image

    def register_image(self, image: ImageRef) -> RuntimeDefinition:
        """A definition standing for a user's image: run as it is, never built, with the image's ENV."""
        definition = self._images.get(image.runtime_id)
        if definition is None:
            folder = next(iter(self.definitions.values())).folder.parent if self.definitions else RUNTIMES_DIR
            definition = RuntimeDefinition(
                id=image.runtime_id,
                suite="",
                packages=(),
                client="image",
                env=image.env,
                folder=folder / image.runtime_id,
                image=image.image_id,
            )
            with self._guard:
                definition = self._images.setdefault(image.runtime_id, definition)
        return definition

    def image(self, runtime: str) -> str:
        """The image tag for ``runtime``, built first if missing (slow then; call off the loop)."""
        definition = self.definition(runtime)
        if definition is None:
            raise LookupError(f"no runtime image can run {runtime}")
        if definition.image is not None:  # a user's image: it is there or it is not
            if not self.builder.exists(definition.image):
                raise LookupError(f"the image {definition.image} no longer exists in the local Docker engine")
            if definition.id not in self._pythons:
                python = user_images.agent_python(self.builder.client, definition.image)
                if python is None:
                    raise LookupError(
                        "the image has no python3 (looked for " + ", ".join(user_images.AGENT_PYTHONS) + "), which "
                        "lambda-host's environment agent runs on; build it FROM public.ecr.aws/lambda/<runtime> here"
                    )
                self._pythons[definition.id] = python
            return definition.image
        tag = self._tags.get(definition.id)
        if tag is None:
            with self._guard:
                lock = self._locks.setdefault(definition.id, threading.Lock())
            with lock:
                tag = self._tags.get(definition.id)
                if tag is None:
                    tag = self.builder.ensure(definition)
                    self._mounts[definition.id] = self.rootfs.mounts(tag) if self.rootfs else []
                    self._tags[definition.id] = tag
        return tag

    def agent_python(self, runtime: str) -> str:
        """The Python a user's image runs the environment agent on (after ``image``)."""
        return self._pythons.get(runtime, user_images.AGENT_PYTHONS[0])

    def shared_mounts(self, runtime: str) -> list[tuple[str, str]]:
        """Host folders with the image's runtime files, to mount read-only (see ``rootfs_cache``)."""
        definition = self.definition(runtime)
        if definition is not None and definition.image is not None:
            return []  # a user's image holds its own runtime
        self.image(runtime)
        return self._mounts.get(definition.id, [])

    def ready(self, runtime: str) -> bool:
        """True when ``runtime``'s image is known to exist (so ``image`` returns at once)."""
        definition = self.definition(runtime)
        return definition is not None and (definition.id in self._tags or definition.image is not None)

    def available(self) -> list[str]:
        return sorted(self.definitions)

    # -- building ahead ---------------------------------------------------------------------------

    def prepare(self, runtimes: Iterable[str]) -> list[Future]:
        """Start building the images of ``runtimes`` now, in parallel; returns the builds."""
        wanted = {definition.id for definition in map(self.definition, runtimes) if definition is not None}
        return [self._submit(self._build, runtime) for runtime in sorted(wanted - set(self._tags))]

    def build_rest_in_background(self) -> Future | None:
        """Build, one after another, every runtime image that does not exist yet, logging progress."""
        registry_base = self.builder.registry_base
        missing = [
            runtime
            for runtime, definition in sorted(self.definitions.items())
            if runtime not in self._tags and not self.builder.exists(runtime_tag(definition, registry_base))
        ]
        if not missing:
            return None
        self.building.update(missing)
        log.info("building runtime images in the background: %s", ", ".join(missing))

        def build_all() -> None:
            for number, runtime in enumerate(missing, 1):
                self._build(runtime)
                log.info("runtime image %s ready (%d of %d built in the background)", runtime, number, len(missing))
            log.info("every runtime image is ready")

        return self._submit(build_all)

    def _build(self, runtime: str) -> None:
        try:
            self.image(runtime)
        except Exception as exc:  # its functions hear why when they ask for it
            log.error("could not build the %s image: %s", runtime, exc)
        finally:
            self.building.discard(runtime)

    def _submit(self, work, *args) -> Future:
        with self._guard:
            if self._builds is None:
                self._builds = ThreadPoolExecutor(PARALLEL_BUILDS, thread_name_prefix="lambda-host-images")
            return self._builds.submit(work, *args)

    def close(self) -> None:
        with self._guard:
            if self._builds is not None:
                self._builds.shutdown(wait=False, cancel_futures=True)
