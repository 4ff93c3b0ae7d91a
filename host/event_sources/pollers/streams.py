"""Polling a Kinesis stream or a DynamoDB stream for a mapping (§3.3-§3.5).

1. One reader thread per shard; a coordinator lists the shards every few seconds and
   starts a reader for each open shard whose parents are drained (resharding: parents
   before children; a shard fully read is marked ``SHARD_END``).
2. Records go to ``ParallelizationFactor`` lanes by partition key (Kinesis) or item keys
   (DynamoDB): order holds per key, lanes run in parallel. With a factor of 1 the reader
   runs the one lane itself.
3. A batch goes through ``core.stream_policy.BatchRun``: retries, bisection, partial
   responses, expiry; discarded records go to the OnFailure destination first.
4. Checkpoints: each lane's last record done with, and the shard's floor below which
   every lane is done, committed (``CheckpointWriter``) before the lane takes its next
   batch. A restart reads from the floor and each lane skips what it already did.
5. A failing batch blocks its lane (and, through the floor, the shard's progress), never
   another shard.
"""

from __future__ import annotations

import queue
import threading
import time
import zlib
from collections import deque

from host.aws.wire import AwsCallError
from host.event_sources.core.config import FUNCTION_FAILED, KINESIS, OK
from host.event_sources.core.filters import matches_any, parse_patterns
from host.event_sources.core.outcome import FAILURE, THROTTLED, Outcome, read_answer
from host.event_sources.core.records import StreamRecord, filter_view, on_failure_record
from host.event_sources.core.stream_policy import DISCARD, DONE, EXPIRE, BatchRun
from host.event_sources.pollers import on_failure
from host.event_sources.pollers.base import Backoff, Context, log, split_by_size
from host.event_sources.pollers.sources import StreamSource
from host.event_sources.store import FLOOR, SHARD_END, CheckpointWriter

POLL_INTERVAL = 0.2  # seconds between GetRecords on a shard that had nothing
SHARD_LIST_INTERVAL = 5.0
READY_WAIT = 10.0  # how long a new mapping waits for its readers' first iterators before it is Enabled
FUNCTION_NOT_FOUND = "PROBLEM: Function not found."


class StreamRunner:
    def __init__(self, context: Context, checkpoints: dict[str, dict[int, str]], writer: CheckpointWriter) -> None:
        self.context = context
        facts = context.lam.resolve(context.mapping.function_arn)
        self.source = StreamSource(context.endpoint, context.mapping, facts.role if facts else "")
        self.checkpoints = checkpoints
        self.writer = writer
        self.patterns = parse_patterns(context.mapping.filters)
        self.readers: dict[str, threading.Thread] = {}
        self.finished = {shard for shard, lanes in checkpoints.items() if lanes.get(FLOOR) == SHARD_END}
        self.ready = threading.Event()
        self.endings: dict[str, str | None] = {}  # closed shards' last sequence numbers

    def start(self) -> None:
        name = f"esm-{self.context.mapping.kind}-{self.context.mapping.uuid[:8]}"
        threading.Thread(target=self._coordinate, name=name, daemon=True).start()

    def _coordinate(self) -> None:
        context = self.context
        backoff = Backoff()
        while not context.stop.is_set():
            try:
                shards = self.source.shards()
                backoff.ok()
            except AwsCallError as exc:
                delay = backoff.next()
                log.warning("event source mapping %s: %s (trying again in %.0f s)", context.mapping.uuid, exc, delay)
                context.report(context.mapping.uuid, f"PROBLEM: Connection error. {exc.message or exc.code}")
                context.wait(delay)
                continue
            known = {s.shard_id for s in shards}
            started = []
            for shard in shards:
                if shard.shard_id in self.endings or shard.ending is not None:
                    self.endings[shard.shard_id] = shard.ending
                if shard.shard_id in self.finished or shard.shard_id in self.readers:
                    continue
                if any(p in known and p not in self.finished for p in shard.parents):
                    continue  # a parent still has records to give
                child = any(p in known for p in shard.parents)
                reader = ShardReader(self, shard.shard_id, child)
                thread = threading.Thread(target=reader.run, name=f"esm-shard-{shard.shard_id[-12:]}", daemon=True)
                self.readers[shard.shard_id] = thread
                thread.start()
                started.append(reader)
            if not self.ready.is_set():
                deadline = time.monotonic() + READY_WAIT
                for reader in started:
                    reader.started.wait(max(0.0, deadline - time.monotonic()))
                self.ready.set()
            context.wait(SHARD_LIST_INTERVAL)

    def shard_done(self, shard_id: str) -> None:
        self.finished.add(shard_id)
        self.readers.pop(shard_id, None)


class ShardReader:
    def __init__(self, runner: StreamRunner, shard_id: str, child: bool) -> None:
        self.runner = runner
        self.context = runner.context
        self.shard_id = shard_id
        self.child = child
        mapping = self.context.mapping
        saved = runner.checkpoints.get(shard_id, {})
        self.floor = saved.get(FLOOR)
        self.lane_done = {lane: int(seq) for lane, seq in saved.items() if lane != FLOOR and seq != SHARD_END}
        self.outstanding: deque[list] = deque()  # [number, sequence, done], in the order read
        self.lock = threading.Lock()
        factor = mapping.parallelization
        self.lanes = [Lane(self, i) for i in range(factor)]
        self.backoff = Backoff()
        self.started = threading.Event()  # the first iterator is taken: records from now on are seen
        self.last_read = int(self.floor) if self.floor not in (None, SHARD_END) else -1

    # -- reading ---------------------------------------------------------------------------

    def _first_iterator(self) -> str:
        mapping = self.context.mapping
        source = self.runner.source
        if self.floor is not None:
            return source.iterator(self.shard_id, "AFTER_SEQUENCE_NUMBER", sequence=self.floor)
        if self.child:
            return source.iterator(self.shard_id, "TRIM_HORIZON")
        position = mapping.starting_position or "LATEST"
        if position == "AT_TIMESTAMP":
            return source.iterator(self.shard_id, "AT_TIMESTAMP", timestamp=mapping.starting_timestamp)
        if position == "LATEST" and mapping.kind == KINESIS:  # what arrived since the mapping was made
            return source.iterator(self.shard_id, "AT_TIMESTAMP", timestamp=mapping.created)
        return source.iterator(self.shard_id, position)

    def run(self) -> None:
        context = self.context
        mapping = context.mapping
        iterator = None
        buffer: list[StreamRecord] = []
        first_at = 0.0
        threaded = self.lanes if len(self.lanes) > 1 else []  # one lane: this thread runs it
        for lane in threaded:
            lane.start()
        try:
            while not context.stop.is_set():
                try:
                    if iterator is None:
                        iterator = self._first_iterator()
                        self.started.set()
                    room = mapping.batch_size - len(buffer)
                    records, iterator = self.runner.source.records(self.shard_id, iterator, room)
                    self.backoff.ok()
                except AwsCallError as exc:
                    if context.stop.is_set():
                        return
                    delay = self.backoff.next()
                    log.warning("event source mapping %s, %s: %s", mapping.uuid, self.shard_id, exc)
                    context.report(mapping.uuid, f"PROBLEM: Connection error. {exc.message or exc.code}")
                    context.wait(delay)
                    iterator = None
                    buffer = []
                    continue
                if records and not buffer:
                    first_at = time.monotonic()
                buffer += records
                if records:
                    self.last_read = records[-1].number
                ending = self.runner.endings.get(self.shard_id)
                drained = not records and ending is not None and self.last_read >= int(ending)
                closed = iterator is None or drained
                due = mapping.window == 0 or time.monotonic() - first_at >= mapping.window
                if buffer and (len(buffer) >= mapping.batch_size or due or closed):
                    batch, buffer = buffer[: mapping.batch_size], buffer[mapping.batch_size :]
                    if not self._dispatch(batch):
                        return
                    if buffer:
                        first_at = time.monotonic()
                if closed and not buffer:
                    self._finish()
                    return
                if not records:
                    context.wait(POLL_INTERVAL)
        finally:
            for lane in self.lanes:
                lane.close()

    def _dispatch(self, batch: list[StreamRecord]) -> bool:
        with self.lock:
            for record in batch:
                self.outstanding.append([record.number, record.sequence, False])
        if len(self.lanes) == 1:
            return self.lanes[0].process(batch)
        by_lane: dict[int, list[StreamRecord]] = {}
        for record in batch:
            by_lane.setdefault(zlib.crc32(record.key.encode()) % len(self.lanes), []).append(record)
        for index, records in by_lane.items():
            self.lanes[index].queue.put(records)
        for lane in self.lanes:  # back-pressure: read on only when the lanes have caught up
            while lane.queue.qsize() > 2 and not self.context.stop.is_set():
                time.sleep(0.01)
        return not self.context.stop.is_set()

    def _finish(self) -> None:
        for lane in self.lanes if len(self.lanes) > 1 else []:
            lane.queue.join()
        if self.context.stop.is_set():
            return
        self.runner.writer.save({(self.context.mapping.uuid, self.shard_id, FLOOR): SHARD_END})
        self.runner.shard_done(self.shard_id)

    # -- checkpoints ------------------------------------------------------------------------

    def done(self, lane: int, records: list[StreamRecord], upto: StreamRecord | None) -> None:
        """Lane ``lane`` is done with ``records`` (processed, filtered out or discarded), through ``upto``."""
        if upto is None:
            return
        numbers = {r.number for r in records if r.number <= upto.number}
        floor = None
        with self.lock:
            for entry in self.outstanding:
                if entry[0] in numbers:
                    entry[2] = True
            while self.outstanding and self.outstanding[0][2]:
                floor = self.outstanding.popleft()[1]
        uuid = self.context.mapping.uuid
        rows = {}
        if upto.number > self.lane_done.get(lane, -1):
            rows[(uuid, self.shard_id, lane)] = upto.sequence
            self.lane_done[lane] = upto.number
        if floor is not None:
            rows[(uuid, self.shard_id, FLOOR)] = floor
            self.floor = floor
        if rows:
            self.runner.writer.save(rows)


class Lane:
    """The records of one shard whose keys hash to this lane, processed in order."""

    def __init__(self, reader: ShardReader, index: int) -> None:
        self.reader = reader
        self.index = index
        self.context = reader.context
        self.queue: queue.Queue[list[StreamRecord] | None] = queue.Queue()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=f"esm-lane-{self.index}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            batch = self.queue.get()
            try:
                if batch is None or not self.process(batch):
                    return
            finally:
                self.queue.task_done()

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)

    def process(self, batch: list[StreamRecord]) -> bool:
        """Run one batch to its end; False when the mapping stopped first."""
        context = self.context
        mapping = context.mapping
        runner = self.reader.runner
        already = self.reader.lane_done.get(self.index)
        if already is not None:
            skipped = [r for r in batch if r.number <= already]
            batch = [r for r in batch if r.number > already]
            self.reader.done(self.index, skipped, skipped[-1] if skipped else None)
        if not batch:
            return True
        if runner.patterns:
            kept = [r for r in batch if matches_any(runner.patterns, filter_view(mapping.kind, r.event))]
            if not kept:
                self.reader.done(self.index, batch, batch[-1])
                return True
        else:
            kept = batch
        run = BatchRun(kept, mapping.max_retries, mapping.max_age, mapping.bisect)
        checkpoint = None
        request_id = ""
        while True:
            step = run.next_step(time.time())
            if step.kind == DONE:
                break
            if step.kind == EXPIRE:
                record = self._failure_record("RecordAgeExceeded", step.records, step.invoke_count, None, request_id)
                if not on_failure.deliver(context, record, self.reader.shard_id):
                    return False
            else:
                if context.wait(step.delay):
                    return False
                outcome, response, request_id = self._invoke(step.records)
                discard = run.report(outcome, response)
                if discard is not None and discard.kind == DISCARD:
                    record = self._failure_record(
                        "RetryAttemptsExhausted", discard.records, discard.invoke_count, response, request_id
                    )
                    if not on_failure.deliver(context, record, self.reader.shard_id):
                        return False
            if run.checkpoint is not None and run.checkpoint is not checkpoint:
                checkpoint = run.checkpoint
                done = [r for r in batch if r.number <= checkpoint.number]
                self.reader.done(self.index, done, checkpoint)
        if batch and (checkpoint is None or checkpoint.number < batch[-1].number):
            self.reader.done(self.index, batch, batch[-1])  # filtered-out records after the last kept one
        return True

    def _invoke(self, records: list[StreamRecord]) -> tuple[Outcome, dict | None, str]:
        context = self.context
        mapping = context.mapping
        outcome = None
        # IteratorAge: from the last record's arrival in the stream to its batch going to the function.
        context.metrics.iterator_age(
            mapping.function_name, mapping.qualifier, (time.time() - records[-1].arrival) * 1000
        )
        for group in split_by_size([r.event for r in records]):
            outcome = context.invoke(group)
            if outcome.function_error or outcome.throttled or outcome.error:
                break
        if outcome.missing:
            context.report(mapping.uuid, FUNCTION_NOT_FOUND)
            return Outcome(THROTTLED), None, outcome.request_id
        if outcome.throttled or outcome.error:
            return Outcome(THROTTLED), None, outcome.request_id
        answer = read_answer(
            outcome.payload, outcome.function_error, mapping.reports_failures, [r.sequence for r in records]
        )
        context.report(mapping.uuid, FUNCTION_FAILED if answer.kind == FAILURE else OK)
        response = {
            "statusCode": 200,
            "executedVersion": outcome.executed_version,
            "functionError": answer.function_error,
        }
        return answer, response, outcome.request_id

    def _failure_record(self, condition, records, count, response, request_id) -> dict:
        import uuid

        mapping = self.context.mapping
        return on_failure_record(
            kind=mapping.kind,
            request_id=request_id or str(uuid.uuid4()),
            function_arn=mapping.function_arn,
            condition=condition,
            invoke_count=count,
            response=response,
            shard_id=self.reader.shard_id,
            stream_arn=mapping.source.arn,
            records=records,
            now=time.time(),
            with_payload=(mapping.on_failure or "").startswith("arn:aws:s3:"),
        )
