"""Failures inside an execution, named as Step Functions names them.

A ``StatesError`` is what Retry and Catch see: an error name and a cause. A *terminal*
one ends the execution at once whatever the state declares: ``States.Runtime`` (a path or
processing error) and a state output over 256 KiB (``States.DataLimitExceeded``). A task
*result* over the limit is an ordinary, catchable task failure, as AWS records it. JSONata
evaluation errors (``States.QueryEvaluationError``) are catchable but leave an
``EvaluationFailed`` event first, which ``location`` says where.
"""

from __future__ import annotations

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
QUERY_EVALUATION = "States.QueryEvaluationError"
RESULT_PATH_MATCH = "States.ResultPathMatchFailure"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
TOLERATED_FAILURE = "States.ExceedToleratedFailureThreshold"
PERMISSIONS = "States.Permissions"

PAYLOAD_LIMIT = 262144  # bytes of UTF-8 in any state input or output, task result or execution input


class StatesError(Exception):
    """A failure a state raises; ``location`` is set for JSONata evaluation failures."""

    def __init__(
        self, error: str | None, cause: str | None = None, location: str | None = None, terminal: bool | None = None
    ) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.location = location
        self.terminal = error == RUNTIME if terminal is None else terminal


def entered(state: str, event_id: int) -> str:
    """The prefix AWS puts before a runtime failure's cause."""
    return f"An error occurred while executing the state '{state}' (entered at the event id #{event_id}). "


def runtime(state: str, event_id: int, message: str) -> StatesError:
    return StatesError(RUNTIME, entered(state, event_id) + message)


def too_large(name: str, terminal: bool) -> StatesError:
    """A state output (terminal) or a task result (catchable) over 256 KiB; ``name`` is the
    state's name or the task's resource as AWS names it."""
    cause = (
        f"The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
    )
    return StatesError(DATA_LIMIT, cause, terminal=terminal)


def over_limit(text: str) -> bool:
    """Whether JSON text is over 256 KiB of UTF-8 (cheap for short texts)."""
    return len(text) > PAYLOAD_LIMIT // 4 and len(text.encode()) > PAYLOAD_LIMIT


def matches(error_equals: tuple[str, ...], error: str | None) -> bool:
    """Whether a retrier's or catcher's ``ErrorEquals`` takes this error.

    ``States.ALL`` takes anything (terminal errors never get here); ``States.TaskFailed``
    anything but ``States.Timeout``, AWS's documented rule.
    """
    for name in error_equals:
        if name in (error, ALL):
            return True
        if name == TASK_FAILED and error not in (TIMEOUT, HEARTBEAT_TIMEOUT):
            return True
        if name == TIMEOUT and error == HEARTBEAT_TIMEOUT:
            return True
    return False
