"""Standard executions on disk: batched writes while they run, and resuming after a crash.

1. A run with new events is queued; a few milliseconds later (or at once, before an API
   answer that reads or changes executions) every queued run's new events, checkpoint and
   status go to SQLite in one transaction. Events and checkpoint always travel together,
   so what is on disk is a consistent point of the execution.
2. After a restart, ``resume`` loads every execution still RUNNING, rebuilds its frames
   from the checkpoint and continues: a frame about to enter a state enters it, a Wait
   or a retry keeps its deadline, a task in flight is sent again unless its work was
   already handed over and it only waits for its token (which stays valid).
3. A run that never reached a checkpoint (the host died inside StartExecution) starts over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from host.stepfunctions.core.history import History
from host.stepfunctions.engine.interpreter import Engine
from host.stepfunctions.engine.runs import CHILDREN, ENTER, RETRY, TASK, WAIT, Frame, Machine, Run, restore_frame
from host.stepfunctions.store.db import ExecutionRow, ExecutionWrite, SfnStore

log = logging.getLogger("lambda_host.stepfunctions")
FLUSH_DELAY = 0.003  # seconds a batch waits for more work before it is written


class Durability:
    def __init__(self, engine: Engine, store: SfnStore) -> None:
        self.engine = engine
        self.store = store
        self.dirty: dict[str, Run] = {}
        self.scheduled = None
        engine.on_dirty = self.mark
        engine.flush_now = self.flush

    def mark(self, run: Run) -> None:
        if run.express or run.store_id is None:
            run.dirty = False
            run.history.pending.clear()
            return
        self.dirty[run.arn] = run
        if self.scheduled is None:
            self.scheduled = self.engine.loop.call_later(FLUSH_DELAY, self.flush)

    def flush(self) -> None:
        """Write every dirty run now (one transaction)."""
        if self.scheduled is not None:
            self.scheduled.cancel()
            self.scheduled = None
        if not self.dirty:
            return
        runs, self.dirty = list(self.dirty.values()), {}
        writes = []
        for run in runs:
            run.dirty = False
            # A failed run keeps its last checkpoint: RedriveExecution continues from it.
            keep = not run.finished or run.status in ("FAILED", "TIMED_OUT", "ABORTED")
            checkpoint = json.dumps(run.checkpoint(), separators=(",", ":")) if keep else None
            writes.append(
                ExecutionWrite(
                    run.store_id,
                    run.status,
                    run.stop,
                    run.output_text,
                    run.error,
                    run.cause,
                    checkpoint,
                    run.history.take(),
                    run.redrive_count,
                    run.redrive_date,
                )
            )
        try:
            self.store.write_batch(writes)
        except Exception:
            log.exception("could not store %d execution(s); retrying", len(writes))
            for run, write in zip(runs, writes, strict=True):
                run.history.pending[:0] = write.events
                self.dirty[run.arn] = run
            self.scheduled = self.engine.loop.call_later(0.5, self.flush)
        for run in runs:
            if run.finished:
                self.engine.runs.pop(run.arn, None)

    # -- resuming -------------------------------------------------------------------------------------

    def resume(self, machine_of: Callable[[ExecutionRow], Machine]) -> int:
        """Continue every execution the store holds as RUNNING; how many."""
        count = 0
        for row in self.store.running_executions():
            try:
                self._resume(row, machine_of(row))
                count += 1
            except Exception:
                log.exception("could not resume %s", row.arn)
        return count

    def _resume(self, row: ExecutionRow, machine: Machine) -> None:
        engine = self.engine
        input_value = json.loads(row.input)
        checkpoint = row.checkpoint
        extra = row.extra or {}
        if checkpoint is None or checkpoint.get("root") is None:
            self.store.delete_events_after(row.id, 0)
            run = Run(row.arn, row.name, machine, input_value, row.input, row.start, History(engine.clock))
            run.store_id = row.id
            _extras(run, extra)
            engine.launch(run)
            return
        run = Run(
            row.arn,
            row.name,
            machine,
            input_value,
            row.input,
            row.start,
            History(engine.clock, next_id=checkpoint["next_id"]),
        )
        run.store_id = row.id
        run.redrive_count = row.redrive_count
        run.redrive_date = row.redrive_date
        run.deadline = checkpoint.get("deadline")
        run.generation = checkpoint.get("generation", 0)
        _extras(run, extra)
        self.store.delete_events_after(row.id, checkpoint["next_id"] - 1)
        program = machine.definition.program
        run.root = restore_frame(run, program, checkpoint["root"], None, None)
        engine.adopt(run)
        self._wake(run.root)

    def _wake(self, frame: Frame) -> None:
        engine = self.engine
        phase = frame.phase
        if phase == ENTER:
            engine.make_ready(frame)
        elif phase in (WAIT, RETRY):
            frame.timer = engine.call_at(frame.wake_at or engine.clock(), engine.wake, frame)
        elif phase == TASK:
            engine.tasks.resume(frame)
        elif phase == CHILDREN:
            join = frame.join
            if join.map_run is not None:
                engine.collections.distributed.resume(frame)
                return
            for child in list(join.running.values()):
                self._wake(child)
            if join.kind == "map":
                engine.collections._advance(frame)


def _extras(run: Run, extra: dict) -> None:
    run.mock_case = extra.get("mock_case")
    run.trace_header = extra.get("trace_header")
    run.parent_token = extra.get("parent_token")
