"""State machines in SAM and CloudFormation templates: definitions from every source, substitutions,
names for Ref and GetAtt, and deploying through the Step Functions service (create, update, alias,
removal of the ones a template no longer holds)."""

import json

import pytest

from host.stepfunctions.service import arns
from host.stepfunctions.service.machines import MachineService
from host.stepfunctions.store.db import SfnStore
from host.store.db import Database
from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError, load_template
from host.templates.plan import Omissions
from host.templates.state_machines import StateMachineDeployer, name_state_machines, state_machine_specs

REGION, ACCOUNT = "us-east-1", "123456789012"
DEFINITION = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "${Fn}", "End": True}}}

TEMPLATE = """\
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: .}
  Orders:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: orders
      Type: EXPRESS
      DefinitionUri: orders.asl.json
      DefinitionSubstitutions:
        Fn: !GetAtt Worker.Arn
        Limit: 3
      Policies: [AWSLambdaRole]
      Tags: {team: shop}
      AutoPublishAlias: live
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: P
        States:
          P: {Type: Pass, Result: !Sub "${AWS::Region}-${Orders.Name}", End: true}
  Cfn:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: cfn-machine
      RoleArn: arn:aws:iam::123456789012:role/sfn
      DefinitionString: !Sub '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"${Inline}","End":true}}}'
      Tags: [{Key: owner, Value: me}]
  FromFile:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionS3Location: {Bucket: any, Key: flows/yaml-flow.yaml}
"""


@pytest.fixture
def template(tmp_path):
    (tmp_path / "orders.asl.json").write_text(json.dumps({**DEFINITION, "Comment": "max ${Limit}"}))
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "yaml-flow.yaml").write_text("StartAt: P\nStates:\n  P: {Type: Succeed}\n")
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


def specs_of(path):
    resources = load_template(path)["Resources"]
    values = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    names = {"Worker": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Worker"}
    resolve = Resolver(values, names)
    name_state_machines(resources, resolve, values, names, REGION, ACCOUNT)
    omitted = Omissions()
    specs = state_machine_specs(resources, resolve, path.parent, ACCOUNT, "lambda-host", omitted)
    return {spec.logical_id: spec for spec in specs}, omitted, resolve


def test_definitions_come_from_every_source_with_substitutions(template):
    specs, omitted, resolve = specs_of(template)
    orders = json.loads(specs["Orders"].definition)
    assert orders["States"]["Call"]["Resource"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Worker"
    assert orders["Comment"] == "max 3"
    assert specs["Orders"].machine_type == "EXPRESS"
    assert specs["Orders"].alias == "live"
    assert json.loads(specs["Inline"].definition)["States"]["P"]["Result"] == "us-east-1-orders"
    cfn = json.loads(specs["Cfn"].definition)
    assert cfn["States"]["P"]["Result"] == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Inline"
    assert json.loads(specs["FromFile"].definition) == {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}
    assert specs["Cfn"].name == "cfn-machine" and specs["Cfn"].role_arn == "arn:aws:iam::123456789012:role/sfn"
    assert specs["Inline"].role_arn == f"arn:aws:iam::{ACCOUNT}:role/InlineRole"
    assert {"key": "team", "value": "shop"} in specs["Orders"].tags
    assert {"key": "owner", "value": "me"} in specs["Cfn"].tags
    assert {"key": "aws:cloudformation:logical-id", "value": "Cfn"} in specs["Cfn"].tags
    assert omitted.no_local_meaning == {"Orders.Policies"}
    assert not omitted.unsupported and not resolve.unknown


def test_a_missing_definition_file_is_a_clear_error(tmp_path):
    path = tmp_path / "template.yaml"
    resource = "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties: {DefinitionUri: x.json}\n"
    path.write_text("Resources:\n" + resource)
    with pytest.raises(TemplateError, match=r"state machine M: definition file x\.json not found"):
        specs_of(path)


@pytest.fixture
def machines(tmp_path):
    return MachineService(SfnStore(Database(tmp_path / "state.db")), arns.Names(REGION, ACCOUNT))


def test_deploying_creates_updates_and_removes(template, machines):
    specs, _, _ = specs_of(template)
    deployer = StateMachineDeployer(machines, "lambda-host", "template.yaml")
    deployer.deploy(list(specs.values()))
    orders_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:orders"
    described = machines.describe(orders_arn)
    assert described["type"] == "EXPRESS" and json.loads(described["definition"])["Comment"] == "max 3"
    [alias] = machines.aliases(orders_arn)
    assert machines.describe_alias(alias["stateMachineAliasArn"])["routingConfiguration"] == [
        {"stateMachineVersionArn": orders_arn + ":1", "weight": 100}
    ]

    # the same template again: nothing new, not even a version
    deployer.deploy(list(specs.values()))
    assert len(machines.versions(orders_arn)) == 1

    # a changed definition updates in place and moves the alias; a machine left out is deleted
    specs["Orders"].definition = specs["Orders"].definition.replace("max 3", "max 4")
    deployer.deploy([specs["Orders"]])
    assert json.loads(machines.describe(orders_arn)["definition"])["Comment"] == "max 4"
    versions = [v["stateMachineVersionArn"] for v in machines.versions(orders_arn)]
    assert versions == [orders_arn + ":2", orders_arn + ":1"]
    routing = machines.describe_alias(alias["stateMachineAliasArn"])["routingConfiguration"]
    assert routing == [{"stateMachineVersionArn": orders_arn + ":2", "weight": 100}]
    assert [m["name"] for m in machines.list()] == ["orders"]


def test_an_invalid_definition_names_the_resource(template, machines):
    specs, _, _ = specs_of(template)
    specs["Inline"].definition = '{"StartAt": "Nowhere", "States": {}}'
    with pytest.raises(TemplateError, match="state machine Inline: Invalid State Machine Definition"):
        StateMachineDeployer(machines, "lambda-host", "template.yaml").deploy([specs["Inline"]])
