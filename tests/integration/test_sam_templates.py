"""SAM and CloudFormation templates deployed by `serve --template`, checked through boto3 and HTTP."""

import json
import logging
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from host.templates.loader import TemplateError
from host.testing.plugin import client_for, make_zip
from tests.integration.recorder import Recorder

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.11
    Timeout: 5
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: from-globals
Resources:
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: deps
      ContentUri: layer/
  PlainLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      LayerName: plain
      Content: plain-layer.zip
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "api-${Stage}"
      CodeUri: api/
      Handler: app.handler
      MemorySize: 256
      EphemeralStorage:
        Size: 1024
      Layers:
        - !Ref DepsLayer
      AutoPublishAlias: live
      FunctionUrlConfig:
        AuthType: NONE
      ReservedConcurrentExecutions: 5
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnFailure:
            Type: Lambda
            Destination: !GetAtt Worker.Arn
      DeadLetterQueue:
        Type: SQS
        TargetArn: arn:aws:sqs:us-east-1:123456789012:api-dlq
      Environment:
        Variables:
          OTHER: !Ref Worker
          TABLE: !GetAtt Table.Arn
          JOINED: !Join ["-", [a, !Ref Stage]]
      Policies: AWSLambdaBasicExecutionRole
      Events:
        Http:
          Type: Api
          Properties: {Path: /, Method: get}
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: zipped.zip
      Handler: app.handler
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Layers:
        - !Ref PlainLayer
      Tags:
        - Key: team
          Value: core
      Code:
        ZipFile: |
          exports.handler = async (event) => ({worker: true, event});
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Table:
    Type: AWS::DynamoDB::Table
  ProdOnly:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: zipped.zip
      Handler: app.handler
"""

API = "import deps, os\ndef handler(event, context):\n    return {'deps': deps.VALUE, 'stage': os.environ['STAGE']}\n"


@pytest.fixture
def project(tmp_path) -> Path:
    """A SAM project: the template, a code folder, a zip, a layer folder and a layer zip."""
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "app.py").write_text(API)
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "deps.py").write_text("VALUE = 'from the layer'\n")
    (tmp_path / "zipped.zip").write_bytes(make_zip({"app.py": "def handler(e, c):\n    return 'zipped'\n"}))
    (tmp_path / "plain-layer.zip").write_bytes(make_zip({"nodejs/plain.js": "module.exports = 1;\n"}))
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def serve(factory, project: Path, state: Path, **settings):
    host = factory(state_dir=state, template=project / "template.yaml", **settings)
    return host, client_for(host)


def payload(response) -> object:
    return json.loads(response["Payload"].read())


def test_a_sam_template_deploys_its_functions_layers_and_extras(lambda_host_factory, project, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="lambda_host.template"):
        _, client = serve(lambda_host_factory, project, tmp_path / "state")
    names = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])
    assert names == ["Zipped", "api-dev", "worker"]  # ProdOnly's condition is false

    api = client.get_function(FunctionName="api-dev")
    config = api["Configuration"]
    assert (config["MemorySize"], config["Timeout"], config["EphemeralStorage"]) == (256, 5, {"Size": 1024})
    assert config["Environment"]["Variables"] == {
        "STAGE": "dev", "SHARED": "from-globals", "OTHER": "worker", "TABLE": "", "JOINED": "a-dev",
    }  # fmt: skip
    assert config["Layers"][0]["Arn"] == "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"
    assert api["Tags"]["aws:cloudformation:logical-id"] == "Api" and api["Tags"]["lambda:createdBy"] == "SAM"
    assert payload(client.invoke(FunctionName="api-dev")) == {"deps": "from the layer", "stage": "dev"}

    alias = client.get_alias(FunctionName="api-dev", Name="live")
    assert alias["FunctionVersion"] == "1"
    assert client.invoke(FunctionName="api-dev:live")["ExecutedVersion"] == "1"
    url = client.get_function_url_config(FunctionName="api-dev", Qualifier="live")
    assert url["FunctionArn"].endswith(":api-dev:live")
    with urllib.request.urlopen(url["FunctionUrl"], timeout=30) as response:
        assert json.loads(response.read()) == {"deps": "from the layer", "stage": "dev"}
    assert client.get_function_concurrency(FunctionName="api-dev")["ReservedConcurrentExecutions"] == 5
    event_config = client.get_function_event_invoke_config(FunctionName="api-dev", Qualifier="live")
    assert event_config["MaximumRetryAttempts"] == 0
    assert event_config["DestinationConfig"] == {
        "OnSuccess": {},
        "OnFailure": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:worker"},
    }
    assert config["DeadLetterConfig"] == {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:api-dlq"}

    assert payload(client.invoke(FunctionName="Zipped")) == "zipped"
    assert payload(client.invoke(FunctionName="worker", Payload=b'{"a": 1}')) == {"worker": True, "event": {"a": 1}}
    worker = client.get_function(FunctionName="worker")
    assert worker["Tags"]["team"] == "core"
    assert worker["Configuration"]["Role"] == "arn:aws:iam::123456789012:role/WorkerRole"

    warnings = [r.getMessage() for r in caplog.records if r.name == "lambda_host.template" and r.levelname == "WARNING"]
    assert len(warnings) == 1
    for named in ("Api.Events", "Table (AWS::DynamoDB::Table)", "Fn::GetAtt Table.Arn", "Api.Policies",
                  "WorkerRole (AWS::IAM::Role)"):  # fmt: skip
        assert named in warnings[0]


def test_parameter_overrides_and_env_vars_file(lambda_host_factory, project, tmp_path, caplog):
    env_file = tmp_path / "env.json"
    env_file.write_text(
        json.dumps({"Parameters": {"SHARED": "from-file"}, "Api": {"STAGE": "overridden", "UNDECLARED": "x"}})
    )
    with caplog.at_level(logging.WARNING, logger="lambda_host.template"):
        _, client = serve(
            lambda_host_factory, project, tmp_path / "state", template_parameters={"Stage": "prod"}, env_vars=env_file
        )
    names = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])
    assert names == ["ProdOnly", "Zipped", "api-prod", "worker"]
    variables = client.get_function_configuration(FunctionName="api-prod")["Environment"]["Variables"]
    assert variables["STAGE"] == "overridden" and variables["SHARED"] == "from-file"
    assert "UNDECLARED" not in variables  # SAM CLI sets only variables the template declares
    assert client.get_function_configuration(FunctionName="Zipped")["Environment"]["Variables"]["SHARED"] == (
        "from-file"
    )
    assert any("--env-vars Api.UNDECLARED" in r.getMessage() for r in caplog.records)


def test_a_restart_keeps_versions_urls_and_layers_and_drops_removed_functions(lambda_host_factory, project, tmp_path):
    state = tmp_path / "state"
    host, client = serve(lambda_host_factory, project, state)
    url = client.get_function_url_config(FunctionName="api-dev", Qualifier="live")["FunctionUrl"]
    host.stop_thread()

    host, client = serve(lambda_host_factory, project, state)
    assert client.get_function_url_config(FunctionName="api-dev", Qualifier="live")["FunctionUrl"] == url
    assert client.get_alias(FunctionName="api-dev", Name="live")["FunctionVersion"] == "1"  # nothing changed
    assert len(client.list_layer_versions(LayerName="deps")["LayerVersions"]) == 1
    host.stop_thread()

    (project / "api" / "app.py").write_text(API.replace("'stage'", "'stage_now'"))
    text = (project / "template.yaml").read_text()
    (project / "template.yaml").write_text(text.replace("  Zipped:\n", "  ZippedGone:\n").replace(
        "      CodeUri: zipped.zip\n      Handler: app.handler\n  Worker:", "      CodeUri: zipped.zip\n"
        "      Handler: app.handler\n      FunctionName: renamed\n  Worker:"))  # fmt: skip
    _, client = serve(lambda_host_factory, project, state)
    names = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])
    assert names == ["api-dev", "renamed", "worker"]  # Zipped left the template, so it went
    assert client.get_alias(FunctionName="api-dev", Name="live")["FunctionVersion"] == "2"  # the code changed
    assert payload(client.invoke(FunctionName="api-dev:live")) == {"deps": "from the layer", "stage_now": "dev"}


def test_event_invoke_config_from_the_template_limits_retries(lambda_host_factory, tmp_path):
    recorder = Recorder()
    try:
        (tmp_path / "flaky").mkdir()
        (tmp_path / "flaky" / "app.py").write_text(
            "import json, os, urllib.request\n"
            "def handler(event, context):\n"
            "    urllib.request.urlopen(os.environ['RECORDER'], data=b'{}', timeout=5)\n"
            "    raise RuntimeError('always')\n"
        )
        host = lambda_host_factory(state_dir=tmp_path / "probe")
        url = recorder.url(host)
        host.stop_thread()
        (tmp_path / "template.yaml").write_text(
            "Resources:\n"
            "  Flaky:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            "      CodeUri: flaky/\n"
            "      Handler: app.handler\n"
            "      Runtime: python3.11\n"
            "      EventInvokeConfig:\n"
            "        MaximumRetryAttempts: 0\n"
            "      Environment:\n"
            f"        Variables: {{RECORDER: '{url}'}}\n"
        )
        host = lambda_host_factory(state_dir=tmp_path / "state", template=tmp_path / "template.yaml")
        client = client_for(host)
        assert client.invoke(FunctionName="Flaky", InvocationType="Event")["StatusCode"] == 202
        recorder.wait_for(1)
        time.sleep(1.5)  # the test host retries after 0.2 s; with MaximumRetryAttempts 0 nothing comes
        assert len(recorder.calls) == 1
    finally:
        recorder.server.shutdown()


def test_reserved_concurrency_throttles_synchronous_invokes(lambda_client, create_function):
    name = create_function({"app.py": "import time\ndef handler(e, c):\n    time.sleep(1)\n    return 'done'\n"})
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert lambda_client.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 1}

    def call(_):
        try:
            return payload(lambda_client.invoke(FunctionName=name))
        except ClientError as error:
            return error.response["Error"]["Code"], error.response.get("Reason"), error.response["Error"]["Message"]

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(call, range(2)))
    assert sorted(map(str, results)) == sorted(
        [
            "done",
            str(("TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded.")),
        ]
    )
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(FunctionName=name)
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(call, range(2))) == ["done", "done"]


def test_a_template_with_a_syntax_error_names_the_line(lambda_host_factory, tmp_path):
    bad = tmp_path / "template.yaml"
    bad.write_text("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [a\n")
    with pytest.raises(TemplateError, match=r"not valid YAML at line 5"):
        lambda_host_factory(state_dir=tmp_path / "state", template=bad)
    done = subprocess.run(
        [sys.executable, "-m", "host.cli.main", "serve", "--port", "0", "--template", str(bad),
         "--state-dir", str(tmp_path / "cli-state")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "not valid YAML at line 5" in done.stderr and "Traceback" not in done.stderr


def test_a_parameter_without_a_value_is_refused(lambda_host_factory, tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text("Parameters:\n  Needed:\n    Type: String\nResources: {}\n")
    with pytest.raises(TemplateError, match="parameter Needed has no default"):
        lambda_host_factory(state_dir=tmp_path / "state", template=template)
