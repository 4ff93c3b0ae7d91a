"""Debugged functions on the scheduler (fake backend): a container of their own, one at a time, no deadline."""

from __future__ import annotations

import asyncio

from host.debugging import Debugging
from tests.unit.environments.test_scheduler import Harness, payload, run


def test_a_debugged_function_gets_one_container_of_its_own_publishing_the_port(tmp_path):
    async def scenario():
        debug = Debugging({"sleep": 7100}, tmp_path / "cache")
        async with Harness(tmp_path, prewarm=2, debug=debug) as h:
            function = h.function("sleep", timeout=10)
            results = await asyncio.gather(*(h.invoke(function, {"seconds": 0.2}) for _ in range(3)))
            assert [payload(r) for r in results] == [{"seconds": 0.2}] * 3
            assert len(h.scheduler.environments()) == 1  # the three took turns
            published = [c.spec for c in h.backend.containers.values() if c.spec.ports]
            assert len(published) == 1 and published[0].ports == ((5678, "127.0.0.1", 7100),)
            assert published[0].memory_mb == function.memory_size  # made for the function, not a stem

    run(scenario())


def test_a_debugged_invocation_has_no_deadline(tmp_path):
    async def scenario():
        async with Harness(tmp_path, debug=Debugging({"sleep": 7101}, tmp_path / "cache")) as h:
            result = await h.invoke(h.function("sleep", timeout=1), {"seconds": 1.5})
            assert result.function_error is None and payload(result) == {"seconds": 1.5}

    run(scenario())


def test_other_functions_keep_their_stems_and_their_timeouts(tmp_path):
    async def scenario():
        async with Harness(tmp_path, debug=Debugging({"debugged": 7102}, tmp_path / "cache")) as h:
            result = await h.invoke(h.function("sleep", timeout=1), {"seconds": 30})
            assert result.error_type == "Sandbox.Timedout"
            assert not any(c.spec.ports for c in h.backend.containers.values())

    run(scenario())


def test_a_new_version_of_a_debugged_function_waits_for_the_old_container_to_go(tmp_path):
    async def scenario():
        async with Harness(tmp_path, debug=Debugging({"echo": 7103}, tmp_path / "cache")) as h:
            first = h.function("echo")
            assert payload(await h.invoke(first, {"v": 1})) == {"v": 1}
            second = h.function("echo", memory_size=256)  # changed: another pool, same port
            h.scheduler.retire("echo")
            assert payload(await h.invoke(second, {"v": 2})) == {"v": 2}
            assert len([c for c in h.backend.containers.values() if c.spec.ports]) == 1

    run(scenario())
