"""lambda-host's Runtime Interface Emulator: ``docker run -p 9000:8080 <image> <handler>``.

In the project's AWS-compatible base images, ``/lambda-entrypoint.sh`` starts this (as
``/usr/local/bin/aws-lambda-rie``) when no ``AWS_LAMBDA_RUNTIME_API`` is set, as AWS's images
start theirs. It does what AWS's emulator does for one container:

1. ``POST /2015-03-31/functions/function/invocations`` on port 8080 takes an event and answers
   with the function's result (or its error document), one invocation at a time;
2. a Runtime API on 127.0.0.1:9001 serves the runtime it starts (the arguments: the bootstrap),
   with AWS_LAMBDA_RUNTIME_API pointing there and the RIE's defaults for the other variables;
3. the runtime is started on the first invocation and again after it exits or times out
   (``AWS_LAMBDA_FUNCTION_TIMEOUT``, 300 s by default); START, END and REPORT lines go to stdout.

It runs on ``python3-minimal`` alone (no json, no http.server) and is not lambda-host's
execution environment: the host runs images through its own agent and Runtime API.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time

INVOKE_PORT = 8080
RUNTIME_PORT = 9001
RUNTIME_PREFIX = "/2018-06-01/runtime/"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
DEFAULTS = {
    "AWS_LAMBDA_FUNCTION_NAME": "test_function",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/Functions",
    "AWS_LAMBDA_LOG_STREAM_NAME": "$LATEST",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
}
ANSWERS = ("response", "error")
REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def request_id():
    h = os.urandom(16).hex()
    variant = "89ab"[int(h[16], 16) & 3]
    return "-".join((h[:8], h[8:12], "4" + h[13:16], variant + h[17:20], h[20:32]))


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def error_document(error_type, message):
    return ('{"errorType":' + quote(error_type) + ',"errorMessage":' + quote(message) + "}").encode()


class Connection:
    """One HTTP/1.1 connection: requests in, responses out (keep-alive)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_request(self):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, path = lines[0].split(" ")[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._exact(size)
                self._exact(2)
        else:
            body = self._exact(int(headers.get("content-length") or 0))
        return method, path, headers, body

    def respond(self, status, body=b"", headers=()):
        head = [f"HTTP/1.1 {status} {REASONS.get(status, '')}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers]
        if body:
            head.append("Content-Type: application/json")
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


class Invocation:
    def __init__(self, event):
        self.id = request_id()
        self.event = event
        self.result = None
        self.error = False
        self.done = threading.Event()

    def finish(self, body, error=False):
        if not self.done.is_set():
            self.result, self.error = body, error
            self.done.set()


class Emulator:
    def __init__(self, argv):
        self.argv = argv
        self.timeout = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or 300)
        self.cond = threading.Condition()
        self.queue = []
        self.current = None
        self.process = None
        self.init_error = None
        self.initialised_at = None
        self.one_at_a_time = threading.Lock()

    # -- the runtime ------------------------------------------------------------------------------

    def environment(self):
        env = dict(os.environ)
        for key, value in DEFAULTS.items():
            env.setdefault(key, value)
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{RUNTIME_PORT}"
        return env

    def ensure_runtime(self):
        if self.process is not None and self.process.poll() is None:
            return False
        self.init_error = None
        self.initialised_at = None
        self.process = subprocess.Popen(self.argv, env=self.environment(), cwd=os.getcwd())
        threading.Thread(target=self.watch, args=(self.process,), daemon=True).start()
        return True

    def watch(self, process):
        """The runtime exited: what it was running, and what waited for it to start (an init that
        failed), fail with its init error or Runtime.ExitError; the next invocation starts another."""
        status = process.wait()
        with self.cond:
            failed = [self.current] if self.current is not None else []
            if self.initialised_at is None:
                failed += self.queue
                self.queue = []
            self.current = None
        for invocation in failed:
            message = f"RequestId: {invocation.id} Error: Runtime exited with error: exit status {status}"
            invocation.finish(self.init_error or error_document("Runtime.ExitError", message), True)

    def stop_runtime(self):
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    # -- the invocation endpoint ----------------------------------------------------------------------

    def invoke(self, event):
        with self.one_at_a_time:
            started = time.monotonic()
            cold = self.ensure_runtime()
            invocation = Invocation(event)
            print(f"START RequestId: {invocation.id} Version: $LATEST", flush=True)
            with self.cond:
                self.queue.append(invocation)
                self.cond.notify_all()
            if not invocation.done.wait(self.timeout):
                with self.cond:
                    if invocation in self.queue:
                        self.queue.remove(invocation)
                    self.current = None
                message = f"RequestId: {invocation.id} Error: Task timed out after {self.timeout}.00 seconds"
                invocation.finish(error_document("Sandbox.Timedout", message), True)
                self.stop_runtime()
            ready = self.initialised_at if cold and self.initialised_at is not None else started
            duration = (time.monotonic() - ready) * 1000
            init = ""
            if cold and self.initialised_at is not None:
                init = f"Init Duration: {(self.initialised_at - started) * 1000:.2f} ms\t"
            memory = self.environment()["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
            print(f"END RequestId: {invocation.id}", flush=True)
            print(
                f"REPORT RequestId: {invocation.id}\t{init}Duration: {duration:.2f} ms\t"
                f"Billed Duration: {int(duration) + 1} ms\tMemory Size: {memory} MB\t",
                flush=True,
            )
            return invocation.result

    # -- the Runtime API ----------------------------------------------------------------------------

    def next_invocation(self):
        with self.cond:
            if self.initialised_at is None:
                self.initialised_at = time.monotonic()
            while not self.queue:
                self.cond.wait()
            invocation = self.queue.pop(0)
            self.current = invocation
        deadline = int(time.time() * 1000) + self.timeout * 1000
        env = self.environment()
        arn = f"arn:aws:lambda:{env['AWS_REGION']}:012345678912:function:{env['AWS_LAMBDA_FUNCTION_NAME']}"
        trace = f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()};Parent={os.urandom(8).hex()};Sampled=0"
        headers = (
            ("Lambda-Runtime-Aws-Request-Id", invocation.id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", arn),
            ("Lambda-Runtime-Trace-Id", trace),
        )
        return invocation, headers

    def answer(self, request_id, body, error):
        with self.cond:
            invocation = self.current
            if invocation is None or invocation.id != request_id:
                return False
            self.current = None
        invocation.finish(body, error)
        return True

    def init_failed(self, body):
        with self.cond:
            self.init_error = body

    # -- serving ------------------------------------------------------------------------------------

    def serve_invokes(self, conn):
        while True:
            method, path, _, body = conn.read_request()
            if path.split("?")[0] != INVOKE_PATH:
                conn.respond(404, b"404 page not found\n")
            elif method != "POST":
                conn.respond(405)
            else:
                conn.respond(200, self.invoke(body or b"{}"))

    def serve_runtime(self, conn):
        while True:
            method, path, _, body = conn.read_request()
            route = path[len(RUNTIME_PREFIX) :] if path.startswith(RUNTIME_PREFIX) else ""
            parts = route.split("/")
            if method == "GET" and route == "invocation/next":
                invocation, extra = self.next_invocation()
                conn.respond(200, invocation.event, extra)
            elif method == "POST" and len(parts) == 3 and parts[0] == "invocation" and parts[2] in ANSWERS:
                if self.answer(parts[1], body, parts[2] == "error"):
                    conn.respond(202, b'{"status":"OK"}')
                else:
                    conn.respond(400, error_document("InvalidRequestID", "Invalid request ID"))
            elif method == "POST" and route == "init/error":
                self.init_failed(body)
                conn.respond(202, b'{"status":"OK"}')
            else:
                conn.respond(404, error_document("NotFound", "Not found"))

    def listen(self, host, port, serve):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(64)

        def accept():
            while True:
                sock, _ = server.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                threading.Thread(target=self.handle, args=(sock, serve), daemon=True).start()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        return thread

    @staticmethod
    def handle(sock, serve):
        try:
            serve(Connection(sock))
        except (EOFError, OSError, ValueError):
            pass
        finally:
            sock.close()


def main(argv):
    if not argv:
        print("usage: aws-lambda-rie <bootstrap> [args...]", file=sys.stderr)
        return 2
    emulator = Emulator(argv)
    signal.signal(signal.SIGTERM, lambda *_: (emulator.stop_runtime(), os._exit(0)))  # PID 1: docker stop
    emulator.listen("127.0.0.1", RUNTIME_PORT, emulator.serve_runtime)
    invokes = emulator.listen("0.0.0.0", INVOKE_PORT, emulator.serve_invokes)
    print(f"lambda-host emulator: invocations on port {INVOKE_PORT}, running {' '.join(argv)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        invokes.join()
    emulator.stop_runtime()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
