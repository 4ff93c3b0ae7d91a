"""The platform's log lines (INIT_START, START, END, REPORT) and the log tail, in AWS's format.

Example of one cold invocation's lines::

    START RequestId: 3f1c... Version: $LATEST
    END RequestId: 3f1c...
    REPORT RequestId: 3f1c...\tDuration: 1.52 ms\tBilled Duration: 31 ms\tMemory Size: 128 MB\t
    Max Memory Used: 23 MB\tInit Duration: 28.71 ms\t

(the REPORT line is one line; tabs separate fields and one ends it). Durations are
``%.2f``; billed duration is rounded up to the millisecond and, on a cold start,
includes the init phase (AWS bills on-demand INIT since August 2025).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TAIL_BYTES = 4096


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    memory_size: int
    max_memory_used_mb: int | None
    init_duration_ms: float | None = None
    status: str | None = None  # "timeout" or "error"
    error_type: str | None = None
    extensions_ms: float = 0.0  # extensions' work after the runtime answered: billed, not in Duration


def init_start_line(runtime_version: str, runtime_version_arn: str) -> str:
    return f"INIT_START Runtime Version: {runtime_version}\tRuntime Version ARN: {runtime_version_arn}\n"


def init_report_line(duration_ms: float, error_type: str) -> str:
    """The line a failed init leaves (its phase is init; a retried one would say invoke)."""
    return f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: init\tStatus: error\tError Type: {error_type}\n"


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def billed_duration_ms(duration_ms: float, init_duration_ms: float | None) -> int:
    return max(1, math.ceil(duration_ms + (init_duration_ms or 0.0)))


def report_line(report: Report) -> str:
    fields = [
        f"REPORT RequestId: {report.request_id}",
        f"Duration: {report.duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms(report.duration_ms + report.extensions_ms, report.init_duration_ms)} ms",
        f"Memory Size: {report.memory_size} MB",
    ]
    if report.max_memory_used_mb is not None:
        fields.append(f"Max Memory Used: {report.max_memory_used_mb} MB")
    if report.init_duration_ms is not None:
        fields.append(f"Init Duration: {report.init_duration_ms:.2f} ms")
    if report.status is not None:
        fields.append(f"Status: {report.status}")
        if report.error_type:
            fields.append(f"Error Type: {report.error_type}")
        return "\t".join(fields) + "\n"
    return "\t".join(fields) + "\t\n"


def tail(log: bytes, limit: int = TAIL_BYTES) -> bytes:
    """The last ``limit`` bytes of an invocation's log, as LogType=Tail returns them."""
    return log[-limit:]
