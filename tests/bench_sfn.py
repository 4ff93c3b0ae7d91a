"""Step Functions rows of `make bench`, measured through boto3 as a user would (and as
/work/shared/peers/sfn_bench.py measures a peer):

- a Standard execution of a 50-state Pass chain: wall time from StartExecution until
  DescribeExecution says SUCCEEDED (the history is durable by then: DescribeExecution
  answers only after the events are in SQLite);
- StartSyncExecution of the same chain as an Express machine;
- an inline Map of 200 Pass items with MaxConcurrency 10;
- an inline Map of 1,000 items over a warm no-op function with MaxConcurrency 10;
- state transitions per second, 20 Standard executions of the chain at once.

Run alone (``python tests/bench_sfn.py``: a host of its own) or from tests/bench.py.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROLE = "arn:aws:iam::123456789012:role/bench"
RUNS = 20


def chain(n: int) -> dict:
    states = {}
    for i in range(n):
        state = {"Type": "Pass", "Result": {"step": i}, "ResultPath": "$.last"}
        state.update({"End": True} if i == n - 1 else {"Next": f"P{i + 1}"})
        states[f"P{i}"] = state
    return {"StartAt": "P0", "States": states}


def inline_map(processor_state: dict) -> dict:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 10,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "X",
                    "States": {"X": processor_state},
                },
                "End": True,
            }
        },
    }


def client_for(endpoint: str):
    return boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=300, inject_host_prefix=False,
                      max_pool_connections=32),
    )  # fmt: skip


def run_to_end(sfn, arn: str, payload: dict) -> float:
    started = time.perf_counter()
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    while (status := sfn.describe_execution(executionArn=execution)["status"]) == "RUNNING":
        time.sleep(0.001)
    assert status == "SUCCEEDED", status
    return time.perf_counter() - started


def sfn_rows(endpoint: str, noop_function_arn: str | None = None) -> list[tuple[str, str]]:
    sfn = client_for(endpoint)
    rows: list[tuple[str, str]] = []
    standard = sfn.create_state_machine(name="bench-chain50", definition=json.dumps(chain(50)), roleArn=ROLE)
    arn = standard["stateMachineArn"]
    run_to_end(sfn, arn, {"x": 1})  # warm: the definition compiled, the connection open
    walls = [run_to_end(sfn, arn, {"x": 1}) for _ in range(RUNS)]
    rows.append((f"Step Functions: Standard 50-Pass chain, start to SUCCEEDED (median of {RUNS})",
                 f"{statistics.median(walls) * 1000:.1f} ms"))  # fmt: skip

    express = sfn.create_state_machine(
        name="bench-express50", definition=json.dumps(chain(50)), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    sfn.start_sync_execution(stateMachineArn=express, input="{}")
    latencies = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assert sfn.start_sync_execution(stateMachineArn=express, input='{"x": 1}')["status"] == "SUCCEEDED"
        latencies.append(time.perf_counter() - started)
    rows.append((f"Step Functions: Express 50-Pass chain, StartSyncExecution (median of {RUNS})",
                 f"{statistics.median(latencies) * 1000:.1f} ms"))  # fmt: skip

    passes = sfn.create_state_machine(
        name="bench-map200", definition=json.dumps(inline_map({"Type": "Pass", "End": True})), roleArn=ROLE
    )["stateMachineArn"]
    run_to_end(sfn, passes, {"items": list(range(200))})
    walls = [run_to_end(sfn, passes, {"items": list(range(200))}) for _ in range(5)]
    rows.append(("Step Functions: inline Map, 200 Pass items, MaxConcurrency 10 (median of 5)",
                 f"{statistics.median(walls) * 1000:.1f} ms"))  # fmt: skip

    if noop_function_arn is not None:
        task = {"Type": "Task", "Resource": noop_function_arn, "End": True}
        calls = sfn.create_state_machine(name="bench-map1000", definition=json.dumps(inline_map(task)), roleArn=ROLE)
        wall = run_to_end(sfn, calls["stateMachineArn"], {"items": list(range(1000))})
        rows.append(("Step Functions: inline Map, 1,000 items over a warm no-op function, MaxConcurrency 10",
                     f"{wall:.2f} s ({1000 / wall:.0f} invokes/s)"))  # fmt: skip

    with ThreadPoolExecutor(20) as pool:
        started = time.perf_counter()
        list(pool.map(lambda _: run_to_end(client_for(endpoint), arn, {"x": 1}), range(20)))
        elapsed = time.perf_counter() - started
    transitions = 20 * 50
    rows.append(("Step Functions: state transitions/s, 20 Standard 50-Pass executions at once",
                 f"{transitions / elapsed:.0f}"))  # fmt: skip
    return rows


def main() -> None:
    from host.host import Host, HostConfig
    from host.testing.plugin import DEFAULT_ROLE, make_zip

    with tempfile.TemporaryDirectory(prefix="lambda-host-bench-sfn-") as state:
        host = Host(HostConfig(port=0, state_dir=Path(state), function_logs=False, labels={"lambda-host.bench": "1"}))
        host.start_in_thread()
        try:
            lam = boto3.client("lambda", endpoint_url=host.endpoint, region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x")  # fmt: skip
            lam.create_function(
                FunctionName="noop", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
                Code={"ZipFile": make_zip({"app.py": "def handler(event, context):\n    return None\n"})},
            )  # fmt: skip
            lam.get_waiter("function_active_v2").wait(FunctionName="noop", WaiterConfig={"Delay": 1})
            for _ in range(20):
                lam.invoke(FunctionName="noop")["Payload"].read()
            arn = lam.get_function(FunctionName="noop")["Configuration"]["FunctionArn"]
            rows = sfn_rows(host.endpoint, arn)
        finally:
            host.stop_thread()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
