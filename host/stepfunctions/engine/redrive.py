"""RedriveExecution: a failed, timed-out or stopped Standard execution continues from the state
where it stopped, with the input and variables it had there.

The run is rebuilt from the checkpoint its failure left on disk; the state that failed is
entered again (a Parallel or Map state runs all its branches or items again: AWS reruns
only the failed iterations of a Map, which this host does not). ``ExecutionRedriven``
follows the last event, and ``$$.Execution.RedriveCount`` counts the redrives.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from host.stepfunctions.core import history
from host.stepfunctions.core.history import Cursor, History
from host.stepfunctions.engine.runs import ENTER, Run, machine_from_record, restore_frame

if TYPE_CHECKING:
    from host.stepfunctions.service.executions import ExecutionService
    from host.stepfunctions.store.db import ExecutionRow


def redrive(service: ExecutionService, row: ExecutionRow) -> float:
    engine = service.engine
    checkpoint = row.checkpoint or {}
    stored = row.machine
    machine = machine_from_record(stored, service.machines.definition_of)
    now = engine.clock()
    next_id = checkpoint.get("next_id") or 1
    run = Run(row.arn, row.name, machine, json.loads(row.input), row.input, row.start, History(engine.clock, next_id))
    run.store_id = row.id
    run.redrive_count = row.redrive_count + 1
    run.redrive_date = now
    run.mock_case = row.extra.get("mock_case")
    run.trace_header = row.extra.get("trace_header")
    program = machine.definition.program
    if checkpoint.get("root") is not None:
        root = restore_frame(run, program, checkpoint["root"], None, None)
        root.phase = ENTER
        root.task = None
        root.join = None
        root.timer = None
    else:
        from host.stepfunctions.core.templates import Variables
        from host.stepfunctions.engine.runs import Frame

        root = Frame(run, program, program.start_at, run.input, Cursor(0), Variables())
    run.root = root
    history.execution_redriven(run.history, Cursor(next_id - 1), run.redrive_count)
    root.cursor = Cursor(next_id, next_id)
    if machine.definition.timeout_seconds:
        run.deadline = now + machine.definition.timeout_seconds
    engine.adopt(run)
    engine.make_ready(root)
    service.durability.flush()
    return now
