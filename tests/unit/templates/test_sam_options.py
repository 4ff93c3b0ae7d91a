"""The deploy command's options: --parameter-overrides in both spellings, and SAM CLI's --env-vars file."""

import json

import pytest

from host.templates.loader import TemplateError
from host.templates.sam import load_env_vars, parse_parameter_overrides

# -- --parameter-overrides ---------------------------------------------------------------------------


def test_key_value_pairs():
    assert parse_parameter_overrides(["Stage=prod", "Memory=512"]) == {"Stage": "prod", "Memory": "512"}


def test_several_pairs_in_one_item_separated_by_spaces():
    assert parse_parameter_overrides(["Stage=prod  Memory=512\tDebug=true"]) == {
        "Stage": "prod",
        "Memory": "512",
        "Debug": "true",
    }


def test_a_value_keeps_the_equals_signs_after_the_first():
    assert parse_parameter_overrides(["Query=a=b=c"]) == {"Query": "a=b=c"}


def test_a_key_without_a_value_is_empty():
    assert parse_parameter_overrides(["Stage=", "Flag"]) == {"Stage": "", "Flag": ""}


def test_sams_parameter_key_and_value_form():
    items = ["ParameterKey=Stage,ParameterValue=prod", "ParameterKey=Names,ParameterValue=a"]
    assert parse_parameter_overrides(items) == {"Stage": "prod", "Names": "a"}


def test_sams_form_several_in_one_item_and_mixed_with_plain_pairs():
    items = ["ParameterKey=Stage,ParameterValue=prod ParameterKey=Memory,ParameterValue=512 Debug=true"]
    assert parse_parameter_overrides(items) == {"Stage": "prod", "Memory": "512", "Debug": "true"}


def test_sams_form_keeps_equals_signs_in_the_value():
    assert parse_parameter_overrides(["ParameterKey=Query,ParameterValue=a=b"]) == {"Query": "a=b"}


def test_sams_form_without_a_value_is_empty():
    assert parse_parameter_overrides(["ParameterKey=Stage"]) == {"Stage": ""}


def test_a_later_override_wins():
    assert parse_parameter_overrides(["Stage=dev", "ParameterKey=Stage,ParameterValue=prod"]) == {"Stage": "prod"}


def test_no_overrides():
    assert parse_parameter_overrides([]) == {}
    assert parse_parameter_overrides(None) == {}
    assert parse_parameter_overrides(["", "   "]) == {}


# -- --env-vars ----------------------------------------------------------------------------------------


def test_an_env_vars_file_is_read(tmp_path):
    document = {"Parameters": {"LEVEL": "debug"}, "Fn": {"TABLE": "local", "ON": True, "N": 3, "NONE": None}}
    path = tmp_path / "env.json"
    path.write_text(json.dumps(document))
    assert load_env_vars(path) == document


def test_an_empty_object_is_no_overrides(tmp_path):
    path = tmp_path / "env.json"
    path.write_text("{}")
    assert load_env_vars(path) == {}


def test_invalid_json_is_a_template_error_naming_the_file(tmp_path):
    path = tmp_path / "env.json"
    path.write_text('{"Fn": {"A": 1}')
    with pytest.raises(TemplateError, match="not valid JSON") as caught:
        load_env_vars(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("document", [{"Fn": "x"}, {"Fn": {"A": "1"}, "Other": ["A"]}, ["Fn"], "text", 3, None])
def test_values_that_are_not_objects_are_a_template_error(tmp_path, document):
    path = tmp_path / "env.json"
    path.write_text(json.dumps(document))
    with pytest.raises(TemplateError, match="an env-vars file maps function names") as caught:
        load_env_vars(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_missing_file_is_a_template_error_naming_it(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(TemplateError) as caught:
        load_env_vars(path)
    assert str(caught.value) == f"{path}: No such file or directory"


def test_a_folder_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError) as caught:
        load_env_vars(tmp_path)
    assert str(caught.value) == f"{tmp_path}: Is a directory"


def test_a_sam_form_value_may_hold_commas_and_quoted_spaces():
    assert parse_parameter_overrides(["ParameterKey=Names,ParameterValue=a,b,c"]) == {"Names": "a,b,c"}
    assert parse_parameter_overrides(["Greeting='hello world' Stage=dev"]) == {
        "Greeting": "hello world",
        "Stage": "dev",
    }
