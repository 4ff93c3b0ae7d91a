"""Whether a runtime started ahead of its function (a stem's prestarted runtime) may serve it.

A stem starts its runtime's interpreter and runtime client before any function is assigned
(see ``runtimes/_agent/agent.py``, ``prestart``); on assignment the runtime takes the function's
environment and working directory and goes on as if it had just started. That is only faithful
when nothing the interpreter, the C library or the dynamic loader reads once at process start
differs between the environment it started with and the function's: Python's PYTHON* variables
(the import path, hash seed, warnings), Node.js's NODE_* (NODE_OPTIONS, NODE_PATH,
NODE_EXTRA_CA_CERTS), the loader's LD_*, the locale, the time zone, PATH and HOME (the user's
site-packages). A function that sets any of them differently, or an exec wrapper, starts its
runtime afresh instead; so does one whose command line differs (the agent checks that).

Worked example: a stem's runtime started with the runtime's defaults (LANG=en_US.UTF-8,
TZ=:UTC, LD_LIBRARY_PATH=...). A function with variables ``{"TABLE": "t"}`` may take it (TABLE
is read when the code reads it); one with ``{"PYTHONWARNINGS": "error"}`` may not.
"""

from __future__ import annotations

from collections.abc import Mapping

# Read once at process start by the interpreter, libc or the loader.
STARTUP_PREFIXES = ("PYTHON", "NODE_", "LD_", "LC_", "UV_", "MALLOC_", "OPENSSL_")
STARTUP_NAMES = frozenset(
    {"LANG", "LANGUAGE", "TZ", "PATH", "HOME", "GLIBC_TUNABLES", "AWS_LAMBDA_EXEC_WRAPPER", "AWS_EXECUTION_ENV"}
)


def read_at_start(name: str) -> bool:
    """True for a variable a process reads when it starts (changing it later changes nothing)."""
    return name in STARTUP_NAMES or name.startswith(STARTUP_PREFIXES)


def may_resume(started_with: Mapping[str, str], function_env: Mapping[str, str]) -> bool:
    """True when a runtime started with ``started_with`` can become one started with ``function_env``."""
    names = {name for name in (*started_with, *function_env) if read_at_start(name)}
    return all(started_with.get(name) == function_env.get(name) for name in names)
