"""Errors the platform itself reports to the caller, in AWS's exact words.

These bodies have only ``errorType`` and ``errorMessage`` (no trace, no requestId),
unlike the errors a runtime reports for user code.
"""

from __future__ import annotations

import json
import os
import signal

MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100  # 6291556, the Runtime API's limit on a response body

# How Go (and so Lambda) names the signals that end a process: "signal: killed".
_SIGNAL_TEXT = {
    signal.SIGHUP: "hangup",
    signal.SIGINT: "interrupt",
    signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction",
    signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2",
    signal.SIGPIPE: "broken pipe",
    signal.SIGALRM: "alarm clock",
    signal.SIGTERM: "terminated",
    signal.SIGXCPU: "CPU time limit exceeded",
    signal.SIGXFSZ: "file size limit exceeded",
}


def _body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def exit_reason(wait_status: int) -> str:
    """How a runtime ended, worded as Lambda words it ("exit status 1", "signal: killed")."""
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        try:
            text = _SIGNAL_TEXT.get(signal.Signals(number), f"signal {number}")
        except ValueError:
            text = f"signal {number}"
        return f"signal: {text}"
    return f"exit status {os.WEXITSTATUS(wait_status)}"


def runtime_exit_error(request_id: str, wait_status: int | None) -> bytes:
    if wait_status is not None and os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == 0:
        detail = "Runtime exited without providing a reason"
    elif wait_status is None:
        detail = "Runtime exited with error: signal: killed"
    else:
        detail = f"Runtime exited with error: {exit_reason(wait_status)}"
    return _body("Runtime.ExitError", f"RequestId: {request_id} Error: {detail}")


def timeout_error(request_id: str, timeout_seconds: int) -> bytes:
    return _body(
        "Sandbox.Timedout", f"RequestId: {request_id} Error: Task timed out after {timeout_seconds:.2f} seconds"
    )


def response_too_large() -> bytes:
    return _body(
        "Function.ResponseSizeTooLarge",
        f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
    )


def truncated_response(request_id: str) -> bytes:
    """A streamed response whose connection closed before its end, the runtime still alive."""
    return _body("Runtime.TruncatedResponse", f"RequestId: {request_id} Error: Runtime response was truncated")


def invalid_response_mode(request_id: str) -> bytes:
    """A ``/response`` whose ``Lambda-Runtime-Function-Response-Mode`` is neither absent nor ``streaming``."""
    return _body("Runtime.InvalidResponseModeHeader", f"RequestId: {request_id} Error: Invalid function response mode")


def invalid_entrypoint(request_id: str, detail: str) -> bytes:
    return _body("Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: {detail}")
