"""The scheduler and environments over the fake backend: behaviour without Docker."""

import asyncio
import json
from pathlib import Path

import pytest

from host.core.invocation import InvokeRequest
from host.core.model import CodeRef, FunctionConfig
from host.environments.fake_backend import FakeBackend
from host.environments.logsink import LogSink
from host.environments.scheduler import Scheduler, Settings
from host.images.definitions import RUNTIMES_DIR, load_definition


class Catalog:
    def __init__(self):
        self.python = load_definition(RUNTIMES_DIR / "python3.11")

    def definition(self, runtime):
        return self.python

    def image(self, runtime):
        return "fake-image"

    def shared_mounts(self, runtime):
        return []


class Harness:
    """A scheduler on the fake backend, with the functions it knows."""

    def __init__(self, tmp_path: Path, **settings):
        self.tmp_path = tmp_path
        self.backend = FakeBackend()
        self.functions: dict[str, FunctionConfig] = {}
        self.settings = Settings(
            bind_host="127.0.0.1", container_host="127.0.0.1", lambda_endpoint="http://127.0.0.1:1",
            slots_dir=tmp_path / "slots", **settings,
        )  # fmt: skip
        self.count = 0

    async def __aenter__(self):
        loop = asyncio.get_running_loop()
        self.scheduler = Scheduler(
            loop, self.backend, self.settings, Catalog(), opt_for=lambda f: None,
            current_function=lambda name, version: self.functions.get(name), log_sink=LogSink(loop, enabled=False),
        )  # fmt: skip
        await self.scheduler.start()
        return self

    async def __aexit__(self, *exc):
        await self.scheduler.close()

    def function(self, handler: str, **changes) -> FunctionConfig:
        code = self.tmp_path / "code"
        code.mkdir(exist_ok=True)
        (code / "app.py").write_text("# fake")
        name = changes.pop("name", handler)
        function = FunctionConfig(
            name=name, arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}", runtime="python3.11",
            handler=handler, role="r", code=CodeRef("sha", 1, str(code)), revision_id="r1", **changes,
        )  # fmt: skip
        self.functions[name] = function
        return function

    async def invoke(self, function: FunctionConfig, event: dict | None = None):
        self.count += 1
        request = InvokeRequest(
            function=function, payload=json.dumps(event or {}).encode(), request_id=f"req-{self.count}",
            invoked_arn=function.arn, trace_id="Root=1-0-0",
        )  # fmt: skip
        return await asyncio.wait_for(self.scheduler.invoke(request), 15)


def run(coro):
    return asyncio.run(coro)


def payload(result):
    return json.loads(result.payload)


def test_a_warm_environment_serves_the_next_invocations(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("count")
            results = [payload(await h.invoke(function)) for _ in range(3)]
            assert results == [1, 2, 3]
            assert len(h.scheduler.environments()) == 1

    run(scenario())


def test_concurrent_invocations_get_environments_of_their_own(tmp_path):
    async def scenario():
        async with Harness(tmp_path, prewarm=0) as h:
            function = h.function("sleep", timeout=10)
            results = await asyncio.gather(*(h.invoke(function, {"seconds": 0.5}) for _ in range(3)))
            assert [payload(r) for r in results] == [{"seconds": 0.5}] * 3
            assert len(h.scheduler.environments()) == 3

    run(scenario())


def test_a_timeout_answers_sandbox_timedout_and_the_runtime_is_replaced(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("sleep", timeout=1)
            result = await h.invoke(function, {"seconds": 30})
            assert result.function_error == "Unhandled"
            assert result.error_type == "Sandbox.Timedout"
            assert payload(result)["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
            again = await h.invoke(function, {"seconds": 0})
            assert again.function_error is None

    run(scenario())


def test_a_runtime_exit_mid_invocation_is_runtime_exit_error(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("exit")
            result = await h.invoke(function, {"status": 3})
            assert payload(result) == {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: req-{h.count} Error: Runtime exited with error: exit status 3",
            }
            assert (await h.invoke(h.function("exit", name="exit-zero"), {"status": 0})).payload.endswith(
                b'Runtime exited without providing a reason"}'
            )

    run(scenario())


def test_an_init_error_is_the_answer_of_every_invocation_that_tries_init(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("init-error")
            for _ in range(2):
                result = await h.invoke(function)
                assert result.function_error == "Unhandled"
                assert payload(result) == {"errorMessage": "bad init", "errorType": "Runtime.ImportModuleError"}

    run(scenario())


def test_an_error_posted_by_the_runtime_is_a_function_error(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            result = await h.invoke(h.function("raise"))
            assert result.function_error == "Unhandled"
            assert result.error_type == "Exception"

    run(scenario())


def test_a_container_killed_from_outside_fails_its_invocation_and_is_replaced(tmp_path):
    async def scenario():
        async with Harness(tmp_path, prewarm=0) as h:
            function = h.function("sleep", timeout=30)
            running = asyncio.ensure_future(h.invoke(function, {"seconds": 30}))
            while not h.scheduler.environments() or not h.scheduler.environments()[0].current:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            container = h.scheduler.environments()[0].container
            h.backend.kill_container(container.id)
            result = await running
            assert payload(result)["errorType"] == "Runtime.ExitError"
            assert (await h.invoke(function, {"seconds": 0})).function_error is None

    run(scenario())


def test_an_init_that_never_finishes_gives_up(tmp_path):
    async def scenario():
        async with Harness(tmp_path, init_timeout=0.2) as h:
            result = await h.invoke(h.function("never-ready", timeout=1))
            assert result.error_type == "Sandbox.Timedout"

    run(scenario())


def test_idle_environments_are_removed_after_the_idle_timeout(tmp_path):
    async def scenario():
        async with Harness(tmp_path, idle_timeout=0.2, prewarm=0) as h:
            await h.invoke(h.function("echo"))
            assert len(h.scheduler.environments()) == 1
            for _ in range(50):
                await asyncio.sleep(0.05)
                if not h.scheduler.environments():
                    break
            assert h.scheduler.environments() == []
            assert h.backend.containers == {}

    run(scenario())


def test_a_changed_function_retires_its_idle_environments(tmp_path):
    async def scenario():
        async with Harness(tmp_path, prewarm=0) as h:
            function = h.function("count")
            await h.invoke(function)
            h.function("count", memory_size=256)
            h.scheduler.retire("count")
            for _ in range(250):
                await asyncio.sleep(0.02)
                if not h.scheduler.environments():
                    break
            assert h.scheduler.environments() == []

    run(scenario())


def test_closing_removes_every_container(tmp_path):
    async def scenario():
        h = Harness(tmp_path, prewarm=2)
        async with h:
            await h.invoke(h.function("echo"))
            h.scheduler.prewarm("python3.11")
            await asyncio.sleep(0.2)
            assert h.backend.containers
        assert h.backend.containers == {}

    run(scenario())


@pytest.mark.parametrize("prewarm", [0, 2])
def test_memory_limit_follows_the_function(tmp_path, prewarm):
    async def scenario():
        async with Harness(tmp_path, prewarm=prewarm) as h:
            await h.invoke(h.function("echo", memory_size=512))
            env = h.scheduler.environments()[0]
            assert h.backend.containers[env.container.id].memory_mb == 512

    run(scenario())


def test_the_pool_snapshot_shows_busy_and_idle_environments_with_their_counts(tmp_path):
    async def scenario():
        async with Harness(tmp_path, prewarm=1) as h:
            function = h.function("sleep", timeout=10)
            await h.invoke(function, {"seconds": 0})
            running = asyncio.ensure_future(h.invoke(function, {"seconds": 0.5}))
            while not any(env.phase == "busy" for env in h.scheduler.snapshot().environments):
                await asyncio.sleep(0.01)
            [busy] = h.scheduler.snapshot().environments
            assert (busy.function, busy.version, busy.state, busy.invocations) == ("sleep", "$LATEST", "Invoking", 2)
            await running
            snapshot = h.scheduler.snapshot()
            [idle] = snapshot.environments
            assert (idle.phase, idle.invocations) == ("idle", 2) and idle.age_s > 0
            assert snapshot.to_json()["Environments"][0]["id"] == idle.id
            assert all(stem.function is None and stem.runtime == "python3.11" for stem in snapshot.stems)

    run(scenario())


def test_a_stem_starts_its_runtime_ahead_and_its_function_resumes_it(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            assert payload(await h.invoke(h.function("count"))) == 1
            used = [c.verbs for c in h.backend.containers.values() if c.verbs != ["prestart"]]  # not spare stems
            assert used == [["prestart", "resume"]]

    run(scenario())


def test_a_function_that_sets_a_variable_read_at_start_spawns_its_runtime_afresh(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("count", environment=(("PYTHONWARNINGS", "error"),))
            assert payload(await h.invoke(function)) == 1
            used = [c.verbs for c in h.backend.containers.values() if c.verbs != ["prestart"]]  # not spare stems
            assert used == [["prestart", "spawn"]]

    run(scenario())


def test_a_runtime_restarted_after_a_timeout_is_spawned_not_resumed(tmp_path):
    async def scenario():
        async with Harness(tmp_path) as h:
            function = h.function("sleep", timeout=1)
            result = await h.invoke(function, {"seconds": 5})
            assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
            assert payload(await h.invoke(function, {"seconds": 0})) == {"seconds": 0}
            used = [c.verbs for c in h.backend.containers.values() if c.verbs != ["prestart"]]  # not spare stems
            assert used == [["prestart", "resume", "spawn"]]

    run(scenario())
