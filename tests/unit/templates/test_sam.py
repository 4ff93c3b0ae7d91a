"""SAM templates: CloudFormation's short tags, clear errors, and the intrinsics resolved."""

import pytest

from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError, load_template

TEMPLATE = """\
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "app-${Stage}"
      Role: !GetAtt Role.Arn
      Layers:
        - !Ref Deps
      Environment:
        Variables:
          TABLE: !GetAtt [Table, Arn]
          JOINED: !Join [",", [a, b]]
"""


def write(tmp_path, text):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def test_short_tags_become_intrinsic_functions(tmp_path):
    props = load_template(write(tmp_path, TEMPLATE))["Resources"]["Fn"]["Properties"]
    assert props["FunctionName"] == {"Fn::Sub": "app-${Stage}"}
    assert props["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["Layers"] == [{"Ref": "Deps"}]
    assert props["Environment"]["Variables"]["TABLE"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert props["Environment"]["Variables"]["JOINED"] == {"Fn::Join": [",", ["a", "b"]]}


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "Resources:\n  Fn:\n    Type: x\n    Bad: a: b\n")
    with pytest.raises(TemplateError, match=r"not valid YAML at line 4, column 11: mapping values") as caught:
        load_template(path)
    assert str(path) in str(caught.value)


def test_a_template_without_resources_is_refused(tmp_path):
    with pytest.raises(TemplateError, match="a SAM template needs a Resources section"):
        load_template(write(tmp_path, "Parameters: {}\n"))


def test_a_template_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(TemplateError, match="needs a Resources section"):
        load_template(write(tmp_path, "- just\n- a list\n"))


def test_a_missing_template_file_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="No such file"):
        load_template(tmp_path / "missing.yaml")


@pytest.fixture
def resolve():
    values = {"Stage": "prod", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
    arns = {"Deps": "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"}
    return Resolver(values, arns)


def test_ref_resolves_to_a_parameter(resolve):
    assert resolve({"Ref": "Stage"}) == "prod"


def test_an_unknown_ref_is_kept_by_name_and_noted(resolve):
    assert resolve({"Ref": "Nothing"}) == "Nothing"
    assert resolve.unknown == {"Ref Nothing"}


def test_sub_replaces_pseudo_parameters_and_parameters(resolve):
    assert resolve({"Fn::Sub": "fn-${Stage}-${AWS::Region}"}) == "fn-prod-us-east-1"


def test_sub_takes_extra_variables(resolve):
    assert resolve({"Fn::Sub": ["${Name}-${Stage}", {"Name": {"Ref": "Stage"}}]}) == "prod-prod"


def test_sub_keeps_escaped_placeholders_literal(resolve):
    assert resolve({"Fn::Sub": "${!Literal}-${Stage}"}) == "${Literal}-prod"


def test_sub_resolves_the_arn_of_a_resource(resolve):
    assert resolve({"Fn::Sub": "${Deps.Arn}"}) == "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"


def test_getatt_arn_resolves_a_deployed_resource(resolve):
    assert resolve({"Fn::GetAtt": ["Deps", "Arn"]}) == "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"
    assert resolve({"Fn::GetAtt": "Deps.Arn"}) == "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"


def test_unsupported_intrinsics_become_none_and_are_noted(resolve):
    assert resolve({"Fn::ImportValue": "shared"}) is None
    assert resolve({"Fn::GetAtt": ["Table", "StreamArn"]}) is None
    assert resolve.unknown == {"Fn::ImportValue", "Fn::GetAtt Table.StreamArn"}


def test_intrinsics_are_resolved_inside_lists_and_mappings(resolve):
    value = {"Variables": {"STAGE": {"Ref": "Stage"}, "LIST": [{"Ref": "Stage"}, 3]}}
    assert resolve(value) == {"Variables": {"STAGE": "prod", "LIST": ["prod", 3]}}
