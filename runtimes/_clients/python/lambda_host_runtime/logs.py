"""Function output as Lambda shows it: unbuffered stdout and AWS's log-record format.

With ``AWS_LAMBDA_LOG_FORMAT=JSON`` (LoggingConfig LogFormat JSON) ``logging`` records are
written as AWS's Python runtime writes them, one JSON object a line:
``{"timestamp", "level", "message", "logger", "requestId"}`` (levels WARN and FATAL for
WARNING and CRITICAL; an exception adds errorType, errorMessage and stackTrace; ``extra``
fields are kept), and records below ``AWS_LAMBDA_LOG_LEVEL`` are dropped. ``print`` stays text.
"""

import json
import logging
import os
import sys
import time
import traceback

_current_request_id = ""


def set_request_id(request_id):
    global _current_request_id
    _current_request_id = request_id


class _Unbuffered:
    """Writes straight through, so output reaches the log before the invocation ends."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        self._stream.write(data)
        self._stream.flush()

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id
        return True


class _LambdaFormatter(logging.Formatter):
    converter = time.gmtime
    default_msec_format = None

    def __init__(self):
        super().__init__(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )


class _JsonFormatter(logging.Formatter):
    """AWS's JSON record for a ``logging`` call."""

    _RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"aws_request_id", "message"}
    _NAMES = {"WARNING": "WARN", "CRITICAL": "FATAL"}

    def format(self, record):
        result = {
            "timestamp": _timestamp(record.created),
            "level": self._NAMES.get(record.levelname, record.levelname),
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, value, trace = record.exc_info
            result["errorType"] = kind.__name__
            result["errorMessage"] = str(value)
            result["stackTrace"] = traceback.format_tb(trace)
        request_id = getattr(record, "aws_request_id", None)
        if request_id:
            result["requestId"] = request_id
        for key, value in vars(record).items():
            if key not in self._RESERVED and key not in result:
                result[key] = value
        return json.dumps(result, default=str, ensure_ascii=False) + "\n"


def _timestamp(created):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created * 1000) % 1000:03d}Z"


def json_format():
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def error_line(error, text_line):
    """How an unhandled error is logged: ``text_line`` as text, AWS's JSON error record with format JSON."""
    if not json_format():
        return text_line
    record = {"timestamp": _timestamp(time.time()), "log_level": "ERROR", **error}
    if _current_request_id:
        record.setdefault("requestId", _current_request_id)
    return json.dumps(record, default=str, ensure_ascii=False) + "\n"


class _LambdaHandler(logging.StreamHandler):
    terminator = ""


_LEVELS = {"TRACE": 10, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50}


def install():
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    handler = _LambdaHandler(sys.stdout)
    handler.setFormatter(_JsonFormatter() if json_format() else _LambdaFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in _LEVELS:
        root.setLevel(_LEVELS[level])
