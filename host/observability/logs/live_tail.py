"""StartLiveTail: a session that streams a log group's new events as AWS's event stream.

1. The request is checked like any other (groups must exist, the filter pattern must parse);
   a failure is an ordinary JSON error.
2. Then the answer streams (chunked, ``application/vnd.amazon.eventstream``): an
   ``initial-response`` (botocore reads the response's members from it), ``sessionStart``,
   then every second a ``sessionUpdate`` with the events written since, matched against the
   streams and pattern asked for (at most 500 an update; more wait for the next), and an
   empty one after 15 idle seconds so clients' read timeouts do not fire.
3. The session ends when the client goes away, when the host stops, or after three hours
   with ``SessionTimeoutException``, as on AWS.

boto3 reaches it only with ``Config(inject_host_prefix=False)``: the model sends StartLiveTail
to ``stream-<endpoint host>``, which does not resolve for ``127.0.0.1`` or ``localhost``.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Executor

from host.http.server import Exchange
from host.observability.logs.core.eventstream import event, exception
from host.observability.logs.core.patterns import compile_pattern
from host.observability.logs.service import LogsService

BATCH = 500
IDLE_UPDATE = 15.0
SESSION_SECONDS = 3 * 3600
CONTENT_TYPE = "application/vnd.amazon.eventstream"


class LiveTail:
    def __init__(self, service: LogsService, executor: Executor, interval: float = 1.0) -> None:
        self.service = service
        self.executor = executor
        self.interval = interval
        self.closing = False
        self.sessions: set[asyncio.Task] = set()

    def prepare(self, params: dict) -> dict:
        """The session's plan (on a worker thread): group names, filters, the position to start after."""
        identifiers = params["logGroupIdentifiers"]
        groups = {
            self.service.resolve_group({"logGroupIdentifier": identifier}): identifier for identifier in identifiers
        }
        compile_pattern(params.get("logEventFilterPattern"))  # refused here rather than mid-stream
        return {"groups": groups, "after": self.service.store.newest_position(), "params": params}

    def start(self, exchange: Exchange, plan: dict, request_id: str) -> None:
        """Stream the session on the event loop."""
        task = asyncio.ensure_future(self._run(exchange, plan, request_id))
        self.sessions.add(task)
        task.add_done_callback(self.sessions.discard)

    async def _run(self, exchange: Exchange, plan: dict, request_id: str) -> None:
        loop = asyncio.get_running_loop()
        params, groups, after = plan["params"], plan["groups"], plan["after"]
        names = set(params.get("logStreamNames") or ())
        prefixes = tuple(params.get("logStreamNamePrefixes") or ())
        matches = compile_pattern(params.get("logEventFilterPattern"))
        exchange.start_stream(200, [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id)])
        start = {
            "requestId": request_id,
            "sessionId": str(uuid.uuid4()),
            "logGroupIdentifiers": list(params["logGroupIdentifiers"]),
            "logStreamNames": sorted(names),
            "logStreamNamePrefixes": list(prefixes),
            "logEventFilterPattern": params.get("logEventFilterPattern", ""),
        }
        exchange.send_chunk(event("initial-response", {}) + event("sessionStart", start))
        ends, idle = loop.time() + SESSION_SECONDS, loop.time()
        try:
            while not self.closing and not exchange.closed:
                await asyncio.sleep(self.interval)
                rows = await loop.run_in_executor(
                    self.executor, self.service.store.events_since, list(groups), after, BATCH
                )
                results = []
                for position, timestamp, group, stream, message, ingestion in rows:
                    after = position
                    if (names and stream not in names) or (prefixes and not stream.startswith(prefixes)):
                        continue
                    if matches(message):
                        results.append(
                            {
                                "logStreamName": stream, "logGroupIdentifier": groups[group], "message": message,
                                "timestamp": timestamp, "ingestionTime": ingestion,
                            }
                        )  # fmt: skip
                if results or loop.time() - idle > IDLE_UPDATE:
                    idle = loop.time()
                    update = {"sessionMetadata": {"sampled": False}, "sessionResults": results}
                    if not exchange.send_chunk(event("sessionUpdate", update)):
                        return
                if loop.time() > ends:
                    exchange.send_chunk(exception("SessionTimeoutException", "Session timed out after 3 hours."))
                    return
        finally:
            exchange.end_stream()

    def close(self) -> None:
        """End every session at its next tick."""
        self.closing = True
