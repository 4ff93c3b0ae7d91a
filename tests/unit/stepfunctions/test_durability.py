"""Standard executions survive the server going away without a goodbye (``stop(flush=False)``
drops whatever is not yet written, as a kill -9 would): a second server on the same state
directory resumes them, a Map keeps the iterations that had finished, and a task token handed
out before keeps working. (tests/integration/test_stepfunctions_durability.py kills a real
``lambda-host serve`` with SIGKILL.)"""

from __future__ import annotations

import json
import time

from host.testing.stepfunctions import StepFunctionsServer

ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"
MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Nap",
                "States": {"Nap": {"Type": "Wait", "SecondsPath": "$.nap", "End": True}},
            },
            "End": True,
        }
    },
}


def wait_until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "the condition was not met in time"
        time.sleep(0.01)
    return found


def kinds(client, execution: str) -> list[str]:
    return [e["type"] for e in client.get_execution_history(executionArn=execution, maxResults=1000)["events"]]


def test_a_map_resumes_with_its_finished_iterations(tmp_path):
    first = StepFunctionsServer(tmp_path, wait_scale=0.1).start()
    client = first.client()
    arn = client.create_state_machine(name="naps", definition=json.dumps(MAP), roleArn=ROLE)["stateMachineArn"]
    items = [{"nap": 0}, {"nap": 0}, {"nap": 3}, {"nap": 3}]  # the last two wait 0.3 s each
    execution = client.start_execution(stateMachineArn=arn, input=json.dumps(items))["executionArn"]
    wait_until(lambda: kinds(client, execution).count("MapIterationSucceeded") == 2)
    before = client.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    first.stop(flush=False)

    second = StepFunctionsServer(tmp_path, wait_scale=0.1).start()
    try:
        client = second.client()
        described = wait_until(
            lambda: (d := client.describe_execution(executionArn=execution))["status"] != "RUNNING" and d
        )
        assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == items
        events = client.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        assert events[: len(before)] == before
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        started = [e["mapIterationStartedEventDetails"]["index"] for e in events if e["type"] == "MapIterationStarted"]
        assert sorted(started) == [0, 1, 2, 3]  # no iteration ran twice
        assert [e["type"] for e in events].count("MapIterationSucceeded") == 4
    finally:
        second.stop()


def test_a_task_token_from_before_still_works(tmp_path):
    first = StepFunctionsServer(tmp_path).start()
    client = first.client()
    activity = client.create_activity(name="approve")["activityArn"]
    definition = {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}}}
    arn = client.create_state_machine(name="asks", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
    task = client.get_activity_task(activityArn=activity, workerName="w")
    first.stop(flush=False)

    second = StepFunctionsServer(tmp_path).start()
    try:
        client = second.client()
        assert client.describe_execution(executionArn=execution)["status"] == "RUNNING"
        client.send_task_heartbeat(taskToken=task["taskToken"])
        client.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
        described = wait_until(
            lambda: (d := client.describe_execution(executionArn=execution))["status"] != "RUNNING" and d
        )
        assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"ok": True}
        assert kinds(client, execution)[-3:] == ["ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
        assert [e["status"] for e in client.list_executions(stateMachineArn=arn)["executions"]] == ["SUCCEEDED"]
    finally:
        second.stop()


def test_a_wait_keeps_its_end_time(tmp_path):
    first = StepFunctionsServer(tmp_path).start()
    client = first.client()
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
    }
    arn = client.create_state_machine(name="waits", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    started = client.describe_execution(executionArn=execution)["startDate"]
    first.stop(flush=False)

    second = StepFunctionsServer(tmp_path).start()
    try:
        client = second.client()
        described = wait_until(
            lambda: (d := client.describe_execution(executionArn=execution))["status"] != "RUNNING" and d
        )
        assert described["status"] == "SUCCEEDED"
        events = client.get_execution_history(executionArn=execution)["events"]
        waited = (events[3]["timestamp"] - started).total_seconds()
        assert 0.95 <= waited < 5  # the second server waited out the first's second, not a fresh one
        assert [e["type"] for e in events] == [
            "ExecutionStarted", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited",
            "ExecutionSucceeded",
        ]  # fmt: skip
    finally:
        second.stop()
