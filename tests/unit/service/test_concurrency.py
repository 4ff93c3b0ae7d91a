"""Reserved concurrency: the gate counts only reserved functions and refuses the one over the limit with 429."""

from dataclasses import dataclass

import pytest

from host.core.errors import TooManyRequests
from host.service.concurrency import HOST_LIMIT_REASON, RESERVED_LIMIT_REASON, ConcurrencyGate, default_host_limit


@dataclass
class Function:
    reserved_concurrency: int | None


class Store:
    """Just what the gate reads: ``get(name)`` with ``reserved_concurrency``, or None for no such function."""

    def __init__(self, **limits: int | None) -> None:
        self.functions = {name: Function(limit) for name, limit in limits.items()}
        self.provisioned: dict[str, list] = {}
        self.aliases: dict = {}

    def get(self, name: str) -> Function | None:
        return self.functions.get(name)

    def provisioned_configs(self, name: str) -> list:
        return self.provisioned.get(name, [])

    def alias(self, name: str, alias: str):
        return self.aliases.get((name, alias))


def test_a_function_without_a_reservation_is_limited_only_by_the_host():
    gate = ConcurrencyGate(Store(free=None), host_limit=1000)
    assert [gate.enter("free") for _ in range(100)] == [True] * 100
    assert gate.running == {"free": 100} and gate.total == 100


def test_the_host_limit_refuses_with_its_own_reason_and_counts_every_function():
    gate = ConcurrencyGate(Store(a=None, b=5), host_limit=2)
    gate.enter("a")
    gate.enter("b")
    for name in ("a", "b"):
        with pytest.raises(TooManyRequests) as caught:
            gate.enter(name)
        assert caught.value.reason == HOST_LIMIT_REASON == "ConcurrentInvocationLimitExceeded"
    gate.leave("a")
    assert gate.enter("b") is True and gate.total == 2


def test_the_default_host_limit_follows_the_machines_memory():
    assert 10 <= default_host_limit() <= 1000


def test_a_reservation_of_two_lets_two_in_and_refuses_the_third():
    gate = ConcurrencyGate(Store(fn=2))
    assert gate.enter("fn") is True
    assert gate.enter("fn") is True
    assert gate.running == {"fn": 2}
    with pytest.raises(TooManyRequests) as caught:
        gate.enter("fn")
    assert caught.value.reason == RESERVED_LIMIT_REASON == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert caught.value.message == "Rate Exceeded."
    assert caught.value.code == "TooManyRequestsException"
    assert gate.running == {"fn": 2}  # the refused one is not counted


def test_leaving_frees_a_slot():
    gate = ConcurrencyGate(Store(fn=2))
    gate.enter("fn")
    gate.enter("fn")
    gate.leave("fn")
    assert gate.running == {"fn": 1}
    assert gate.enter("fn") is True
    with pytest.raises(TooManyRequests):
        gate.enter("fn")


def test_the_count_is_forgotten_when_the_last_one_leaves():
    gate = ConcurrencyGate(Store(fn=1))
    gate.enter("fn")
    gate.leave("fn")
    assert gate.running == {}
    gate.leave("fn")  # an extra leave does not go negative
    assert gate.running == {} and gate.total == 0
    assert gate.enter("fn") is True
    with pytest.raises(TooManyRequests):
        gate.enter("fn")


def test_a_reservation_of_zero_always_throttles():
    gate = ConcurrencyGate(Store(off=0))
    for _ in range(3):
        with pytest.raises(TooManyRequests) as caught:
            gate.enter("off")
        assert caught.value.reason == RESERVED_LIMIT_REASON
    assert gate.running == {}


def test_functions_are_counted_apart():
    gate = ConcurrencyGate(Store(a=1, b=1, free=None))
    assert gate.enter("a") is True
    assert gate.enter("b") is True
    assert gate.enter("free") is True
    with pytest.raises(TooManyRequests):
        gate.enter("a")
    gate.leave("b")
    assert gate.running == {"a": 1, "free": 1}


def test_the_limit_is_read_at_every_entry():
    store = Store(fn=1)
    gate = ConcurrencyGate(store)
    gate.enter("fn")
    with pytest.raises(TooManyRequests):
        gate.enter("fn")
    store.functions["fn"].reserved_concurrency = 3  # PutFunctionConcurrency raised it
    assert gate.enter("fn") is True
    assert gate.enter("fn") is True
    with pytest.raises(TooManyRequests):
        gate.enter("fn")
    store.functions["fn"].reserved_concurrency = None  # DeleteFunctionConcurrency
    assert gate.enter("fn") is True


def test_provisioned_concurrency_is_carved_out_of_the_reservation_for_other_versions():
    from types import SimpleNamespace

    store = Store(fn=2)
    store.provisioned["fn"] = [SimpleNamespace(qualifier="live", requested=2)]
    store.aliases[("fn", "live")] = SimpleNamespace(function_version="1")
    gate = ConcurrencyGate(store, host_limit=100)
    with pytest.raises(TooManyRequests) as caught:  # $LATEST: reserved 2 - provisioned 2 = 0
        gate.enter("fn", "$LATEST")
    assert caught.value.reason == RESERVED_LIMIT_REASON
    assert gate.enter("fn", "1") and gate.enter("fn", "1")  # the provisioned version has all of it
    with pytest.raises(TooManyRequests):
        gate.enter("fn", "1")
