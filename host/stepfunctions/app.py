"""Step Functions, assembled: the store, the engine, the services, the integrations and the
API endpoint, over the host's database and its Invoke path.

``StepFunctions`` is what ``host.host`` builds and what templates and the CLI use; it owns
nothing of the Lambda side but the ``Functions`` port it is given.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from host.aws.endpoint import AwsEndpoint
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.stepfunctions.api.handler import StepFunctionsEndpoint
from host.stepfunctions.api.operations import table
from host.stepfunctions.engine.durability import Durability
from host.stepfunctions.engine.interpreter import Engine
from host.stepfunctions.engine.runs import Machine, machine_from_record
from host.stepfunctions.integrations.activities import ActivityTask
from host.stepfunctions.integrations.aws_clients import AwsClients
from host.stepfunctions.integrations.aws_services import AwsServices
from host.stepfunctions.integrations.lambda_task import LambdaTask
from host.stepfunctions.integrations.mocks import MockConfig
from host.stepfunctions.integrations.nested import NestedExecutions
from host.stepfunctions.integrations.registry import Registry
from host.stepfunctions.ports import Functions
from host.stepfunctions.service import arns
from host.stepfunctions.service.activities import ActivityService
from host.stepfunctions.service.executions import ExecutionService
from host.stepfunctions.service.machines import MachineService
from host.stepfunctions.service.map_runs import MapRunService
from host.stepfunctions.service.test_state import TestStateService
from host.stepfunctions.store.db import ExecutionRow, SfnStore
from host.store.db import Database

log = logging.getLogger("lambda_host.stepfunctions")


class StepFunctions:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        db: Database,
        region: str,
        account: str,
        functions: Functions,
        new_trace_id=lambda: "",
        aws: AwsEndpoint | None = None,
        wait_scale: float = 1.0,
        mock_config: Path | None = None,
        metrics: MetricsRecorder = NO_METRICS,
    ) -> None:
        self.loop = loop
        self.store = SfnStore(db)
        self.names = arns.Names(region, account)
        self.machines = MachineService(self.store, self.names)
        self.engine = Engine(loop, region, account, time.time, wait_scale)
        self.durability = Durability(self.engine, self.store)
        self.executions = ExecutionService(self.engine, self.durability, self.store, self.machines, self.names)
        self.activities = ActivityService(self.store, self.names)
        self.activities.flush = self.durability.flush
        self.clients = AwsClients(aws)
        self.mocks = MockConfig.load(mock_config)
        if self.mocks is not None:
            self.executions.mock_cases = self.mocks.has_case
        self.registry = Registry(
            LambdaTask(functions, new_trace_id),
            ActivityTask(self.activities),
            NestedExecutions(self.executions),
            AwsServices(loop, self.clients, region, account),
            self.mocks,
        )
        self.engine.tasks.resolve = self.registry.resolve
        self.engine.tasks.activity_exists = self.activities.exists
        self.map_runs = MapRunService(self)
        self.engine.collections.distributed = self.map_runs
        self.test_state = TestStateService(self)
        self.endpoint = StepFunctionsEndpoint(table(self))
        self._report_to(metrics)

    def _report_to(self, metrics: MetricsRecorder) -> None:
        """AWS/States: executions starting and ending (TestState's runs are not executions)."""
        if metrics is NO_METRICS:
            return

        def launched(run) -> None:
            if not run.testing:
                metrics.execution_started(run.machine.arn)

        def ended(run) -> None:
            if not run.testing:
                metrics.execution_ended(run.machine.arn, run.status, ((run.stop or run.start) - run.start) * 1000)

        self.engine.on_launch.append(launched)
        self.engine.on_end.append(ended)

    def start(self) -> int:
        """Resume the Standard executions a previous run of the host left RUNNING."""
        count = self.durability.resume(self._machine_of)
        if count:
            log.info("resumed %d Step Functions execution(s)", count)
        return count

    def _machine_of(self, row: ExecutionRow) -> Machine:
        return machine_from_record(row.machine, self.machines.definition_of)

    def close(self) -> None:
        self.durability.flush()
        self.clients.close()
