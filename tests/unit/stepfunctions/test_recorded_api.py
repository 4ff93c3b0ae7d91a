"""The Step Functions API answers as AWS answered: each case (api_cases/*.json) is a sequence of
boto3 calls written for this project, and each call's response or error is compared with AWS's
recorded one (LocalStack's snapshot files, copied into the case by
tests/tools/fill_snapshot_cases.py).

A step: ``call`` (a boto3 method) with ``params`` (``{name}`` is a value saved by an earlier
step; ``definition``, ``input`` and ``output`` given as JSON are sent as text), ``save``
(name: dotted path in the response), ``pick`` (compare only that part of the response) and
``expected`` (the recording; with ``pick``, the same part of it; ``sorted`` sorts our lists of
names, as the recording tool sorted AWS's). ``names`` maps words the recording put in place of values to
saved values. ``{"wait": "<execution>", "status": [...]}`` waits for an execution.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from host.testing.stepfunctions import StepFunctionsServer
from tests.unit.stepfunctions.fake_functions import install
from tests.unit.stepfunctions.oracle import differences

CASES = []
for path in sorted((Path(__file__).parent / "api_cases").glob("*.json")):
    for case in json.loads(path.read_text()):
        CASES.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))

ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"
TEXT_PARAMS = {"definition", "input", "output"}
RETRIES = re.compile(r" \(reached max retries: \d+\)")  # botocore's note, not the service's
# Members AWS answers today that older recordings predate (redrive came in late 2023, encryption
# settings in 2024): left out of the comparison where the recording has no such member.
LATER_MEMBERS = {"encryptionConfiguration", "redriveCount"}
VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@pytest.fixture
def server(tmp_path):
    server = StepFunctionsServer(tmp_path, wait_scale=0.001).start()
    install(server.functions)
    yield server
    server.stop()


def _fill(value, saved: dict):
    if isinstance(value, str):
        whole = VARIABLE.fullmatch(value)
        if whole and whole.group(1) in saved:
            return saved[whole.group(1)]
        return VARIABLE.sub(lambda m: str(saved.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_fill(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, saved) for k, v in value.items()}
    return value


def _params(params: dict, saved: dict) -> dict:
    out = {}
    for key, value in params.items():
        value = _fill(value, saved)
        if key in TEXT_PARAMS and not isinstance(value, str):
            value = json.dumps(value)
        out[key] = value
    return out


def _get(response, path: str, missing=KeyError):
    for part in path.split("."):
        if isinstance(response, dict) and part not in response and missing is not KeyError:
            return missing
        response = response[int(part)] if isinstance(response, list) else response[part]
    return response


def _sorted_lists(value):
    """Lists of names in a stable order (the recordings sorted variable references)."""
    if isinstance(value, dict):
        return {k: _sorted_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted(_sorted_lists(v) for v in value)
    return value


def _wait(client, arn: str, statuses: list[str]) -> None:
    deadline = time.monotonic() + 30
    while client.describe_execution(executionArn=arn)["status"] not in statuses:
        assert time.monotonic() < deadline, f"{arn} never reached {statuses}"
        time.sleep(0.01)


def _rename(expected, names: dict, saved: dict):
    text = json.dumps(expected)
    for word, variable in sorted(names.items(), key=lambda item: -len(item[0])):  # longer words first
        text = text.replace(word, str(_fill(variable, saved)).replace('"', '\\"'))
    return json.loads(text)


def _compare(step: dict, response, error: ClientError | None, names: dict, saved: dict) -> list[str]:
    expected = _rename(step["expected"], names, saved)
    if isinstance(expected, dict) and "exception_value" in expected:
        expected = expected["exception_value"]
    if isinstance(expected, str):
        actual = RETRIES.sub("", str(error)) if error is not None else f"no error: {response}"
        return differences(expected, actual, step["call"])
    if isinstance(expected, dict) and "Error" in expected:
        if error is None:
            return [f"{step['call']}: expected {expected['Error']}, got {response}"]
        got = {
            "Error": {"Code": error.response["Error"]["Code"], "Message": error.response["Error"]["Message"]},
            "message": error.response.get("message"),
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }
        wanted = {"Error": expected["Error"], "message": expected.get("message"), "status": 400}
        if "ResponseMetadata" in expected:
            wanted["status"] = expected["ResponseMetadata"]["HTTPStatusCode"]
        return differences(wanted, got, step["call"])
    if error is not None:
        return [f"{step['call']}: unexpected {error}"]
    if "pick" in step:
        expected = _get(expected, step["pick"], None) if isinstance(expected, dict) else expected
        actual = _get(response, step["pick"], None)
        actual = _sorted_lists(actual) if step.get("sorted") else actual
        return differences(expected, actual, f"{step['call']}.{step['pick']}")
    if isinstance(expected, dict):
        expected = {k: v for k, v in expected.items() if k != "ResponseMetadata"}
    actual = response
    if isinstance(actual, dict):
        actual = {k: v for k, v in actual.items() if k != "ResponseMetadata"}
    return differences(expected, _without_later(expected, actual), step["call"])


def _without_later(expected, actual):
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {
            k: _without_later(expected.get(k), v) for k, v in actual.items() if k in expected or k not in LATER_MEMBERS
        }
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_without_later(e, a) for e, a in zip(expected, actual, strict=True)]
    return actual


@pytest.mark.parametrize("case", CASES)
def test_api_matches_aws(case, server):
    client = server.client()
    saved: dict = {"role": ROLE}
    names = case.get("names", {})
    problems: list[str] = []
    for step in case["steps"]:
        if "wait" in step:
            _wait(client, _fill(step["wait"], saved), step.get("status", ["SUCCEEDED"]))
            continue
        response, error = None, None
        try:
            response = getattr(client, step["call"])(**_params(step.get("params", {}), saved))
        except ClientError as exc:
            error = exc
        for name, path in step.get("save", {}).items():
            saved[name] = _get(response, path)
        if "expected" in step:
            problems += _compare(step, response, error, names, saved)
        elif error is not None and not step.get("may_fail"):
            problems.append(f"{step['call']}: {error}")
    assert not problems, "\n".join(problems)
