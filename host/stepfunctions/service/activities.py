"""Activities: workers poll ``GetActivityTask`` (up to 60 s) for the tasks of Task states whose
Resource is an activity ARN, and answer with the task token.

Tasks wait in memory, in the order they were scheduled; after a restart of the host the
engine queues again the ones no worker had taken (their frames say so). A poll that
finds nothing for 60 seconds answers with no token, as AWS does.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core.history import text
from host.stepfunctions.service import arns, paging
from host.stepfunctions.service.errors import ActivityDoesNotExist
from host.stepfunctions.store.db import SfnStore

TABLE = "sfn_activities"
POLL_SECONDS = 60.0


@dataclass
class Pending:
    token: str
    input: Any
    reply: Any


class ActivityService:
    def __init__(self, store: SfnStore, names: arns.Names) -> None:
        self.store = store
        self.names = names
        self.queues: dict[str, deque[Pending]] = {}
        self.pollers: dict[str, deque[asyncio.Future]] = {}
        self.poll_seconds = POLL_SECONDS
        self.flush: Callable[[], None] = lambda: None  # the engine's pending writes (set by the app)

    def create(self, name: str, tags: list | None = None) -> dict:
        arns.check_name(name)
        arn = self.names.activity(name)
        existing = self.store.get(TABLE, arn)
        if existing is not None:
            return {"activityArn": arn, "creationDate": existing["creationDate"]}
        now = time.time()
        self.store.put(TABLE, arn, {"activityArn": arn, "name": name, "creationDate": now}, now)
        if tags:
            self.store.tag(arn, tags)
        return {"activityArn": arn, "creationDate": now}

    def get(self, arn: str) -> dict:
        arns.parse(arn, ("activity",))
        record = self.store.get(TABLE, arn)
        if record is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return record

    def exists(self, arn: str) -> bool:
        return self.store.get(TABLE, arn) is not None

    def describe(self, arn: str) -> dict:
        return {**self.get(arn), "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}

    def list(self, max_results: int | None, token: str | None) -> dict:
        items, next_token = paging.page(self.store.all(TABLE), max_results, token)
        out: dict[str, Any] = {"activities": items}
        if next_token:
            out["nextToken"] = next_token
        return out

    def delete(self, arn: str) -> None:
        arns.parse(arn, ("activity",))
        self.store.delete(TABLE, arn)
        self.store.untag(arn)

    # -- tasks ------------------------------------------------------------------------------------------

    def offer(self, arn: str, token: str, input_value: Any, reply: Any) -> None:
        """A Task state waits for a worker of this activity."""
        pending = Pending(token, input_value, reply)
        pollers = self.pollers.get(arn)
        while pollers:
            poller = pollers.popleft()
            if not poller.done():
                poller.set_result(pending)
                return
        self.queues.setdefault(arn, deque()).append(pending)

    def _take(self, arn: str) -> Pending | None:
        queue = self.queues.get(arn)
        while queue:
            pending = queue.popleft()
            if pending.reply.current:
                return pending
        return None

    async def poll(self, arn: str, worker: str | None) -> dict:
        self.get(arn)
        pending = self._take(arn)
        if pending is None:
            future = asyncio.get_running_loop().create_future()
            self.pollers.setdefault(arn, deque()).append(future)
            try:
                pending = await asyncio.wait_for(asyncio.shield(future), self.poll_seconds)
            except TimeoutError:
                future.cancel()
                return {}
            if not pending.reply.current:
                return await self.poll(arn, worker)
        pending.reply.started(worker)
        self.flush()  # the worker holds the token only once its ActivityStarted is durable
        return {"taskToken": pending.token, "input": text(pending.input)}
