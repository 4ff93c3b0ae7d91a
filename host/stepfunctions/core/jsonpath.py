"""JSONPath as Step Functions reads it (Jayway's dialect), over ``jsonpath-ng``.

1. A *definite* path (only names and single indexes: ``$.a.b[0]``, ``$['a b']``) yields
   one value, or fails when something on the way is missing. These are walked by hand:
   they are nearly every path in a definition and a dict lookup is a hundred times
   cheaper than ``jsonpath-ng``'s matcher.
2. Any other path (wildcards, slices, filters with ``&&``/``||``, ``..``) yields a list,
   ``[]`` when nothing matches, through ``jsonpath_ng.ext``.
3. Paths start at ``$`` (the state's input or result), ``$$`` (the context object) or
   ``$name`` (a workflow variable); ``Root`` holds the three roots apart.
4. Failures carry AWS's wording: the path as written and its bracketed form
   (``$['a']['b']``), which ``PathMissing.describe`` renders.

A *reference path* (ResultPath) is a definite path; ``set_at`` writes into a copy.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as _ng_parse

_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"\.([^.\[\]]+)")
_INDEX = re.compile(r"\[(-?\d+)\]")
_QUOTED = re.compile(r"\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*\"((?:[^\"\\]|\\.)*)\"\s*\]")


class PathSyntaxError(ValueError):
    """Not a path this dialect accepts."""


class PathMissing(LookupError):
    """A definite path ran into a missing key or index; ``depth`` steps were found."""

    def __init__(self, path: CompiledPath, depth: int) -> None:
        super().__init__(path.text)
        self.path = path
        self.depth = depth

    def describe(self) -> str:
        """AWS's (Jayway's) message: a miss at the last step names the whole path, one on the
        way names the path up to the missing property."""
        path = self.path
        if self.depth >= len(path.steps) - 1:
            return f"Invalid path '{path.text}' : No results for path: {path.bracketed()}"
        return f"Invalid path '{path.text}' : Missing property in path {path.bracketed(self.depth + 1)}"


@dataclass(frozen=True)
class CompiledPath:
    text: str
    root: str  # "$" input, "$$" context, or a variable's name
    steps: tuple[str | int, ...] | None  # a definite path's steps; None for the others
    matcher: Any = None  # jsonpath-ng's expression for the others

    @property
    def definite(self) -> bool:
        return self.steps is not None

    def bracketed(self, upto: int | None = None) -> str:
        steps = self.steps if upto is None else self.steps[:upto]
        return "$" + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in steps)

    def find(self, value: Any) -> Any:
        """The value at this path below ``value`` (already the root's value)."""
        steps = self.steps
        if steps is None:
            return [match.value for match in self.matcher.find(value)]
        for depth, step in enumerate(steps):
            if isinstance(step, int):
                if not isinstance(value, list) or not -len(value) <= step < len(value):
                    raise PathMissing(self, depth)
            elif not isinstance(value, dict) or step not in value:
                raise PathMissing(self, depth)
            value = value[step]
        return value


@lru_cache(maxsize=4096)
def compile_path(text: str) -> CompiledPath:
    """Parse a path once; raises ``PathSyntaxError``."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(text)
    if text.startswith("$$"):
        root, rest = "$$", text[2:]
    else:
        match = _VARIABLE.match(text)
        if match is not None:
            root, rest = match.group(1), text[match.end() :]
        else:
            root, rest = "$", text[1:]
    steps = _definite_steps(rest)
    if steps is not None:
        return CompiledPath(text, root, steps)
    try:
        matcher = _ng_parse("$" + _normalise(rest))
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise PathSyntaxError(text) from exc
    return CompiledPath(text, root, None, matcher)


def _definite_steps(rest: str) -> tuple[str | int, ...] | None:
    steps: list[str | int] = []
    position = 0
    while position < len(rest):
        if rest.startswith("..", position):
            return None
        match = _NAME.match(rest, position)
        if match is not None:
            name = match.group(1)
            if name == "*" or "(" in name or "?" in name:
                return None
            steps.append(name)
            position = match.end()
            continue
        match = _INDEX.match(rest, position)
        if match is not None:
            steps.append(int(match.group(1)))
            position = match.end()
            continue
        match = _QUOTED.match(rest, position)
        if match is not None:
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            steps.append(re.sub(r"\\(.)", r"\1", raw))
            position = match.end()
            continue
        return None
    return tuple(steps)


def _normalise(rest: str) -> str:
    """Jayway's filter operators in jsonpath-ng's spelling."""
    return rest.replace("&&", "&").replace("||", "|")


def is_path(text: Any) -> bool:
    try:
        compile_path(text)
    except PathSyntaxError:
        return False
    return True


def set_at(target: Any, path: CompiledPath, value: Any) -> Any:
    """``target`` with ``value`` put at the reference path ``path`` (a copy; ``$`` replaces it).

    Missing objects on the way are created; raises ``PathMissing`` when a step meets a
    value that is not an object (or an index that is out of range).
    """
    steps = path.steps
    if not steps:
        return value
    result = copy.copy(target) if isinstance(target, dict | list) else target
    node = result
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise PathMissing(path, depth)
        elif not isinstance(node, dict):
            raise PathMissing(path, depth)
        if last:
            node[step] = value
            break
        child = node.get(step) if isinstance(node, dict) else node[step]
        if child is None and isinstance(node, dict):
            child = {}
        elif isinstance(child, dict | list):
            child = copy.copy(child)
        else:
            raise PathMissing(path, depth + 1)
        node[step] = child
        node = child
    return result
