"""The Runtime API's routes and answers, driven through Exchanges with a recording runtime."""

import json
from types import SimpleNamespace

import pytest

from host.core.states import EnvState
from host.http.server import Exchange, Request
from host.runtime_api.server import NextWaiter, Outcome, RuntimeApi, streams_body

PREFIX = "/2018-06-01/runtime"


class Connection:
    """Stands in for the HTTP protocol: keeps what an exchange sends."""

    def __init__(self):
        self.transport = object()
        self.sent = []

    def send(self, exchange, status, headers, body):
        self.sent.append((status, list(headers), body))
        return True


class Runtime:
    """Records each call and answers with ``outcome``."""

    def __init__(self, outcome=None):
        self.outcome = outcome if outcome is not None else Outcome.accepted()
        self.calls = []

    def next_requested(self, waiter):
        self.calls.append(("next", waiter))
        return None

    def caller_allowed(self, address):
        return address != "172.17.0.99"  # the one foreign container of these tests

    def response_posted(self, request_id, body, too_large=False):
        self.calls.append(("response", request_id, body))
        return self.outcome

    def error_posted(self, request_id, body, error_type, content_type):
        self.calls.append(("error", request_id, body, error_type, content_type))
        return self.outcome

    def init_error_posted(self, body, error_type):
        self.calls.append(("init-error", body, error_type))
        return self.outcome

    def response_streamed(self, request_id, content_type, body, reply):
        self.calls.append(("streamed", request_id, content_type, body))
        self.reply = reply
        return None

    def response_mode_refused(self, request_id):
        self.calls.append(("mode-refused", request_id))
        return Outcome.invalid_response_mode()


def exchange(method, path, body=b"", headers=None):
    """An exchange for one request, and the connection that records its answer."""
    connection = Connection()
    request = Request(method, path, "", headers or {}, body, ("127.0.0.1", 1))
    return Exchange(connection, request, keep_alive=True), connection


def handle(runtime, method, path, body=b"", headers=None):
    ex, connection = exchange(method, path, body, headers)
    RuntimeApi(runtime).handle(ex)
    return ex, connection.sent


def test_next_parks_the_request_with_the_runtime():
    runtime = Runtime()
    ex, sent = handle(runtime, "GET", f"{PREFIX}/invocation/next")
    [(verb, waiter)] = runtime.calls
    assert verb == "next"
    assert isinstance(waiter, NextWaiter)
    assert waiter.exchange is ex
    assert sent == []
    assert not ex.answered


def test_next_is_answered_at_once_when_the_runtime_refuses_it():
    class Refusing(Runtime):
        def next_requested(self, waiter):
            return Outcome.invalid_state(EnvState.INVOKING, "Ready")

    _, [(status, headers, _)] = handle(Refusing(), "GET", f"{PREFIX}/invocation/next")
    assert status == 403
    assert headers == [("Content-Type", "application/json")]


def test_a_response_is_handed_over_and_accepted():
    runtime = Runtime()
    _, sent = handle(runtime, "POST", f"{PREFIX}/invocation/req-1/response", b'{"ok":true}')
    assert runtime.calls == [("response", "req-1", b'{"ok":true}')]
    assert sent == [(202, [("Content-Type", "application/json")], b'{"status":"OK"}')]


def test_an_error_passes_the_error_type_and_content_type():
    runtime = Runtime()
    headers = {"lambda-runtime-function-error-type": "Runtime.Custom", "content-type": "application/json"}
    _, sent = handle(runtime, "POST", f"{PREFIX}/invocation/req-1/error", b'{"errorType":"X"}', headers)
    assert runtime.calls == [("error", "req-1", b'{"errorType":"X"}', "Runtime.Custom", "application/json")]
    assert sent[0][0] == 202


def test_an_error_without_headers_passes_none_and_an_empty_content_type():
    runtime = Runtime()
    handle(runtime, "POST", f"{PREFIX}/invocation/req-1/error", b"{}")
    assert runtime.calls == [("error", "req-1", b"{}", None, "")]


def test_an_init_error_is_handed_over_with_its_type():
    runtime = Runtime()
    headers = {"lambda-runtime-function-error-type": "Runtime.ImportModuleError"}
    _, sent = handle(runtime, "POST", f"{PREFIX}/init/error", b'{"errorMessage":"no"}', headers)
    assert runtime.calls == [("init-error", b'{"errorMessage":"no"}', "Runtime.ImportModuleError")]
    assert sent[0][0] == 202


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/2018-06-01/runtime/unknown"),
        ("POST", f"{PREFIX}/invocation/next"),
        ("GET", f"{PREFIX}/invocation/req-1/response"),
        ("POST", f"{PREFIX}/invocation/req-1/other"),
        ("GET", f"{PREFIX}/init/error"),
        ("GET", "/"),
    ],
)
def test_an_unknown_route_is_not_found(method, path):
    runtime = Runtime()
    _, sent = handle(runtime, method, path)
    assert runtime.calls == []
    assert sent == [
        (404, [("Content-Type", "application/json")], b'{"errorMessage":"Not found","errorType":"NotFound"}')
    ]


def test_the_runtimes_outcome_is_the_answer():
    _, [(status, _, body)] = handle(Runtime(Outcome.too_large()), "POST", f"{PREFIX}/invocation/r/response", b"x")
    assert status == 413
    assert json.loads(body) == {
        "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "RequestEntityTooLarge",
    }


def test_accepted_is_202_with_status_ok():
    outcome = Outcome.accepted()
    assert (outcome.status, outcome.body) == (202, b'{"status":"OK"}')


def test_a_wrong_request_id_is_400_invalid_request_id():
    outcome = Outcome.invalid_request_id()
    assert outcome.status == 400
    assert json.loads(outcome.body) == {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}


def test_a_refused_state_transition_is_403_with_the_emulators_message():
    outcome = Outcome.invalid_state(EnvState.IDLE, "InitError")
    assert outcome.status == 403
    assert json.loads(outcome.body) == {
        "errorMessage": "State transition from Ready to InitError failed for runtime. "
        "Error: State transition is not allowed",
        "errorType": "InvalidStateTransition",
    }


def test_a_refused_state_transition_names_the_state_as_the_emulator_does():
    outcome = Outcome.invalid_state(EnvState.INVOKING, "Ready")
    assert json.loads(outcome.body)["errorMessage"] == (
        "State transition from Running to Ready failed for runtime. Error: State transition is not allowed"
    )


def invocation(client_context=None):
    return SimpleNamespace(
        request_id="req-1",
        invoked_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        trace_id="Root=1-abc",
        client_context=client_context,
        payload=b'{"a":1}',
    )


def test_a_delivered_invocation_carries_its_headers_and_payload():
    ex, connection = exchange("GET", f"{PREFIX}/invocation/next")
    assert NextWaiter(ex).deliver(invocation(), 1_700_000_000_000)
    [(status, headers, body)] = connection.sent
    assert status == 200
    assert body == b'{"a":1}'
    assert headers == [
        ("Lambda-Runtime-Aws-Request-Id", "req-1"),
        ("Lambda-Runtime-Deadline-Ms", "1700000000000"),
        ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:f"),
        ("Lambda-Runtime-Trace-Id", "Root=1-abc"),
        ("Content-Type", "application/json"),
    ]


def test_a_client_context_is_delivered_when_there_is_one():
    ex, connection = exchange("GET", f"{PREFIX}/invocation/next")
    NextWaiter(ex).deliver(invocation('{"custom":{}}'), 1)
    assert ("Lambda-Runtime-Client-Context", '{"custom":{}}') in connection.sent[0][1]


def test_a_closed_waiter_tells_the_runtime_to_exit_once():
    ex, connection = exchange("GET", f"{PREFIX}/invocation/next")
    waiter = NextWaiter(ex)
    waiter.close()
    waiter.close()
    waiter.refuse(Outcome.invalid_request_id())
    [(status, _, body)] = connection.sent
    assert status == 500
    assert json.loads(body) == {
        "errorMessage": "Container error. Non-recoverable state. Runtime should exit promptly.",
        "errorType": "InternalServerError",
    }


def test_a_refused_waiter_gets_the_outcome():
    ex, connection = exchange("GET", f"{PREFIX}/invocation/next")
    NextWaiter(ex).refuse(Outcome.invalid_state(EnvState.INVOKING, "Ready"))
    assert connection.sent[0][0] == 403


def test_a_caller_that_is_not_the_environments_container_is_refused_and_changes_nothing():
    runtime = Runtime()
    connection = Connection()
    request = Request("GET", f"{PREFIX}/invocation/next", "", {}, b"", ("172.17.0.99", 40000))
    RuntimeApi(runtime).handle(Exchange(connection, request, keep_alive=True))
    [(status, _, body)] = connection.sent
    assert status == 403
    assert json.loads(body)["errorType"] == "AccessDenied"
    assert runtime.calls == []


STREAMING = {"lambda-runtime-function-response-mode": "streaming", "content-type": "text/plain"}


def test_a_streamed_response_is_handed_over_with_its_body_to_come_and_answered_later():
    runtime = Runtime()
    path = f"{PREFIX}/invocation/req-1/response"
    assert streams_body(Request("POST", path, "", STREAMING, b"", ("127.0.0.1", 1)))
    assert not streams_body(Request("POST", f"{PREFIX}/invocation/req-1/error", "", STREAMING, b"", None))
    assert not streams_body(Request("POST", path, "", {}, b"", None))
    ex, connection = exchange("POST", path, headers=STREAMING)
    ex.request.body_stream = body = object()
    RuntimeApi(runtime).handle(ex)
    assert runtime.calls == [("streamed", "req-1", "text/plain", body)]
    assert connection.sent == []
    runtime.reply(Outcome.accepted())
    runtime.reply(Outcome.accepted())  # answered once only
    assert connection.sent == [(202, [("Content-Type", "application/json")], b'{"status":"OK"}')]


def test_a_response_in_another_mode_is_refused_with_400():
    runtime = Runtime()
    headers = {"lambda-runtime-function-response-mode": "buffered-please"}
    _, [(status, _, body)] = handle(runtime, "POST", f"{PREFIX}/invocation/req-1/response", b"{}", headers)
    assert runtime.calls == [("mode-refused", "req-1")]
    assert status == 400
    assert json.loads(body) == {
        "errorMessage": "Invalid function response mode",
        "errorType": "InvalidFunctionResponseMode",
    }
