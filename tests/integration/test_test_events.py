"""Saved test events and event templates over HTTP on a real host, as the console uses them."""

from __future__ import annotations

import json

import requests

from host.testing.plugin import client_for

PREFIX = "/_lambda-host"
PROBE = """
import json, os, urllib.request, urllib.error

def handler(event, context):
    url = os.environ["AWS_ENDPOINT_URL_LAMBDA"] + event["path"]
    body = event["body"].encode() if event.get("body") else None
    request = urllib.request.Request(url, method=event["method"], data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return {"status": response.status, "body": json.loads(response.read() or b"null")}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": json.loads(error.read() or b"null")}
"""


def url(host, path: str) -> str:
    return host.endpoint + PREFIX + path


def test_saved_events_are_created_listed_read_replaced_and_deleted(lambda_host, create_function):
    name = create_function({"app.py": "def handler(event, context):\n    return event\n"})
    events = url(lambda_host, f"/functions/{name}/test-events")
    assert requests.get(events, timeout=10).json() == {"TestEvents": []}

    created = requests.put(f"{events}/hello", data=json.dumps({"greeting": "hi"}), timeout=10)
    assert created.status_code == 201
    assert created.json()["Name"] == "hello" and created.json()["Event"] == {"greeting": "hi"}
    replaced = requests.put(f"{events}/hello", data=json.dumps({"greeting": "bye"}), timeout=10)
    assert replaced.status_code == 200
    requests.put(f"{events}/another.one", data="[1, 2]", timeout=10).raise_for_status()

    listing = requests.get(events, timeout=10).json()["TestEvents"]
    assert [(e["Name"], e["Event"]) for e in listing] == [("another.one", [1, 2]), ("hello", {"greeting": "bye"})]
    assert all(e["LastModified"].endswith("Z") for e in listing)
    assert requests.get(f"{events}/hello", timeout=10).json()["Event"] == {"greeting": "bye"}

    # What the console does with one: invoke the function with it.
    payload = json.dumps(requests.get(f"{events}/hello", timeout=10).json()["Event"]).encode()
    response = client_for(lambda_host).invoke(FunctionName=name, Payload=payload)
    assert json.loads(response["Payload"].read()) == {"greeting": "bye"}

    assert requests.delete(f"{events}/hello", timeout=10).status_code == 204
    missing = requests.get(f"{events}/hello", timeout=10)
    assert missing.status_code == 404 and missing.headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"
    assert f"Test event hello not found for function {name}" in missing.text
    assert requests.delete(f"{events}/hello", timeout=10).status_code == 404


def test_unknown_functions_bad_bodies_and_bad_names_get_clear_aws_shaped_errors(lambda_host, create_function):
    unknown = requests.get(url(lambda_host, "/functions/no-such-function/test-events"), timeout=10)
    assert unknown.status_code == 404
    assert unknown.headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"
    assert "function:no-such-function" in unknown.json()["Message"]
    put_unknown = requests.put(url(lambda_host, "/functions/no-such-function/test-events/e"), data="{}", timeout=10)
    assert put_unknown.status_code == 404

    name = create_function({"app.py": "def handler(event, context):\n    return event\n"})
    events = url(lambda_host, f"/functions/{name}/test-events")
    bad_json = requests.put(f"{events}/e", data="{not json", timeout=10)
    assert bad_json.status_code == 400
    assert bad_json.headers["X-Amzn-ErrorType"] == "InvalidRequestContentException"
    assert "Could not parse request body into json" in bad_json.json()["message"]
    too_long = requests.put(f"{events}/{'x' * 26}", data="{}", timeout=10)
    assert too_long.status_code == 400 and too_long.headers["X-Amzn-ErrorType"] == "ValidationException"
    assert "1 to 25 characters" in too_long.json()["message"]
    bad_chars = requests.put(f"{events}/a%20b", data="{}", timeout=10)
    assert bad_chars.status_code == 400
    assert requests.get(events, timeout=10).json() == {"TestEvents": []}


def test_saved_events_are_kept_in_the_state_directory_across_a_restart(lambda_host_factory, tmp_path):
    state = tmp_path / "state"
    first = lambda_host_factory(state_dir=state)
    client = client_for(first)
    from host.testing.plugin import DEFAULT_ROLE, make_zip

    code = {"ZipFile": make_zip({"app.py": "def handler(event, context):\n    return event\n"})}
    client.create_function(
        FunctionName="kept", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Code=code
    )
    requests.put(url(first, "/functions/kept/test-events/saved"), data='{"a": 1}', timeout=10).raise_for_status()
    assert (state / "test-events" / "kept.json").is_file()
    first.stop_thread()

    second = lambda_host_factory(state_dir=state)
    listing = requests.get(url(second, "/functions/kept/test-events"), timeout=10).json()["TestEvents"]
    assert [(e["Name"], e["Event"]) for e in listing] == [("saved", {"a": 1})]


def test_templates_are_listed_and_generated_with_the_hosts_region_and_query_fields(lambda_host):
    listing = requests.get(url(lambda_host, "/events/templates"), timeout=10).json()["Templates"]
    assert {"Service": "s3", "Event": "put", "Description": "Amazon S3 object created (Put) notification"} in listing
    assert len(listing) >= 60 and all(set(t) == {"Service", "Event", "Description"} for t in listing)

    event = requests.get(url(lambda_host, "/events/templates/s3/put?bucket=b1&key=a.txt"), timeout=10).json()
    record = event["Records"][0]
    assert record["s3"]["bucket"]["name"] == "b1" and record["s3"]["object"]["key"] == "a.txt"
    assert record["awsRegion"] == lambda_host.config.region
    sqs = requests.get(url(lambda_host, "/events/templates/sqs/receive-message"), timeout=10).json()
    assert sqs["Records"][0]["eventSourceARN"].endswith(f":{lambda_host.config.account_id}:MyQueue")

    unknown = requests.get(url(lambda_host, "/events/templates/s3/upload"), timeout=10)
    assert unknown.status_code == 404 and "it has: batch-invocation" in unknown.json()["Message"]
    bad_field = requests.get(url(lambda_host, "/events/templates/s3/put?colour=red"), timeout=10)
    assert bad_field.status_code == 400 and "no field 'colour'" in bad_field.json()["message"]


def test_functions_may_read_but_never_change_saved_events_from_their_container(lambda_host, create_function):
    name = create_function({"app.py": PROBE}, Timeout=30)
    requests.put(url(lambda_host, f"/functions/{name}/test-events/kept"), data='{"a": 1}', timeout=10)
    client = client_for(lambda_host)

    def call(method: str, event: str, body: str | None = None) -> dict:
        probe = {"method": method, "path": f"{PREFIX}/functions/{name}/test-events/{event}", "body": body}
        response = client.invoke(FunctionName=name, Payload=json.dumps(probe).encode())
        assert "FunctionError" not in response
        return json.loads(response["Payload"].read())

    read = call("GET", "kept")
    assert read["status"] == 200 and read["body"]["Event"] == {"a": 1}
    for method, event, body in (("PUT", "kept", '{"changed": true}'), ("PUT", "new", "{}"), ("DELETE", "kept", None)):
        refused = call(method, event, body)
        assert refused["status"] == 403 and refused["body"]["Type"] == "User", refused
    kept = requests.get(url(lambda_host, f"/functions/{name}/test-events"), timeout=10).json()["TestEvents"]
    assert [(e["Name"], e["Event"]) for e in kept] == [("kept", {"a": 1})]
