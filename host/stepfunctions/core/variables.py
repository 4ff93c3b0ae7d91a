"""Which workflow variables each state reads: DescribeStateMachine's ``variableReferences``.

JSONPath states read a variable through a path rooted at ``$name`` (in a ``.$`` value, a
``...Path`` field, a Choice ``Variable`` or an intrinsic call's argument); JSONata states
through ``$name`` inside ``{% %}`` (not ``$states``, not a function call, not a name the
expression binds itself with ``:=``).
"""

from __future__ import annotations

import re
from typing import Any

_PATH_VAR = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_JSONATA_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_BOUND = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:=")
PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxItemsPath",
    "Variable",
)


def references(definition: dict) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    _walk_states(definition, definition.get("QueryLanguage", "JSONPath"), found)
    return {name: sorted(names) for name, names in found.items() if names}


def _walk_states(container: dict, language: str, found: dict) -> None:
    for name, body in (container.get("States") or {}).items():
        if not isinstance(body, dict):
            continue
        state_language = body.get("QueryLanguage", language)
        names: set[str] = set()
        for key, value in body.items():
            if key in ("Branches",):
                for branch in value or []:
                    if isinstance(branch, dict):
                        _walk_states(branch, state_language, found)
                continue
            if key in ("ItemProcessor", "Iterator"):
                if isinstance(value, dict):
                    _walk_states(value, state_language, found)
                continue
            _collect(key, value, state_language, names)
        if names:
            found.setdefault(name, set()).update(names)


def _collect(key: str, value: Any, language: str, names: set[str]) -> None:
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _collect(inner_key, inner, language, names)
    elif isinstance(value, list):
        for inner in value:
            _collect(key, inner, language, names)
    elif isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            body = value[2:-2]
            bound = set(_BOUND.findall(body))
            for match in _JSONATA_VAR.finditer(body):
                variable, call = match.group(1), match.group(2)
                if call or variable == "states" or variable in bound:
                    continue
                names.add(variable)
        elif language == "JSONPath" and (key.endswith(".$") or key in PATH_FIELDS or key.endswith("Path")):
            names.update(_PATH_VAR.findall(value))
