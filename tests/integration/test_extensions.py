# ruff: noqa: E501  (the extensions are scripts in strings; their lines are kept as written)
"""External extensions from a layer's extensions/ folder, in real containers."""

import json
import re
import time

import boto3
import pytest
from botocore.config import Config

from host.testing.plugin import make_zip

# bash's /dev/tcp, since the image has neither curl nor wget.
SHELL_EXTENSION = r"""#!/bin/bash
HOST=${AWS_LAMBDA_RUNTIME_API%:*}; PORT=${AWS_LAMBDA_RUNTIME_API##*:}
req() {
  exec 3<>/dev/tcp/$HOST/$PORT
  printf '%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%bContent-Length: %s\r\n\r\n%s' "$1" "$2" "$3" "${#4}" "$4" >&3
  cat <&3
  exec 3<&-
}
mkdir -p /tmp/ext
resp=$(req POST /2020-01-01/extension/register 'Lambda-Extension-Name: shell-ext\r\n' '{"events":["INVOKE","SHUTDOWN"]}')
id=$(printf '%s' "$resp" | tr -d '\r' | sed -n 's/^[Ll]ambda-[Ee]xtension-[Ii]dentifier: //p')
while true; do
  event=$(req GET /2020-01-01/extension/event/next "Lambda-Extension-Identifier: $id\r\n" '' | tail -n 1)
  printf '%s\n' "$event" >> /tmp/ext/shell.jsonl
  case "$event" in *SHUTDOWN*) echo "shell-ext got SHUTDOWN"; exit 0 ;; esac
done
"""

PYTHON_EXTENSION = r"""#!/usr/bin/python3
import json, os, sys, urllib.request
API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"]
MODE = os.environ.get("EXT_MODE", "")

def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(API + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()

os.makedirs("/tmp/ext", exist_ok=True)
out = open("/tmp/ext/python.jsonl", "a", buffering=1)
status, headers, body = call("POST", "/2020-01-01/extension/register", {"events": ["INVOKE", "SHUTDOWN"]},
                             {"Lambda-Extension-Name": "py-ext"})
ident = headers["Lambda-Extension-Identifier"]
out.write(json.dumps({"register": json.loads(body)}) + "\n")
if MODE == "init-error":
    call("POST", "/2020-01-01/extension/init/error", {"errorMessage": "bad config", "errorType": "Extension.ConfigInvalid"},
         {"Lambda-Extension-Identifier": ident, "Lambda-Extension-Function-Error-Type": "Extension.ConfigInvalid"})
    sys.exit(1)
import http.server, threading
class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open("/tmp/ext/" + ("logs" if self.path == "/logs" else "telemetry") + ".jsonl", "a") as f:
            for record in batch:
                f.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("sandbox.localdomain", 4243), Listener)
threading.Thread(target=server.serve_forever, daemon=True).start()
sub = {"schemaVersion": "2022-12-13", "types": ["platform", "function"],
       "buffering": {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 100},
       "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:4243/t"}}
status, _, _ = call("PUT", "/2022-07-01/telemetry", sub, {"Lambda-Extension-Identifier": ident})
out.write(json.dumps({"telemetry": status}) + "\n")
sub["destination"]["URI"] = "http://sandbox.localdomain:4243/logs"
status, _, _ = call("PUT", "/2020-08-15/logs", sub, {"Lambda-Extension-Identifier": ident})
out.write(json.dumps({"logs": status}) + "\n")
status, _, body = call("GET", "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": "nope"})
out.write(json.dumps({"bad-next": [status, json.loads(body)]}) + "\n")
while True:
    _, _, body = call("GET", "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": ident})
    event = json.loads(body)
    out.write(json.dumps(event) + "\n")
    if event["eventType"] == "SHUTDOWN":
        print("py-ext got SHUTDOWN", event["shutdownReason"], flush=True)
        break
"""

READER = (
    "import json, os\n"
    "def handler(event, context):\n"
    "    found = {}\n"
    "    print('function says hi')\n"
    "    for name in ('shell', 'python', 'telemetry', 'logs'):\n"
    "        try:\n"
    "            found[name] = [json.loads(l) for l in open(f'/tmp/ext/{name}.jsonl') if l.strip()]\n"
    "        except FileNotFoundError:\n"
    "            found[name] = None\n"
    "    return {'found': found, 'request_id': context.aws_request_id}\n"
)


def _layer(lambda_client, name: str, files: dict[str, str]) -> str:
    modes = {path: 0o755 for path in files}
    published = lambda_client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip(files, modes)})
    return published["LayerVersionArn"]


def _invoke(lambda_client, name: str) -> dict:
    response = lambda_client.invoke(FunctionName=name, Payload=b"{}")
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return payload


@pytest.fixture
def extensions_layer(lambda_client) -> str:
    return _layer(
        lambda_client,
        "test-extensions",
        {"extensions/shell-ext": SHELL_EXTENSION, "extensions/py-ext": PYTHON_EXTENSION},
    )


def test_shell_and_python_extensions_register_and_receive_each_invoke(lambda_client, create_function, extensions_layer):
    name = create_function({"app.py": READER}, Layers=[extensions_layer])
    first = _invoke(lambda_client, name)
    second = _invoke(lambda_client, name)
    # An extension sees INVOKE while the handler runs, so the third invoke reads what the first two left.
    python = _invoke(lambda_client, name)["found"]["python"]
    shell = _invoke(lambda_client, name)["found"]["shell"]
    assert python[0]["register"]["functionName"] == name
    assert python[0]["register"]["handler"] == "app.handler"
    assert {"telemetry": 200} in python and {"logs": 200} in python
    assert python[3]["bad-next"] == [
        403,
        {"errorMessage": "Invalid Lambda-Extension-Identifier", "errorType": "Extension.InvalidExtensionIdentifier"},
    ]
    invokes = [e for e in python if e.get("eventType") == "INVOKE"]
    assert [e["requestId"] for e in invokes][:2] == [first["request_id"], second["request_id"]]
    assert invokes[0]["invokedFunctionArn"].endswith(f":function:{name}")
    assert invokes[0]["deadlineMs"] > time.time() * 1000 - 60_000
    shell_ids = [e["requestId"] for e in shell if e.get("eventType") == "INVOKE"]
    assert shell_ids[:2] == [first["request_id"], second["request_id"]]


def test_extensions_get_shutdown_when_the_environment_goes(
    lambda_client, lambda_host, create_function, extensions_layer
):
    name = create_function({"app.py": READER}, Layers=[extensions_layer])
    _invoke(lambda_client, name)
    lambda_client.delete_function(FunctionName=name)
    logs = boto3.client(
        "logs", endpoint_url=lambda_host.endpoint, region_name=lambda_host.config.region,
        aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            found = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern='"got SHUTDOWN"')["events"]
        except logs.exceptions.ResourceNotFoundException:
            found = []
        messages = " ".join(e["message"] for e in found)
        if "py-ext got SHUTDOWN spindown" in messages and "shell-ext got SHUTDOWN" in messages:
            break
        assert time.monotonic() < deadline, messages
        time.sleep(0.1)


def test_an_extension_init_error_fails_the_init(lambda_client, create_function):
    layer = _layer(lambda_client, "failing-extension", {"extensions/py-ext": PYTHON_EXTENSION})
    name = create_function({"app.py": READER}, Layers=[layer], Environment={"Variables": {"EXT_MODE": "init-error"}})
    response = lambda_client.invoke(FunctionName=name, Payload=b"{}")
    payload = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Extension.ConfigInvalid"


def test_telemetry_records_reach_the_extensions_listener(lambda_client, create_function, extensions_layer):
    name = create_function({"app.py": READER}, Layers=[extensions_layer])
    first = _invoke(lambda_client, name)
    deadline = time.monotonic() + 20
    while True:
        records = _invoke(lambda_client, name)["found"]["telemetry"] or []
        done = {r["record"]["requestId"]: r for r in records if r["type"] == "platform.report"}
        if first["request_id"] in done:
            break
        assert time.monotonic() < deadline, records
    types = {r["type"] for r in records}
    assert {
        "platform.initRuntimeDone",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
        "function",
    } <= types
    report = done[first["request_id"]]["record"]
    assert report["status"] == "success"
    assert set(report["metrics"]) >= {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"}
    assert any(r["type"] == "function" and r["record"] == "function says hi" for r in records)
    runtime_done = next(r for r in records if r["type"] == "platform.runtimeDone")
    assert set(runtime_done["record"]["metrics"]) == {"durationMs", "producedBytes"}


def test_logs_api_subscribers_get_the_older_record_shapes(lambda_client, create_function, extensions_layer):
    name = create_function({"app.py": READER}, Layers=[extensions_layer])
    first = _invoke(lambda_client, name)
    deadline = time.monotonic() + 20
    while True:
        records = _invoke(lambda_client, name)["found"]["logs"] or []
        mine = [
            r for r in records if isinstance(r["record"], dict) and r["record"].get("requestId") == first["request_id"]
        ]
        if any(r["type"] == "platform.report" for r in mine):
            break
        assert time.monotonic() < deadline, records
    kinds = [r["type"] for r in mine]
    assert kinds == ["platform.start", "platform.runtimeDone", "platform.end", "platform.report"]
    assert mine[0]["record"] == {"requestId": first["request_id"]}
    assert "initRuntimeDone" not in " ".join(r["type"] for r in records)
    assert any(r["type"] == "function" and r["record"] == "function says hi" for r in records)


SLOW_EXTENSION = r"""#!/usr/bin/python3
import os, time, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension/"
r = urllib.request.Request(api + "register", data=b'{"events":["INVOKE"]}', method="POST",
                           headers={"Lambda-Extension-Name": "slow-ext"})
ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
first = True
while True:
    urllib.request.urlopen(urllib.request.Request(api + "event/next", headers={"Lambda-Extension-Identifier": ident})).read()
    time.sleep(0.3)  # work after each INVOKE, e.g. flushing metrics
"""


def test_post_runtime_extension_time_is_billed_but_not_in_duration(lambda_client, lambda_host, create_function):
    layer = _layer(lambda_client, "slow-extension", {"extensions/slow-ext": SLOW_EXTENSION})
    name = create_function({"app.py": "def handler(e, c):\n    return c.aws_request_id\n"}, Layers=[layer])
    logs = boto3.client(
        "logs", endpoint_url=lambda_host.endpoint, region_name=lambda_host.config.region,
        aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip

    def report(request_id: str) -> str:
        deadline = time.monotonic() + 20
        while True:
            try:
                pattern = f'"REPORT RequestId: {request_id}"'
                events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern=pattern)["events"]
            except logs.exceptions.ResourceNotFoundException:
                events = []
            if events:
                return events[0]["message"]
            assert time.monotonic() < deadline
            time.sleep(0.1)

    report(_invoke(lambda_client, name))  # REPORT comes once the extension is back: the environment is free
    line = report(_invoke(lambda_client, name))  # warm: no Init Duration in the bill
    assert "Init Duration" not in line, line
    duration = float(re.search(r"\tDuration: ([\d.]+) ms", line).group(1))
    billed = int(re.search(r"Billed Duration: (\d+) ms", line).group(1))
    assert duration < 250, line
    assert billed >= 300, line


def test_a_timeout_sends_shutdown_with_reason_timeout(lambda_client, lambda_host, create_function, extensions_layer):
    code = {"app.py": READER + "\ndef slow(event, context):\n    import time\n    time.sleep(5)\n"}
    name = create_function(code, handler="app.slow", Layers=[extensions_layer], Timeout=1)
    response = lambda_client.invoke(FunctionName=name, Payload=b"{}")
    assert json.loads(response["Payload"].read())["errorType"] == "Sandbox.Timedout"
    logs = boto3.client(
        "logs", endpoint_url=lambda_host.endpoint, region_name=lambda_host.config.region,
        aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            found = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern='"got SHUTDOWN"')["events"]
        except logs.exceptions.ResourceNotFoundException:
            found = []
        if any("py-ext got SHUTDOWN timeout" in e["message"] for e in found):
            break
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
