"""A runtime started ahead of its function: a stem's (see the host's ``core/prestart``).

The agent starts the interpreter with the runtime's default variables and a pipe on the fd
that ``_LAMBDA_HOST_RESUME_FD`` names. The runtime client imports itself, then waits here; when
a function is assigned, the agent writes the function's working directory and variables
(NUL-separated ``cwd``, ``NAME=value``...) and closes the pipe, and the runtime goes on exactly
as one started with them would.
"""

import os

RESUME_FD_VARIABLE = "_LAMBDA_HOST_RESUME_FD"


def await_function():
    """Block until this prestarted runtime's function comes, and take its environment; a runtime
    started for its function already returns at once. Exits quietly if it is discarded."""
    fd = os.environ.get(RESUME_FD_VARIABLE)
    if fd is None:
        return
    fd = int(fd)
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    cwd, *variables = b"".join(chunks).split(b"\0")
    if not cwd:  # the agent dropped it (a function that must start its runtime afresh)
        os._exit(0)
    os.environb.clear()
    os.environb.update(item.split(b"=", 1) for item in variables if item)
    os.chdir(cwd)
