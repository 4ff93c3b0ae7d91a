"""CloudWatch Logs on the host's port: functions' output in their log groups, read with boto3's ``logs`` client.

Real containers write through the host; every assertion reads back through the Logs API
(JSON 1.1, ``X-Amz-Target: Logs_20140328.*``) at the same endpoint as Lambda's.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections import defaultdict

import boto3
import pytest
from botocore.config import Config

from host.host import Host

STREAM_NAME = re.compile(r"\d{4}/\d{2}/\d{2}/\[(\$LATEST|\d+)\][0-9a-f]{32}")
PRINTS = "def handler(event, context):\n    print('hello from', event.get('who', 'nobody'))\n    return 'ok'\n"


def logs_client(host: Host):
    return boto3.client(
        "logs", endpoint_url=host.endpoint, region_name=host.config.region, aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip


def wait_for(check, timeout: float = 20.0, what: str = "condition"):
    """``check()``'s first truthy value, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def invoke(lambda_client, name: str, event: dict | None = None) -> str:
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    assert "FunctionError" not in response, response["Payload"].read()
    response["Payload"].read()
    return response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def stream_messages(logs, group: str) -> list[str]:
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    messages = []
    for stream in streams:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True)
        messages.extend(event["message"] for event in events["events"])
    return messages


def reported(logs, group: str, request_id: str) -> list[str]:
    """The group's messages once the REPORT of ``request_id`` is among them."""
    try:
        messages = stream_messages(logs, group)
    except logs.exceptions.ResourceNotFoundException:
        return []
    return messages if any(m.startswith(f"REPORT RequestId: {request_id}") for m in messages) else []


@pytest.fixture(scope="module")
def logs(lambda_host):
    return logs_client(lambda_host)


def test_an_invoke_writes_start_output_end_and_report_to_the_functions_stream(lambda_client, logs, create_function):
    name = create_function({"app.py": PRINTS})
    request_id = invoke(lambda_client, name, {"who": "test"})
    group = f"/aws/lambda/{name}"
    messages = wait_for(lambda: reported(logs, group, request_id), what="the REPORT line")
    start = messages.index(f"START RequestId: {request_id} Version: $LATEST\n")
    assert messages[start + 1] == "hello from test\n"
    assert messages[start + 2] == f"END RequestId: {request_id}\n"
    report = messages[start + 3]
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        r"Max Memory Used: \d+ MB\t(Init Duration: [\d.]+ ms\t)?\n",
        report,
    ), report
    assert any(m.startswith("INIT_START Runtime Version: python:3.11") for m in messages[:start])

    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1 and STREAM_NAME.fullmatch(streams[0]["logStreamName"])
    assert streams[0]["logStreamName"].startswith(time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()))
    assert streams[0]["firstEventTimestamp"] <= streams[0]["lastEventTimestamp"] <= streams[0]["lastIngestionTime"]
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    assert groups[0]["arn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"
    assert groups[0]["storedBytes"] > 0

    found = logs.filter_log_events(logGroupName=group, filterPattern='"hello from test"')["events"]
    assert [e["message"] for e in found] == ["hello from test\n"]
    assert found[0]["logStreamName"] == streams[0]["logStreamName"]
    assert (
        abs(found[0]["timestamp"] - time.time() * 1000) < 60_000 and found[0]["ingestionTime"] >= found[0]["timestamp"]
    )


def test_each_environment_writes_its_own_stream_and_a_version_shows_in_the_name(lambda_client, logs, create_function):
    name = create_function({"app.py": PRINTS})
    invoke(lambda_client, name)
    lambda_client.publish_version(FunctionName=name)
    request_id = invoke(lambda_client, f"{name}:1")
    group = f"/aws/lambda/{name}"
    wait_for(lambda: reported(logs, group, request_id), what="the version's REPORT")
    names = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    assert sorted(re.search(r"\[(.+)\]", n).group(1) for n in names) == ["$LATEST", "1"]
    by_time = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
    assert "[1]" in by_time[0]["logStreamName"]


def test_a_logging_config_log_group_receives_the_functions_logs(lambda_client, logs, create_function):
    name = f"custom-{secrets.token_hex(4)}"
    create_function({"app.py": PRINTS}, name=name, LoggingConfig={"LogGroup": f"/custom/{name}"})
    request_id = invoke(lambda_client, name)
    wait_for(lambda: reported(logs, f"/custom/{name}", request_id), what="the custom group's REPORT")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")


def test_get_log_events_pages_with_forward_and_backward_tokens(logs):
    group, stream = "/test/paging", "s"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group, logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": f"line {i}"} for i in range(25)],
    )  # fmt: skip
    first = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=10)
    assert [e["message"] for e in first["events"]] == [f"line {i}" for i in range(10)]
    assert re.fullmatch(r"f/\d{56}/s", first["nextForwardToken"])
    second = logs.get_log_events(
        logGroupName=group, logStreamName=stream, nextToken=first["nextForwardToken"], limit=10
    )
    assert [e["message"] for e in second["events"]] == [f"line {i}" for i in range(10, 20)]
    back = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=second["nextBackwardToken"], limit=5)
    assert [e["message"] for e in back["events"]] == [f"line {i}" for i in range(5, 10)]
    latest = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3)
    assert [e["message"] for e in latest["events"]] == ["line 22", "line 23", "line 24"]
    end = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=latest["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == latest["nextForwardToken"]
    window = logs.get_log_events(
        logGroupName=group, logStreamName=stream, startTime=now + 3, endTime=now + 6, startFromHead=True
    )
    assert [e["message"] for e in window["events"]] == ["line 3", "line 4", "line 5"]
    paged, token = [], None  # read forward until the token comes back unchanged, as SDKs do
    while True:
        more = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=7, **more)
        paged.extend(e["message"] for e in page["events"])
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert paged == [f"line {i}" for i in range(25)]


def test_filter_patterns_select_events_as_cloudwatch_does(logs):
    group = "/test/patterns"
    logs.create_log_group(logGroupName=group)
    for stream in ("app-1", "app-2", "other"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    lines = {
        "app-1": ['{"level": "ERROR", "latency": 250, "msg": "db down"}', "INFO all good", "ERROR disk full"],
        "app-2": ['{"level": "INFO", "latency": 20}', "WARN slow request", "127.0.0.1 GET /index 404 512"],
        "other": ["ERROR elsewhere", "10.0.0.1 POST /api 200 2048"],
    }
    for stream, messages in lines.items():
        logs.put_log_events(
            logGroupName=group, logStreamName=stream,
            logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
        )  # fmt: skip

    def found(**params) -> list[str]:
        return sorted(e["message"] for e in logs.filter_log_events(logGroupName=group, **params)["events"])

    assert found(filterPattern="ERROR") == sorted(
        ['{"level": "ERROR", "latency": 250, "msg": "db down"}', "ERROR disk full", "ERROR elsewhere"]
    )
    assert found(filterPattern="ERROR -disk -elsewhere") == ['{"level": "ERROR", "latency": 250, "msg": "db down"}']
    assert found(filterPattern='?WARN ?"all good"') == ["INFO all good", "WARN slow request"]
    assert found(filterPattern='{ $.level = "ERROR" && $.latency > 100 }') == [
        '{"level": "ERROR", "latency": 250, "msg": "db down"}'
    ]
    assert found(filterPattern='{ ($.latency < 100) || ($.msg = "db*") }') == sorted(
        ['{"level": "ERROR", "latency": 250, "msg": "db down"}', '{"level": "INFO", "latency": 20}']
    )
    assert found(filterPattern="[ip, method, path, status = 4*, bytes]") == ["127.0.0.1 GET /index 404 512"]
    assert found(filterPattern="[..., bytes > 1000]") == ["10.0.0.1 POST /api 200 2048"]
    assert found(filterPattern="ERROR", logStreamNamePrefix="app-") == sorted(
        ['{"level": "ERROR", "latency": 250, "msg": "db down"}', "ERROR disk full"]
    )
    assert found(filterPattern="ERROR", logStreamNames=["other"]) == ["ERROR elsewhere"]
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.level = ")
    first = logs.filter_log_events(logGroupName=group, limit=3)
    rest = logs.filter_log_events(logGroupName=group, nextToken=first["nextToken"])
    assert len(first["events"]) == 3 and len(rest["events"]) == 5
    ids = [e["eventId"] for e in first["events"] + rest["events"]]
    assert len(set(ids)) == 8


def test_errors_are_aws_shaped(logs):
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as missing:
        logs.get_log_events(logGroupName="/no/such/group", logStreamName="s")
    assert missing.value.response["Error"]["Message"] == "The specified log group does not exist."
    logs.create_log_group(logGroupName="/test/errors")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName="/test/errors")
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as no_stream:
        logs.get_log_events(logGroupName="/test/errors", logStreamName="nope")
    assert no_stream.value.response["Error"]["Message"] == "The specified log stream does not exist."
    with pytest.raises(logs.exceptions.InvalidParameterException) as bad_name:
        logs.create_log_group(logGroupName="bad name!")
    assert "regular expression pattern" in bad_name.value.response["Error"]["Message"]
    with pytest.raises(logs.exceptions.InvalidParameterException) as bad_days:
        logs.put_retention_policy(logGroupName="/test/errors", retentionInDays=2)
    assert "Member must satisfy enum value set: [1, 3, 5, 7" in bad_days.value.response["Error"]["Message"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_log_group(logGroupName="/no/such/group")
    logs.delete_log_group(logGroupName="/test/errors")
    assert logs.describe_log_groups(logGroupNamePrefix="/test/errors")["logGroups"] == []


def test_retention_shows_in_describe_and_drops_events_older_than_it(logs):
    group = "/test/retention"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    old, recent = now - 5 * 86_400_000, now - 1000
    for timestamp, message in ((old, "five days old"), (recent, "new")):  # one day at most per call
        logs.put_log_events(
            logGroupName=group, logStreamName="s", logEvents=[{"timestamp": timestamp, "message": message}]
        )
    logs.put_retention_policy(logGroupName=group, retentionInDays=3)
    described = logs.describe_log_groups(logGroupNamePattern="retention")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in described] == [(group, 3)]
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["new"]
    rejected = logs.put_log_events(
        logGroupName=group, logStreamName="s", logEvents=[{"timestamp": old, "message": "expired"}]
    )
    assert rejected["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]


def test_logs_survive_a_restart_of_the_host(lambda_host_factory, tmp_path):
    from host.testing.plugin import client_for, make_zip

    state = tmp_path / "state"
    host = lambda_host_factory(state_dir=state)
    client = client_for(host)
    client.create_function(
        FunctionName="survivor", Runtime="python3.11", Role="arn:aws:iam::123456789012:role/r", Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": PRINTS})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="survivor", WaiterConfig={"Delay": 0.2})
    request_id = invoke(client, "survivor", {"who": "before restart"})
    before = wait_for(lambda: reported(logs_client(host), "/aws/lambda/survivor", request_id), what="REPORT")
    host.stop_thread()
    again = lambda_host_factory(state_dir=state)
    assert stream_messages(logs_client(again), "/aws/lambda/survivor") == before
    assert (state / "logs.db").exists()


def test_the_store_is_bounded_and_drops_the_oldest_events(lambda_host_factory, tmp_path):
    host = lambda_host_factory(state_dir=tmp_path / "bounded", logs_max_mb=1)
    logs = logs_client(host)
    logs.create_log_group(logGroupName="/test/bounded")
    logs.create_log_stream(logGroupName="/test/bounded", logStreamName="s")
    now = int(time.time() * 1000)
    for batch in range(30):  # 30 batches of 100 events of 1 KB: 3 MB into a 1 MB store
        logs.put_log_events(
            logGroupName="/test/bounded", logStreamName="s",
            logEvents=[{"timestamp": now + batch * 100 + i, "message": f"{batch:02d}-{i:03d} " + "x" * 1000}
                       for i in range(100)],
        )  # fmt: skip
    stored = logs.describe_log_groups(logGroupNamePrefix="/test/bounded")["logGroups"][0]["storedBytes"]
    assert stored <= 2**20
    events = logs.get_log_events(logGroupName="/test/bounded", logStreamName="s", startFromHead=True)["events"]
    assert events[-1]["message"].startswith("29-099")
    assert not events[0]["message"].startswith("00-")


def test_tail_follow_sees_new_invocations_as_aws_cli_v2_polls_for_them(lambda_client, logs, create_function):
    """What ``aws logs tail GROUP --follow`` (AWS CLI v2, ``awscli/customizations/logs/tail.py``) calls:
    FilterLogEvents with ``interleaved`` and ``startTime`` (ten minutes back), following ``nextToken``;
    when none comes back, again from the newest timestamp seen, dropping events already seen by id."""
    name = create_function({"app.py": PRINTS})
    group = f"/aws/lambda/{name}"
    kwargs = {"logGroupName": group, "interleaved": True, "startTime": int((time.time() - 600) * 1000)}
    seen: dict[int, set] = defaultdict(set)
    shown: list[str] = []

    def poll() -> None:
        nonlocal seen
        while True:
            response = logs.filter_log_events(**kwargs)
            for event in response["events"]:
                if event["eventId"] not in seen[event["timestamp"]]:
                    seen[event["timestamp"]].add(event["eventId"])
                    shown.append(event["message"])
            if seen:
                newest = max(seen)
                seen = defaultdict(set, {newest: seen[newest]})
            if "nextToken" in response:
                kwargs["nextToken"] = response["nextToken"]
                continue
            kwargs.pop("nextToken", None)
            if seen:
                kwargs["startTime"] = max(seen)
            return

    first = invoke(lambda_client, name, {"who": "one"})
    wait_for(lambda: poll() or any(m.startswith(f"REPORT RequestId: {first}") for m in shown), what="first")
    second = invoke(lambda_client, name, {"who": "two"})
    wait_for(lambda: poll() or any(m.startswith(f"REPORT RequestId: {second}") for m in shown), what="second")
    assert shown.count("hello from one\n") == 1 and shown.count("hello from two\n") == 1, shown
    starts = [m for m in shown if m.startswith("START ")]
    assert starts == [
        f"START RequestId: {first} Version: $LATEST\n",
        f"START RequestId: {second} Version: $LATEST\n",
    ], shown


PY_LEVELS = """import logging
logger = logging.getLogger("app")
logger.setLevel(logging.DEBUG)
def handler(event, context):
    logger.debug("debug line")
    logger.info("info line")
    logger.warning("warn line", extra={"orderId": 42})
    logger.error("error line")
    print("plain print")
    return "ok"
"""
NODE_LEVELS = """export const handler = async () => {
  console.debug('debug line');
  console.log('info line');
  console.warn('warn line');
  console.error('error line', new TypeError('bad input'));
  return 'ok';
};
"""


def json_records(messages: list[str]) -> list[dict]:
    return [json.loads(m) for m in messages if m.startswith("{")]


@pytest.mark.parametrize(
    ("runtime", "handler", "files"),
    [("python3.11", "app.handler", {"app.py": PY_LEVELS}), ("nodejs20.x", "index.handler", {"index.mjs": NODE_LEVELS})],
)
def test_json_log_format_writes_aws_records_and_filters_by_application_level(
    lambda_client, logs, create_function, runtime, handler, files
):
    name = create_function(
        files, runtime=runtime, handler=handler,
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "SystemLogLevel": "INFO"},
    )  # fmt: skip
    request_id = invoke(lambda_client, name)
    group = f"/aws/lambda/{name}"

    def messages() -> list[str]:
        try:
            found = stream_messages(logs, group)
        except logs.exceptions.ResourceNotFoundException:
            return []
        done = any(r.get("type") == "platform.report" for r in json_records(found))
        return found if done else []

    records = json_records(wait_for(messages, what="the platform.report record"))
    app = [r for r in records if "level" in r]
    assert [r["level"] for r in app] == ["WARN", "ERROR"]
    assert [r["message"].split(" TypeError")[0] for r in app] == ["warn line", "error line"]
    for record in app:
        assert record["requestId"] == request_id
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])
    if runtime.startswith("python"):
        assert app[0]["logger"] == "app" and app[0]["orderId"] == 42
    else:
        assert app[1]["errorType"] == "TypeError" and app[1]["errorMessage"] == "bad input"

    platform = [r for r in records if "type" in r]
    kinds = [r["type"] for r in platform]
    assert "platform.start" in kinds and "platform.report" in kinds
    assert "platform.runtimeDone" not in kinds  # DEBUG, below the SystemLogLevel INFO
    start = next(r for r in platform if r["type"] == "platform.start")
    assert start["record"] == {"requestId": request_id, "version": "$LATEST"}
    report = next(r for r in platform if r["type"] == "platform.report")
    assert report["record"]["requestId"] == request_id and report["record"]["status"] == "success"
    assert set(report["record"]["metrics"]) >= {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"}
    matched = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" }')["events"]
    assert len(matched) == 1 and "error line" in matched[0]["message"]


def test_system_log_level_debug_adds_runtime_done_and_warn_drops_the_platform_records(
    lambda_client, logs, create_function
):
    name = create_function(
        {"app.py": PRINTS},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "DEBUG"},
    )
    request_id = invoke(lambda_client, name, {"who": "debug"})
    group = f"/aws/lambda/{name}"

    def kinds() -> list[str]:
        try:
            return [r.get("type") for r in json_records(stream_messages(logs, group))]
        except logs.exceptions.ResourceNotFoundException:
            return []

    found = wait_for(lambda: (k := kinds()) and "platform.report" in k and k, what="platform records")
    assert found.index("platform.start") < found.index("platform.runtimeDone") < found.index("platform.report")
    assert "platform.initStart" in found

    lambda_client.update_function_configuration(
        FunctionName=name, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"}
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    second = invoke(lambda_client, name, {"who": "quiet platform"})
    wait_for(
        lambda: any(m == "hello from quiet platform\n" for m in stream_messages(logs, group)), what="the second output"
    )
    time.sleep(0.3)  # the END/REPORT lines follow the output in the same flush; give a late one its chance
    messages = stream_messages(logs, group)
    assert not any(second in m for m in messages)  # neither platform.start nor platform.report for it
    assert request_id in "".join(messages)


def test_start_live_tail_streams_new_events_of_a_function_as_they_are_written(
    lambda_host, lambda_client, create_function
):
    """StartLiveTail as boto3 calls it; ``inject_host_prefix=False`` because the model sends it to
    ``stream-<host>``, which no local address resolves as."""
    name = create_function({"app.py": PRINTS})
    invoke(lambda_client, name, {"who": "before the tail"})
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/{name}"
    tail = boto3.client(
        "logs", endpoint_url=lambda_host.endpoint, region_name="us-east-1", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(inject_host_prefix=False, read_timeout=30),
    )  # fmt: skip
    wait_for(lambda: reported(logs_client(lambda_host), f"/aws/lambda/{name}", ""), what="the group")
    response = tail.start_live_tail(logGroupIdentifiers=[group_arn], logEventFilterPattern="hello")
    stream = response["responseStream"]
    try:
        events = iter(stream)
        start = next(events)["sessionStart"]
        assert start["logGroupIdentifiers"] == [group_arn] and start["logEventFilterPattern"] == "hello"
        invoke(lambda_client, name, {"who": "the tail"})
        seen: list[str] = []
        deadline = time.monotonic() + 20
        while "hello from the tail\n" not in seen and time.monotonic() < deadline:
            update = next(events)["sessionUpdate"]
            for result in update["sessionResults"]:
                assert result["logGroupIdentifier"] == group_arn
                assert STREAM_NAME.fullmatch(result["logStreamName"])
                seen.append(result["message"])
        assert seen == ["hello from the tail\n"]  # only what matches, only what came after the start
    finally:
        stream.close()
    with pytest.raises(tail.exceptions.ResourceNotFoundException):
        tail.start_live_tail(logGroupIdentifiers=["arn:aws:logs:us-east-1:123456789012:log-group:/no/such"])


def test_describe_calls_page_with_limit_and_next_token(logs):
    for i in range(5):
        logs.create_log_group(logGroupName=f"/test/describe/{i}")
    logs.create_log_group(logGroupName="/other/DESCRIBE-me")
    first = logs.describe_log_groups(logGroupNamePrefix="/test/describe/", limit=2)
    assert [g["logGroupName"] for g in first["logGroups"]] == ["/test/describe/0", "/test/describe/1"]
    names = [
        g["logGroupName"]
        for page in logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix="/test/describe/", PaginationConfig={"PageSize": 2}
        )
        for g in page["logGroups"]
    ]
    assert names == [f"/test/describe/{i}" for i in range(5)]
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="describe-ME")["logGroups"]] == [
        "/other/DESCRIBE-me"
    ]
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.describe_log_groups(logGroupNamePrefix="/test", logGroupNamePattern="x")
    for stream in ("b", "a", "c"):
        logs.create_log_stream(logGroupName="/test/describe/0", logStreamName=stream)
    streams = [
        s["logStreamName"]
        for page in logs.get_paginator("describe_log_streams").paginate(
            logGroupName="/test/describe/0", descending=True, PaginationConfig={"PageSize": 2}
        )
        for s in page["logStreams"]
    ]
    assert streams == ["c", "b", "a"]
    with pytest.raises(logs.exceptions.InvalidParameterException) as both:
        logs.describe_log_streams(logGroupName="/test/describe/0", orderBy="LastEventTime", logStreamNamePrefix="a")
    assert both.value.response["Error"]["Message"] == "Cannot order by LastEventTime with a logStreamNamePrefix."


WRITES_LOGS = """import os, time, boto3
def handler(event, context):
    logs = boto3.client("logs")  # AWS_ENDPOINT_URL points back at the host
    group = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
    logs.create_log_stream(logGroupName=group, logStreamName="from-the-function")
    logs.put_log_events(logGroupName=group, logStreamName="from-the-function",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": event["say"]}])
    return "written"
"""


def test_a_function_writes_its_own_log_events_through_the_host(lambda_client, logs, create_function):
    name = create_function({"app.py": WRITES_LOGS}, Timeout=30)
    invoke(lambda_client, name, {"say": "custom event"})
    events = logs.get_log_events(logGroupName=f"/aws/lambda/{name}", logStreamName="from-the-function")["events"]
    assert [e["message"] for e in events] == ["custom event"]


def test_logs_operations_not_served_here_go_to_the_aws_endpoint(logs):
    """Metric filters, tags, Insights and the like are the AWS endpoint's (embedded moto here),
    as every Logs request was before the host kept logs itself."""
    logs.put_metric_filter(
        logGroupName="/test/relayed", filterName="errors", filterPattern="ERROR",
        metricTransformations=[{"metricName": "Errors", "metricNamespace": "Test", "metricValue": "1"}],
    )  # fmt: skip
    filters = logs.describe_metric_filters(logGroupName="/test/relayed")["metricFilters"]
    assert [f["filterName"] for f in filters] == ["errors"]
