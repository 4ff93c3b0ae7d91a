"""lambda-host environment agent: PID 1 of every execution-environment container.

It supervises the runtime process so the host never needs a Docker API call to
restart a runtime, learn how it died, or reset it after a timeout:

1. At start it dials the host twice: a control connection and a log connection
   (each opened with a hello frame carrying the environment's token).
2. ``spawn`` starts the runtime (the bootstrap) as Lambda's user (993:990) with the
   environment, working directory and arguments the host sends, and answers ``spawned <pid>`` or
   ``spawn-failed <reason>`` (worded as Lambda words it: ``fork/exec <path>: <error>``);
   the runtime's stdout and stderr are the log connection, so function output
   reaches the host without passing through here.
3. ``kill`` kills every other process in the container (``kill(-1)`` from PID 1),
   reaps them and answers ``killed``; ``/tmp`` and the container survive.
   ``extension`` starts an external extension the same way (answers ``extension-spawned <pid>``
   or ``extension-failed <reason>``); it is not the runtime, so its exit is not reported.
4. When the runtime exits it reports ``exited <pid> <wait status> <oom kills>``.
5. ``prestart`` starts a runtime ahead of its function, as ``spawn`` would but with a pipe on
   fd ``RESUME_FD`` (named by ``_LAMBDA_HOST_RESUME_FD``): the runtime client loads itself, then
   waits there for its working directory and environment. ``resume`` (a spawn frame's fields)
   hands those to the prestarted runtime when it was started with the same arguments and is
   alive, and answers ``spawned <pid>`` as a spawn does; otherwise it spawns afresh. ``spawn``
   and ``kill`` discard a prestarted runtime. So a stem pays for an interpreter's start and its
   runtime client's imports before any function is assigned to it, not on the first invoke.
6. ``peak`` answers with the container's peak memory use in bytes (a fallback for
   hosts that cannot read the container's cgroup themselves).
7. If the control connection closes, the agent kills everything and exits.

It must run on ``python3-minimal`` alone: no json, no third-party modules, and it
must never be on an invocation's path. Frames are a 4-byte big-endian length and
NUL-separated UTF-8 fields; ``host/environments/agent_protocol.py`` is the host's
side of the same format.
"""

import os
import select
import signal
import socket
import struct
import sys
import time

RUNTIME_UID = 993  # sbx_user1051, the user Lambda runs functions as
RUNTIME_GID = 990
RESUME_FD = 3  # where a prestarted runtime reads its working directory and environment


def encode(*fields):
    body = b"\0".join(str(f).encode("utf-8", "surrogateescape") for f in fields)
    return struct.pack("!I", len(body)) + body


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(sock):
    (length,) = struct.unpack("!I", read_exact(sock, 4))
    body = read_exact(sock, length) if length else b""
    return [f.decode("utf-8", "surrogateescape") for f in body.split(b"\0")]


def dial(address, hello):
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + 10
    while True:
        try:
            sock = socket.create_connection((host, int(port)), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(encode(*hello))
    return sock


def read_first_line(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def memory_peak():
    for path in (
        "/sys/fs/cgroup/memory.peak",
        "/sys/fs/cgroup/memory/memory.max_usage_in_bytes",
    ):
        text = read_first_line(path)
        if text and text.strip().isdigit():
            return int(text.strip())
    return -1


def oom_kills():
    for path, key in (
        ("/sys/fs/cgroup/memory.events", "oom_kill"),
        ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
    ):
        text = read_first_line(path)
        if text:
            for line in text.splitlines():
                name, _, value = line.partition(" ")
                if name == key and value.strip().isdigit():
                    return int(value.strip())
    return -1


class Agent:
    def __init__(self, address, token):
        self.control = dial(address, ("control", token))
        self.log = dial(address, ("log", token))
        self.runtime_pid = 0
        self.prestarted = None  # (pid, argv, the write end of its resume pipe) of a runtime started ahead
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self.shutdown())
        self.devnull = os.open("/dev/null", os.O_RDONLY)

    def send(self, *fields):
        self.control.sendall(encode(*fields))

    def spawn(self, fields, extension=False, prestart=False, resume=False):
        cwd, argc = fields[0], int(fields[1])
        argv = fields[2 : 2 + argc]
        env = dict(item.split("=", 1) for item in fields[2 + argc :])
        if resume and self.resume(argv, env, cwd):
            return
        if not extension:
            self.discard_prestarted()
        if self.runtime_pid and not extension:
            self.kill_all()
        resume_r = resume_w = None
        if prestart:
            resume_r, resume_w = os.pipe2(os.O_CLOEXEC)
            env["_LAMBDA_HOST_RESUME_FD"] = str(RESUME_FD)
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        pid = os.fork()
        if pid == 0:
            os.close(status_r)
            self.exec_runtime(argv, env, cwd, status_w, resume_r)
        os.close(status_w)
        if resume_r is not None:
            os.close(resume_r)
        failure = b""
        while True:
            chunk = os.read(status_r, 4096)
            if not chunk:
                break
            failure += chunk
        os.close(status_r)
        if failure:
            os.waitpid(pid, 0)
            if resume_w is not None:
                os.close(resume_w)
            self.send(
                "extension-failed" if extension else "prestart-failed" if prestart else "spawn-failed",
                failure.decode("utf-8", "replace"),
            )
            return
        if extension:  # an external extension from /opt/extensions: started before the runtime, not tracked
            self.send("extension-spawned", pid)
            return
        if prestart:
            self.prestarted = (pid, argv, resume_w)
            self.send("prestarted", pid)
            return
        self.runtime_pid = pid
        self.send("spawned", pid)

    def resume(self, argv, env, cwd):
        """Hand ``env`` and ``cwd`` to the prestarted runtime if it was started as ``argv``; False if not."""
        if self.prestarted is None or self.prestarted[1] != argv:
            return False
        pid, _, resume_w = self.prestarted
        self.prestarted = None
        payload = "\0".join([cwd, *(f"{k}={v}" for k, v in env.items())]).encode("utf-8", "surrogateescape")
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(resume_w, view) :]
        except OSError:  # it died before its function came (its exit is reaped, unreported)
            os.close(resume_w)
            return False
        os.close(resume_w)
        self.runtime_pid = pid
        self.send("spawned", pid)
        return True

    def discard_prestarted(self):
        if self.prestarted is not None:
            pid, _, resume_w = self.prestarted
            self.prestarted = None
            os.close(resume_w)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def exec_runtime(self, argv, env, cwd, status_w, resume_r=None):
        """In the child: become the runtime, or say why not on ``status_w``. Never returns."""
        try:
            os.setsid()
            os.dup2(self.devnull, 0)
            os.dup2(self.log.fileno(), 1)
            os.dup2(self.log.fileno(), 2)
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            try:
                with open("/proc/self/oom_score_adj", "w") as f:
                    f.write("1000")  # the runtime, never the agent, is what the OOM killer takes
            except OSError:
                pass
            if os.getuid() == 0:  # Lambda's unprivileged user; with no-new-privileges it keeps no capability
                os.setgroups([])
                os.setgid(RUNTIME_GID)
                os.setuid(RUNTIME_UID)
            os.chdir(cwd)
            first_closed = 3
            if resume_r is not None:  # the agent's own fd 3 (its control socket) is of no use here
                os.dup2(resume_r, RESUME_FD)
                first_closed = RESUME_FD + 1
            os.closerange(first_closed, status_w)
            os.closerange(status_w + 1, 65536)
            os.execve(argv[0], argv, env)
        except OSError as exc:
            reason = exc.strerror.lower() if exc.strerror else str(exc)
            os.write(status_w, ("fork/exec {}: {}".format(argv[0] if argv else "", reason)).encode())
        except BaseException as exc:
            os.write(status_w, ("fork/exec {}: {}".format(argv[0] if argv else "", exc)).encode())
        os._exit(127)

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.runtime_pid:
                self.runtime_pid = 0
                self.send("exited", pid, status, oom_kills())
            elif self.prestarted is not None and pid == self.prestarted[0]:
                self.discard_prestarted()

    def kill_all(self):
        """SIGKILL every other process until none is left (a fork bomb forks while we kill)."""
        self.discard_prestarted()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                time.sleep(0.001)
            elif pid == self.runtime_pid:
                self.runtime_pid = 0
                self.send("exited", pid, status, oom_kills())

    def handle(self, fields):
        verb, args = fields[0], fields[1:]
        if verb == "spawn":
            try:
                self.spawn(args)
            except (ValueError, IndexError) as exc:  # a malformed frame must not end PID 1
                self.send("spawn-failed", f"lambda-host: bad spawn request: {exc}")
        elif verb in ("prestart", "resume"):
            try:
                self.spawn(args, prestart=verb == "prestart", resume=verb == "resume")
            except (ValueError, IndexError) as exc:
                failed = "prestart-failed" if verb == "prestart" else "spawn-failed"
                self.send(failed, f"lambda-host: bad {verb} request: {exc}")
        elif verb == "extension":
            try:
                self.spawn(args, extension=True)
            except (ValueError, IndexError) as exc:
                self.send("extension-failed", f"lambda-host: bad extension request: {exc}")
        elif verb == "kill":
            self.kill_all()
            self.send("killed")
        elif verb == "peak":
            self.send("peak", memory_peak())
        else:
            self.send("error", "unknown verb " + verb)

    def run(self):
        self.send("ready", oom_kills())
        while True:
            readable, _, _ = select.select([self.control, self.wake_r], [], [])
            if self.wake_r in readable:
                try:
                    os.read(self.wake_r, 512)
                except BlockingIOError:
                    pass
                self.reap()
            if self.control in readable:
                try:
                    frame = read_frame(self.control)
                except (EOFError, OSError):
                    self.shutdown()
                self.handle(frame)

    def shutdown(self):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)


if __name__ == "__main__":
    Agent(sys.argv[1], sys.argv[2]).run()
