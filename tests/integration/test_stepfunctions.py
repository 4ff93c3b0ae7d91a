"""Step Functions over real functions in containers, through boto3 only: Lambda tasks in both
forms, function errors and timeouts with Retry and Catch, Map and Parallel, a task token sent
back from inside a function, nested executions, Express executions and TestState.

The event-by-event comparison with AWS's recorded histories runs in
tests/unit/stepfunctions (fake functions, for speed); here the same paths run over the host's
own Invoke path and real runtimes.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.sfn_helpers import create, details, history, run, sfn_client, wait_for_end

DOUBLE = "def handler(event, context):\n    return {'value': event['value'] * 2}\n"
FAILS = (
    "class OrderRejected(Exception):\n    pass\n\n"
    "def handler(event, context):\n    raise OrderRejected('no stock for ' + str(event.get('item')))\n"
)
SLOW = "import time\n\ndef handler(event, context):\n    time.sleep(5)\n    return 'late'\n"
CALLBACK = (
    "import boto3, json\n\n"
    "def handler(event, context):\n"
    "    boto3.client('stepfunctions').send_task_success(\n"
    "        taskToken=event['token'], output=json.dumps({'approved': event['order']}))\n"
    "    return 'sent'\n"
)


@pytest.fixture(scope="module")
def sfn(lambda_host):
    return sfn_client(lambda_host.endpoint)


@pytest.fixture(scope="module")
def functions(lambda_client):
    """The functions these tests call, made once (ARN by name)."""
    from host.testing.plugin import DEFAULT_ROLE, make_zip

    made = {}
    for name, code, timeout in (("double", DOUBLE, 10), ("fails", FAILS, 10), ("slow", SLOW, 1),
                                ("callback", CALLBACK, 30)):  # fmt: skip
        full = f"sfn-{name}"
        lambda_client.create_function(
            FunctionName=full, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=timeout,
            Code={"ZipFile": make_zip({"app.py": code})},
        )  # fmt: skip
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=full, WaiterConfig={"Delay": 0.2})
        made[name] = lambda_client.get_function(FunctionName=full)["Configuration"]["FunctionArn"]
    yield made
    for name in made:
        lambda_client.delete_function(FunctionName=f"sfn-{name}")


def test_lambda_tasks_in_both_forms_map_and_parallel(sfn, functions):
    definition = {
        "StartAt": "Plain",
        "States": {
            "Plain": {"Type": "Task", "Resource": functions["double"], "ResultPath": "$.first", "Next": "Invoke"},
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "sfn-double", "Payload": {"value.$": "$.first.value"}},
                "ResultSelector": {"value.$": "$.Payload.value", "status.$": "$.StatusCode"},
                "ResultPath": "$.second",
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemSelector": {"value.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Task", "Resource": functions["double"], "End": True}},
                },
                "ResultPath": "$.doubled",
                "Next": "Both",
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": functions["double"], "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
                ],
                "ResultPath": "$.both",
                "End": True,
            },
        },
    }
    described, events = run(sfn, definition, {"value": 3, "items": [1, 2, 3]})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"]) == {
        "value": 3,
        "items": [1, 2, 3],
        "first": {"value": 6},
        "second": {"value": 12, "status": 200},
        "doubled": [{"value": 2}, {"value": 4}, {"value": 6}],
        "both": [{"value": 6}, "b"],
    }
    scheduled = details(events, "LambdaFunctionScheduled")
    assert scheduled[0]["resource"] == functions["double"]
    assert json.loads(scheduled[0]["input"]) == {"value": 3, "items": [1, 2, 3]}
    task = json.loads(details(events, "TaskSucceeded")[0]["output"])
    assert task["StatusCode"] == 200 and task["ExecutedVersion"] == "$LATEST" and task["Payload"] == {"value": 12}
    assert task["SdkHttpMetadata"]["HttpStatusCode"] == 200 and task["SdkResponseMetadata"]["RequestId"]


def test_map_over_a_function_returns_results_in_order(sfn, functions):
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 3,
                "ItemSelector": {"value.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Task", "Resource": functions["double"], "End": True}},
                },
                "End": True,
            }
        },
    }
    described, events = run(sfn, definition, list(range(8)))
    assert json.loads(described["output"]) == [{"value": 2 * i} for i in range(8)]
    assert len(details(events, "LambdaFunctionSucceeded")) == 8
    assert [e["type"] for e in events][-2:] == ["MapStateExited", "ExecutionSucceeded"]


def test_function_errors_timeouts_retries_and_catchers(sfn, functions):
    definition = {
        "StartAt": "Reserve",
        "States": {
            "Reserve": {
                "Type": "Task",
                "Resource": functions["fails"],
                "Parameters": {"item": "lamp"},
                "Catch": [{"ErrorEquals": ["OrderRejected"], "ResultPath": "$.rejected", "Next": "Slow"}],
                "End": True,
            },
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": functions["slow"]},
                "Retry": [{"ErrorEquals": ["Sandbox.Timedout"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.slow", "Next": "Missing"}],
                "End": True,
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "sfn-no-such-function"},
                "Catch": [
                    {"ErrorEquals": ["Lambda.ResourceNotFoundException"], "ResultPath": "$.missing", "Next": "Done"}
                ],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    described, events = run(sfn, definition, {})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    output = json.loads(described["output"])
    assert output["rejected"]["Error"] == "OrderRejected"
    cause = json.loads(output["rejected"]["Cause"])
    assert cause["errorType"] == "OrderRejected" and cause["errorMessage"] == "no stock for lamp"
    assert output["slow"]["Error"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in output["slow"]["Cause"]
    assert [d["error"] for d in details(events, "TaskFailed")][:2] == ["Sandbox.Timedout", "Sandbox.Timedout"]
    assert output["missing"]["Error"] == "Lambda.ResourceNotFoundException"
    assert (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:sfn-no-such-function"
        in (output["missing"]["Cause"])
    )
    assert details(events, "LambdaFunctionFailed")[0]["error"] == "OrderRejected"


def test_a_function_sends_the_task_token_back(sfn, functions):
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": "sfn-callback",
                    "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"},
                },
                "TimeoutSeconds": 60,
                "End": True,
            }
        },
    }
    described, events = run(sfn, definition, {"order": "o-7"})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"]) == {"approved": "o-7"}
    assert [e["type"] for e in events][-3:] == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_nested_executions_express_sync_and_test_state(sfn, functions):
    child = create(
        sfn, {"StartAt": "Double", "States": {"Double": {"Type": "Task", "Resource": functions["double"], "End": True}}}
    )
    parent = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"value.$": "$.value"}},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    described, _ = run(sfn, parent, {"value": 21})
    assert json.loads(described["output"]) == {"value": 42}
    children = sfn.list_executions(stateMachineArn=child)["executions"]
    assert [c["status"] for c in children] == ["SUCCEEDED"]

    express = create(
        sfn,
        {"StartAt": "Double", "States": {"Double": {"Type": "Task", "Resource": functions["double"], "End": True}}},
        "EXPRESS",
    )
    answer = sfn.start_sync_execution(stateMachineArn=express, input='{"value": 5}')
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"value": 10}
    assert answer["executionArn"].split(":")[5] == "express"

    tested = sfn.test_state(
        definition=json.dumps({"Type": "Task", "Resource": functions["double"], "End": True}),
        roleArn="arn:aws:iam::123456789012:role/lambda-host-test", input='{"value": 4}', inspectionLevel="DEBUG",
    )  # fmt: skip
    assert tested["status"] == "SUCCEEDED" and json.loads(tested["output"]) == {"value": 8}
    assert json.loads(tested["inspectionData"]["result"]) == {"value": 8}


def test_stopping_an_execution_waiting_on_a_function(sfn, functions):
    arn = create(sfn, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.stop_execution(executionArn=execution, error="Cancelled", cause="by the test")
    described = wait_for_end(sfn, execution)
    assert described["status"] == "ABORTED" and described["error"] == "Cancelled"
    assert history(sfn, execution)[-1]["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "by the test"}
