import asyncio
import json
from types import SimpleNamespace

from host.environments.extensions_link import ExtensionsLink, extension_frame, find_extensions
from host.extensions.registry import Registry


class FakeExchange:
    def __init__(self, method: str, path: str, headers: dict | None = None, body: bytes = b"") -> None:
        self.request = SimpleNamespace(method=method, path=path, headers=headers or {}, body=body)
        self.answers: list[tuple[int, dict, bytes]] = []

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    def respond(self, status, headers=(), body=b"") -> bool:
        self.answers.append((status, dict(headers), body))
        return True


def _link(paths=("/opt/extensions/a",)) -> ExtensionsLink:
    return ExtensionsLink(asyncio.new_event_loop(), Registry("fn", "1", "app.handler"), list(paths))


def _register(link: ExtensionsLink, name: str) -> str:
    exchange = FakeExchange(
        "POST", "/2020-01-01/extension/register", {"lambda-extension-name": name}, b'{"events":["INVOKE"]}'
    )
    link.api.handle(exchange)
    status, headers, _ = exchange.answers[0]
    assert status == 200
    return headers["Lambda-Extension-Identifier"]


def test_the_runtime_starts_once_every_extension_has_registered():
    link = _link(["/opt/extensions/a", "/opt/extensions/b"])
    started, frames = [], []
    link.start(frames.append, {"X": "1"}, lambda: started.append(True))
    assert len(frames) == 2 and not started
    _register(link, "a")
    assert not started
    _register(link, "b")
    assert started == [True]
    assert not link.registry.registration_open


def test_an_extension_that_fails_to_start_does_not_hold_the_runtime_back():
    link = _link(["/opt/extensions/a", "/opt/extensions/b"])
    started = []
    link.start(lambda frame: None, {}, lambda: started.append(True))
    _register(link, "a")
    link.extension_failed()
    assert started == [True]


def test_event_next_over_http_delivers_the_invoke_and_releases_the_barrier():
    link = _link()
    link.start(lambda frame: None, {}, lambda: None)
    ident = _register(link, "a")
    released = []
    nxt = FakeExchange("GET", "/2020-01-01/extension/event/next", {"lambda-extension-identifier": ident})
    link.api.handle(nxt)
    link.when_all_waiting(lambda: released.append("init"))
    assert released == ["init"]
    link.registry.invoke("r1", "arn", 5, None)
    status, headers, body = nxt.answers[0]
    assert status == 200 and "Lambda-Extension-Event-Identifier" in headers
    assert json.loads(body)["requestId"] == "r1"
    link.when_all_waiting(lambda: released.append("invoke"))
    assert released == ["init"]
    link.api.handle(FakeExchange("GET", "/2020-01-01/extension/event/next", {"lambda-extension-identifier": ident}))
    assert released == ["init", "invoke"]


def test_an_init_error_is_reported_with_its_type():
    link = _link()
    failures = []
    link.on_init_error = lambda error_type, body: failures.append(error_type)
    ident = _register(link, "a")
    exchange = FakeExchange(
        "POST",
        "/2020-01-01/extension/init/error",
        {"lambda-extension-identifier": ident, "lambda-extension-function-error-type": "Extension.ConfigInvalid"},
        b"{}",
    )
    link.api.handle(exchange)
    assert exchange.answers[0][0] == 202
    assert failures == ["Extension.ConfigInvalid"]


def test_a_bad_subscription_is_refused_with_400():
    link = _link()
    ident = _register(link, "a")
    exchange = FakeExchange("PUT", "/2022-07-01/telemetry", {"lambda-extension-identifier": ident}, b"{}")
    link.api.handle(exchange)
    status, _, body = exchange.answers[0]
    assert status == 400 and json.loads(body)["errorType"] == "Telemetry.InvalidRequest"
    assert link.buffers == []


def test_only_executables_in_extensions_are_found(tmp_path):
    (tmp_path / "extensions").mkdir()
    (tmp_path / "extensions" / "b").write_text("#!/bin/sh\n")
    (tmp_path / "extensions" / "b").chmod(0o755)
    (tmp_path / "extensions" / "notes.txt").write_text("x")
    assert find_extensions(str(tmp_path)) == ["/opt/extensions/b"]
    assert find_extensions(None) == []
    assert b"extension\x00/opt\x001\x00/opt/extensions/b\x00K=V" in extension_frame("/opt/extensions/b", {"K": "V"})
