"""Pool policy: which environment takes work, how many to start, which ones to reap."""

from dataclasses import dataclass

import pytest

from host.core.pool import expired, pick_failed, pick_idle, starts_needed
from host.core.states import EnvState

S = EnvState


@dataclass
class Env:
    state: EnvState
    last_used: float = 0.0


def test_the_most_recently_used_idle_environment_takes_the_invocation():
    old, recent, busy = Env(S.IDLE, 1.0), Env(S.IDLE, 5.0), Env(S.INVOKING, 9.0)
    assert pick_idle([old, busy, recent]) is recent


def test_no_environment_is_picked_when_none_is_idle():
    assert pick_idle([Env(S.INVOKING, 3.0), Env(S.STARTING), Env(S.FAILED)]) is None
    assert pick_idle([]) is None


def test_the_first_failed_environment_is_picked_to_report_its_init_error():
    first, second = Env(S.FAILED, 1.0), Env(S.FAILED, 2.0)
    assert pick_failed([Env(S.IDLE), first, second]) is first


def test_no_failed_environment_is_picked_when_none_failed():
    assert pick_failed([Env(S.IDLE), Env(S.INVOKING)]) is None


def test_one_environment_starts_per_waiting_invocation():
    assert starts_needed(3, []) == 3


def test_nothing_starts_when_nothing_waits():
    assert starts_needed(0, [Env(S.IDLE)]) == 0


@pytest.mark.parametrize("coming", [S.STARTING, S.STEM, S.INITIALIZING, S.RESETTING])
def test_environments_on_their_way_count_against_the_starts(coming):
    assert starts_needed(3, [Env(coming)]) == 2


@pytest.mark.parametrize("settled", [S.IDLE, S.INVOKING, S.FAILED, S.DESTROYING, S.DESTROYED])
def test_settled_environments_do_not_count_as_coming(settled):
    assert starts_needed(2, [Env(settled)]) == 2


def test_more_coming_than_waiting_starts_none():
    assert starts_needed(1, [Env(S.STARTING), Env(S.INITIALIZING)]) == 0


def test_the_ceiling_limits_starts_to_the_room_left():
    assert starts_needed(3, [Env(S.INVOKING)], ceiling=2) == 1


def test_a_full_ceiling_starts_nothing():
    assert starts_needed(5, [Env(S.INVOKING), Env(S.INVOKING)], ceiling=2) == 0


def test_environments_being_destroyed_leave_room_under_the_ceiling():
    envs = [Env(S.DESTROYING), Env(S.DESTROYED), Env(S.INVOKING)]
    assert starts_needed(4, envs, ceiling=3) == 2


def test_idle_and_failed_environments_expire_after_the_idle_timeout():
    idle, failed = Env(S.IDLE, 0.0), Env(S.FAILED, 40.0)
    fresh, busy = Env(S.IDLE, 90.0), Env(S.INVOKING, 0.0)
    assert expired([idle, failed, fresh, busy], now=100.0, idle_timeout=60.0) == [idle, failed]


def test_an_environment_expires_exactly_at_the_idle_timeout():
    env = Env(S.IDLE, 40.0)
    assert expired([env], now=100.0, idle_timeout=60.0) == [env]
    assert expired([env], now=99.9, idle_timeout=60.0) == []
