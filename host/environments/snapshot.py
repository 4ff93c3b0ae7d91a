"""A read-only picture of the warm pool, for the console: what crosses from the scheduler to a view.

Taken on the event loop (environments change there) and handed out as frozen values, so a
reader in another thread never touches a live ``Environment``. Nothing here changes the pool.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from host.core.states import EnvState

# The console's three words for the states of ``host.core.states`` (anything else: "other").
_PHASE = {
    EnvState.STARTING: "initialising",
    EnvState.STEM: "idle",
    EnvState.INITIALIZING: "initialising",
    EnvState.RESETTING: "initialising",
    EnvState.IDLE: "idle",
    EnvState.INVOKING: "busy",
    EnvState.FAILED: "failed",
    EnvState.DESTROYING: "stopping",
    EnvState.DESTROYED: "stopping",
}


@dataclass(frozen=True)
class EnvironmentView:
    id: str
    runtime: str
    state: str  # the environment's own state name (host.core.states)
    phase: str  # initialising, idle, busy, failed or stopping
    function: str | None  # None for a stem
    version: str | None
    memory_mb: int
    age_s: float
    idle_s: float
    invocations: int
    peak_memory_mb: int | None
    provisioned: bool


@dataclass(frozen=True)
class PoolSnapshot:
    environments: tuple[EnvironmentView, ...]  # given to functions
    stems: tuple[EnvironmentView, ...]  # generic, waiting for a function
    queued: dict[str, int]  # function name -> invocations waiting for an environment

    def to_json(self) -> dict:
        return {
            "Environments": [asdict(env) for env in self.environments],
            "Stems": [asdict(env) for env in self.stems],
            "Queued": dict(self.queued),
        }


def view_of(env, now: float | None = None) -> EnvironmentView:
    """One environment as the console shows it (``env`` is a ``host.environments.environment.Environment``)."""
    now = time.monotonic() if now is None else now
    function = env.function
    return EnvironmentView(
        id=env.id,
        runtime=env.runtime.id,
        state=env.state.value,
        phase=_PHASE.get(env.state, "other"),
        function=function.name if function is not None else None,
        version=function.version if function is not None else None,
        memory_mb=env.memory_mb,
        age_s=round(now - env.created, 3),
        idle_s=round(now - env.last_used, 3) if env.state is EnvState.IDLE else 0.0,
        invocations=env.invocations,
        peak_memory_mb=env.peak_memory_mb(),
        provisioned=env.provisioned,
    )


def snapshot(environments: Iterable, stems: Iterable, queued: dict[str, int]) -> PoolSnapshot:
    now = time.monotonic()
    alive = [env for env in environments if env.state is not EnvState.DESTROYED]
    return PoolSnapshot(
        environments=tuple(view_of(env, now) for env in alive),
        stems=tuple(view_of(env, now) for env in stems if env.state in (EnvState.STARTING, EnvState.STEM)),
        queued={name: count for name, count in queued.items() if count},
    )
