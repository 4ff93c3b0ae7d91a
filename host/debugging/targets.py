"""``FUNCTION[=PORT]`` as given to ``--debug``: which functions to debug, on which local port."""

from __future__ import annotations

import re

SPEC = re.compile(r"(?P<function>[A-Za-z0-9_-]{1,64})(?:=(?P<port>\d{1,5}))?")


def parse_targets(specs: list[str] | None) -> dict[str, int | None]:
    """``["api=5679", "worker"]`` -> ``{"api": 5679, "worker": None}`` (None: the runtime's usual port).

    Raises ``ValueError`` for a spec that is not a function name with an optional port of 1-65535.
    """
    targets: dict[str, int | None] = {}
    for spec in specs or []:
        match = SPEC.fullmatch(spec.strip())
        port = int(match["port"]) if match and match["port"] else None
        if match is None or (port is not None and not 0 < port < 65536):
            raise ValueError(f"--debug {spec!r}: expected FUNCTION or FUNCTION=PORT (a port of 1-65535)")
        targets[match["function"]] = port
    return targets
