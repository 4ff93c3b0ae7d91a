"""CloudWatch metrics of real invocations, read back through boto3's ``cloudwatch`` client on the host's port.

One host for the module (its own state directory, so the account-wide figures are this
module's alone); each test makes its own functions and waits for its figures with a deadline.
"""

import datetime
import json
import secrets
import time
from urllib.parse import urlencode

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, _start_host, client_for, make_zip
from tests.integration.sfn_helpers import create as create_machine
from tests.integration.sfn_helpers import sfn_client, wait_for_end

CODE = (
    "import time\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    if event.get('fail'):\n"
    "        raise RuntimeError('failing on purpose')\n"
    "    return 'ok'\n"
)


@pytest.fixture(scope="module")
def host(tmp_path_factory, lambda_host_run_id):
    host = _start_host(tmp_path_factory.mktemp("metrics"), lambda_host_run_id)
    try:
        yield host
    finally:
        host.stop_thread()


@pytest.fixture(scope="module")
def lam(host):
    return client_for(host)


@pytest.fixture(scope="module")
def cw(host):
    return boto3.client(
        "cloudwatch",
        endpoint_url=host.endpoint,
        region_name="us-east-1",
        aws_access_key_id="lambda-host",
        aws_secret_access_key="lambda-host",
        config=Config(retries={"total_max_attempts": 1}),
    )


def deploy(lam, **params) -> str:
    name = f"m-{secrets.token_hex(4)}"
    lam.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=30,
        Code={"ZipFile": make_zip({"app.py": CODE})}, **params,
    )  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    return name


def window():
    now = time.time()
    return datetime.datetime.fromtimestamp(now - 600, datetime.UTC), datetime.datetime.fromtimestamp(
        now + 60, datetime.UTC
    )


def statistics(cw, metric, dims, namespace="AWS/Lambda", **extra) -> dict:
    """The one datapoint covering the last ten minutes (an hour-long period), or {}."""
    start, end = window()
    params = {"Statistics": ["SampleCount", "Sum", "Average", "Minimum", "Maximum"], **extra}
    if "ExtendedStatistics" in extra:
        params.pop("Statistics")
    answer = cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=start, EndTime=end, Period=3600, **params,
    )  # fmt: skip
    assert len(answer["Datapoints"]) <= 1
    return answer["Datapoints"][0] if answer["Datapoints"] else {}


def wait_for_sum(cw, metric, dims, expected, namespace="AWS/Lambda", timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        point = statistics(cw, metric, dims, namespace)
        if point.get("Sum") == expected:
            return point
        assert time.monotonic() < deadline, f"{metric} {dims}: {point} after {timeout} s, wanted Sum {expected}"
        time.sleep(0.1)


def test_invocations_errors_and_duration_percentiles_are_counted_per_function(lam, cw):
    name = deploy(lam)
    for payload in ({}, {}, {"sleep": 0.2}, {"fail": True}, {"fail": True}):
        lam.invoke(FunctionName=name, Payload=json.dumps(payload))
    fn = {"FunctionName": name}
    assert wait_for_sum(cw, "Invocations", fn, 5)["SampleCount"] == 5
    errors = wait_for_sum(cw, "Errors", fn, 2)
    assert errors["SampleCount"] == 5 and errors["Average"] == pytest.approx(0.4)  # the error rate, as on AWS
    duration = statistics(cw, "Duration", fn)
    assert duration["SampleCount"] == 5 and duration["Unit"] == "Milliseconds"
    assert 200 <= duration["Maximum"] < 2000 and duration["Minimum"] < 200
    extended = statistics(cw, "Duration", fn, ExtendedStatistics=["p50", "p99", "p99.9"])["ExtendedStatistics"]
    assert extended["p99"] == duration["Maximum"] and extended["p50"] < 200
    cold = wait_for_sum(cw, "ColdStarts", fn, 1, namespace="LambdaHost")
    assert cold["SampleCount"] == 1
    assert statistics(cw, "InitDuration", fn, namespace="LambdaHost")["SampleCount"] == 1
    assert statistics(cw, "Invocations", {})["Sum"] >= 5  # account-wide: the metric without dimensions

    start, end = window()
    queries = [
        {"Id": f"s{i}", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": metric,
         "Dimensions": [{"Name": "FunctionName", "Value": name}]}, "Period": 60, "Stat": stat}}
        for i, (metric, stat) in enumerate([("Invocations", "Sum"), ("Errors", "Sum"), ("Duration", "p99"),
                                            ("Duration", "p50"), ("ConcurrentExecutions", "Maximum")])
    ]  # fmt: skip
    queries[0]["Label"] = "calls"
    data = cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    results = {r["Id"]: r for r in data["MetricDataResults"]}
    assert results["s0"]["Label"] == "calls" and results["s1"]["Label"] == "Errors"
    assert sum(results["s0"]["Values"]) == 5 and sum(results["s1"]["Values"]) == 2
    assert all(r["StatusCode"] == "Complete" for r in results.values())
    assert results["s0"]["Timestamps"] == sorted(results["s0"]["Timestamps"])
    assert all(t.second == 0 for t in results["s0"]["Timestamps"])  # minute periods
    assert max(results["s2"]["Values"]) == duration["Maximum"]
    assert max(results["s4"]["Values"]) == 1  # one invocation at a time


def test_a_throttled_invocation_counts_as_a_throttle_and_not_an_invocation(lam, cw):
    name = deploy(lam)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert wait_for_sum(cw, "Throttles", {"FunctionName": name}, 1)["SampleCount"] == 1
    assert statistics(cw, "Invocations", {"FunctionName": name}) == {}


def test_an_alias_invocation_carries_resource_and_executed_version(lam, cw):
    name = deploy(lam)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    for _ in range(2):
        lam.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    lam.invoke(FunctionName=f"{name}:{version}", Payload=b"{}")
    wait_for_sum(cw, "Invocations", {"FunctionName": name}, 3)
    assert statistics(cw, "Invocations", {"FunctionName": name, "Resource": f"{name}:live"})["Sum"] == 2
    assert statistics(cw, "Invocations", {"FunctionName": name, "Resource": f"{name}:{version}"})["Sum"] == 1
    executed = {"FunctionName": name, "Resource": f"{name}:live", "ExecutedVersion": version}
    assert statistics(cw, "Invocations", executed)["Sum"] == 2

    listed = cw.list_metrics(Namespace="AWS/Lambda", MetricName="Invocations",
                             Dimensions=[{"Name": "FunctionName", "Value": name}])["Metrics"]  # fmt: skip
    dimension_sets = sorted(sorted((d["Name"], d["Value"]) for d in m["Dimensions"]) for m in listed)
    assert dimension_sets == sorted([
        [("FunctionName", name)],
        [("FunctionName", name), ("Resource", f"{name}:live")],
        [("FunctionName", name), ("Resource", f"{name}:{version}")],
        [("ExecutedVersion", version), ("FunctionName", name), ("Resource", f"{name}:live")],
    ])  # fmt: skip
    recent = cw.list_metrics(Namespace="AWS/Lambda", RecentlyActive="PT3H",
                             Dimensions=[{"Name": "Resource", "Value": f"{name}:live"}])["Metrics"]  # fmt: skip
    assert {m["MetricName"] for m in recent} >= {"Invocations", "Errors", "Duration", "ConcurrentExecutions"}


def test_async_events_are_received_aged_and_dropped_when_they_fail(lam, cw):
    name = deploy(lam)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    fn = {"FunctionName": name}
    wait_for_sum(cw, "AsyncEventsReceived", fn, 2)
    wait_for_sum(cw, "Invocations", fn, 2)
    wait_for_sum(cw, "AsyncEventsDropped", fn, 1)
    age = statistics(cw, "AsyncEventAge", fn)
    assert age["SampleCount"] == 2 and age["Unit"] == "Milliseconds" and 0 <= age["Minimum"] < 60_000
    assert statistics(cw, "Errors", fn)["Sum"] == 1


def test_state_machine_executions_are_counted_by_outcome(host, cw):
    sfn = sfn_client(host.endpoint)
    ok = create_machine(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    bad = create_machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}})
    for arn in (ok, ok, bad):
        wait_for_end(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    wait_for_sum(cw, "ExecutionsStarted", {"StateMachineArn": ok}, 2, namespace="AWS/States")
    wait_for_sum(cw, "ExecutionsSucceeded", {"StateMachineArn": ok}, 2, namespace="AWS/States")
    wait_for_sum(cw, "ExecutionsFailed", {"StateMachineArn": bad}, 1, namespace="AWS/States")
    time_point = statistics(cw, "ExecutionTime", {"StateMachineArn": ok}, namespace="AWS/States")
    assert time_point["SampleCount"] == 2 and time_point["Unit"] == "Milliseconds"
    assert statistics(cw, "ExecutionsSucceeded", {"StateMachineArn": bad}, namespace="AWS/States") == {}


def test_put_metric_data_stores_a_users_own_metrics(cw):
    namespace = f"App/{secrets.token_hex(3)}"
    dims = [{"Name": "Stage", "Value": "dev"}]
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Orders", "Dimensions": dims, "Value": 3, "Unit": "Count"},
        {"MetricName": "Orders", "Dimensions": dims, "Values": [1, 2], "Counts": [1, 4], "Unit": "Count"},
        {"MetricName": "Latency", "Dimensions": dims, "StatisticValues":
            {"SampleCount": 2, "Sum": 30, "Minimum": 10, "Maximum": 20}, "Unit": "Milliseconds"},
    ])  # fmt: skip
    orders = statistics(cw, "Orders", {"Stage": "dev"}, namespace=namespace)
    assert orders["Sum"] == 12 and orders["SampleCount"] == 6 and orders["Maximum"] == 3 and orders["Unit"] == "Count"
    latency = statistics(cw, "Latency", {"Stage": "dev"}, namespace=namespace)
    assert latency["Average"] == 15 and latency["Unit"] == "Milliseconds"
    names = {m["MetricName"] for m in cw.list_metrics(Namespace=namespace)["Metrics"]}
    assert names == {"Orders", "Latency"}
    with pytest.raises(ClientError) as refused:
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1}])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_bad_requests_get_cloudwatchs_errors(cw):
    start, end = window()
    base = {"Namespace": "AWS/Lambda", "MetricName": "Invocations", "StartTime": start, "EndTime": end}
    cases = [
        ({**base, "Period": 61, "Statistics": ["Sum"]}, "InvalidParameterValue"),
        ({**base, "Period": 60}, "InvalidParameterCombination"),
        ({**base, "Period": 60, "Statistics": ["Sum"], "StartTime": end, "EndTime": start}, "InvalidParameterValue"),
        ({**base, "Period": 60, "ExtendedStatistics": ["p101"]}, "InvalidParameterValue"),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as refused:
            cw.get_metric_statistics(**params)
        assert refused.value.response["Error"]["Code"] == code, params
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as refused:
        cw.get_metric_data(
            MetricDataQueries=[{"Id": "e", "Expression": "SUM(METRICS())"}], StartTime=start, EndTime=end
        )
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "not supported" in refused.value.response["Error"]["Message"]


def test_get_metric_data_pages_with_max_datapoints_and_next_token(lam, cw):
    namespace = f"Paging/{secrets.token_hex(3)}"
    now = time.time()
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "n", "Value": i, "Timestamp": datetime.datetime.fromtimestamp(now - 60 * i, datetime.UTC)}
        for i in range(1, 6)
    ])  # fmt: skip
    start, end = window()
    query = [{"Id": "n", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "n"}, "Period": 60,
                                        "Stat": "Sum"}}]  # fmt: skip
    first = cw.get_metric_data(MetricDataQueries=query, StartTime=start, EndTime=end, MaxDatapoints=3)
    assert first["MetricDataResults"][0]["StatusCode"] == "PartialData"
    assert first["MetricDataResults"][0]["Values"] == [1, 2, 3]  # newest first by default
    second = cw.get_metric_data(
        MetricDataQueries=query, StartTime=start, EndTime=end, MaxDatapoints=3, NextToken=first["NextToken"]
    )
    assert second["MetricDataResults"][0]["Values"] == [4, 5]
    assert second["MetricDataResults"][0]["StatusCode"] == "Complete" and "NextToken" not in second


def test_the_json_protocol_answers_unsigned_as_the_console_calls_it(host, lam, cw):
    name = deploy(lam)
    lam.invoke(FunctionName=name, Payload=b"{}")
    wait_for_sum(cw, "Invocations", {"FunctionName": name}, 1)
    now = time.time()
    body = {
        "MetricDataQueries": [{"Id": "a", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda",
            "MetricName": "Invocations", "Dimensions": [{"Name": "FunctionName", "Value": name}]}, "Period": 60,
            "Stat": "Sum"}}],
        "StartTime": now - 600, "EndTime": now + 60,
    }  # fmt: skip
    headers = {"X-Amz-Target": "GraniteServiceVersion20100801.GetMetricData",
               "Content-Type": "application/x-amz-json-1.0"}  # fmt: skip
    answer = requests.post(host.endpoint + "/", data=json.dumps(body), headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/x-amz-json-1.0"
    result = answer.json()["MetricDataResults"][0]
    assert sum(result["Values"]) == 1 and all(isinstance(t, int | float) for t in result["Timestamps"])
    bad = requests.post(host.endpoint + "/", data=json.dumps({**body, "MetricDataQueries": []}), headers=headers,
                        timeout=10)  # fmt: skip
    assert bad.status_code == 400 and bad.json()["__type"].endswith("#MissingRequiredParameterException")
    assert bad.headers["x-amzn-query-error"] == "MissingParameter;Sender"


def test_the_query_protocol_answers_xml_as_older_sdks_and_the_cli_v1_call_it(host, lam, cw):
    name = deploy(lam)
    lam.invoke(FunctionName=name, Payload=b"{}")
    wait_for_sum(cw, "Invocations", {"FunctionName": name}, 1)
    start, end = window()
    form = {
        "Action": "GetMetricStatistics", "Version": "2010-08-01",
        "Namespace": "AWS/Lambda", "MetricName": "Invocations",
        "Dimensions.member.1.Name": "FunctionName", "Dimensions.member.1.Value": name,
        "StartTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "EndTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Period": "3600", "Statistics.member.1": "Sum",
    }  # fmt: skip
    request = botocore.awsrequest.AWSRequest(
        "POST", host.endpoint + "/", data=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )  # fmt: skip
    credentials = botocore.credentials.Credentials("lambda-host", "lambda-host")
    botocore.auth.SigV4Auth(credentials, "monitoring", "us-east-1").add_auth(request)
    answer = requests.post(request.url, data=request.body, headers=dict(request.headers), timeout=10)
    assert answer.status_code == 200, answer.text
    assert "<GetMetricStatisticsResponse" in answer.text and "<Sum>1.0</Sum>" in answer.text
    assert "<Label>Invocations</Label>" in answer.text


def test_prometheus_text_shows_the_same_figures(host, lam, cw):
    name = deploy(lam)
    for payload in (b"{}", b"{}", b'{"fail": true}'):
        lam.invoke(FunctionName=name, Payload=payload)
    wait_for_sum(cw, "Invocations", {"FunctionName": name}, 3)
    text = requests.get(host.endpoint + "/metrics", timeout=10).text
    assert "# TYPE aws_lambda_invocations_total counter" in text
    assert f'aws_lambda_invocations_total{{function_name="{name}"}} 3\n' in text
    assert f'aws_lambda_errors_total{{function_name="{name}"}} 1\n' in text
    assert "# TYPE aws_lambda_duration_milliseconds histogram" in text
    assert f'aws_lambda_duration_milliseconds_count{{function_name="{name}"}} 3\n' in text
    assert f'aws_lambda_duration_milliseconds_bucket{{function_name="{name}",le="+Inf"}} 3\n' in text
    assert f'lambda_host_cold_starts_total{{function_name="{name}"}} 1\n' in text


def test_a_kinesis_mapping_reports_the_iterator_age_of_its_batches(host, lam, cw):
    from tests.integration.esm_support import aws, enabled, stream

    name = deploy(lam)
    arn = stream(host)
    kinesis = aws(host, "kinesis")
    put_at = time.time()
    kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=b'{"n": 1}')
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON")
    enabled(lam, uuid["UUID"])
    try:
        wait_for_sum(cw, "Invocations", {"FunctionName": name}, 1)
        age = statistics(cw, "IteratorAge", {"FunctionName": name})
        assert age["SampleCount"] >= 1 and age["Unit"] == "Milliseconds"
        assert 0 <= age["Maximum"] <= (time.time() - put_at) * 1000 + 1000  # arrival to batch, at most our wait
    finally:
        lam.delete_event_source_mapping(UUID=uuid["UUID"])


def test_provisioned_concurrency_invocations_and_spillover_are_counted_on_the_alias(lam, cw):
    import concurrent.futures

    name = deploy(lam)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    deadline = time.monotonic() + 60
    while lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"] != "READY":
        assert time.monotonic() < deadline, "provisioned concurrency not READY in 60 s"
        time.sleep(0.2)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two at once: one provisioned, one spills over
        list(pool.map(lambda _: lam.invoke(FunctionName=f"{name}:live", Payload=b'{"sleep": 1}'), range(2)))
    alias = {"FunctionName": name, "Resource": f"{name}:live"}
    wait_for_sum(cw, "ProvisionedConcurrencyInvocations", alias, 1)
    wait_for_sum(cw, "ProvisionedConcurrencySpilloverInvocations", alias, 1)
    utilisation = statistics(cw, "ProvisionedConcurrencyUtilization", alias)
    assert utilisation["Maximum"] == 1.0 and utilisation["Unit"] == "None"
    assert statistics(cw, "ProvisionedConcurrentExecutions", alias)["Maximum"] == 1


def wait_for_some(cw, metric, dims, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while not (point := statistics(cw, metric, dims)).get("Sum"):
        assert time.monotonic() < deadline, f"no {metric} for {dims} in {timeout} s"
        time.sleep(0.1)
    return point


def test_failed_deliveries_count_as_destination_and_dead_letter_errors(lam, cw):
    missing = "arn:aws:sqs:us-east-1:123456789012:no-such-queue"
    name = deploy(lam, DeadLetterConfig={"TargetArn": missing})
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnSuccess": {"Destination": missing}}
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    fn = {"FunctionName": name}
    assert wait_for_some(cw, "DestinationDeliveryFailures", fn)["Unit"] == "Count"  # each failed try counts
    wait_for_some(cw, "DeadLetterErrors", fn)
    assert statistics(cw, "AsyncEventsDropped", fn)["Sum"] == 1


def test_metrics_survive_a_restart_of_the_host(lambda_host_factory, tmp_path):
    first = lambda_host_factory(state_dir=tmp_path)
    lam = client_for(first)
    name = deploy(lam)
    lam.invoke(FunctionName=name, Payload=b"{}")
    first.stop_thread()  # the last minutes are written as the host stops
    second = lambda_host_factory(state_dir=tmp_path)
    cw = boto3.client(
        "cloudwatch", endpoint_url=second.endpoint, region_name="us-east-1",
        aws_access_key_id="lambda-host", aws_secret_access_key="lambda-host",
    )  # fmt: skip
    assert statistics(cw, "Invocations", {"FunctionName": name})["Sum"] == 1
    lam = client_for(second)
    lam.invoke(FunctionName=name, Payload=b"{}")
    wait_for_sum(cw, "Invocations", {"FunctionName": name}, 2)  # added to what was kept


PUBLISHER = (
    "import boto3\n"
    "def handler(event, context):\n"
    "    boto3.client('cloudwatch').put_metric_data(  # AWS_ENDPOINT_URL points at the host\n"
    "        Namespace=event['namespace'], MetricData=[{'MetricName': 'orders', 'Value': 7, 'Unit': 'Count'}])\n"
    "    return 'sent'\n"
)


def test_a_function_publishes_its_own_metrics_with_its_sdk(lam, cw):
    name = f"m-{secrets.token_hex(4)}"
    lam.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=30,
        Code={"ZipFile": make_zip({"app.py": PUBLISHER})},
    )  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    namespace = f"Shop/{secrets.token_hex(3)}"
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"namespace": namespace}))
    assert answer["Payload"].read() == b'"sent"', answer.get("FunctionError")
    assert statistics(cw, "orders", {}, namespace=namespace)["Sum"] == 7
