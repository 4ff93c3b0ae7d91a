"""LoggingConfig on CreateFunction and UpdateFunctionConfiguration against AWS's recordings."""

import pytest

from .conftest import wait_updated
from .expect import UUID, body, configuration, creating, invalid, problem, refused, updating, validation

TEXT = {"LogFormat": "Text"}


def logging(name: str, **settings) -> dict:
    return {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}", **settings}


def test_json_format_fills_in_info_levels_and_keeps_them(lambda_client, function):
    # snapshot: TestLoggingConfig::test_function_advanced_logging_configuration
    created = function(wait=False, MemorySize=256, Timeout=5, LoggingConfig={"LogFormat": "JSON"})
    name = created["FunctionName"]
    json_info = logging(name, LogFormat="JSON", ApplicationLogLevel="INFO", SystemLogLevel="INFO")
    assert body(created) == creating(name, MemorySize=256, Timeout=5, LoggingConfig=json_info)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    shown = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert shown == configuration(name, MemorySize=256, Timeout=5, LoggingConfig=json_info)
    assert shown["RevisionId"] != created["RevisionId"]  # uuid:1 then uuid:2
    assert body(lambda_client.get_function_configuration(FunctionName=name)) == shown
    advanced = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO", "LogGroup": "cool_lambda"}
    updated = body(lambda_client.update_function_configuration(FunctionName=name, LoggingConfig=advanced))
    assert updated == updating(name, MemorySize=256, Timeout=5, LoggingConfig=advanced)
    wait_updated(lambda_client, name)
    received = body(lambda_client.get_function_configuration(FunctionName=name))
    assert received == configuration(name, MemorySize=256, Timeout=5, LoggingConfig=advanced)
    assert len({created["RevisionId"], shown["RevisionId"], updated["RevisionId"], received["RevisionId"]}) == 4


def test_switching_to_json_and_back_to_text_adds_and_drops_the_levels(lambda_client, function):
    # snapshot: TestLoggingConfig::test_advanced_logging_configuration_format_switch
    name = function(MemorySize=256, Timeout=5)["FunctionName"]
    assert body(lambda_client.get_function_configuration(FunctionName=name))["LoggingConfig"] == logging(name)
    json_info = logging(name, LogFormat="JSON", ApplicationLogLevel="INFO", SystemLogLevel="INFO")
    updated = lambda_client.update_function_configuration(FunctionName=name, LoggingConfig={"LogFormat": "JSON"})
    assert body(updated) == updating(name, MemorySize=256, Timeout=5, LoggingConfig=json_info)
    wait_updated(lambda_client, name)
    assert lambda_client.get_function_configuration(FunctionName=name)["LoggingConfig"] == json_info
    updated = lambda_client.update_function_configuration(FunctionName=name, LoggingConfig=TEXT)
    assert body(updated) == updating(name, MemorySize=256, Timeout=5, LoggingConfig=logging(name))
    wait_updated(lambda_client, name)
    received = body(lambda_client.get_function_configuration(FunctionName=name))
    assert received == configuration(name, MemorySize=256, Timeout=5, LoggingConfig=logging(name))


@pytest.mark.parametrize(
    ("partial", "expected"),
    [
        # snapshot: TestLoggingConfig::test_function_partial_advanced_logging_configuration_update[partial_config0]
        ({"LogFormat": "JSON"}, {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}),
        # snapshot: ...[partial_config1]
        (
            {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
            {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "INFO"},
        ),
        # snapshot: ...[partial_config2]
        (
            {"LogFormat": "JSON", "SystemLogLevel": "DEBUG"},
            {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "DEBUG"},
        ),
        # snapshot: ...[partial_config3]
        ({"LogGroup": "cool_lambda"}, {"LogGroup": "cool_lambda"}),
    ],
)
def test_a_partial_logging_config_update_keeps_or_fills_in_the_rest(lambda_client, function, partial, expected):
    created = function(wait=False, MemorySize=256, Timeout=5)
    name = created["FunctionName"]
    assert body(created) == creating(name, MemorySize=256, Timeout=5)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    updated = lambda_client.update_function_configuration(FunctionName=name, LoggingConfig=partial)
    assert body(updated) == updating(name, MemorySize=256, Timeout=5, LoggingConfig=logging(name, **expected))
    wait_updated(lambda_client, name)
    received = body(lambda_client.get_function_configuration(FunctionName=name))
    assert received == configuration(name, MemorySize=256, Timeout=5, LoggingConfig=logging(name, **expected))
    assert received["RevisionId"] == UUID and received["RevisionId"] != updated["RevisionId"]


def test_levels_with_text_format_and_unknown_values_are_refused(lambda_client, function):
    # not recorded by LocalStack; AWS's message as CloudFormation relays it, and Coral's enum checks
    name = function()["FunctionName"]
    assert refused(
        lambda_client.update_function_configuration,
        FunctionName=name,
        LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"},
    ) == invalid(
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the '
        'LogFormat to "Json" and try again.'
    )
    assert refused(
        lambda_client.update_function_configuration, FunctionName=name, LoggingConfig={"LogFormat": "YAML"}
    ) == validation(problem("YAML", "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]"))
