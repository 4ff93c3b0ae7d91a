"""A function's LoggingConfig: what a request may say and what AWS then keeps. No I/O.

What AWS recorded (LocalStack's ``TestLoggingConfig`` snapshots, 2025-11):

1. Format ``Text`` (the default) shows no levels: ``{LogFormat, LogGroup}``.
2. Format ``JSON`` always shows both levels; a level not given is filled in as ``INFO``
   and a level given once is kept by later updates that do not name it.
3. Switching back to ``Text`` drops the levels.
4. An update naming only ``LogGroup`` keeps the format (and its levels).

Levels with format ``Text`` are refused with the message AWS gives (as CloudFormation
reports it); that case is not in the recordings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from host.core.errors import InvalidParameterValue
from host.core.validation import Problems

FORMATS = ("JSON", "Text")
APPLICATION_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LEVELS = ("DEBUG", "INFO", "WARN")
LOG_GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
DEFAULT_LEVEL = "INFO"
LEVELS_NEED_JSON = (
    'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the '
    'LogFormat to "Json" and try again.'
)


@dataclass(frozen=True)
class LogSettings:
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None  # None: /aws/lambda/<name>


def check(params: Mapping[str, Any], problems: Problems) -> None:
    """The Coral checks on a request's LoggingConfig (collected with the request's other problems)."""
    config = params.get("LoggingConfig")
    if not isinstance(config, Mapping):
        return
    for key, field, allowed in (
        ("LogFormat", "logFormat", FORMATS),
        ("ApplicationLogLevel", "applicationLogLevel", APPLICATION_LEVELS),
        ("SystemLogLevel", "systemLogLevel", SYSTEM_LEVELS),
    ):
        value = config.get(key)
        if value is not None and value not in allowed:
            problems.add(value, f"loggingConfig.{field}", f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    group = config.get("LogGroup")
    if group is not None:
        if len(str(group)) > 512:
            problems.add(group, "loggingConfig.logGroup", "Member must have length less than or equal to 512")
        elif len(str(group)) < 1:
            problems.add(group, "loggingConfig.logGroup", "Member must have length greater than or equal to 1")
        if not re.fullmatch(LOG_GROUP_PATTERN, str(group)):
            problems.add(
                group, "loggingConfig.logGroup", f"Member must satisfy regular expression pattern: {LOG_GROUP_PATTERN}"
            )


def apply(current: LogSettings, params: Mapping[str, Any]) -> LogSettings:
    """The settings after a create or update whose request holds ``params``."""
    config = params.get("LoggingConfig")
    if not isinstance(config, Mapping):
        return current
    log_format = config.get("LogFormat") or current.log_format
    application = config.get("ApplicationLogLevel")
    system = config.get("SystemLogLevel")
    group = config.get("LogGroup") or current.log_group
    if log_format == "Text":
        if application or system:
            raise InvalidParameterValue(LEVELS_NEED_JSON)
        return LogSettings("Text", None, None, group)
    return LogSettings(
        "JSON",
        application or current.application_log_level or DEFAULT_LEVEL,
        system or current.system_log_level or DEFAULT_LEVEL,
        group,
    )
