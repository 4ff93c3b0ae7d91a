"""The platform's START, END and REPORT lines and the log tail, in AWS's exact format."""

import pytest

from host.core.reports import Report, billed_duration_ms, end_line, init_start_line, report_line, start_line, tail

RID = "3f1c0d2e-0000-4000-8000-000000000001"


def test_the_start_line_names_the_request_and_version():
    assert start_line(RID, "$LATEST") == f"START RequestId: {RID} Version: $LATEST\n"


def test_the_end_line_names_the_request():
    assert end_line(RID) == f"END RequestId: {RID}\n"


def test_the_init_start_line_separates_its_fields_with_a_tab():
    line = init_start_line("python:3.13.v1", "arn:aws:lambda:us-east-1::runtime:abc")
    assert (
        line
        == "INIT_START Runtime Version: python:3.13.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n"
    )


def test_a_warm_report_has_no_init_duration_and_ends_with_a_tab():
    line = report_line(Report(RID, 1.524, 128, 23))
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 1.52 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 23 MB\t\n"
    )


def test_a_cold_report_gives_the_init_duration_and_bills_it():
    line = report_line(Report(RID, 1.52, 128, 23, init_duration_ms=28.71))
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 1.52 ms\tBilled Duration: 31 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 23 MB\tInit Duration: 28.71 ms\t\n"
    )


def test_a_report_without_a_memory_measure_leaves_that_field_out():
    line = report_line(Report(RID, 10.0, 256, None))
    assert line == f"REPORT RequestId: {RID}\tDuration: 10.00 ms\tBilled Duration: 10 ms\tMemory Size: 256 MB\t\n"


def test_a_timed_out_report_says_so_without_a_trailing_tab():
    line = report_line(Report(RID, 3000.12, 128, 40, status="timeout"))
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 3000.12 ms\tBilled Duration: 3001 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 40 MB\tStatus: timeout\n"
    )


def test_an_errored_report_names_the_error_type():
    line = report_line(
        Report(RID, 5.0, 128, 40, init_duration_ms=100.0, status="error", error_type="Runtime.ExitError")
    )
    assert line.endswith("\tInit Duration: 100.00 ms\tStatus: error\tError Type: Runtime.ExitError\n")


@pytest.mark.parametrize(
    ("duration", "init", "billed"),
    [(1.0, None, 1), (1.01, None, 2), (0.2, None, 1), (0.0, None, 1), (100.4, 0.7, 102), (1.5, 28.5, 30)],
)
def test_billed_duration_rounds_up_and_includes_init(duration, init, billed):
    assert billed_duration_ms(duration, init) == billed


def test_the_tail_keeps_the_last_4096_bytes():
    log = b"a" * 100 + b"b" * 4096
    assert tail(log) == b"b" * 4096


def test_a_short_log_is_its_own_tail():
    assert tail(b"hello\n") == b"hello\n"
