"""Finishing creates and updates: Pending to Active, InProgress to Successful (or Failed), as AWS does.

1. A create or update is finished once its runtime image exists (built in the background
   when it does not) and ``settle_time`` has passed. AWS's take a moment; meanwhile
   GetFunction shows them Pending or InProgress and a second update is refused (recorded).
2. Finishing gives the function a new RevisionId (recorded) and carries the outcome to the
   versions Publish=True made while it was Pending.
3. Nothing here is on an invocation's path: Invoke waits a Pending function out.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from host.images.catalog import RuntimeCatalog
from host.store.functions import FunctionStore

log = logging.getLogger("lambda_host.functions")


class Activation:
    def __init__(
        self,
        store: FunctionStore,
        catalog: RuntimeCatalog,
        lock: threading.RLock,
        on_active: Callable[[str], None],
        settle_time: float = 0.0,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.lock = lock  # the function service's: a finish must not interleave with an update
        self.on_active = on_active
        self.settle_time = settle_time
        self.settling: set[threading.Timer] = set()
        self.background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-host-activate")

    def start(self, name: str, runtime: str) -> None:
        """Finish ``name``'s create or update when its image is there and it has settled."""
        if not (self.catalog.ready(runtime) or self.catalog.definition(runtime) is None):
            self.background.submit(self.finish, name, runtime)
        elif self.settle_time > 0:
            timer = threading.Timer(self.settle_time, self._settled, (name, runtime))
            timer.daemon = True
            with self.lock:
                self.settling.add(timer)
            timer.start()
        else:
            self.finish(name, runtime)

    def resume(self) -> None:
        """Finish the creates and updates a stopped or crashed host left Pending or InProgress."""
        for function in self.store.all():
            if function.state == "Pending" or function.last_update_status == "InProgress":
                if function.image is not None:
                    self.catalog.register_image(function.image)  # an image function's image is known again
                self.start(function.name, function.runtime_id)

    def close(self) -> None:
        """Stop: what is still settling is finished by ``resume`` at the next start."""
        with self.lock:
            timers, self.settling = self.settling, set()
        for timer in timers:
            timer.cancel()
        self.background.shutdown(wait=False, cancel_futures=True)

    def _settled(self, name: str, runtime: str) -> None:
        with self.lock:
            self.settling = {t for t in self.settling if t is not threading.current_thread()}
        self.finish(name, runtime)

    def finish(self, name: str, runtime: str) -> None:
        failure = None
        try:
            self.catalog.image(runtime)
        except Exception as exc:
            failure = str(exc)
            log.error("function %s cannot run: %s", name, failure)
        with self.lock:
            function = self.store.get(name)
            if function is None or function.runtime_id != runtime:
                return
            if failure is None:
                done = function.with_changes(
                    state="Active", state_reason=None, state_reason_code=None, last_update_status="Successful"
                )
            else:
                available = ", ".join(self.catalog.available())
                reason = f"lambda-host has no runtime image for {runtime} (available: {available}): {failure}"
                code = "InvalidRuntime"
                if function.image is not None:  # AWS's reason code for an image it cannot use
                    reason = f"lambda-host cannot run the image {function.image.uri}: {failure}"
                    code = "InvalidImage"
                done = function.with_changes(
                    state="Failed", state_reason=reason, state_reason_code=code, last_update_status="Failed"
                )
            self.store.put(done.with_changes(revision_id=str(uuid.uuid4())))
            for version in self.store.versions(name):  # published by Publish=True while Pending
                if version.state == "Pending":
                    self.store.put(
                        version.with_changes(
                            state=done.state, state_reason=done.state_reason,
                            state_reason_code=done.state_reason_code, last_update_status=done.last_update_status,
                        )
                    )  # fmt: skip
        if failure is None:
            self.on_active(runtime)
