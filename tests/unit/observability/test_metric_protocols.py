"""The three wire protocols over one service: CBOR (tag-1 timestamps), JSON 1.0 (epoch numbers), query (XML)."""

import json
import time
from urllib.parse import urlencode

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host.observability.metrics.api import MetricsApi
from host.observability.metrics.recorder import MetricsRecorder
from host.observability.metrics.service import MetricsService
from host.observability.metrics.store import MetricStore


@pytest.fixture
def api(tmp_path):
    store = MetricStore(tmp_path / "metrics.db")
    service = MetricsService(store, MetricsRecorder(store))
    api = MetricsApi(service)
    now = time.time()
    service.put_metric_data(
        {"Namespace": "App", "MetricData": [{"MetricName": "hits", "Value": 2.0, "Timestamp": now}]}
    )
    yield api, now
    store.close()


def statistics_request(now):
    return {"Namespace": "App", "MetricName": "hits", "StartTime": now - 600, "EndTime": now + 60, "Period": 3600,
            "Statistics": ["Sum"]}  # fmt: skip


def test_cbor_answers_with_tag_one_timestamps_and_the_smithy_header(api):
    api, now = api
    status, headers, body = api.cbor("GetMetricStatistics", cbor2.dumps(statistics_request(now)))
    assert status == 200 and ("smithy-protocol", "rpc-v2-cbor") in headers
    point = cbor2.loads(body)["Datapoints"][0]
    assert point["Sum"] == 2.0 and point["Timestamp"].timestamp() <= now  # tag 1 decodes to a datetime


def test_json_answers_with_epoch_numbers(api):
    api, now = api
    status, _, body = api.json("GetMetricStatistics", json.dumps(statistics_request(now)).encode())
    point = json.loads(body)["Datapoints"][0]
    assert status == 200 and point["Sum"] == 2.0 and isinstance(point["Timestamp"], float)


def test_query_reads_a_flattened_form_and_answers_xml(api):
    api, _ = api
    form = {"Action": "ListMetrics", "Version": "2010-08-01", "Namespace": "App"}
    status, _, body = api.query(urlencode(form).encode())
    assert status == 200 and b"<MetricName>hits</MetricName>" in body and b"<ListMetricsResponse" in body


def test_errors_carry_the_query_code_in_every_protocol(api):
    api, now = api
    bad = {**statistics_request(now), "Period": 30}
    status, headers, body = api.json("GetMetricStatistics", json.dumps(bad).encode())
    assert status == 400 and ("x-amzn-query-error", "InvalidParameterValue;Sender") in headers
    assert json.loads(body)["__type"] == "com.amazonaws.cloudwatch#InvalidParameterValueException"
    status, headers, body = api.cbor("GetMetricStatistics", cbor2.dumps(bad))
    assert status == 400 and cbor2.loads(body)["message"] == "The parameter Period must be a multiple of 60."
    status, _, body = api.query(urlencode({"Action": "DeleteAlarms"}).encode())
    assert status == 400 and b"<Code>UnknownOperationException</Code>" in body
    status, _, body = api.cbor("GetMetricData", b"\xff\x00")
    assert status == 400


def test_timestamps_are_read_in_every_form_a_client_sends(api):
    api, now = api
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 600))
    request = {**statistics_request(now), "StartTime": iso}
    status, _, body = api.json("GetMetricStatistics", json.dumps(request).encode())
    assert status == 200 and json.loads(body)["Datapoints"][0]["Sum"] == 2.0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
members = st.sampled_from(
    ["Namespace", "MetricName", "Dimensions", "StartTime", "EndTime", "Period", "Statistics", "ExtendedStatistics",
     "MetricDataQueries", "MaxDatapoints", "NextToken", "ScanBy", "MetricData", "RecentlyActive", "Unit"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operation=st.sampled_from(["GetMetricData", "GetMetricStatistics", "ListMetrics", "PutMetricData"]),
    body=st.dictionaries(members, json_values, max_size=6),
)
def test_any_request_body_gets_an_answer_never_a_crash(api, operation, body):
    api, _ = api
    status, _, answer = api.cbor(operation, cbor2.dumps(body))
    assert status in (200, 400), cbor2.loads(answer)
    status, _, answer = api.json(operation, json.dumps(body).encode())
    assert status in (200, 400), answer
