"""The environment lifecycle: every allowed transition moves, every other one is refused."""

import itertools

import pytest

from host.core.states import ALLOWED, EnvState, IllegalTransition, Lifecycle

PAIRS = list(itertools.product(EnvState, EnvState))
ALLOWED_PAIRS = [(a, b) for a, b in PAIRS if b in ALLOWED[a]]
REFUSED_PAIRS = [(a, b) for a, b in PAIRS if b not in ALLOWED[a]]


def _id(pair):
    return f"{pair[0].value}->{pair[1].value}"


def test_the_table_names_every_state():
    assert set(ALLOWED) == set(EnvState)


@pytest.mark.parametrize("pair", ALLOWED_PAIRS, ids=_id)
def test_an_allowed_transition_moves_the_environment(pair):
    source, target = pair
    lifecycle = Lifecycle(source)
    assert lifecycle.can(target)
    lifecycle.move(target)
    assert lifecycle.state is target


@pytest.mark.parametrize("pair", REFUSED_PAIRS, ids=_id)
def test_a_refused_transition_raises_and_leaves_the_state_unchanged(pair):
    source, target = pair
    lifecycle = Lifecycle(source)
    assert not lifecycle.can(target)
    with pytest.raises(IllegalTransition, match=f"^{source.value} -> {target.value}$"):
        lifecycle.move(target)
    assert lifecycle.state is source


def test_a_new_lifecycle_is_starting():
    assert Lifecycle().state is EnvState.STARTING


def test_the_transitions_on_the_diagram_are_allowed():
    expected = {
        (EnvState.STARTING, EnvState.STEM),
        (EnvState.STEM, EnvState.INITIALIZING),
        (EnvState.INITIALIZING, EnvState.IDLE),
        (EnvState.IDLE, EnvState.INVOKING),
        (EnvState.INVOKING, EnvState.IDLE),
        (EnvState.INITIALIZING, EnvState.FAILED),
        (EnvState.FAILED, EnvState.RESETTING),
        (EnvState.INVOKING, EnvState.RESETTING),
        (EnvState.RESETTING, EnvState.INITIALIZING),
        (EnvState.DESTROYING, EnvState.DESTROYED),
    }
    assert expected <= set(ALLOWED_PAIRS)


@pytest.mark.parametrize("state", [s for s in EnvState if s is not EnvState.DESTROYED])
def test_every_living_state_can_be_destroyed(state):
    lifecycle = Lifecycle(state)
    if state is not EnvState.DESTROYING:
        lifecycle.move(EnvState.DESTROYING)
    lifecycle.move(EnvState.DESTROYED)
    assert lifecycle.state is EnvState.DESTROYED


@pytest.mark.parametrize("state", list(EnvState), ids=lambda s: s.value)
def test_an_environment_is_alive_until_it_is_being_destroyed(state):
    expected = state not in (EnvState.DESTROYING, EnvState.DESTROYED)
    assert Lifecycle(state).alive is expected


def test_a_lifecycle_shows_its_state():
    assert repr(Lifecycle(EnvState.IDLE)) == "Lifecycle(Idle)"
