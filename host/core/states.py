"""The states of an execution environment and the transitions allowed between them.

::

    Starting ──► Initializing ──► Idle ◄──► Invoking
                     │  ▲           │          │
                     ▼  │           │          ▼
                   Failed ──► Resetting ◄──────┘   (timeout, crash, oversized response)

    any state ──► Destroying ──► Destroyed

1. ``Starting``: the container is being created; its agent has not called in yet.
2. ``Initializing``: the runtime was spawned and has not yet asked for work (``/next``).
4. ``Idle``: the runtime waits in ``/next``; the environment can take an invocation.
5. ``Invoking``: one invocation is in the runtime's hands.
6. ``Failed``: init failed; the error is kept for the next invocation, then the
   environment resets.
7. ``Resetting``: the runtime's processes are being killed; a fresh runtime follows.
8. ``Destroying``/``Destroyed``: the container is being or has been removed.

A transition not in the table raises ``IllegalTransition``.
"""

from __future__ import annotations

import enum


class EnvState(enum.Enum):
    STARTING = "Starting"
    STEM = "Stem"
    INITIALIZING = "Initializing"
    IDLE = "Idle"
    INVOKING = "Invoking"
    FAILED = "Failed"
    RESETTING = "Resetting"
    DESTROYING = "Destroying"
    DESTROYED = "Destroyed"


S = EnvState

ALLOWED: dict[EnvState, frozenset[EnvState]] = {
    S.STARTING: frozenset({S.STEM, S.DESTROYING}),
    S.STEM: frozenset({S.INITIALIZING, S.DESTROYING}),
    S.INITIALIZING: frozenset({S.IDLE, S.FAILED, S.RESETTING, S.DESTROYING}),
    S.IDLE: frozenset({S.INVOKING, S.RESETTING, S.DESTROYING}),
    S.INVOKING: frozenset({S.IDLE, S.RESETTING, S.DESTROYING}),
    S.FAILED: frozenset({S.RESETTING, S.DESTROYING}),
    S.RESETTING: frozenset({S.INITIALIZING, S.DESTROYING}),
    S.DESTROYING: frozenset({S.DESTROYED}),
    S.DESTROYED: frozenset(),
}


class IllegalTransition(RuntimeError):
    pass


class Lifecycle:
    """The current state of one environment; moves only along ``ALLOWED``."""

    __slots__ = ("state",)

    def __init__(self, state: EnvState = S.STARTING) -> None:
        self.state = state

    def can(self, target: EnvState) -> bool:
        return target in ALLOWED[self.state]

    def move(self, target: EnvState) -> None:
        if target not in ALLOWED[self.state]:
            raise IllegalTransition(f"{self.state.value} -> {target.value}")
        self.state = target

    @property
    def alive(self) -> bool:
        return self.state not in (S.DESTROYING, S.DESTROYED)

    def __repr__(self) -> str:
        return f"Lifecycle({self.state.value})"
