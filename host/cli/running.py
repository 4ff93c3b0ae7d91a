"""Finding a lambda-host that already serves, so a one-shot command uses it instead of starting another.

Two ways to know one, in this order:

1. the owner of the state directory (``host.store.ownership``): a host serving that
   directory is the one whose functions the user means, whatever its port;
2. whatever answers on the port as lambda-host (``GET /_lambda-host/identity``), even with
   another state directory: ``make run-function`` beside ``make serve``.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from host.api.front import IDENTITY_PATH
from host.store.ownership import current_owner

STARTING_PATIENCE = 60.0  # seconds to wait for a host that holds the directory but is not listening yet


@dataclass(frozen=True)
class RunningHost:
    endpoint: str
    pid: int
    state_dir: str


def identify(endpoint: str, timeout: float = 1.0) -> RunningHost | None:
    """The lambda-host answering at ``endpoint``, or None when nothing (or something else) answers."""
    try:
        with urllib.request.urlopen(endpoint + IDENTITY_PATH, timeout=timeout) as response:
            data = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if not isinstance(data, dict) or data.get("service") != "lambda-host":
        return None
    return RunningHost(endpoint, int(data.get("pid") or 0), str(data.get("stateDir") or ""))


def find_running_host(state_dir: Path, port: int, address: str = "127.0.0.1") -> RunningHost | None:
    """The host serving ``state_dir``, else the lambda-host on ``address:port``, else None."""
    deadline = time.monotonic() + STARTING_PATIENCE
    while (owner := current_owner(state_dir)) is not None:
        if owner.endpoint:
            found = identify(owner.endpoint)
            if found is not None:
                return found
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    if port:
        return identify(f"http://{address}:{port}")
    return None
