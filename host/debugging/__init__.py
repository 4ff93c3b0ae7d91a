"""Step-through debugging of functions: their environments started under a debugger, waiting for it.

``lambda-host serve --debug FUNCTION[=PORT]`` (and the pytest plugin's ``--lambda-host-debug``)
name the functions; ``host.debugging.launch`` changes how their environments start:

1. never from a stem (a started container cannot publish a port): a container of their own,
   with the debugger's port published on 127.0.0.1:PORT, and for Python a read-only copy of
   debugpy mounted at ``/lambda-host/debugpy``;
2. the runtime waits for the debugger before it loads the handler (Python: debugpy's
   ``--listen 0.0.0.0:5678 --wait-for-client``, that is ``debugpy.listen`` and
   ``debugpy.wait_for_client()`` before anything runs; Node.js: ``--inspect-brk=0.0.0.0:9229``);
3. one environment at a time per debugged function (later invocations wait for it, as they
   would behind reserved concurrency 1, but queued rather than throttled);
4. no deadline: the host neither times out init nor the invocation (no ``Sandbox.Timedout``)
   while debugging; the context's remaining time stays nominal (it counts down from the
   function's Timeout and may go negative while paused).
"""

from host.debugging.launch import Debugging, DebuggingUnavailable, DebugLaunch
from host.debugging.targets import parse_targets

__all__ = ["DebugLaunch", "Debugging", "DebuggingUnavailable", "parse_targets"]
