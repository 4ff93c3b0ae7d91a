"""Which integration runs a Task: a mocked response first (Step Functions Local's mock
configuration, when the execution chose a test case), then by the Resource's service."""

from __future__ import annotations

from typing import Any

from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.integrations.base import ACTIVITY, LAMBDA_FUNCTION, Integration, Reply, Target, TaskCall


class Unsupported:
    """A resource this host does not run: the task fails as AWS fails a call it cannot make."""

    def start(self, call: TaskCall, reply: Reply) -> None:
        raise StatesError("States.Runtime", f"The resource {call.target.arn} is not supported by lambda-host")


class Registry:
    def __init__(
        self,
        lambda_task: Integration,
        activities: Integration,
        nested: Integration,
        services: Integration,
        mocks: Any = None,
    ) -> None:
        self.lambda_task = lambda_task
        self.activities = activities
        self.nested = nested
        self.services = services
        self.mocks = mocks

    def resolve(self, target: Target, run, state_name: str) -> Integration:
        if run.test_mock is not None:
            return run.test_mock
        if run.mock_case is not None and self.mocks is not None:
            mocked = self.mocks.for_state(run.machine.name, run.mock_case, state_name)
            if mocked is not None:
                return mocked
        if target.family in (LAMBDA_FUNCTION,) or target.service == "lambda":
            return self.lambda_task
        if target.family == ACTIVITY:
            return self.activities
        if target.service == "states" and target.action == "startExecution":
            return self.nested
        return self.services
