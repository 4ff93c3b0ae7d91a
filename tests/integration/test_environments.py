"""Execution environments: warm reuse, scale-out, reaping, file system, variables."""

import concurrent.futures
import json
import re
import time

import pytest

from host.testing.plugin import client_for, make_zip

COUNTER = {"app.py": "count = 0\ndef handler(e, c):\n    global count\n    count += 1\n    return count\n"}


def result(client, name, payload=b"{}"):
    response = client.invoke(FunctionName=name, Payload=payload)
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def test_a_warm_environment_is_reused(lambda_client, create_function):
    name = create_function(COUNTER)
    assert [result(lambda_client, name) for _ in range(3)] == [1, 2, 3]


def test_parallel_invocations_run_in_parallel_environments(lambda_client, create_function):
    code = {
        "app.py": (
            "import time, uuid\n"
            "ENV = uuid.uuid4().hex\n"
            "def handler(e, c):\n"
            "    start = time.time()\n"
            "    time.sleep(1)\n"
            "    return {'env': ENV, 'start': start, 'end': time.time()}\n"
        )
    }
    name = create_function(code, Timeout=30)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: result(lambda_client, name), range(10)))
    elapsed = time.monotonic() - started
    # One at a time they would take ten seconds; in parallel, about one plus a cold start.
    assert elapsed < 6
    events = sorted([(r["start"], 1) for r in results] + [(r["end"], -1) for r in results])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    assert peak >= 5
    assert len({r["env"] for r in results}) >= peak


def test_idle_environments_are_reaped_after_the_idle_timeout(lambda_host_factory):
    host = lambda_host_factory(idle_timeout=1)
    client = client_for(host)
    client.create_function(
        FunctionName="reaped",
        Runtime="python3.11",
        Role="arn:aws:iam::123456789012:role/r",
        Handler="app.handler",
        Code={"ZipFile": make_zip(COUNTER)},
    )
    assert [result(client, "reaped") for _ in range(2)] == [1, 2]
    deadline = time.monotonic() + 10
    while host.scheduler.environments() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert host.scheduler.environments() == []
    assert result(client, "reaped") == 1


def test_code_is_read_only_and_tmp_is_writable(lambda_client, create_function):
    code = {
        "app.py": (
            "import os\n"
            "def handler(e, c):\n"
            "    out = {'cwd': os.getcwd()}\n"
            "    for path in ('/var/task/new.txt', '/tmp/new.txt', '/opt/new.txt'):\n"
            "        try:\n"
            "            open(path, 'w').write('x')\n"
            "            out[path] = 'written'\n"
            "        except OSError as exc:\n"
            "            out[path] = exc.strerror\n"
            "    return out\n"
        )
    }
    out = result(lambda_client, create_function(code))
    assert out["cwd"] == "/var/task"
    assert out["/tmp/new.txt"] == "written"
    assert out["/var/task/new.txt"] == "Read-only file system"
    assert out["/opt/new.txt"] != "written"


def test_layers_are_merged_in_order_at_opt_and_later_layers_win(lambda_client, create_function):
    first = lambda_client.publish_layer_version(
        LayerName="order-a",
        Content={"ZipFile": make_zip({"python/shared.py": "WHO = 'a'\n", "only_a.txt": "a", "same.txt": "a"})},
    )
    second = lambda_client.publish_layer_version(
        LayerName="order-b", Content={"ZipFile": make_zip({"python/shared.py": "WHO = 'b'\n", "same.txt": "b"})}
    )
    code = {
        "app.py": (
            "import shared\n"
            "def handler(e, c):\n"
            "    return {'who': shared.WHO, 'same': open('/opt/same.txt').read(),\n"
            "            'only_a': open('/opt/only_a.txt').read()}\n"
        )
    }
    name = create_function(code, Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    assert result(lambda_client, name) == {"who": "b", "same": "b", "only_a": "a"}


def test_the_environment_has_lambdas_reserved_variables(lambda_client, create_function):
    code = {"app.py": "import os\ndef handler(e, c):\n    return dict(os.environ)\n"}
    name = create_function(code, MemorySize=256, Environment={"Variables": {"MY_SETTING": "on", "LANG": "C.UTF-8"}})
    env = result(lambda_client, name)
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["LAMBDA_TASK_ROOT"] == "/var/task"
    assert env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["TZ"] == ":UTC"
    assert env["PYTHONPATH"] == "/var/runtime"
    assert env["PATH"] == "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
    assert re.fullmatch(r"[\d.]+:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert env["MY_SETTING"] == "on"
    assert env["LANG"] == "C.UTF-8"  # not reserved: the function's value wins
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert "HOME" not in env


def test_a_function_can_invoke_another_through_aws_endpoint_url_lambda(lambda_client, create_function):
    callee = create_function({"app.py": "def handler(e, c):\n    return {'doubled': e['n'] * 2}\n"})
    caller_code = {
        "app.py": (
            "import json, os, boto3\n"
            "def handler(e, c):\n"
            "    client = boto3.client('lambda')\n"
            "    response = client.invoke(FunctionName=e['callee'], Payload=json.dumps({'n': 21}))\n"
            "    return {'endpoint': os.environ['AWS_ENDPOINT_URL_LAMBDA'],\n"
            "            'answer': json.loads(response['Payload'].read())}\n"
        )
    }
    caller = create_function(caller_code, Timeout=30, MemorySize=256)
    out = result(lambda_client, caller, json.dumps({"callee": callee}))
    assert out["answer"] == {"doubled": 42}
    assert out["endpoint"].startswith("http://")


@pytest.mark.parametrize("runtime", ["python3.11", "python3.13"])
def test_boto3_is_available_to_python_functions(lambda_client, create_function, runtime):
    code = {"app.py": "import boto3\ndef handler(e, c):\n    return boto3.__version__\n"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", result(lambda_client, create_function(code, runtime=runtime)))


def test_functions_may_invoke_and_read_but_not_deploy_through_the_host(lambda_client, create_function):
    code = {
        "app.py": (
            "import boto3, botocore\n"
            "def handler(e, c):\n"
            "    client = boto3.client('lambda')\n"
            "    listed = len(client.list_functions()['Functions'])\n"
            "    try:\n"
            "        client.publish_layer_version(LayerName='sneaky', Content={'ZipFile': b'PK'})\n"
            "        deploy = 'allowed'\n"
            "    except botocore.exceptions.ClientError as err:\n"
            "        deploy = err.response['Error']['Code']\n"
            "    return {'listed': listed, 'deploy': deploy}\n"
        )
    }
    out = result(lambda_client, create_function(code, Timeout=30, MemorySize=256))
    assert out["listed"] >= 1
    assert out["deploy"] == "AccessDeniedException"
