"""Lambda's filter criteria: EventBridge's event-pattern syntax, checked and matched.

A pattern is a JSON object whose leaves are arrays of conditions; a record matches when
every key of the pattern matches (``$or`` takes a list of alternative patterns). A
condition is a literal (string, number, boolean, null), or one of ``prefix``, ``suffix``,
``equals-ignore-case``, ``wildcard``, ``anything-but``, ``numeric``, ``exists``, ``cidr``.
A record's array matches when any element does. Several filters of a mapping are ORed.

Worked example: ``{"body": {"kind": ["order"], "total": [{"numeric": [">", 100]}]}}``
matches a message whose JSON body has ``kind == "order"`` and ``total > 100``.

Caveat: ``cidr`` handles IPv4 and IPv6 through ``ipaddress``; numbers compare as floats.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
from typing import Any

OPERATORS = {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
_NUMERIC_OPS = {"<", "<=", "=", ">=", ">"}
_MISSING = object()


def check_pattern(pattern: Any) -> None:
    """Raise ValueError unless ``pattern`` is a valid event pattern."""
    if not isinstance(pattern, dict) or not pattern:
        raise ValueError("a pattern is a non-empty object")
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise ValueError("$or takes a list of patterns")
            for alternative in value:
                check_pattern(alternative)
        elif isinstance(value, dict):
            check_pattern(value)
        elif isinstance(value, list):
            if not value:
                raise ValueError(f"{key}: an empty list matches nothing")
            for condition in value:
                _check_condition(condition)
        else:
            raise ValueError(f"{key}: a leaf must be a list")


def _check_condition(condition: Any) -> None:
    if condition is None or isinstance(condition, (str, bool, int, float)):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise ValueError("a condition is a literal or an object with one operator")
    ((op, arg),) = condition.items()
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {op}")
    if op in ("prefix", "suffix", "equals-ignore-case", "wildcard", "cidr"):
        if op in ("prefix", "suffix") and isinstance(arg, dict) and list(arg) == ["equals-ignore-case"]:
            arg = arg["equals-ignore-case"]
        if not isinstance(arg, str):
            raise ValueError(f"{op} takes a string")
        if op == "cidr":
            ipaddress.ip_network(arg, strict=False)
    elif op == "exists":
        if not isinstance(arg, bool):
            raise ValueError("exists takes true or false")
    elif op == "numeric":
        if not isinstance(arg, list) or len(arg) not in (2, 4):
            raise ValueError("numeric takes one or two comparisons")
        for i in range(0, len(arg), 2):
            if arg[i] not in _NUMERIC_OPS or not _number(arg[i + 1]):
                raise ValueError("numeric comparison")
    elif op == "anything-but":
        if isinstance(arg, dict):
            if len(arg) != 1 or next(iter(arg)) not in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
                raise ValueError("anything-but takes prefix, suffix, equals-ignore-case or wildcard")
        elif isinstance(arg, list):
            if not arg or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in arg):
                raise ValueError("anything-but takes strings or numbers")
        elif not isinstance(arg, (str, int, float)) or isinstance(arg, bool):
            raise ValueError("anything-but takes a string or number")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def matches_any(patterns: list[dict], record: dict) -> bool:
    """True when any of the (already parsed) patterns matches the record."""
    return any(matches(pattern, record) for pattern in patterns)


def matches(pattern: dict, record: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(alternative, record) for alternative in expected):
                return False
            continue
        value = record.get(key, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(expected, dict):
            if isinstance(value, list):
                if not any(isinstance(v, dict) and matches(expected, v) for v in value):
                    return False
            elif not isinstance(value, dict) or not matches(expected, value):
                return False
        elif not _leaf(expected, value):
            return False
    return True


def _leaf(conditions: list, value: Any) -> bool:
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            present = value is not _MISSING and not (isinstance(value, dict))
            if condition["exists"] == present:
                return True
            continue
        if value is _MISSING:
            continue
        values = value if isinstance(value, list) else [value]
        if isinstance(condition, dict) and "anything-but" in condition:
            if values and all(_condition(condition, v) for v in values):
                return True
            continue
        if any(_condition(condition, v) for v in values):
            return True
    return False


def _condition(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        if _number(condition) and _number(value):
            return float(condition) == float(value)
        return type(condition) is type(value) and condition == value
    ((op, arg),) = condition.items()
    if op == "prefix":
        if isinstance(arg, dict):
            return isinstance(value, str) and value.lower().startswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict):
            return isinstance(value, str) and value.lower().endswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(value, str) and fnmatch.fnmatchcase(value, arg.replace("[", "[[]"))
    if op == "numeric":
        if not _number(value):
            return False
        return all(_compare(float(value), arg[i], float(arg[i + 1])) for i in range(0, len(arg), 2))
    if op == "cidr":
        try:
            return isinstance(value, str) and ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except ValueError:
            return False
    if op == "anything-but":
        if isinstance(arg, dict):
            return not _condition(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_condition(item, value) for item in excluded)
    return False


def _compare(value: float, op: str, bound: float) -> bool:
    return {
        "<": value < bound,
        "<=": value <= bound,
        "=": value == bound,
        ">=": value >= bound,
        ">": value > bound,
    }[op]


def parse_patterns(patterns: tuple[str, ...] | None) -> list[dict]:
    return [json.loads(p) for p in patterns or ()]
