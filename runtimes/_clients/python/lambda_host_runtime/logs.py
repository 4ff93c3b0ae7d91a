"""Function output as Lambda shows it: unbuffered stdout and AWS's log-record format."""

import logging
import os
import sys
import time

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


class _LambdaHandler(logging.StreamHandler):
    terminator = ""


_LEVELS = {"TRACE": 10, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50}


def install():
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    handler = _LambdaHandler(sys.stdout)
    handler.setFormatter(_LambdaFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in _LEVELS:
        root.setLevel(_LEVELS[level])
