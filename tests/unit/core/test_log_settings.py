"""LoggingConfig as AWS keeps it (TestLoggingConfig's recordings), on plain data."""

import pytest

from host.core.errors import InvalidParameterValue, ValidationError
from host.core.log_settings import LogSettings, apply, check
from host.core.validation import Problems

TEXT = LogSettings()


def test_json_fills_in_info_levels():
    assert apply(TEXT, {"LoggingConfig": {"LogFormat": "JSON"}}) == LogSettings("JSON", "INFO", "INFO", None)


def test_a_level_given_once_is_kept_until_the_format_goes_back_to_text():
    debug = apply(TEXT, {"LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"}})
    assert debug == LogSettings("JSON", "DEBUG", "INFO", None)
    assert apply(debug, {"LoggingConfig": {"LogGroup": "cool_lambda"}}) == LogSettings(
        "JSON", "DEBUG", "INFO", "cool_lambda"
    )
    assert apply(debug, {"LoggingConfig": {"LogFormat": "Text"}}) == TEXT


def test_no_logging_config_changes_nothing():
    assert apply(TEXT, {}) is TEXT


def test_levels_with_text_are_refused():
    with pytest.raises(InvalidParameterValue, match='LogLevel is not supported when LogFormat is set to "Text"'):
        apply(TEXT, {"LoggingConfig": {"SystemLogLevel": "WARN"}})


def test_enums_and_the_log_group_are_checked_together():
    problems = Problems()
    check({"LoggingConfig": {"LogFormat": "YAML", "SystemLogLevel": "TRACE", "LogGroup": "bad group"}}, problems)
    with pytest.raises(ValidationError, match=r"^3 validation errors detected"):
        problems.raise_if_any()
