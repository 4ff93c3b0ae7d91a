"""moto's server inside the host process: the default AWS endpoint.

moto's own server (werkzeug's development server) closes the connection after every
answer and leaves Nagle's algorithm on; the pollers' long polls and the front door's
relayed requests want kept-alive connections that answer at once. So moto's WSGI
application is served here by the host's own HTTP/1.1 server (``host.http``: keep-alive,
``TCP_NODELAY``) on an event loop of its own, each request run in a worker thread (a long
poll holds one for up to 20 s). moto keeps every backend in module-level memory: two hosts
in one process share it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading

from host.http.server import serve
from host.http.wsgi import WsgiBridge

WORKERS = 256  # requests moto works on at once; idle long polls count


class DaemonExecutor(concurrent.futures.Executor):
    """Worker threads that never hold up the interpreter's exit.

    ``ThreadPoolExecutor`` joins its threads at exit, and a long poll may hold one for 20 s
    after the host has stopped. Threads start on demand (up to ``workers``) and are kept.
    """

    def __init__(self, workers: int, name: str) -> None:
        self.workers, self.name = workers, name
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads = 0
        self.idle = 0

    def submit(self, fn, /, *args, **kwargs) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((future, fn, args, kwargs))
        with self.lock:
            if self.idle == 0 and self.threads < self.workers:
                self.threads += 1
                threading.Thread(target=self._work, name=f"{self.name}_{self.threads}", daemon=True).start()
            else:
                self.idle -= 1
        return future

    def _work(self) -> None:
        while True:
            future, fn, args, kwargs = self.jobs.get()
            if future is None:
                return
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)
            with self.lock:
                self.idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for _ in range(self.threads):
            self.jobs.put((None, None, None, None))


class EmbeddedMoto:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.executor: DaemonExecutor | None = None
        self.server: asyncio.Server | None = None
        self.connections: set = set()  # open connections, cut at stop so long polls end at once

    def start(self) -> str:
        """Start serving on a free port; the endpoint's URL."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = DomainDispatcherApplication(create_backend_app)
        self.executor = DaemonExecutor(WORKERS, "lambda-host-moto")
        self.loop = asyncio.new_event_loop()
        started: concurrent.futures.Future[int] = concurrent.futures.Future()

        async def listen() -> None:
            try:
                bridge = WsgiBridge(app, self.loop, self.executor, (self.host, 0), too_large=_too_large)
                self.server = await serve(bridge.handle, self.host, 0, max_body=6 * 2**30, connections=self.connections)
                port = self.server.sockets[0].getsockname()[1]
                bridge.server = (self.host, port)
                started.set_result(port)
            except BaseException as exc:
                started.set_exception(exc)

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(listen())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name="lambda-host-moto-loop", daemon=True)
        self.thread.start()
        return f"http://{self.host}:{started.result(30)}"

    def stop(self) -> None:
        if self.loop is not None and self.server is not None:

            async def close() -> None:
                self.server.close()
                for transport in list(self.connections):
                    transport.close()

            asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(5)
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.loop = self.thread = self.server = self.executor = None


def _too_large(request_id: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    return 413, [("Content-Type", "text/plain")], b"Request entity too large"
