"""Stems: generic environments started ahead of demand, one small pool per runtime image
and size of /tmp (a container's /tmp is fixed when it starts; most functions keep the
default 512 MB, so most pools are one per runtime).

A cold start that finds a stem skips the container start (the slow part: ~200 ms, and
over a second when many containers start at once) and only links the code, sets the
memory limit and spawns the runtime.

1. Each runtime in use keeps ``target`` stems: at least ``prewarm``, and as many as
   the largest burst of cold starts seen in the last ``BURST_MEMORY`` seconds (at
   most ``MAX_STEMS``), so a burst that happened once is served warm the next time.
2. A taker gets a ready stem, else one already starting, else a new one.
3. Stems are replaced once no stem of that runtime is starting, so replacements do
   not slow down the containers a burst is waiting for.
4. A user's container image (an image function's) gets its own spare once a function on it is
   invoked, kept while it is invoked (``image_target``).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING

from host.core.states import EnvState
from host.environments.environment import DEFAULT_TMP_MB, Environment
from host.images.definitions import RuntimeDefinition

if TYPE_CHECKING:
    from host.environments.scheduler import Scheduler

log = logging.getLogger("lambda_host.stems")

BURST_WINDOW = 5.0  # cold starts this close together count as one burst
BURST_MEMORY = 600.0  # how long a burst keeps the pool larger
MAX_STEMS = 100  # a burst of 100 parallel invokes finds its stems the next time (~10 MB each while idle)
IMAGE_SPARES = 1  # stems kept per container image a function was invoked on

Kind = tuple[str, int]  # runtime id, size of /tmp in MB


def kind_of(env: Environment) -> Kind:
    return (env.runtime.id, env.tmp_mb)


def burst_target(prewarm: int, takes: list[float], now: float) -> int:
    """Stems to keep: the baseline, or the largest burst of takes remembered, capped.

    Example: prewarm 4, ten takes within one second two minutes ago -> 10. A baseline of
    0 turns stems off.
    """
    if prewarm <= 0:
        return 0
    recent = [t for t in takes if now - t <= BURST_MEMORY]
    largest = 0
    start = 0
    for end, taken in enumerate(recent):
        while taken - recent[start] > BURST_WINDOW:
            start += 1
        largest = max(largest, end - start + 1)
    return min(MAX_STEMS, max(prewarm, largest))


def image_target(prewarm: int, takes: list[float], now: float) -> int:
    """Spares of a user's image: one (more after a burst) while it was taken in the last
    ``BURST_MEMORY`` seconds, then none: images are many, each holds its own code, and one
    nobody invokes any more should not keep a container.

    Example: a take two minutes ago -> 1; ten takes within a second a minute ago -> 10; the last
    take eleven minutes ago -> 0.
    """
    if prewarm <= 0 or not any(now - taken <= BURST_MEMORY for taken in takes):
        return 0
    return burst_target(min(prewarm, IMAGE_SPARES), takes, now)


class StemPool:
    def __init__(self, scheduler: Scheduler, prewarm: int) -> None:
        self.scheduler = scheduler
        self.prewarm = prewarm
        self.spare: dict[Kind, list[Environment]] = {}  # not yet claimed: starting or ready
        self.starting: dict[Kind, int] = {}  # stems of each kind still starting, claimed or not
        self.takes: dict[Kind, deque[float]] = {}
        self.wanted: dict[Kind, RuntimeDefinition] = {}

    def want(self, runtime: RuntimeDefinition, tmp_mb: int = DEFAULT_TMP_MB) -> None:
        """Keep stems of ``runtime`` (with a /tmp of ``tmp_mb``) from now on."""
        self.wanted[(runtime.id, tmp_mb)] = runtime
        self.replenish(runtime, tmp_mb)

    def target(self, kind: Kind) -> int:
        definition = self.wanted.get(kind)
        takes = list(self.takes.get(kind, ()))
        if definition is not None and definition.image:
            return image_target(self.prewarm, takes, time.monotonic())
        return burst_target(self.prewarm, takes, time.monotonic())

    def take(self, runtime: RuntimeDefinition, tmp_mb: int = DEFAULT_TMP_MB) -> Environment:
        """A stem for a function of ``runtime``: a ready one, one on its way, or a new one."""
        kind = (runtime.id, tmp_mb)
        takes = self.takes.setdefault(kind, deque(maxlen=4 * MAX_STEMS))
        takes.append(time.monotonic())
        spare = self.spare.setdefault(kind, [])
        ready = [env for env in spare if env.state is EnvState.STEM]
        starting = [env for env in spare if env.state is EnvState.STARTING]
        env = ready[0] if ready else starting[0] if starting else self._start(runtime, tmp_mb)
        spare.remove(env)
        self.wanted.setdefault(kind, runtime)
        self.replenish(runtime, tmp_mb)
        return env

    def replenish(self, runtime: RuntimeDefinition, tmp_mb: int = DEFAULT_TMP_MB) -> None:
        kind = (runtime.id, tmp_mb)
        if kind not in self.wanted or self.scheduler.closing or self.starting.get(kind):
            return
        spare = self.spare.setdefault(kind, [])
        for _ in range(self.target(kind) - len(spare)):
            self._start(runtime, tmp_mb)

    def _start(self, runtime: RuntimeDefinition, tmp_mb: int) -> Environment:
        env = Environment(self.scheduler, runtime, tmp_mb)
        kind = kind_of(env)
        self.spare.setdefault(kind, []).append(env)
        self.starting[kind] = self.starting.get(kind, 0) + 1
        self.scheduler.spawn(self._run(env))
        return env

    async def _run(self, env: Environment) -> None:
        kind = kind_of(env)
        started = False
        try:
            await env.start()
            started = True
        except Exception as exc:  # a stem that cannot start is dropped; its taker hears why
            if not self.scheduler.closing:
                log.error("could not start a %s environment: %s", env.runtime.id, exc)
            self.forget(env)
            await env.destroy()
        finally:
            self.starting[kind] -= 1
        if started and not self.starting[kind]:
            self.replenish(env.runtime, env.tmp_mb)

    def trim(self) -> None:
        """Remove ready stems beyond each kind's target (a burst's extra stems, once forgotten)."""
        for kind, spare in self.spare.items():
            extra = len(spare) - self.target(kind)
            for env in [env for env in spare if env.state is EnvState.STEM][: max(0, extra)]:
                env.destroy()

    def forget(self, env: Environment) -> None:
        spare = self.spare.get(kind_of(env), [])
        if env in spare:
            spare.remove(env)

    def all(self) -> list[Environment]:
        return [env for spare in self.spare.values() for env in spare]
