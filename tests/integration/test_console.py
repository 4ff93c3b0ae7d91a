"""The console in a real browser: Playwright (from PyPI) driving Debian's Chromium against a host
serving real functions in containers.

Each test opens a page as a user would and waits (with deadlines) for what the page must show;
a screenshot of each page goes to test-artifacts/screenshots/. Pages that read services other
helpers of the host provide (saved test events, CloudWatch metrics and logs) are tested when the
host serves them, and skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
import requests

from host.testing.plugin import DEFAULT_ROLE, _start_host, client_for, make_zip

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("LAMBDA_HOST_CHROMIUM", "/usr/bin/chromium")
ECHO = (ROOT / "sample_functions" / "echo" / "app.py").read_text()
SLEEP = "import time\n\ndef handler(event, context):\n    time.sleep(event.get('seconds', 0))\n    return 'rested'\n"
RAISES = "def handler(event, context):\n    raise ValueError('no good: ' + str(event))\n"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def host(tmp_path_factory, lambda_host_run_id):
    served = _start_host(tmp_path_factory.mktemp("console"), lambda_host_run_id, function_logs=True)
    try:
        yield served
    finally:
        served.stop_thread()


@pytest.fixture(scope="module")
def lam(host):
    client = client_for(host)
    for name, code, timeout in (("echo", ECHO, 10), ("console-sleep", SLEEP, 30), ("console-raises", RAISES, 10)):
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=timeout,
            Code={"ZipFile": make_zip({"app.py": code})},
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    return client


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert not errors, f"the page's script failed: {errors}"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def aws(host, service: str):
    return boto3.client(
        service, endpoint_url=host.endpoint, region_name="us-east-1",
        aws_access_key_id="lambda-host", aws_secret_access_key="lambda-host",
    )  # fmt: skip


def serves(host, target: str | None = None, path: str | None = None) -> bool:
    """Whether the host answers this JSON-protocol target or this path (another part of the host)."""
    if path is not None:
        return requests.get(host.endpoint + path, timeout=10).status_code != 404
    version = "1.1" if target.startswith("Logs_") else "1.0"
    answer = requests.post(
        host.endpoint + "/",
        data="{}",
        headers={"X-Amz-Target": target, "Content-Type": f"application/x-amz-json-{version}"},
        timeout=10,
    )
    return "UnknownOperation" not in answer.headers.get("x-amzn-errortype", "") and answer.status_code != 404


def test_the_console_answers_browsers_at_the_root_and_the_api_keeps_its_paths(host):
    page = requests.get(host.endpoint + "/", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"] and "lambda-host" in page.text
    assert requests.get(host.endpoint + "/", timeout=10).headers["Content-Type"] == "application/json"
    listed = requests.get(host.endpoint + "/2015-03-31/functions", headers={"Accept": "text/html"}, timeout=10)
    assert listed.status_code == 200 and "Functions" in listed.json()


def test_the_functions_list_and_a_function_page_with_its_aliases_routing(host, lam, page):
    lam.publish_version(FunctionName="echo")
    lam.update_function_configuration(FunctionName="echo", Environment={"Variables": {"STAGE": "two"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName="echo", WaiterConfig={"Delay": 0.2})
    lam.publish_version(FunctionName="echo")
    lam.create_alias(
        FunctionName="echo", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}}
    )
    lam.invoke(FunctionName="echo", Payload=b"{}")
    page.goto(host.endpoint + "/")
    row = page.locator('tr[data-function="echo"]')
    expect(row).to_contain_text("python3.11", timeout=WAIT_MS)
    expect(row).to_contain_text("idle", timeout=WAIT_MS)  # its warm environment
    expect(page.locator('tr[data-function="console-sleep"]')).to_be_visible()
    shoot(page, "functions")
    row.get_by_role("link", name="echo").click()
    expect(page.locator("h1")).to_have_text("echo")
    expect(page.locator("section", has_text="Aliases")).to_contain_text("75% → 1, 25% → 2", timeout=WAIT_MS)
    expect(page.locator("section", has_text="Versions")).to_contain_text("$LATEST")
    expect(page.locator("section", has_text="Environment variables")).to_contain_text("two")
    shoot(page, "function")


def test_a_module_request_dropped_in_flight_is_loaded_again(host, lam, page):
    """Chromium drops requests when Docker changes the network interfaces; the page loads itself again."""
    dropped: list[str] = []

    def drop_once(route):
        if dropped:
            route.continue_()
        else:
            dropped.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/console/static/ui.js", drop_once)
    page.goto(host.endpoint + "/")
    expect(page.locator('tr[data-function="echo"]')).to_contain_text("python3.11", timeout=WAIT_MS)
    assert dropped, "the module request was never made"


def test_invoking_from_the_test_page_shows_the_result_and_the_log_tail(host, lam, page):
    page.goto(host.endpoint + "/console/test/echo")
    page.locator("#event-json").fill('{"greeting": "hello from the console"}')
    page.locator("#qualifier").select_option("live")
    page.locator("#invoke").click()
    expect(page.locator("#invoke-payload")).to_contain_text("hello from the console", timeout=WAIT_MS)
    expect(page.locator("#invoke-result")).to_contain_text("Succeeded")
    log = page.locator("#invoke-log")
    expect(log).to_contain_text("START RequestId")
    expect(log).to_contain_text("echo got {'greeting': 'hello from the console'}")
    expect(log).to_contain_text("REPORT RequestId")
    shoot(page, "test")
    page.goto(host.endpoint + "/console/test/console-raises")
    page.locator("#invoke").click()
    expect(page.locator("#invoke-result")).to_contain_text("Function error: Unhandled", timeout=WAIT_MS)
    expect(page.locator("#invoke-payload")).to_contain_text("no good")


def test_a_saved_test_event_is_kept_and_used_for_an_invoke(host, lam, page):
    if not serves(host, path="/_lambda-host/events/templates"):
        pytest.skip("this host does not serve saved test events yet")
    page.goto(host.endpoint + "/console/test/echo")
    page.locator("#event-name").fill("console-order")
    page.locator("#event-json").fill('{"order": 42}')
    page.locator("#save-event").click()
    saved = page.locator("#saved-events")
    expect(saved.locator("option", has_text="console-order")).to_have_count(1, timeout=WAIT_MS)
    listed = requests.get(host.endpoint + "/_lambda-host/functions/echo/test-events", timeout=10).json()
    assert [e["Name"] for e in listed["TestEvents"]] == ["console-order"]
    page.reload()
    page.locator("#saved-events").select_option("console-order")
    expect(page.locator("#event-json")).to_have_value(json.dumps({"order": 42}, indent=2))
    page.locator("#templates").select_option(index=1)  # a sample event of AWS's fills the editor
    expect(page.locator("#event-json")).not_to_have_value(json.dumps({"order": 42}, indent=2), timeout=WAIT_MS)
    page.locator("#saved-events").select_option("console-order")
    page.locator("#invoke").click()
    expect(page.locator("#invoke-payload")).to_contain_text('"order": 42', timeout=WAIT_MS)
    shoot(page, "test-saved-event")


def test_the_monitor_chart_shows_the_invocations_just_made(host, lam, page):
    if not serves(host, target="GraniteServiceVersion20100801.GetMetricData"):
        pytest.skip("this host does not serve CloudWatch metrics yet")
    for _ in range(3):
        lam.invoke(FunctionName="echo", Payload=b"{}")
    page.goto(host.endpoint + "/console/monitor/echo")
    page.wait_for_function(
        "() => Number(document.querySelector('#chart-invocations .chart')?.dataset.points || 0) > 0",
        timeout=WAIT_MS,
    )
    expect(page.locator("#queue-depth")).to_be_visible()
    shoot(page, "monitor")


def test_the_logs_page_tails_the_function_log_and_filters_it(host, lam, page):
    if not serves(host, target="Logs_20140328.DescribeLogGroups"):
        pytest.skip("this host does not serve CloudWatch Logs yet")
    page.goto(host.endpoint + "/console/logs/echo")
    marker = f"marker-{time.time_ns()}"
    lam.invoke(FunctionName="echo", Payload=json.dumps({"marker": marker}).encode())
    rows = page.locator("#log-rows")
    expect(rows).to_contain_text(marker, timeout=WAIT_MS)  # live: arrives without a reload
    expect(rows).to_contain_text("REPORT RequestId")
    shoot(page, "logs")
    page.locator("#filter").fill(marker)
    page.locator("#filter").press("Enter")
    expect(rows.locator("tr")).to_have_count(1, timeout=WAIT_MS)


def test_a_finished_execution_is_drawn_with_its_states_coloured(host, lam, page):
    sfn = aws(host, "stepfunctions")
    echo_arn = lam.get_function(FunctionName="echo")["Configuration"]["FunctionArn"]
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"item": "book"}, "Next": "Call echo"},
            "Call echo": {"Type": "Task", "Resource": echo_arn, "Next": "Decide"},
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.function", "StringEquals": "echo", "Next": "Done"}],
                "Default": "Give up",
            },
            "Give up": {"Type": "Fail", "Error": "Unexpected"},
            "Done": {"Type": "Succeed"},
        },
    }
    machine = sfn.create_state_machine(
        name="console-flow", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/x"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    deadline = time.monotonic() + 60
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.1)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"

    page.goto(f"{host.endpoint}/console/state-machines/{quote(machine, safe='')}")
    expect(page.locator("#graph g.node.state")).to_have_count(5, timeout=WAIT_MS)
    expect(page.get_by_text("SUCCEEDED")).to_be_visible(timeout=WAIT_MS)
    shoot(page, "state-machine")

    page.goto(f"{host.endpoint}/console/executions/{quote(execution, safe='')}")
    statuses = """() => Object.fromEntries([...document.querySelectorAll('#graph g.node.state')]
        .map((g) => [g.querySelector('title').textContent, g.dataset.status]))"""
    page.wait_for_function(f"() => ({statuses})()['Done'] === 'succeeded'", timeout=WAIT_MS)
    assert page.evaluate(statuses) == {
        "Prepare": "succeeded", "Call echo": "succeeded", "Decide": "succeeded", "Done": "succeeded",
        "Give up": "not-run",
    }  # fmt: skip
    assert page.evaluate("() => getComputedStyle(document.querySelector('#graph g.node.st-succeeded path,"
                         " #graph g.node.st-succeeded polygon, #graph g.node.st-succeeded rect')).fill") == (
        "rgb(213, 240, 223)"
    )  # fmt: skip
    page.locator("#steps").get_by_role("link", name="Call echo").click()
    expect(page.locator("#step-io strong")).to_have_text("Call echo")
    expect(page.locator("#step-io")).to_contain_text('"item": "book"')  # its input
    expect(page.locator("#step-io")).to_contain_text('"function": "echo"')  # its output
    shoot(page, "execution")


def test_an_execution_started_from_the_console_is_coloured_live_while_it_runs(host, lam, page):
    sfn = aws(host, "stepfunctions")
    definition = {
        "StartAt": "Hold",
        "States": {"Hold": {"Type": "Wait", "Seconds": 8, "Next": "After"}, "After": {"Type": "Pass", "End": True}},
    }
    machine = sfn.create_state_machine(
        name="console-wait", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/x"
    )["stateMachineArn"]
    page.goto(f"{host.endpoint}/console/state-machines/{quote(machine, safe='')}")
    page.locator("#execution-input").fill('{"started": "from the console"}')
    page.locator("#start-execution").click()
    page.wait_for_url("**/console/executions/**", timeout=WAIT_MS)
    hold = page.locator("#graph g.node.state", has=page.locator("title", has_text="Hold"))
    expect(hold).to_have_attribute("data-status", "running", timeout=WAIT_MS)
    expect(page.locator("#graph g.node.state", has=page.locator("title", has_text="After"))).to_have_attribute(
        "data-status", "not-run"
    )
    shoot(page, "execution-running")
    expect(hold).to_have_attribute("data-status", "succeeded", timeout=WAIT_MS)  # no reload: the page follows it
    expect(page.locator("#execution-status")).to_have_text("SUCCEEDED")
    [execution] = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"]) == {
        "started": "from the console"
    }


def test_an_undeliverable_record_is_shown_and_redriven_from_the_monitor_page(host, lam, page):
    sqs = aws(host, "sqs")
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:console-failures"  # the queue does not exist yet
    lam.put_function_event_invoke_config(
        FunctionName="console-raises",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    lam.invoke(FunctionName="console-raises", InvocationType="Event", Payload=b'{"order": 7}')
    page.goto(host.endpoint + "/console/monitor/console-raises")
    expect(page.locator("#undeliverable-count .value")).to_have_text("1", timeout=60_000)
    row = page.locator("tr", has_text="console-failures")
    expect(row).to_contain_text("OnFailure")
    shoot(page, "monitor-undeliverable")
    queue_url = sqs.create_queue(QueueName="console-failures")["QueueUrl"]
    row.get_by_role("button", name="Redrive").click()
    expect(page.locator("#undeliverable-count .value")).to_have_text("0", timeout=WAIT_MS)
    deadline = time.monotonic() + 30
    messages = []
    while not messages:
        assert time.monotonic() < deadline, "the redriven record never reached the queue"
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted" and record["requestPayload"] == {"order": 7}


def test_the_environments_page_shows_an_environment_busy_then_idle(host, lam, page):
    slow = client_for(host)
    invoked = threading.Thread(
        target=lambda: slow.invoke(FunctionName="console-sleep", Payload=b'{"seconds": 4}'), daemon=True
    )
    page.goto(host.endpoint + "/console/environments")
    invoked.start()
    pool = page.locator('.pool[data-function="console-sleep"]')
    expect(pool.locator('.env[data-phase="busy"]')).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator(".env.stem").first).to_be_visible()  # stems per runtime
    shoot(page, "environments")
    invoked.join(60)
    expect(pool.locator('.env[data-phase="idle"]')).to_have_count(1, timeout=WAIT_MS)
    expect(pool).to_contain_text("1 invocation")


def test_the_event_source_mappings_page_lists_a_mapping_with_its_state(host, lam, page):
    queue_url = aws(host, "sqs").create_queue(QueueName="console-orders")["QueueUrl"]
    attributes = aws(host, "sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    mapping = lam.create_event_source_mapping(
        EventSourceArn=attributes["Attributes"]["QueueArn"], FunctionName="echo", BatchSize=5
    )
    try:
        page.goto(host.endpoint + "/console/event-source-mappings")
        row = page.locator("tr", has_text="console-orders")
        expect(row).to_contain_text("Enabled", timeout=WAIT_MS)
        expect(row).to_contain_text("5")
        shoot(page, "event-sources")
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
