"""Standard executions survive a kill -9 of the host: a served host (``lambda-host serve`` in its
own process) is killed while one execution waits in a Wait state between two Lambda tasks and
another waits on an activity worker holding its task token; started again on the same state
directory, both finish, with one history each that continues where it stopped (no event lost,
none repeated, ids in order).
"""

import hashlib
import json
import time

import pytest

from host.testing.plugin import DEFAULT_ROLE, make_zip
from tests.integration.sfn_helpers import create, history, sfn_client, wait_for_end, wait_for_event
from tests.integration.test_async_crash import ServedHost

STAMP = "import time\n\ndef handler(event, context):\n    return {**event, 'at': time.time()}\n"


@pytest.fixture
def served(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    host = ServedHost(state_dir)
    try:
        yield host
    finally:
        host.stop()
        from host.environments.docker_backend import DockerBackend

        owner = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]
        DockerBackend().remove_labelled({"lambda-host.owner": owner})  # whatever a killed run left


def test_executions_resume_after_kill_9(served):
    import boto3

    served.start()
    lambda_client = boto3.client(
        "lambda", endpoint_url=served.endpoint, region_name="us-east-1", aws_access_key_id="x",
        aws_secret_access_key="x",
    )  # fmt: skip
    lambda_client.create_function(
        FunctionName="stamp", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": STAMP})},
    )  # fmt: skip
    lambda_client.get_waiter("function_active_v2").wait(FunctionName="stamp")
    sfn = sfn_client(served.endpoint)
    waits = create(sfn, {
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:stamp",
                       "ResultPath": "$.before", "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 4, "Next": "After"},
            "After": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:stamp",
                      "ResultPath": "$.after", "End": True},
        },
    })  # fmt: skip
    activity = sfn.create_activity(name="approvals")["activityArn"]
    asks = create(sfn, {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}}})

    waiting = sfn.start_execution(stateMachineArn=waits, input='{"order": 1}')["executionArn"]
    asking = sfn.start_execution(stateMachineArn=asks, input='{"order": 2}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="worker")
    assert json.loads(task["input"]) == {"order": 2}
    before = wait_for_event(sfn, waiting, "WaitStateEntered")

    served.kill()
    killed_at = time.time()
    served.start()

    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')  # a token from before the kill
    done = wait_for_end(sfn, asking)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True}

    described = wait_for_end(sfn, waiting)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    output = json.loads(described["output"])
    assert output["after"]["at"] > killed_at  # the second task ran on the new host
    events = history(sfn, waiting)
    assert events[: len(before)] == before  # what was written before the kill is kept as it was
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "WaitStateEntered", "WaitStateExited", "TaskStateEntered",
        "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    waited = events[7]["timestamp"] - events[6]["timestamp"]
    assert waited.total_seconds() >= 3.9  # the Wait kept its end time across the restart
