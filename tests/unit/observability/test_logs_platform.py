"""Platform lines as ``platform.*`` JSON records for LogFormat JSON, filtered by SystemLogLevel."""

import json

from host.core import reports
from host.observability.logs.core.platform import iso_time, platform_records

NOW = 1_700_000_000_123
FUNCTION = ("fn", "$LATEST")


def records(text: str, level: str | None = "INFO") -> list[dict]:
    return [json.loads(line) for line in platform_records(text, level, NOW, FUNCTION).splitlines()]


def closing(status=None, error_type=None, init=None) -> str:
    report = reports.Report("r-1", 12.345, 128, 40, init_duration_ms=init, status=status, error_type=error_type)
    return reports.end_line("r-1") + reports.report_line(report)


def test_time_is_iso_8601_with_milliseconds_in_utc():
    assert iso_time(NOW) == "2023-11-14T22:13:20.123Z"


def test_start_becomes_platform_start_with_request_id_and_version():
    [start] = records(reports.start_line("r-1", "$LATEST"))
    assert start == {
        "time": iso_time(NOW),
        "type": "platform.start",
        "record": {"requestId": "r-1", "version": "$LATEST"},
    }


def test_report_becomes_platform_report_with_its_metrics_and_end_is_debug_only():
    [report] = records(closing(init=100.5))
    assert report["type"] == "platform.report"
    assert report["record"] == {
        "requestId": "r-1",
        "metrics": {
            "durationMs": 12.35, "billedDurationMs": 113, "memorySizeMB": 128, "maxMemoryUsedMB": 40,
            "initDurationMs": 100.5,
        },
        "status": "success",
    }  # fmt: skip


def test_debug_adds_runtime_done_with_the_status_of_the_report():
    done, report = records(closing(status="timeout"), "DEBUG")
    assert done["type"] == "platform.runtimeDone"
    assert done["record"]["status"] == "timeout" and done["record"]["requestId"] == "r-1"
    assert report["record"]["status"] == "timeout"
    done, _ = records(closing(status="error", error_type="Runtime.ExitError"), "DEBUG")
    assert done["record"]["errorType"] == "Runtime.ExitError"


def test_warn_keeps_none_of_the_info_records():
    assert platform_records(reports.start_line("r-1", "1") + closing(), "WARN", NOW, FUNCTION) == ""


def test_init_start_and_a_failed_init_report_become_their_records():
    [start] = records(reports.init_start_line("python:3.11.v1", "arn:aws:lambda:us-east-1::runtime:abc"))
    assert start["type"] == "platform.initStart"
    assert start["record"]["runtimeVersion"] == "python:3.11.v1"
    assert start["record"]["functionName"] == "fn" and start["record"]["phase"] == "init"
    [report] = records(reports.init_report_line(206.72, "Runtime.ExitError"))
    assert report["type"] == "platform.initReport"
    assert report["record"]["status"] == "error" and report["record"]["errorType"] == "Runtime.ExitError"
    assert report["record"]["metrics"] == {"durationMs": 206.72}


def test_a_provisioned_environment_says_so_in_its_init_records():
    line = reports.init_start_line("python:3.11.v1", "arn")
    [start] = [
        json.loads(x) for x in platform_records(line, "INFO", NOW, FUNCTION, "provisioned-concurrency").splitlines()
    ]
    assert start["record"]["initializationType"] == "provisioned-concurrency"


def test_a_line_that_is_not_the_platforms_passes_through():
    assert platform_records("something else\n", "INFO", NOW, FUNCTION) == "something else\n"
