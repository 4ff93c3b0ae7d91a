"""Errors as AWS's Python runtime reports them: error bodies, stack traces, log lines."""

import traceback

IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# Frames of the runtime's own loop (in files named bootstrap.py) are trimmed from the front of
# a user's stack trace, as AWS's client trims its own.
RUNTIME_FRAME_MARKER = "/bootstrap.py"


class FaultException(Exception):
    """A failure the runtime itself classifies, with a ``Runtime.*`` error type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def user_frames(tb):
    """(file, line, function, text) of each frame from the first one outside the runtime loop."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if RUNTIME_FRAME_MARKER not in frame[0]:
            return frames[index:]
    return frames


def make_error(message, error_type, trace, request_id):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": trace or [],
    }


def error_from_exception(exc, request_id):
    """The error body for an exception raised by user code (or a FaultException)."""
    if isinstance(exc, FaultException):
        return make_error(exc.message, exc.error_type, exc.trace, request_id)
    trace = traceback.format_list(user_frames(exc.__traceback__))
    return make_error(str(exc), type(exc).__name__, trace, request_id)


def _no_break_indent(line):
    stripped = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(stripped)) + stripped


def error_log_line(error):
    """The ``[ERROR] Type: message`` line (its lines joined by carriage returns) for stdout."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for element in error.get("stackTrace") or []:
        if element == "":
            lines.append("")
        else:
            lines.extend(_no_break_indent(line) for line in element.splitlines())
    return "\r".join(lines) + "\n"
