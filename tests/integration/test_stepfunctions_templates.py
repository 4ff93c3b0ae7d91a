"""State machines from a SAM template (both resource types, a definition file with substitutions),
run through boto3, and ``lambda-host sfn run`` printing a definition's history and output."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.integration.sfn_helpers import details, history, sfn_client, wait_for_end

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Shout:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: tpl-shout
      Runtime: python3.11
      Handler: index.handler
      InlineCode: "def handler(event, context):\\n    return {'text': event['text'].upper()}\\n"
  FromFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: tpl-from-file
      DefinitionUri: flows/shout.asl.json
      DefinitionSubstitutions:
        ShoutArn: !GetAtt Shout.Arn
      Policies: [AWSLambdaRole]
  Inline:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: tpl-inline
      StateMachineType: EXPRESS
      RoleArn: arn:aws:iam::123456789012:role/sfn
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: !GetAtt Shout.Arn
              Payload.$: $
            OutputPath: $.Payload
            End: true
"""
SHOUT = {"StartAt": "Shout", "States": {"Shout": {"Type": "Task", "Resource": "${ShoutArn}", "End": True}}}


def test_state_machines_from_a_template(lambda_host_factory, tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "shout.asl.json").write_text(json.dumps(SHOUT))
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    host = lambda_host_factory(state_dir=tmp_path / "state", template=tmp_path / "template.yaml")
    sfn = sfn_client(host.endpoint)
    machines = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
    assert {name: m["type"] for name, m in machines.items()} == {"tpl-from-file": "STANDARD", "tpl-inline": "EXPRESS"}
    described = sfn.describe_state_machine(stateMachineArn=machines["tpl-from-file"]["stateMachineArn"])
    assert json.loads(described["definition"])["States"]["Shout"]["Resource"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:tpl-shout"
    )
    answer = sfn.start_sync_execution(stateMachineArn=machines["tpl-inline"]["stateMachineArn"], input='{"text": "hi"}')
    assert answer["status"] == "SUCCEEDED", answer.get("cause")
    assert json.loads(answer["output"]) == {"text": "HI"}
    execution = sfn.start_execution(stateMachineArn=machines["tpl-from-file"]["stateMachineArn"],
                                    input='{"text": "file"}')["executionArn"]  # fmt: skip
    assert json.loads(wait_for_end(sfn, execution)["output"]) == {"text": "FILE"}
    events = history(sfn, execution)
    assert json.loads(details(events, "LambdaFunctionSucceeded")[0]["output"]) == {"text": "FILE"}

    # the CLI runs a definition file on this host and prints its history and output
    definition = tmp_path / "wait.asl.json"
    shout = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:tpl-shout", "End": True}
    definition.write_text(json.dumps({"StartAt": "Shout", "States": {"Shout": shout}}))
    done = subprocess.run(
        [sys.executable, "-m", "host.cli.main", "sfn", "run", str(definition), "--endpoint", host.endpoint,
         "--input", '{"text": "cli"}'],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "LambdaFunctionSucceeded" in done.stdout and "ExecutionSucceeded" in done.stdout
    assert 'output: {"text":"CLI"}' in done.stdout
    failing = tmp_path / "fail.asl.json"
    failing.write_text(json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "no"}}}))
    failed = subprocess.run(
        [sys.executable, "-m", "host.cli.main", "sfn", "run", str(failing), "--endpoint", host.endpoint],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode == 1 and "status: FAILED" in failed.stdout and "error: Nope" in failed.stdout
