"""Step Functions Local's mock configuration file: mocked Task responses per test case.

The file (``--sfn-mock-config``, or ``SFN_MOCK_CONFIG``) reads as AWS documents it::

    {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": {...}}, "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

An execution chooses a case by StartExecution on ``<state machine ARN>#<case>``. A mocked
Task never calls its service: its n-th invocation in the execution (retries count)
returns or throws what the entry covering n says; past the last entry the last one holds.
A ``.sync`` or ``.waitForTaskToken`` task's response is its final outcome; its
``TaskSubmitted`` event is made up (the file has no place for the submission's answer): the
nested execution's ARN and start date for ``.sync``, ``{}`` for a token.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from host.stepfunctions.integrations.base import Reply, TaskCall


class MockConfigError(ValueError):
    pass


@dataclass(frozen=True)
class MockedTask:
    """One state's mocked responses: (first, last, response) ranges."""

    ranges: tuple[tuple[int, int, dict], ...]
    counts: dict  # (execution ARN, state) -> invocations so far

    def start(self, call: TaskCall, reply: Reply) -> None:
        key = (call.execution.arn, call.state_name)
        number = self.counts.get(key, 0)
        self.counts[key] = number + 1
        response = self.ranges[-1][2]
        for first, last, candidate in self.ranges:
            if first <= number <= last:
                response = candidate
                break
        reply.started()
        if call.target.pattern:  # .sync and .waitForTaskToken: submitted first, then the mocked outcome
            returned = response.get("Return")
            submitted = {}
            if call.target.pattern.startswith("sync") and isinstance(returned, dict):
                submitted = {k: returned[k] for k in ("ExecutionArn", "StartDate") if k in returned}
            reply.submitted(submitted)
        if "Throw" in response:
            thrown = response["Throw"] or {}
            reply.failed(thrown.get("Error"), thrown.get("Cause"))
            return
        reply.succeeded(response.get("Return"))


class MockConfig:
    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.counts: dict = {}
        self.responses: dict[str, tuple[tuple[int, int, dict], ...]] = {}
        for name, entries in (raw.get("MockedResponses") or {}).items():
            ranges = []
            for key, response in entries.items():
                first, _, last = key.partition("-")
                try:
                    ranges.append((int(first), int(last or first), response))
                except ValueError:
                    raise MockConfigError(
                        f"MockedResponses.{name}: '{key}' is not an invocation number or range"
                    ) from None
                if not isinstance(response, dict) or not ({"Return", "Throw"} & set(response)):
                    raise MockConfigError(f"MockedResponses.{name}.{key} needs Return or Throw")
            self.responses[name] = tuple(sorted(ranges, key=lambda item: item[0]))

    @classmethod
    def load(cls, path: Path | str | None) -> MockConfig | None:
        path = path or os.environ.get("SFN_MOCK_CONFIG")
        if not path:
            return None
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise MockConfigError(f"{path}: {exc}") from exc
        return cls(raw)

    def has_case(self, machine: str, case: str) -> bool:
        return case in (self.raw.get("StateMachines", {}).get(machine, {}).get("TestCases") or {})

    def for_state(self, machine: str, case: str, state: str) -> MockedTask | None:
        cases = self.raw.get("StateMachines", {}).get(machine, {}).get("TestCases") or {}
        response = (cases.get(case) or {}).get(state)
        if response is None or response not in self.responses:
            return None
        return MockedTask(self.responses[response], self.counts)

    def describe(self) -> Any:
        return self.raw
