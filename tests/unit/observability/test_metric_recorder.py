"""The recorder: reports replayed in order into minutes, concurrency counted, Prometheus text from the same data."""

from types import SimpleNamespace

import pytest

from host.core.invocation import InvokeResult
from host.observability.metrics.recorder import MetricsRecorder
from host.observability.metrics.service import MetricsService
from host.observability.metrics.store import MetricStore

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture
def recorder(tmp_path):
    store = MetricStore(tmp_path / "metrics.db")
    recorder = MetricsRecorder(store, reserved_of=lambda name: 5 if name == "reserved" else None,
                               provisioned_of=lambda name, q: 2 if q == "live" else 0)  # fmt: skip
    yield recorder
    store.close()


def request(name, qualifier=None):
    arn = ARN + name + (f":{qualifier}" if qualifier else "")
    return SimpleNamespace(function=SimpleNamespace(name=name), invoked_arn=arn)


def total(recorder, metric, dims, namespace="AWS/Lambda", statistic="Sum"):
    recorder.flush()
    points = recorder.store.series(namespace, metric, tuple(sorted(dims.items())), 0, 2**40)
    if not points:
        return None
    merged = points[0][1]
    for _, aggregate in points[1:]:
        merged.merge(aggregate)
    return merged.statistic(statistic)


def test_nothing_is_written_until_a_flush_and_a_flush_writes_everything_reported(recorder):
    r = request("f")
    recorder.began(r)
    recorder.ended(r, InvokeResult(b"", "$LATEST", duration_ms=12.5))
    assert recorder.store.metrics() == []
    assert total(recorder, "Invocations", {"FunctionName": "f"}) == 1
    assert total(recorder, "Invocations", {}) == 1
    assert total(recorder, "Duration", {"FunctionName": "f"}, statistic="p99") == 12.5
    assert total(recorder, "Errors", {"FunctionName": "f"}, statistic="SampleCount") == 1
    assert total(recorder, "Errors", {"FunctionName": "f"}) == 0


def test_concurrency_counts_invocations_running_at_once(recorder):
    first, second, other = request("f"), request("f"), request("g")
    for r in (first, second, other):
        recorder.began(r)
    recorder.ended(first, InvokeResult(b"", "$LATEST"))
    recorder.began(request("f"))
    assert total(recorder, "ConcurrentExecutions", {"FunctionName": "f"}, statistic="Maximum") == 2
    assert total(recorder, "ConcurrentExecutions", {}, statistic="Maximum") == 3
    assert total(recorder, "UnreservedConcurrentExecutions", {}, statistic="Maximum") == 3


def test_functions_with_reserved_concurrency_are_not_unreserved(recorder):
    recorder.began(request("reserved"))
    recorder.began(request("f"))
    assert total(recorder, "UnreservedConcurrentExecutions", {}, statistic="Maximum") == 1


def test_errors_cold_starts_and_aliases(recorder):
    r = request("f", "live")
    recorder.began(r)
    recorder.ended(r, InvokeResult(b"", "3", function_error="Unhandled", duration_ms=5, init_duration_ms=80))
    alias = {"FunctionName": "f", "Resource": "f:live"}
    assert total(recorder, "Errors", alias) == 1
    assert total(recorder, "Invocations", {**alias, "ExecutedVersion": "3"}) == 1
    assert total(recorder, "ColdStarts", {"FunctionName": "f"}, namespace="LambdaHost") == 1
    assert total(recorder, "InitDuration", {"FunctionName": "f"}, namespace="LambdaHost", statistic="Maximum") == 80


def test_provisioned_invocations_spillover_and_utilisation(recorder):
    for provisioned in (True, True, False):  # one after the other (no overlap): one of two in use at a time
        r = request("f", "live")
        recorder.began(r)
        recorder.ended(r, InvokeResult(b"", "3", duration_ms=0, provisioned=provisioned))
    alias = {"FunctionName": "f", "Resource": "f:live"}
    assert total(recorder, "ProvisionedConcurrencyInvocations", alias) == 2
    assert total(recorder, "ProvisionedConcurrencySpilloverInvocations", alias) == 1
    assert total(recorder, "ProvisionedConcurrencyUtilization", alias, statistic="Maximum") == 0.5
    assert total(recorder, "ProvisionedConcurrencyInvocations", {"FunctionName": "f"}) == 2


def test_overlapping_provisioned_invocations_use_more_of_the_allocation(recorder):
    recorder.ended(request("f", "live"), InvokeResult(b"", "3", duration_ms=60_000, provisioned=True))
    recorder.ended(request("f", "live"), InvokeResult(b"", "3", duration_ms=60_000, provisioned=True))
    alias = {"FunctionName": "f", "Resource": "f:live"}
    assert total(recorder, "ProvisionedConcurrentExecutions", alias, statistic="Maximum") == 2
    assert total(recorder, "ProvisionedConcurrencyUtilization", alias, statistic="Maximum") == 1.0


def test_throttles_async_stream_and_execution_reports(recorder):
    recorder.throttled("f", None)
    recorder.async_received("f", None)
    recorder.async_event_age("f", None, 250.0)
    recorder.async_dropped("f", None)
    recorder.dead_letter_error("f", None)
    recorder.destination_failure("f", "live")
    recorder.iterator_age("f", None, 1500.0)
    recorder.execution_started("arn:sm")
    recorder.execution_ended("arn:sm", "TIMED_OUT", 42.0)
    fn = {"FunctionName": "f"}
    for metric in ("Throttles", "AsyncEventsReceived", "AsyncEventsDropped", "DeadLetterErrors"):
        assert total(recorder, metric, fn) == 1, metric
    assert total(recorder, "DestinationDeliveryFailures", {**fn, "Resource": "f:live"}) == 1
    assert total(recorder, "AsyncEventAge", fn, statistic="Maximum") == 250
    assert total(recorder, "IteratorAge", fn, statistic="Maximum") == 1500
    assert total(recorder, "ExecutionsStarted", {"StateMachineArn": "arn:sm"}, namespace="AWS/States") == 1
    assert total(recorder, "ExecutionsTimedOut", {"StateMachineArn": "arn:sm"}, namespace="AWS/States") == 1
    assert total(recorder, "ExecutionTime", {"StateMachineArn": "arn:sm"}, namespace="AWS/States") == 42


def test_a_minute_flushed_twice_is_merged_in_the_store(recorder):
    for _ in range(2):
        r = request("f")
        recorder.began(r)
        recorder.ended(r, InvokeResult(b"", "$LATEST", duration_ms=3))
        recorder.flush()
    assert total(recorder, "Invocations", {"FunctionName": "f"}) == 2
    assert total(recorder, "Duration", {"FunctionName": "f"}, statistic="p50") == 3


def test_prometheus_text_has_counters_histograms_and_gauges(recorder):
    r = request("f")
    recorder.began(r)
    recorder.ended(r, InvokeResult(b"", "$LATEST", duration_ms=7))
    recorder.flush()
    text = recorder.cumulative.render()
    assert "# TYPE aws_lambda_invocations_total counter\n" in text
    assert 'aws_lambda_invocations_total{function_name="f"} 1\n' in text
    assert "aws_lambda_invocations_total 1\n" in text  # the account-wide series
    assert 'aws_lambda_duration_milliseconds_bucket{function_name="f",le="5"} 0\n' in text
    assert 'aws_lambda_duration_milliseconds_bucket{function_name="f",le="10"} 1\n' in text
    assert 'aws_lambda_duration_milliseconds_sum{function_name="f"} 7\n' in text
    assert "# TYPE aws_lambda_concurrent_executions gauge\n" in text
    assert 'aws_lambda_concurrent_executions{function_name="f"} 0\n' in text  # it ended: none running now


def test_list_metrics_filters_by_dimension_name_and_value(recorder):
    service = MetricsService(recorder.store, recorder)
    r = request("f", "live")
    recorder.began(r)
    recorder.ended(r, InvokeResult(b"", "1"))
    listed = service.list_metrics({"MetricName": "Invocations", "Dimensions": [{"Name": "Resource"}]})["Metrics"]
    assert len(listed) == 2  # the Resource set, and the one with ExecutedVersion too
    only = service.list_metrics(
        {"MetricName": "Invocations", "Dimensions": [{"Name": "ExecutedVersion", "Value": "1"}]}
    )
    assert [len(m["Dimensions"]) for m in only["Metrics"]] == [3]
