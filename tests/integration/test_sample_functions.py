"""The sample functions of sample_functions/template.yaml, deployed from the template."""

import base64
import json
import urllib.request

import pytest

from host.testing.plugin import client_for

from .test_cli import TEMPLATE


@pytest.fixture(scope="module")
def samples(tmp_path_factory, lambda_host_run_id):
    from host.testing.plugin import _start_host

    host = _start_host(tmp_path_factory.mktemp("samples"), lambda_host_run_id, template=TEMPLATE)
    yield client_for(host)
    host.stop_thread()


def call(client, name, event=None):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail")
    return response, json.loads(response["Payload"].read())


def test_echo_returns_its_event(samples):
    response, body = call(samples, "echo", {"a": 1})
    assert body["event"] == {"a": 1}
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]


def test_the_template_globals_apply(samples):
    config = samples.get_function_configuration(FunctionName="echo")
    assert config["Timeout"] == 10 and config["MemorySize"] == 256
    assert config["Environment"]["Variables"] == {"STAGE": "local"}
    assert samples.get_function_configuration(FunctionName="sleeper")["Timeout"] == 1


def test_greeter_uses_its_layer(samples):
    assert call(samples, "greeter", {"name": "layer"})[1] == {"message": "Hello, layer! (from a layer)"}


def test_node_hello_runs_on_node_18(samples):
    body = json.loads(call(samples, "node-hello")[1]["body"])
    assert body["node"].startswith("v18.")


def test_shell_echo_is_a_custom_runtime(samples):
    response, body = call(samples, "shell-echo", {"x": 1})
    assert body == {"shell": "ok", "event": {"x": 1}}
    assert "shell_echo handling" in base64.b64decode(response["LogResult"]).decode()


def test_raises_fails_with_its_exception(samples):
    response, body = call(samples, "raises", {"card": "1111"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "PaymentDeclined"
    assert body["errorMessage"] == "card 1111 was declined"


def test_sleeper_times_out(samples):
    _, body = call(samples, "sleeper")
    assert body["errorType"] == "Sandbox.Timedout"


def test_echo_has_a_function_url(samples):
    url = samples.get_function_url_config(FunctionName="echo")["FunctionUrl"]
    request = urllib.request.Request(url + "hello?x=1", data=b'{"from": "curl"}', method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        event = json.loads(response.read())["event"]
    assert event["rawPath"] == "/hello" and event["queryStringParameters"] == {"x": "1"}
    assert event["body"] == '{"from": "curl"}'


def test_greeter_is_published_behind_its_live_alias(samples):
    assert samples.get_alias(FunctionName="greeter", Name="live")["FunctionVersion"] == "1"
    response, body = call(samples, "greeter:live", {"name": "alias"})
    assert response["ExecutedVersion"] == "1" and body == {"message": "Hello, alias! (from a layer)"}


def test_the_order_workflow_greets_and_catches_the_declined_payment(samples):
    from tests.integration.sfn_helpers import details, history, sfn_client, wait_for_end

    sfn = sfn_client(samples.meta.endpoint_url)
    [machine] = [m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "order-workflow"]
    execution = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], input='{"orderId": "o-1", "customer": "Ada", "card": "4000"}'
    )["executionArn"]
    described = wait_for_end(sfn, execution)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    output = json.loads(described["output"])
    assert output["status"] == "DECLINED" and output["reason"] == "PaymentDeclined"
    assert output["greeting"] == "Hello, Ada! (from a layer)"
    assert output["details"]["errorMessage"] == "card 4000 was declined"
    events = history(sfn, execution)
    assert details(events, "LambdaFunctionScheduled")[0]["resource"].endswith(":function:greeter:live")
    assert [d["error"] for d in details(events, "TaskFailed")] == ["PaymentDeclined"]


def test_ruby_hello_runs_on_ruby_3_3_with_a_module_class_handler(samples):
    response, body = call(samples, "ruby-hello", {"name": "gem"})
    assert body["greeting"] == "Hello, gem!" and body["ruby"].startswith("3.3.")
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
