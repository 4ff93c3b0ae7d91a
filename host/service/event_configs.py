"""Event invoke settings per function and qualifier: retries, maximum age, destinations.

The five operations of AWS's ``/2019-09-25/functions/{name}/event-invoke-config`` API
(Put replaces, Update merges) and the reads the async dispatcher makes for every Event
invocation. SAM templates' ``EventInvokeConfig`` goes through ``put`` as well.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from host.core.errors import (
    InvalidParameterValue,
    LambdaApiError,
    ResourceNotFound,
    ValidationError,
    validation_message,
)
from host.core.model import LATEST, EventInvokeConfig
from host.core.paging import page
from host.core.validation import problem
from host.service.functions import FunctionService

PAGE_SIZE = 50
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")
DESTINATION_REGEX = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)  # botocore's DestinationArn pattern, quoted in AWS's message
DESTINATION_PATTERN = re.compile(DESTINATION_REGEX)
MAX_DESTINATION_LENGTH = 350
NO_SETTINGS = "You must specify at least one of error handling or destination setting."
NO_FUNCTION = "The function doesn't exist."


def _check_numbers(params: Mapping[str, Any]) -> None:
    retries = params.get("MaximumRetryAttempts")
    age = params.get("MaximumEventAgeInSeconds")
    problems = []
    if retries is not None and not (isinstance(retries, int) and not isinstance(retries, bool) and 0 <= retries <= 2):
        limit = "less than or equal to 2" if isinstance(retries, int) and retries > 2 else "greater than or equal to 0"
        problems.append(problem(retries, "maximumRetryAttempts", f"Member must have value {limit}"))
    if age is not None and not (isinstance(age, int) and not isinstance(age, bool) and 60 <= age <= 21600):
        limit = "less than or equal to 21600" if isinstance(age, int) and age > 21600 else "greater than or equal to 60"
        problems.append(problem(age, "maximumEventAgeInSeconds", f"Member must have value {limit}"))
    if problems:
        raise ValidationError(validation_message(problems))


def _destinations(params: Mapping[str, Any]) -> dict[str, str | None]:
    """OnSuccess/OnFailure destination ARNs given in ``params`` (a key only when given)."""
    config = params.get("DestinationConfig")
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise InvalidParameterValue("DestinationConfig must be an object.")
    found: dict[str, str | None] = {}
    problems = []
    for key, attribute in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
        if key not in config:
            continue
        side = config.get(key) or {}
        target = side.get("Destination") if isinstance(side, Mapping) else None
        if not isinstance(side, Mapping) or (target is not None and not isinstance(target, str)):
            raise InvalidParameterValue(f"The provided destination config {key} is invalid.")
        field = f"destinationConfig.{key[0].lower()}{key[1:]}.destination"
        if target and not DESTINATION_PATTERN.fullmatch(target):
            constraint = f"Member must satisfy regular expression pattern: {DESTINATION_REGEX}"
            problems.append(problem(target, field, constraint))
        elif target and len(target) > MAX_DESTINATION_LENGTH:
            constraint = f"Member must have length less than or equal to {MAX_DESTINATION_LENGTH}"
            problems.append(problem(target, field, constraint))
        found[attribute] = target or None
    if problems:
        raise ValidationError(validation_message(problems))
    for target in (found.get("on_success"), found.get("on_failure")):
        if target and _service(target) not in DESTINATION_SERVICES:
            raise InvalidParameterValue(f"The provided destination config {_java_text(found)} is invalid.")
    return found


def _service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def _java_text(found: Mapping[str, str | None]) -> str:
    """The configuration as AWS's (Java) service prints it in its message."""
    success = f"OnSuccess(destination={found['on_success']})" if found.get("on_success") else "null"
    failure = f"OnFailure(destination={found['on_failure']})" if found.get("on_failure") else "null"
    return f"DestinationConfig(onSuccess={success}, onFailure={failure})"


class EventConfigService:
    def __init__(self, functions: FunctionService) -> None:
        self.functions = functions
        self.store = functions.store

    def function_arn(self, config: EventInvokeConfig) -> str:
        return self.functions.arn(config.function_name, config.qualifier)

    def put(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> EventInvokeConfig:
        """PutFunctionEventInvokeConfig: the settings become exactly ``params``."""
        if all(params.get(key) is None for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds")) and (
            "DestinationConfig" not in params
        ):
            raise InvalidParameterValue(NO_SETTINGS)
        _check_numbers(params)
        destinations = _destinations(params)
        with self.functions.lock:
            name, qualifier = self._target(value, qualifier)
            self._check_functions(name, destinations)
            config = EventInvokeConfig(
                name,
                qualifier,
                params.get("MaximumRetryAttempts"),
                params.get("MaximumEventAgeInSeconds"),
                time.time(),
                **destinations,
            )
            self.store.put_event_config(config)
        return config

    def update(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> EventInvokeConfig:
        """UpdateFunctionEventInvokeConfig: only what ``params`` names changes; there must be a config."""
        _check_numbers(params)
        destinations = _destinations(params)
        with self.functions.lock:
            name, qualifier = self._target(value, qualifier)
            current = self.store.event_config(name, qualifier)
            if current is None:
                raise self._none(name, qualifier)
            self._check_functions(name, destinations)
            changes: dict[str, Any] = dict(destinations)
            if "MaximumRetryAttempts" in params:
                changes["maximum_retry_attempts"] = params["MaximumRetryAttempts"]
            if "MaximumEventAgeInSeconds" in params:
                changes["maximum_event_age"] = params["MaximumEventAgeInSeconds"]
            config = EventInvokeConfig(
                **{**current.__dict__, **changes, "last_modified": time.time()},
            )
            self.store.put_event_config(config)
        return config

    def read(self, value: str, qualifier: str | None) -> EventInvokeConfig:
        """GetFunctionEventInvokeConfig."""
        ref = self.functions.ref(value, qualifier)
        config = self.store.event_config(ref.name, ref.qualifier or LATEST)
        if config is None:  # AWS says this whether or not the function exists
            raise self._none(ref.name, ref.qualifier or LATEST)
        return config

    def delete(self, value: str, qualifier: str | None) -> None:
        ref = self.functions.ref(value, qualifier)
        with self.functions.lock:
            if self.store.delete_event_config(ref.name, ref.qualifier or LATEST) is None:
                raise self._none(ref.name, ref.qualifier or LATEST)

    def list(self, value: str, marker: str | None, max_items: int | None) -> tuple[list[EventInvokeConfig], str | None]:
        if max_items is not None and not 1 <= max_items <= PAGE_SIZE:
            raise ValidationError(
                validation_message(
                    [problem(max_items, "maxItems", f"Member must have value less than or equal to {PAGE_SIZE}")]
                    if max_items > PAGE_SIZE
                    else [problem(max_items, "maxItems", "Member must have value greater than or equal to 1")]
                )
            )
        ref = self.functions.ref(value)
        if self.store.get(ref.name) is None:
            raise ResourceNotFound(NO_FUNCTION)
        configs = self.store.event_configs(ref.name)
        return page(configs, lambda c: c.qualifier, marker, max_items, PAGE_SIZE)

    def get(self, name: str, qualifier: str) -> EventInvokeConfig | None:
        """The settings Event invocations of ``name:qualifier`` follow (the dispatcher's read)."""
        return self.store.event_config(name, qualifier)

    def _target(self, value: str, qualifier: str | None) -> tuple[str, str]:
        """The function's name and the qualifier meant ($LATEST unless one is given); it must exist."""
        ref = self.functions.ref(value, qualifier)
        function = self.store.get(ref.name)
        qualifier = ref.qualifier or LATEST
        if function is None or (
            qualifier != LATEST
            and self.store.version(function.name, qualifier) is None
            and self.store.alias(function.name, qualifier) is None
        ):
            raise ResourceNotFound(NO_FUNCTION)
        return function.name, qualifier

    def _none(self, name: str, qualifier: str) -> ResourceNotFound:
        return ResourceNotFound(f"The function {self.functions.arn(name, qualifier)} doesn't have an EventInvokeConfig")

    def _check_functions(self, name: str, destinations: Mapping[str, str | None]) -> None:
        """A Lambda destination must exist and must not be the function itself."""
        for target in destinations.values():
            if not target or _service(target) != "lambda":
                continue
            invalid = InvalidParameterValue(f"The destination ARN {target} is invalid.")
            try:
                ref = self.functions.ref(target)
            except LambdaApiError as exc:
                raise invalid from exc
            if ref.name == name:
                raise InvalidParameterValue("You can't specify the function as a destination for itself.")
            qualifier = ref.qualifier
            if self.store.get(ref.name) is None or (
                qualifier not in (None, LATEST)
                and self.store.version(ref.name, qualifier) is None
                and self.store.alias(ref.name, qualifier) is None
            ):
                raise invalid
