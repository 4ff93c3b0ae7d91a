"""Pool policy: pure decisions about which environment does what. No I/O, no clocks.

1. ``pick_idle``: among environments that can take work, the one used last (so the
   others fall idle and get reaped first when demand drops).
2. ``starts_needed``: how many new environments to start for the invocations
   waiting, counting those already on their way, within a ceiling.
3. ``expired``: which idle environments have waited longer than the idle timeout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from host.core.states import EnvState

COMING = frozenset({EnvState.STARTING, EnvState.STEM, EnvState.INITIALIZING, EnvState.RESETTING})
RESTING = frozenset({EnvState.IDLE, EnvState.FAILED})


class EnvView(Protocol):
    @property
    def state(self) -> EnvState: ...

    last_used: float


E = TypeVar("E", bound=EnvView)


def pick_idle(envs: Iterable[E]) -> E | None:
    best = None
    for env in envs:
        if env.state is EnvState.IDLE and (best is None or env.last_used > best.last_used):
            best = env
    return best


def pick_failed(envs: Iterable[E]) -> E | None:
    for env in envs:
        if env.state is EnvState.FAILED:
            return env
    return None


def starts_needed(waiting: int, envs: Sequence[EnvView], ceiling: int | None = None) -> int:
    """New environments to start so every waiting invocation has one coming.

    Example: 3 invocations waiting, 1 environment initializing -> start 2. With a
    ceiling of 2 environments for this function and 1 existing -> start 1.
    """
    coming = sum(1 for env in envs if env.state in COMING)
    needed = max(0, waiting - coming)
    if ceiling is not None:
        alive = sum(1 for env in envs if env.state not in (EnvState.DESTROYING, EnvState.DESTROYED))
        needed = min(needed, max(0, ceiling - alive))
    return needed


def expired(envs: Iterable[E], now: float, idle_timeout: float) -> list[E]:
    return [env for env in envs if env.state in RESTING and now - env.last_used >= idle_timeout]
