"""Functions the recorded cases call, as plain Python: the same results and error payloads
as the Python functions AWS ran for the recordings (error payloads as the Python runtime
writes them)."""

from __future__ import annotations

from host.testing.stepfunctions import Delayed, FakeFunctions, FunctionError, RawPayload

RAISE_TRACE = ['  File "/var/task/handler.py", line 2, in handler\n    raise Exception("Some exception was raised.")\n']
CUSTOM_TRACE = ['  File "/var/task/handler.py", line 9, in handler\n    raise CustomException()\n']


def _raise(event):
    raise FunctionError(
        {"errorMessage": "Some exception was raised.", "errorType": "Exception", "stackTrace": RAISE_TRACE}
    )


def _custom(event):
    raise FunctionError({"errorMessage": "", "errorType": "CustomException", "stackTrace": CUSTOM_TRACE})


LARGE_UTF8 = "a" * 10 + "\u00e9" * (300 * 1024 // 2)


FUNCTIONS = {
    "large": lambda event: LARGE_UTF8,
    "wait60": lambda event: Delayed(60, None),
    "bytes": lambda event: RawPayload(b'"HelloWorld!"'),
    "echo": lambda event: event,
    "echo_function_twenty": lambda event: event,  # as long as the recording's name: the same Content-Length
    "identity": lambda event: event,
    "raise": _raise,
    "custom": _custom,
    "hello": lambda event: {"Return": "HelloWorld"},
}


def install(functions: FakeFunctions) -> None:
    for name, handler in FUNCTIONS.items():
        functions.add(name, handler)
