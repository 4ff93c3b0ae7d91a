"""Event invoke settings (MaximumRetryAttempts, MaximumEventAgeInSeconds) per function and qualifier.

Set from SAM templates' ``EventInvokeConfig`` today; the async dispatcher reads them
for every Event invocation. Destinations are not kept here yet: delivering them is
the async-invocation work that follows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from host.core.errors import InvalidParameterValue, ValidationError, validation_message
from host.core.model import LATEST, EventInvokeConfig
from host.core.validation import problem
from host.service.functions import FunctionService


class EventConfigService:
    def __init__(self, functions: FunctionService) -> None:
        self.functions = functions
        self.store = functions.store

    def put(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> EventInvokeConfig:
        retries = params.get("MaximumRetryAttempts")
        age = params.get("MaximumEventAgeInSeconds")
        problems = []
        if retries is not None and not (isinstance(retries, int) and 0 <= retries <= 2):
            problems.append(problem(retries, "maximumRetryAttempts", "Member must have value less than or equal to 2"))
        if age is not None and not (isinstance(age, int) and 60 <= age <= 21600):
            limit = (
                "less than or equal to 21600" if isinstance(age, int) and age > 21600 else "greater than or equal to 60"
            )
            problems.append(problem(age, "maximumEventAgeInSeconds", f"Member must have value {limit}"))
        if problems:
            raise ValidationError(validation_message(problems))
        with self.functions.lock:
            function, ref = self.functions.get(value)
            qualifier = qualifier or ref.qualifier or LATEST
            known = self.store.version(function.name, qualifier) or self.store.alias(function.name, qualifier)
            if known is None:
                raise InvalidParameterValue(f"The function {function.name}:{qualifier} does not exist.")
            config = EventInvokeConfig(function.name, qualifier, retries, age, time.time())
            self.store.put_event_config(config)
        return config

    def get(self, name: str, qualifier: str) -> EventInvokeConfig | None:
        return self.store.event_config(name, qualifier)
