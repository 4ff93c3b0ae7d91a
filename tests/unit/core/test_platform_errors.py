"""Errors the platform reports: how a runtime ended, timeouts, oversized responses."""

import json
import signal

import pytest

from host.core.platform_errors import (
    MAX_RESPONSE_BYTES,
    exit_reason,
    response_too_large,
    runtime_exit_error,
    timeout_error,
)

RID = "req-1"


def exited(code):
    return code << 8


def killed_by(sig):
    return int(sig)


@pytest.mark.parametrize("code", [0, 1, 2, 127, 255])
def test_a_runtime_that_exits_reports_its_exit_status(code):
    assert exit_reason(exited(code)) == f"exit status {code}"


@pytest.mark.parametrize(
    ("sig", "text"),
    [
        (signal.SIGKILL, "signal: killed"),
        (signal.SIGSEGV, "signal: segmentation fault"),
        (signal.SIGABRT, "signal: aborted"),
        (signal.SIGTERM, "signal: terminated"),
    ],
)
def test_a_runtime_ended_by_a_signal_reports_it_as_go_names_it(sig, text):
    assert exit_reason(killed_by(sig)) == text


def test_a_signal_without_a_name_reports_its_number():
    assert exit_reason(killed_by(signal.SIGWINCH)) == f"signal: signal {int(signal.SIGWINCH)}"


def test_a_runtime_that_exits_cleanly_gave_no_reason():
    assert json.loads(runtime_exit_error(RID, exited(0))) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: req-1 Error: Runtime exited without providing a reason",
    }


def test_a_runtime_that_exits_with_a_status_reports_it():
    assert json.loads(runtime_exit_error(RID, exited(3))) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: req-1 Error: Runtime exited with error: exit status 3",
    }


def test_a_runtime_killed_by_a_signal_reports_the_signal():
    body = json.loads(runtime_exit_error(RID, killed_by(signal.SIGSEGV)))
    assert body["errorMessage"] == "RequestId: req-1 Error: Runtime exited with error: signal: segmentation fault"


def test_a_runtime_that_vanished_without_a_status_was_killed():
    body = json.loads(runtime_exit_error(RID, None))
    assert body["errorMessage"] == "RequestId: req-1 Error: Runtime exited with error: signal: killed"


def test_a_timeout_gives_the_seconds_with_two_decimals():
    assert json.loads(timeout_error(RID, 3)) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: req-1 Error: Task timed out after 3.00 seconds",
    }


def test_the_response_limit_is_six_megabytes_and_100_bytes():
    assert MAX_RESPONSE_BYTES == 6291556


def test_an_oversized_response_states_the_limit():
    assert json.loads(response_too_large()) == {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    }
