"""Error bodies, stack traces and [ERROR] log lines as AWS's Python runtime writes them."""

NBSP = "\u00a0"
TRACE = ['  File "/var/task/app.py", line 3, in handler\n    raise ValueError("bad")\n']


def test_the_error_log_line_joins_its_lines_with_carriage_returns(client):
    line = client.faults.error_log_line({"errorType": "ValueError", "errorMessage": "bad", "stackTrace": TRACE})
    assert line == (
        "[ERROR] ValueError: bad\r"
        "Traceback (most recent call last):\r"
        f'{NBSP * 2}File "/var/task/app.py", line 3, in handler\r'
        f'{NBSP * 4}raise ValueError("bad")\n'
    )


def test_an_error_without_a_message_shows_only_its_type(client):
    assert client.faults.error_log_line({"errorType": "KeyError", "errorMessage": ""}) == (
        "[ERROR] KeyError\rTraceback (most recent call last):\n"
    )


def test_an_error_without_a_type_shows_only_its_message(client):
    assert client.faults.error_log_line({"errorMessage": "lost"}) == (
        "[ERROR] lost\rTraceback (most recent call last):\n"
    )


def test_an_empty_trace_element_stays_an_empty_line(client):
    line = client.faults.error_log_line({"errorType": "E", "errorMessage": "m", "stackTrace": ["", "  x\n"]})
    assert line == f"[ERROR] E: m\rTraceback (most recent call last):\r\r{NBSP * 2}x\n"


def _traceback_through_the_runtime_loop():
    """An exception raised in user code called from a frame of a file named bootstrap.py."""
    namespace = {}
    runtime = "def call(handler):\n    try:\n        handler()\n    except Exception as exc:\n        return exc\n"
    exec(compile(runtime, "/var/runtime/bootstrap.py", "exec"), namespace)
    user = "def helper():\n    raise ValueError('bad')\ndef handler():\n    helper()\n"
    exec(compile(user, "/var/task/app.py", "exec"), namespace)
    return namespace["call"](namespace["handler"])


def test_user_frames_start_after_the_runtime_loop(client):
    exc = _traceback_through_the_runtime_loop()
    frames = client.faults.user_frames(exc.__traceback__)
    assert [(f[0], f[1], f[2]) for f in frames] == [
        ("/var/task/app.py", 4, "handler"),
        ("/var/task/app.py", 2, "helper"),
    ]


def test_a_trace_without_runtime_frames_is_kept_whole(client):
    try:
        raise RuntimeError("x")
    except RuntimeError as exc:
        frames = client.faults.user_frames(exc.__traceback__)
    assert len(frames) == 1
    assert frames[0][2] == "test_a_trace_without_runtime_frames_is_kept_whole"


def test_the_error_body_of_a_user_exception_names_its_class_and_trace(client):
    exc = _traceback_through_the_runtime_loop()
    body = client.faults.error_from_exception(exc, "req-1")
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad"
    assert body["requestId"] == "req-1"
    assert len(body["stackTrace"]) == 2
    assert body["stackTrace"][0].startswith('  File "/var/task/app.py", line 4, in handler\n')


def test_the_error_body_of_a_fault_keeps_its_runtime_error_type(client):
    fault = client.faults.FaultException("Runtime.HandlerNotFound", "missing", ["t"])
    assert client.faults.error_from_exception(fault, "") == {
        "errorMessage": "missing",
        "errorType": "Runtime.HandlerNotFound",
        "requestId": "",
        "stackTrace": ["t"],
    }
