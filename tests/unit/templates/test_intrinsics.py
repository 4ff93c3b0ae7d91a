"""CloudFormation's intrinsic functions beyond Ref, Sub and GetAtt: lists, conditions, mappings, Base64, NoValue."""

import base64

import pytest

from host.templates.intrinsics import Resolver, substitute

CONDITIONS = {
    "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
    "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
    "ProdAndDebug": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Debug"}, "true"]}]},
    "ProdOrDev": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
    "DevOrDebug": {"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": [{"Ref": "Debug"}, "true"]}]},
    "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
}
MAPPINGS = {
    "Sizes": {
        "prod": {"Memory": 1024, "Layers": ["a", "b"]},
        "dev": {"Memory": 128, "Layers": []},
    },
}


@pytest.fixture
def resolve():
    values = {"Stage": "prod", "Debug": "false", "Names": ["alpha", "beta", "gamma"], "AWS::Region": "eu-west-1"}
    arns = {"Fn": "arn:aws:lambda:eu-west-1:123456789012:function:fn"}
    return Resolver(values, arns, CONDITIONS, MAPPINGS)


# -- Fn::Join, Fn::Select, Fn::Split ---------------------------------------------------------------


def test_join_joins_resolved_items_with_the_separator(resolve):
    assert resolve({"Fn::Join": ["-", ["app", {"Ref": "Stage"}, {"Ref": "AWS::Region"}]]}) == "app-prod-eu-west-1"


def test_join_with_an_empty_separator_concatenates(resolve):
    assert resolve({"Fn::Join": ["", ["arn:", {"Fn::GetAtt": ["Fn", "Arn"]}, ":live"]]}) == (
        "arn:arn:aws:lambda:eu-west-1:123456789012:function:fn:live"
    )


def test_join_over_a_list_parameter(resolve):
    assert resolve({"Fn::Join": [",", {"Ref": "Names"}]}) == "alpha,beta,gamma"


def test_join_writes_booleans_as_cloudformation_does_and_numbers_as_text(resolve):
    assert resolve({"Fn::Join": ["/", [True, False, 3, None]]}) == "true/false/3/"


def test_join_leaves_out_items_that_are_no_value(resolve):
    value = {"Fn::Join": ["-", ["a", {"Ref": "AWS::NoValue"}, "b"]]}
    assert resolve(value) == "a-b"


def test_select_picks_the_item_at_an_index(resolve):
    assert resolve({"Fn::Select": [1, ["x", "y", "z"]]}) == "y"
    assert resolve({"Fn::Select": ["2", {"Ref": "Names"}]}) == "gamma"  # a string index, as YAML often gives
    assert resolve.unknown == set()


def test_select_out_of_range_is_none_and_noted(resolve):
    assert resolve({"Fn::Select": [5, ["x"]]}) is None
    assert resolve({"Fn::Select": ["first", ["x"]]}) is None
    assert resolve.unknown == {"Fn::Select 5", "Fn::Select first"}


def test_split_cuts_a_string_at_the_separator(resolve):
    assert resolve({"Fn::Split": [",", "a,b,,c"]}) == ["a", "b", "", "c"]


def test_split_then_select_takes_one_part_of_a_resolved_string(resolve):
    arn_part = {"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": ["Fn", "Arn"]}]}]}
    assert resolve(arn_part) == "fn"


def test_join_of_split_round_trips(resolve):
    assert resolve({"Fn::Join": ["|", {"Fn::Split": ["-", {"Fn::Sub": "${Stage}-x-y"}]}]}) == "prod|x|y"


# -- Conditions and Fn::If ---------------------------------------------------------------------------


def test_equals_compares_resolved_values(resolve):
    assert resolve({"Fn::Equals": [{"Ref": "Stage"}, "prod"]}) is True
    assert resolve({"Fn::Equals": [{"Ref": "Stage"}, "dev"]}) is False


def test_equals_compares_booleans_and_numbers_as_their_text(resolve):
    assert resolve({"Fn::Equals": [True, "true"]}) is True
    assert resolve({"Fn::Equals": [3, "3"]}) is True
    assert resolve({"Fn::Equals": [False, "False"]}) is False


def test_named_conditions_evaluate_with_not_and_or_and_condition(resolve):
    assert resolve.condition("IsProd") is True
    assert resolve.condition("IsDev") is False
    assert resolve.condition("NotProd") is False
    assert resolve.condition("ProdAndDebug") is False  # Debug is "false"
    assert resolve.condition("ProdOrDev") is True
    assert resolve.condition("DevOrDebug") is False
    assert resolve.unknown == set()


def test_conditions_follow_the_parameters_they_read():
    resolve = Resolver({"Stage": "dev", "Debug": "true"}, {}, CONDITIONS, MAPPINGS)
    assert resolve.condition("IsProd") is False
    assert resolve.condition("NotProd") is True
    assert resolve.condition("ProdAndDebug") is False
    assert resolve.condition("ProdOrDev") is True
    assert resolve.condition("DevOrDebug") is True


def test_a_condition_key_inside_a_value_resolves_to_the_named_condition(resolve):
    assert resolve({"Fn::And": [{"Condition": "IsProd"}, {"Condition": "ProdOrDev"}]}) is True
    assert resolve({"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "NotProd"}]}) is False


def test_if_takes_the_first_branch_when_the_condition_holds(resolve):
    assert resolve({"Fn::If": ["IsProd", 1024, 128]}) == 1024
    assert resolve({"Fn::If": ["IsDev", 1024, 128]}) == 128


def test_if_resolves_only_the_branch_it_takes(resolve):
    value = {"Fn::If": ["IsProd", {"Fn::Sub": "live-${Stage}"}, {"Ref": "Missing"}]}
    assert resolve(value) == "live-prod"
    assert resolve.unknown == set()


def test_if_with_no_value_removes_the_key_from_a_mapping(resolve):
    value = {"Memory": {"Fn::If": ["IsDev", 256, {"Ref": "AWS::NoValue"}]}, "Timeout": 3}
    assert resolve(value) == {"Timeout": 3}


def test_an_unknown_condition_is_false_and_noted(resolve):
    assert resolve({"Fn::If": ["Nowhere", "yes", "no"]}) == "no"
    assert resolve.condition("Nowhere") is False
    assert resolve.unknown == {"Condition Nowhere"}


def test_a_condition_that_refers_to_itself_ends_as_a_value_instead_of_recursing(resolve):
    result = resolve.condition("Loop")  # no RecursionError: the inner reference reads as false
    assert result is True
    assert resolve.condition("Loop") is result


def test_a_condition_is_evaluated_once(resolve):
    first = resolve.condition("IsProd")
    resolve.values["Stage"] = "dev"
    assert resolve.condition("IsProd") is first is True


# -- Fn::FindInMap -----------------------------------------------------------------------------------


def test_find_in_map_looks_up_three_levels(resolve):
    assert resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 1024
    assert resolve({"Fn::FindInMap": ["Sizes", "dev", "Layers"]}) == []
    assert resolve({"Fn::FindInMap": ["Sizes", "prod", "Layers"]}) == ["a", "b"]


def test_find_in_map_with_a_missing_key_is_none_and_noted(resolve):
    assert resolve({"Fn::FindInMap": ["Sizes", "qa", "Memory"]}) is None
    assert resolve({"Fn::FindInMap": ["Nothing", "prod", "Memory"]}) is None
    assert resolve.unknown == {"Fn::FindInMap Sizes.qa.Memory", "Fn::FindInMap Nothing.prod.Memory"}


def test_find_in_map_without_mappings_is_none_and_noted():
    resolve = Resolver({}, {})
    assert resolve({"Fn::FindInMap": ["Sizes", "prod", "Memory"]}) is None
    assert resolve.unknown == {"Fn::FindInMap Sizes.prod.Memory"}


# -- Fn::Base64 --------------------------------------------------------------------------------------


def test_base64_encodes_the_resolved_text(resolve):
    encoded = resolve({"Fn::Base64": {"Fn::Sub": "#!/bin/sh\necho ${Stage}\n"}})
    assert base64.b64decode(encoded) == b"#!/bin/sh\necho prod\n"


def test_base64_encodes_utf8(resolve):
    assert resolve({"Fn::Base64": "héllo"}) == base64.b64encode("héllo".encode()).decode()


# -- Ref AWS::NoValue --------------------------------------------------------------------------------


def test_no_value_removes_its_key_from_a_mapping(resolve):
    value = {"Variables": {"A": "1", "B": {"Ref": "AWS::NoValue"}}, "Description": {"Ref": "AWS::NoValue"}}
    assert resolve(value) == {"Variables": {"A": "1"}}


def test_no_value_removes_its_item_from_a_list(resolve):
    assert resolve(["a", {"Ref": "AWS::NoValue"}, "b", {"Fn::If": ["IsDev", "c", {"Ref": "AWS::NoValue"}]}]) == [
        "a",
        "b",
    ]


def test_no_value_on_its_own_resolves_to_none(resolve):
    assert resolve({"Ref": "AWS::NoValue"}) is None
    assert resolve.unknown == set()


# -- what is not understood --------------------------------------------------------------------------


def test_unknown_functions_and_malformed_arguments_are_none_and_noted(resolve):
    assert resolve({"Fn::GetAZs": ""}) is None
    assert resolve({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}) is None
    assert resolve({"Fn::Join": ["-"]}) is None  # two arguments expected
    assert resolve({"Fn::If": ["IsProd", "a"]}) is None  # three arguments expected
    assert resolve.unknown == {"Fn::GetAZs", "Fn::Cidr", "Fn::Join", "Fn::If"}


def test_unknown_items_are_gathered_across_calls(resolve):
    resolve({"Ref": "Nope"})
    resolve({"Fn::Sub": "${Missing}-${Stage}"})
    resolve({"Fn::GetAtt": ["Table", "Arn"]})
    assert resolve.unknown == {"Ref Nope", "${Missing}", "Fn::GetAtt Table.Arn"}


def test_a_mapping_with_several_keys_is_not_an_intrinsic(resolve):
    value = {"Ref": "Stage", "Other": {"Ref": "Stage"}}
    assert resolve(value) == {"Ref": "Stage", "Other": "prod"}


# -- substitute --------------------------------------------------------------------------------------


def test_substitute_drops_an_unknown_name_and_notes_it():
    unknown: set[str] = set()
    assert substitute("a-${Nope}-b", {}, {}, unknown) == "a--b"
    assert unknown == {"${Nope}"}


def test_substitute_keeps_an_unclosed_placeholder_as_text():
    unknown: set[str] = set()
    assert substitute("x-${Stage", {"Stage": "prod"}, {}, unknown) == "x-${Stage"
    assert unknown == set()


def test_substitute_writes_values_as_text():
    unknown: set[str] = set()
    assert substitute("${On}/${Off}/${N}", {"On": True, "Off": False, "N": 7}, {}, unknown) == "true/false/7"
