"""The platform's lines as AWS writes them for LogFormat JSON: ``platform.*`` records. No I/O.

With ``LoggingConfig.LogFormat = JSON`` Lambda writes its own lines as JSON records, each
``{"time", "type", "record"}``, and keeps those at or above the function's SystemLogLevel:

| text line      | record                                   | level |
|----------------|------------------------------------------|-------|
| INIT_START     | ``platform.initStart``                   | INFO  |
| INIT_REPORT    | ``platform.initReport``                  | INFO  |
| START          | ``platform.start``                       | INFO  |
| END            | ``platform.runtimeDone`` (its status is  | DEBUG |
|                | the REPORT's that follows)               |       |
| REPORT         | ``platform.report`` with ``metrics``     | INFO  |

The text lines come from ``host.core.reports``; this module reads them back, so the
Lambda side keeps writing one format. A line it does not know passes through unchanged.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

SYSTEM_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30}
RECORD_LEVELS = {
    "platform.initStart": 20,
    "platform.initReport": 20,
    "platform.start": 20,
    "platform.runtimeDone": 10,
    "platform.report": 20,
}
_FIELD = re.compile(r"([A-Za-z ]+): ([^\t]*)")
_METRICS = {
    "Duration": ("durationMs", float),
    "Billed Duration": ("billedDurationMs", int),
    "Memory Size": ("memorySizeMB", int),
    "Max Memory Used": ("maxMemoryUsedMB", int),
    "Init Duration": ("initDurationMs", float),
}


def iso_time(now_ms: int) -> str:
    seconds, millis = divmod(int(now_ms), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _fields(line: str) -> dict[str, str]:
    return {name.strip(): value.strip() for name, value in _FIELD.findall(line)}


def _number(value: str, kind: type) -> Any:
    text = value.split(" ", 1)[0]
    try:
        return kind(float(text)) if kind is int else kind(text)
    except ValueError:
        return None


def _report(line: str) -> dict[str, Any]:
    fields = _fields(line[len("REPORT ") :])
    metrics = {}
    for label, (key, kind) in _METRICS.items():
        if label in fields:
            metrics[key] = _number(fields[label], kind)
    record: dict[str, Any] = {"requestId": fields.get("RequestId", ""), "metrics": metrics}
    record["status"] = fields.get("Status", "success")
    if "Error Type" in fields:
        record["errorType"] = fields["Error Type"]
    return record


def _record(
    line: str, following: list[str], function: tuple[str, str], initialization: str
) -> tuple[str, dict[str, Any]] | None:
    if line.startswith("INIT_START "):
        fields = _fields(line[len("INIT_START ") :])
        return "platform.initStart", {
            "initializationType": initialization,
            "phase": "init",
            "runtimeVersion": fields.get("Runtime Version", ""),
            "runtimeVersionArn": fields.get("Runtime Version ARN", ""),
            "functionName": function[0],
            "functionVersion": function[1],
        }
    if line.startswith("INIT_REPORT "):
        fields = _fields(line[len("INIT_REPORT ") :])
        record = {
            "initializationType": initialization,
            "phase": fields.get("Phase", "init"),
            "status": fields.get("Status", "success"),
            "metrics": {"durationMs": _number(fields.get("Init Duration", "0"), float)},
        }
        if "Error Type" in fields:
            record["errorType"] = fields["Error Type"]
        return "platform.initReport", record
    if line.startswith("START RequestId: "):
        request_id, _, version = line[len("START RequestId: ") :].partition(" Version: ")
        return "platform.start", {"requestId": request_id.strip(), "version": version.strip()}
    if line.startswith("END RequestId: "):
        request_id = line[len("END RequestId: ") :].strip()
        report = next((_report(later) for later in following if later.startswith("REPORT ")), None)
        record: dict[str, Any] = {"requestId": request_id, "status": report["status"] if report else "success"}
        if report and "errorType" in report:
            record["errorType"] = report["errorType"]
        if report and "durationMs" in report["metrics"]:
            record["metrics"] = {"durationMs": report["metrics"]["durationMs"], "producedBytes": 0}
        return "platform.runtimeDone", record
    if line.startswith("REPORT "):
        return "platform.report", _report(line)
    return None


def platform_records(
    text: str, system_level: str | None, now_ms: int, function: tuple[str, str], initialization: str = "on-demand"
) -> str:
    """``text`` (platform lines, each ending in a newline) as JSON records at or above ``system_level``.

    ``function`` is (name, version) for ``platform.initStart``; ``initialization`` is ``on-demand`` or
    ``provisioned-concurrency``. Returns "" when all are filtered out.
    """
    threshold = SYSTEM_LEVELS.get((system_level or "INFO").upper(), 20)
    lines = text.splitlines()
    out = []
    for index, line in enumerate(lines):
        converted = _record(line, lines[index + 1 :], function, initialization)
        if converted is None:
            out.append(line)
            continue
        kind, record = converted
        if RECORD_LEVELS[kind] < threshold:
            continue
        out.append(json.dumps({"time": iso_time(now_ms), "type": kind, "record": record}, separators=(",", ":")))
    return "".join(line + "\n" for line in out)
