"""Runtimes started ahead of their function (a stem's prestarted runtime, core/prestart).

A Python or Node.js stem starts its interpreter and runtime client before any function is
assigned; the function's variables and working directory reach it on assignment. The process's
first environment (/proc/self/environ, fixed at exec) tells which way a runtime started.
"""

import base64
import json

MARKER = "_LAMBDA_HOST_RESUME_FD"

PY_REPORT = {
    "app.py": (
        "import os, sys\n"
        "FIRST = open('/proc/self/environ', 'rb').read()\n"
        "IMPORT_CWD = os.getcwd()\n"
        "def handler(event, context):\n"
        "    return {'prestarted': b'_LAMBDA_HOST_RESUME_FD=' in FIRST, 'cwd': IMPORT_CWD,\n"
        "            'marker': '_LAMBDA_HOST_RESUME_FD' in os.environ,\n"
        "            'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'],\n"
        "            'var': os.environ.get('MY_VAR'), 'handler': os.environ['_HANDLER'],\n"
        "            'memory': context.memory_limit_in_mb, 'warnoptions': sys.warnoptions,\n"
        "            'path0': sys.path[0], 'child': os.popen('echo $MY_VAR').read().strip()}\n"
    )
}

NODE_REPORT = {
    "index.mjs": (
        "import fs from 'node:fs';\n"
        "import { execSync } from 'node:child_process';\n"
        "const FIRST = fs.readFileSync('/proc/self/environ', 'latin1');\n"
        "const IMPORT_CWD = process.cwd();\n"
        "export const handler = async () => {\n"
        "  console.log('hello from', process.env.AWS_LAMBDA_FUNCTION_NAME);\n"
        "  return { prestarted: FIRST.includes('_LAMBDA_HOST_RESUME_FD='), cwd: IMPORT_CWD,\n"
        "    marker: '_LAMBDA_HOST_RESUME_FD' in process.env, name: process.env.AWS_LAMBDA_FUNCTION_NAME,\n"
        "    var: process.env.MY_VAR ?? null, child: execSync('echo $MY_VAR').toString().trim(),\n"
        "    options: process.env.NODE_OPTIONS ?? null };\n"
        "};\n"
    )
}


def invoke(client, name, **params):
    response = client.invoke(FunctionName=name, **params)
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body, base64.b64decode(response.get("LogResult", "")).decode()


def test_a_python_function_runs_on_a_prestarted_runtime_with_its_own_variables(lambda_client, create_function):
    name = create_function(PY_REPORT, Environment={"Variables": {"MY_VAR": "mine"}}, MemorySize=256)
    body, _ = invoke(lambda_client, name)
    assert body["prestarted"] is True
    assert body["marker"] is False
    assert (body["name"], body["var"], body["handler"], body["memory"]) == (name, "mine", "app.handler", "256")
    assert body["cwd"] == "/var/task"
    assert body["child"] == "mine"  # the C environment changed too, not only os.environ
    assert body["path0"] == "/var/task"


def test_a_python_function_that_sets_a_variable_read_at_start_gets_a_runtime_started_for_it(
    lambda_client, create_function
):
    variables = {"MY_VAR": "mine", "PYTHONWARNINGS": "error::DeprecationWarning"}
    name = create_function(PY_REPORT, Environment={"Variables": variables})
    body, _ = invoke(lambda_client, name)
    assert body["prestarted"] is False
    assert body["warnoptions"] == ["error::DeprecationWarning"]
    assert (body["var"], body["cwd"]) == ("mine", "/var/task")


def test_a_nodejs_function_runs_on_a_prestarted_runtime_and_logs_in_its_own_format(lambda_client, create_function):
    name = create_function(
        NODE_REPORT, runtime="nodejs20.x", handler="index.handler",
        Environment={"Variables": {"MY_VAR": "mine"}}, LoggingConfig={"LogFormat": "JSON"},
    )  # fmt: skip
    body, log = invoke(lambda_client, name, LogType="Tail")
    assert body["prestarted"] is True
    assert (body["marker"], body["name"], body["var"], body["child"], body["cwd"]) == (
        False, name, "mine", "mine", "/var/task",
    )  # fmt: skip
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{") and '"hello from' in line]
    assert records and records[0]["message"] == f"hello from {name}" and records[0]["level"] == "INFO"


def test_nodejs_functions_with_their_own_start_options_or_memory_get_a_runtime_started_for_them(
    lambda_client, create_function
):
    with_options = create_function(
        NODE_REPORT, runtime="nodejs20.x", handler="index.handler",
        Environment={"Variables": {"NODE_OPTIONS": "--no-deprecation"}},
    )  # fmt: skip
    body, _ = invoke(lambda_client, with_options)
    assert (body["prestarted"], body["options"]) == (False, "--no-deprecation")
    bigger = create_function(NODE_REPORT, runtime="nodejs20.x", handler="index.handler", MemorySize=1024)
    body, _ = invoke(lambda_client, bigger)
    assert body["prestarted"] is False  # the heap limit is a command-line flag: 90% of its memory
