"""``lambda-host sfn run DEFINITION``: run a state machine definition file once, print its output
and a readable history.

The definition runs on a host started for the purpose (with ``--template`` functions, the
sample template's by default, as ``lambda-host invoke`` does), or on a running host
(``--endpoint``). ``--test-case`` chooses a Step Functions Local mock test case from
``--mock-config``. The exit status is 0 when the execution succeeded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

DETAILS = {
    "input": "input", "output": "output", "error": "error", "cause": "cause", "name": "state",
    "resource": "resource", "parameters": "parameters", "length": "items", "index": "index", "mapRunArn": "map run",
}  # fmt: skip


def add_commands(commands, add_host_options, host_config) -> None:
    sfn = commands.add_parser("sfn", help="Step Functions helpers: run a definition file and show its history")
    actions = sfn.add_subparsers(dest="sfn_command", required=True)
    run = actions.add_parser("run", help="run a state machine definition once; print its output and history")
    run.add_argument("definition", help="a JSON (Amazon States Language) file")
    run.add_argument("--input", default="{}", help="the execution input: JSON text, or @file.json")
    run.add_argument(
        "--name",
        help="the state machine's name (default: the file's name, with a suffix unless"
        " --test-case names a mock test case)",
    )
    run.add_argument("--type", choices=["STANDARD", "EXPRESS"], default="STANDARD")
    run.add_argument("--role-arn", default="arn:aws:iam::123456789012:role/lambda-host")
    run.add_argument("--test-case", help="a test case of the mock configuration (--sfn-mock-config)")
    run.add_argument("--endpoint", help="a running lambda-host to use instead of starting one")
    run.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the execution (300)")
    run.add_argument("--json", action="store_true", help="print the history as JSON instead of a table")
    add_host_options(run)
    run.set_defaults(run=lambda args: cmd_run(args, host_config))


SAMPLE_INPUTS = {"order-workflow": '{"orderId": "o-1", "customer": "Ada", "card": "4000"}'}


def print_welcome(host, out=sys.stdout) -> None:
    """``lambda-host serve``'s lines about the state machines deployed, with how to start one."""
    machines = host.stepfunctions.machines.list() if host.stepfunctions is not None else []
    if not machines:
        return
    print("State machines: " + ", ".join(m["name"] for m in machines), file=out)
    example = next((m for m in machines if m["name"] in SAMPLE_INPUTS), machines[0])
    text = SAMPLE_INPUTS.get(example["name"], "{}")
    print("Start one with the AWS CLI, then read its history:", file=out)
    print(f"  aws stepfunctions start-execution --endpoint-url {host.endpoint} "
          f"--state-machine-arn {example['stateMachineArn']} --input '{text}'", file=out)  # fmt: skip
    print(f"  aws stepfunctions get-execution-history --endpoint-url {host.endpoint} --execution-arn <executionArn>",
          file=out)  # fmt: skip


def _input(text: str) -> str:
    if text.startswith("@"):
        return Path(text[1:]).read_text()
    return text


def _summary(event: dict) -> str:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            parts = []
            for field, label in DETAILS.items():
                if field in value:
                    shown = value[field]
                    if isinstance(shown, str) and len(shown) > 120:
                        shown = shown[:117] + "..."
                    parts.append(f"{label}={shown}")
            return "  ".join(parts)
    return ""


def print_history(events: list[dict], out=sys.stdout) -> None:
    start = events[0]["timestamp"] if events else None
    print(f"{'id':>4} {'prev':>4} {'+ms':>8}  {'event':30} details", file=out)
    for event in events:
        offset = (event["timestamp"] - start).total_seconds() * 1000 if start is not None else 0.0
        line = f"{event['id']:>4} {event['previousEventId']:>4} {offset:>8.1f}  {event['type']:30} {_summary(event)}"
        print(line.rstrip(), file=out)


def cmd_run(args: argparse.Namespace, host_config) -> int:
    import boto3
    from botocore.config import Config

    from host.host import Host

    definition = Path(args.definition).read_text()
    host = None
    endpoint = args.endpoint
    if endpoint is None:
        template = args.template or ("sample_functions/template.yaml" if Path("sample_functions/template.yaml").exists()
                                     else None)  # fmt: skip
        args.template = template
        host = Host(host_config(args, port=0, function_logs=False))
        host.start_in_thread()
        endpoint = host.endpoint
    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=args.region,
        aws_access_key_id="lambda-host",
        aws_secret_access_key="lambda-host",
        config=Config(read_timeout=960, retries={"total_max_attempts": 1}, inject_host_prefix=False),
    )
    stem = Path(args.definition).stem.replace(".", "-")
    # a mock configuration names its machines: with a test case, the machine is called as the file is
    name = args.name or (stem if args.test_case else f"{stem}-{uuid.uuid4().hex[:6]}")
    arn = None
    try:
        arn = client.create_state_machine(name=name, definition=definition, roleArn=args.role_arn,
                                          type=args.type)["stateMachineArn"]  # fmt: skip
        target = f"{arn}#{args.test_case}" if args.test_case else arn
        text = _input(args.input)
        if args.type == "EXPRESS":
            answer = client.start_sync_execution(stateMachineArn=target, input=text)
            events: list[dict] = []
        else:
            execution = client.start_execution(stateMachineArn=target, input=text)["executionArn"]
            deadline = time.monotonic() + args.timeout
            while (answer := client.describe_execution(executionArn=execution))["status"] == "RUNNING":
                if time.monotonic() > deadline:
                    print(f"lambda-host: the execution is still running after {args.timeout:.0f} s", file=sys.stderr)
                    return 1
                time.sleep(0.05)
            events = (
                client.get_paginator("get_execution_history")
                .paginate(executionArn=execution)
                .build_full_result()["events"]
            )
        if args.json:
            print(json.dumps(events, default=str, indent=1))
        elif events:
            print_history(events)
        status = answer["status"]
        print(f"status: {status}")
        if answer.get("output") is not None:
            print(f"output: {answer['output']}")
        if answer.get("error") is not None or answer.get("cause") is not None:
            print(f"error: {answer.get('error')}  cause: {answer.get('cause')}")
        return 0 if status == "SUCCEEDED" else 1
    except client.exceptions.InvalidDefinition as error:
        print(f"lambda-host: {error.response['Error']['Message']}", file=sys.stderr)
        return 2
    finally:
        if arn is not None:
            client.delete_state_machine(stateMachineArn=arn)
        if host is not None:
            host.stop_thread()
