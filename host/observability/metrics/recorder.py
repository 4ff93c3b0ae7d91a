"""Takes the Lambda side's reports (``host.core.metrics.MetricsRecorder``) and turns them into minutes.

The report methods run on the invoke path, so each only appends a tuple to a deque (thread
safe, no lock, no clock beyond ``time.time``). One flusher thread, once a ``interval``,
replays the reports in order (which is how concurrency is counted: +1 at ``began``, -1 at
``ended``), aggregates them per metric, dimension set and minute, and writes the batch to
``metrics.db`` in one transaction. Readers call ``flush`` first, so what they read includes
every report made before their call.

Provisioned concurrent executions are counted when a provisioned invocation ends, as the
provisioned invocations of the same resource that ended recently and overlapped its start,
plus itself: invocations still running then are not seen (a caveat for long overlaps).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from host.core.invocation import InvokeRequest, InvokeResult
from host.observability.metrics.names import HOST, LAMBDA, STATES, function_dimensions, qualifier_of, unit_of
from host.observability.metrics.prometheus import Cumulative
from host.observability.metrics.stats import Aggregate, Dimensions, minute_of
from host.observability.metrics.store import MetricStore, Row

log = logging.getLogger("lambda_host.metrics")

BEGAN, ENDED, THROTTLED, FUNCTION_METRIC, EXECUTION_STARTED, EXECUTION_ENDED = range(6)
EXECUTION_STATUSES = {
    "SUCCEEDED": "ExecutionsSucceeded",
    "FAILED": "ExecutionsFailed",
    "ABORTED": "ExecutionsAborted",
    "TIMED_OUT": "ExecutionsTimedOut",
}
PROVISIONED_WINDOW = 900.0  # seconds of provisioned invocations kept to count overlaps


class MetricsRecorder:
    def __init__(
        self,
        store: MetricStore,
        interval: float = 1.0,
        reserved_of: Callable[[str], int | None] = lambda name: None,
        provisioned_of: Callable[[str, str], int] = lambda name, qualifier: 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.interval = interval
        self.reserved_of = reserved_of  # a function's reserved concurrency (None: unreserved)
        self.provisioned_of = provisioned_of  # provisioned concurrency allocated to name:qualifier
        self.clock = clock
        self.reports: deque[tuple] = deque()
        self.flush_lock = threading.Lock()
        self.pending: dict[tuple[str, str, Dimensions, int], Aggregate] = {}
        self.cumulative = Cumulative()
        self.running: dict[str, int] = {}  # function name -> invocations running
        self.running_resources: dict[tuple[str, str], int] = {}
        self.running_total = 0
        self.running_unreserved = 0
        self.provisioned_runs: dict[tuple[str, str], deque[tuple[float, float]]] = {}
        self.units: dict[tuple[str, str], str] = {}  # users' metrics: the unit they last sent
        self.reserved: dict[str, int | None] = {}  # reserved concurrency, looked up once per flush
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    # -- reports, on the invoke path: one append each ------------------------------------------

    def began(self, request: InvokeRequest) -> None:
        self.reports.append((BEGAN, time.time(), request))

    def ended(self, request: InvokeRequest, result: InvokeResult) -> None:
        self.reports.append((ENDED, time.time(), request, result))

    def throttled(self, function_name: str, qualifier: str | None) -> None:
        self.reports.append((THROTTLED, time.time(), function_name, qualifier))

    def _function_metric(self, metric: str, name: str, qualifier: str | None, value: float = 1.0) -> None:
        self.reports.append((FUNCTION_METRIC, time.time(), name, qualifier, metric, value))

    def async_received(self, function_name: str, qualifier: str | None) -> None:
        self._function_metric("AsyncEventsReceived", function_name, qualifier)

    def async_event_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None:
        self._function_metric("AsyncEventAge", function_name, qualifier, age_ms)

    def async_dropped(self, function_name: str, qualifier: str | None) -> None:
        self._function_metric("AsyncEventsDropped", function_name, qualifier)

    def dead_letter_error(self, function_name: str, qualifier: str | None) -> None:
        self._function_metric("DeadLetterErrors", function_name, qualifier)

    def destination_failure(self, function_name: str, qualifier: str | None) -> None:
        self._function_metric("DestinationDeliveryFailures", function_name, qualifier)

    def iterator_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None:
        self._function_metric("IteratorAge", function_name, qualifier, age_ms)

    def execution_started(self, state_machine_arn: str) -> None:
        self.reports.append((EXECUTION_STARTED, time.time(), state_machine_arn))

    def execution_ended(self, state_machine_arn: str, status: str, duration_ms: float) -> None:
        self.reports.append((EXECUTION_ENDED, time.time(), state_machine_arn, status, duration_ms))

    def put(self, namespace: str, metric: str, dims: Dimensions, timestamp: float, unit: str, data: Aggregate) -> None:
        """PutMetricData: a user's datapoint, written at the next flush."""
        with self.flush_lock:
            self._merge(namespace, metric, dims, minute_of(timestamp), data, unit)

    # -- the flusher ---------------------------------------------------------------------------

    def start(self) -> None:
        self.thread = threading.Thread(target=self._flush_forever, name="lambda-host-metrics", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(10)
        try:
            self.flush()
        except Exception:  # the host is going away; the database may already be closed
            log.exception("could not write the last metrics")

    def _flush_forever(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.flush()
            except Exception:
                log.exception("could not write metrics; keeping them for the next flush")

    def flush(self) -> None:
        """Aggregate every report made so far and write the minutes to the store."""
        with self.flush_lock:
            reports = self.reports
            self.reserved = {}
            while reports:
                self._replay(reports.popleft())
            self._sample_running()
            if not self.pending:
                return
            rows: list[Row] = [
                (ns, metric, dims, minute, self.units.get((ns, metric), unit_of(metric)), aggregate)
                for (ns, metric, dims, minute), aggregate in self.pending.items()
            ]
            self.store.write(rows, self.clock())
            self.pending = {}

    def _merge(self, ns: str, metric: str, dims: Dimensions, minute: int, data: Aggregate, unit: str) -> None:
        key = (ns, metric, dims, minute)
        into = self.pending.get(key)
        if into is None:
            into = self.pending[key] = Aggregate()
        into.merge(data)
        self.units[(ns, metric)] = unit
        self.cumulative.add(ns, metric, dims, unit, data)

    def _add(self, ns: str, metric: str, dims_sets: list[Dimensions], at: float, value: float) -> None:
        minute = minute_of(at)
        for dims in dims_sets:
            key = (ns, metric, dims, minute)
            into = self.pending.get(key)
            if into is None:
                into = self.pending[key] = Aggregate()
            into.add(value)
            self.cumulative.add_value(ns, metric, dims, unit_of(metric), value)

    def _replay(self, report: tuple) -> None:
        kind, at = report[0], report[1]
        if kind == BEGAN:
            self._began(at, report[2])
        elif kind == ENDED:
            self._ended(at, report[2], report[3])
        elif kind == THROTTLED:
            self._add(LAMBDA, "Throttles", function_dimensions(report[2], report[3]), at, 1.0)
        elif kind == FUNCTION_METRIC:
            _, _, name, qualifier, metric, value = report
            self._add(LAMBDA, metric, function_dimensions(name, qualifier), at, value)
        elif kind == EXECUTION_STARTED:
            self._add(STATES, "ExecutionsStarted", [(("StateMachineArn", report[2]),)], at, 1.0)
        elif kind == EXECUTION_ENDED:
            _, _, arn, status, duration_ms = report
            dims = [(("StateMachineArn", arn),)]
            metric = EXECUTION_STATUSES.get(status)
            if metric is not None:
                self._add(STATES, metric, dims, at, 1.0)
            self._add(STATES, "ExecutionTime", dims, at, duration_ms)

    def _began(self, at: float, request: InvokeRequest) -> None:
        name = request.function.name
        qualifier = qualifier_of(request.invoked_arn)
        running = self.running[name] = self.running.get(name, 0) + 1
        self.running_total += 1
        self._add(LAMBDA, "ConcurrentExecutions", [()], at, self.running_total)
        self._add(LAMBDA, "ConcurrentExecutions", [(("FunctionName", name),)], at, running)
        if qualifier:
            key = (name, qualifier)
            count = self.running_resources[key] = self.running_resources.get(key, 0) + 1
            self._add(LAMBDA, "ConcurrentExecutions", function_dimensions(name, qualifier)[2:3], at, count)
        if self._unreserved(name):
            self.running_unreserved += 1
            self._add(LAMBDA, "UnreservedConcurrentExecutions", [()], at, self.running_unreserved)

    def _ended(self, at: float, request: InvokeRequest, result: InvokeResult) -> None:
        name = request.function.name
        qualifier = qualifier_of(request.invoked_arn)
        self._leave(name, qualifier)
        dims = function_dimensions(name, qualifier, result.executed_version)
        self._add(LAMBDA, "Invocations", dims, at, 1.0)
        self._add(LAMBDA, "Errors", dims, at, 1.0 if result.function_error else 0.0)
        if result.duration_ms is not None:
            self._add(LAMBDA, "Duration", dims, at, result.duration_ms)
        if result.init_duration_ms is not None:
            host_dims = dims[:2]
            self._add(HOST, "ColdStarts", host_dims, at, 1.0)
            self._add(HOST, "InitDuration", host_dims, at, result.init_duration_ms)
        resource = qualifier or result.executed_version
        allocated = self.provisioned_of(name, resource) if resource and resource != "$LATEST" else 0
        if result.provisioned:
            pc_dims = function_dimensions(name, resource)[1:3]
            self._add(LAMBDA, "ProvisionedConcurrencyInvocations", pc_dims, at, 1.0)
            concurrent = self._provisioned_overlap(name, resource, at, result.duration_ms or 0.0)
            self._add(LAMBDA, "ProvisionedConcurrentExecutions", pc_dims, at, concurrent)
            if allocated:
                self._add(LAMBDA, "ProvisionedConcurrencyUtilization", pc_dims, at, concurrent / allocated)
        elif allocated:
            pc_dims = function_dimensions(name, resource)[1:3]
            self._add(LAMBDA, "ProvisionedConcurrencySpilloverInvocations", pc_dims, at, 1.0)

    def _leave(self, name: str, qualifier: str | None) -> None:
        gauge = self.cumulative.set_gauge
        left = self.running.get(name, 0) - 1
        if left > 0:
            self.running[name] = left
        else:
            self.running.pop(name, None)
        gauge(LAMBDA, "ConcurrentExecutions", (("FunctionName", name),), max(0, left))
        self.running_total = max(0, self.running_total - 1)
        gauge(LAMBDA, "ConcurrentExecutions", (), self.running_total)
        if qualifier:
            key = (name, qualifier)
            left = self.running_resources.get(key, 0) - 1
            if left > 0:
                self.running_resources[key] = left
            else:
                self.running_resources.pop(key, None)
            gauge(LAMBDA, "ConcurrentExecutions", function_dimensions(name, qualifier)[2], max(0, left))
        if self._unreserved(name):
            self.running_unreserved = max(0, self.running_unreserved - 1)
            gauge(LAMBDA, "UnreservedConcurrentExecutions", (), self.running_unreserved)

    def _unreserved(self, name: str) -> bool:
        if name not in self.reserved:
            self.reserved[name] = self.reserved_of(name)
        return self.reserved[name] is None

    def _provisioned_overlap(self, name: str, qualifier: str, at: float, duration_ms: float) -> int:
        start = at - duration_ms / 1000.0
        runs = self.provisioned_runs.setdefault((name, qualifier), deque())
        while runs and runs[0][1] < at - PROVISIONED_WINDOW:
            runs.popleft()
        overlapping = sum(1 for began, ended in runs if began <= start < ended)
        runs.append((start, at))
        return overlapping + 1

    def _sample_running(self) -> None:
        """Invocations still running at a flush count in this minute too (a long one spans minutes)."""
        if not self.running_total:
            return
        at = self.clock()
        self._add(LAMBDA, "ConcurrentExecutions", [()], at, self.running_total)
        for name, running in self.running.items():
            self._add(LAMBDA, "ConcurrentExecutions", [(("FunctionName", name),)], at, running)
