"""The eighteen intrinsic functions (``States.Format('{}', $.x)`` and friends), parsed by hand.

The grammar is small: ``States.Name(arg, ...)`` where an argument is a quoted string
(``'...'`` with ``\\'``, ``\\{``, ``\\}``, ``\\\\`` escapes), a number, ``true``/``false``/``null``,
a path (``$.x``, ``$$.Execution.Id``, ``$var.x``) or another call (at most ten deep).
``parse`` turns the text into a ``Call`` once, at load time; ``Call.evaluate`` runs it
with a function that resolves paths. Results follow AWS's recorded behaviour: Java's
``Math.round`` in ``MathAdd``, Java's ``toString`` of maps and lists in ``Format``,
``java.util.Random`` for a seeded ``MathRandom``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core.jrandom import JavaRandom
from host.stepfunctions.core.jsonpath import CompiledPath, PathSyntaxError, compile_path

MAX_DEPTH = 10
Resolve = Callable[[CompiledPath], Any]


class IntrinsicSyntaxError(ValueError):
    """Not a valid intrinsic function call."""


class IntrinsicFailure(ValueError):
    """A call that parsed but could not be evaluated (bad arguments)."""


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]  # literals, CompiledPath or Call
    text: str

    def evaluate(self, resolve: Resolve) -> Any:
        values = [
            a.evaluate(resolve) if isinstance(a, Call) else resolve(a) if isinstance(a, CompiledPath) else a
            for a in self.args
        ]
        return FUNCTIONS[self.name](*values) if _arity_ok(self.name, values) else _bad_arity(self.name, values)


def is_call(text: Any) -> bool:
    return isinstance(text, str) and text.startswith("States.")


def parse(text: str) -> Call:
    parser = _Parser(text)
    call = parser.call(0)
    parser.skip_space()
    if parser.position != len(text):
        raise IntrinsicSyntaxError(text)
    return call


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position] in " \t\n\r":
            self.position += 1

    def call(self, depth: int) -> Call:
        if depth >= MAX_DEPTH:
            raise IntrinsicSyntaxError(self.text)
        start = self.position
        open_at = self.text.find("(", self.position)
        if open_at < 0:
            raise IntrinsicSyntaxError(self.text)
        name = self.text[self.position : open_at].strip()
        if name not in FUNCTIONS:
            raise IntrinsicSyntaxError(self.text)
        self.position = open_at + 1
        args: list[Any] = []
        self.skip_space()
        if self.peek() == ")":
            self.position += 1
            return Call(name, (), self.text[start : self.position])
        while True:
            self.skip_space()
            args.append(self.argument(depth))
            self.skip_space()
            char = self.peek()
            self.position += 1
            if char == ")":
                return Call(name, tuple(args), self.text[start : self.position])
            if char != ",":
                raise IntrinsicSyntaxError(self.text)

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def argument(self, depth: int) -> Any:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if self.text.startswith("States.", self.position):
            return self.call(depth + 1)
        token = self.token()
        if token == "true":
            return True
        if token == "false":
            return False
        if token == "null":
            return None
        try:
            number = float(token)
        except ValueError as exc:
            raise IntrinsicSyntaxError(self.text) from exc
        return int(number) if number.is_integer() and "." not in token and "e" not in token.lower() else number

    def string(self) -> str:
        out: list[str] = []
        self.position += 1
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\" and self.position + 1 < len(self.text):
                out.append(self.text[self.position + 1])
                self.position += 2
                continue
            if char == "'":
                self.position += 1
                return "".join(out)
            out.append(char)
            self.position += 1
        raise IntrinsicSyntaxError(self.text)

    def token(self) -> str:
        start = self.position
        while self.position < len(self.text) and self.text[self.position] not in ",) \t\n":
            self.position += 1
        return self.text[start : self.position]

    def path(self) -> CompiledPath:
        start, depth, quote = self.position, 0, ""
        while self.position < len(self.text):
            char = self.text[self.position]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.position += 1
        try:
            return compile_path(self.text[start : self.position].strip())
        except PathSyntaxError as exc:
            raise IntrinsicSyntaxError(self.text) from exc


# -- the functions ---------------------------------------------------------------------------

ARITY: dict[str, tuple[int, int]] = {}


def _arity_ok(name: str, values: list) -> bool:
    low, high = ARITY.get(name, (0, 10_000))
    return low <= len(values) <= high


def _bad_arity(name: str, values: list) -> Any:
    raise IntrinsicFailure(f"Invalid number of arguments ({len(values)}) for the function {name}")


def java_string(value: Any) -> str:
    """How Java's ``toString`` renders a JSON value (what ``States.Format`` shows)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value) if not value.is_integer() or abs(value) >= 1e7 else f"{value:.1f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return str(value)


def _format(template: Any, *args: Any) -> str:
    if not isinstance(template, str):
        raise IntrinsicFailure("The first argument of States.Format must be a string")
    out, index, i = [], 0, 0
    while i < len(template):
        char = template[i]
        if template.startswith("{}", i):
            if index >= len(args):
                raise IntrinsicFailure("The number of arguments does not match the number of placeholders")
            out.append(java_string(args[index]))
            index += 1
            i += 2
            continue
        out.append(char)
        i += 1
    if index != len(args):
        raise IntrinsicFailure("The number of arguments does not match the number of placeholders")
    return "".join(out)


def _string_to_json(text: Any) -> Any:
    if not isinstance(text, str):
        raise IntrinsicFailure("States.StringToJson needs a string")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise IntrinsicFailure(f"Invalid JSON: {text}") from exc


def _json_to_string(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _array(*values: Any) -> list:
    return list(values)


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise IntrinsicFailure(f"{what} must be an integer")
    return int(value)


def _array_partition(array: Any, size: Any) -> list:
    size = _integer(size, "The chunk size")
    if not isinstance(array, list) or size <= 0:
        raise IntrinsicFailure("States.ArrayPartition needs an array and a positive chunk size")
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_contains(array: Any, value: Any) -> bool:
    if not isinstance(array, list):
        raise IntrinsicFailure("States.ArrayContains needs an array")
    return any(_same(item, value) for item in array)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return (type(a) is type(b) and a == b) or (isinstance(a, int | float) and isinstance(b, int | float) and a == b)


def _array_range(start: Any, end: Any, step: Any) -> list:
    start, end, step = _integer(start, "start"), _integer(end, "end"), _integer(step, "step")
    if step == 0:
        raise IntrinsicFailure("The step of States.ArrayRange cannot be 0")
    values = list(range(start, end + (1 if step > 0 else -1), step))
    if len(values) > 1000:
        raise IntrinsicFailure("States.ArrayRange can create at most 1000 items")
    return values


def _array_get_item(array: Any, index: Any) -> Any:
    index = _integer(index, "The index")
    if not isinstance(array, list) or not 0 <= index < len(array):
        raise IntrinsicFailure(f"Index {index} out of bounds")
    return array[index]


def _array_length(array: Any) -> int:
    if not isinstance(array, list):
        raise IntrinsicFailure("States.ArrayLength needs an array")
    return len(array)


def _array_unique(array: Any) -> list:
    if not isinstance(array, list):
        raise IntrinsicFailure("States.ArrayUnique needs an array")
    seen: list = []
    for item in array:
        if not any(_same(item, other) for other in seen):
            seen.append(item)
    return seen


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise IntrinsicFailure(f"{what} must be a string")
    if len(value) > 10000:
        raise IntrinsicFailure(f"{what} must be at most 10000 characters")
    return value


def _base64_encode(value: Any) -> str:
    return base64.b64encode(_text(value, "The input").encode()).decode()


def _base64_decode(value: Any) -> str:
    try:
        return base64.b64decode(_text(value, "The input"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise IntrinsicFailure("The input is not valid base64") from exc


HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(value: Any, algorithm: Any) -> str:
    if algorithm not in HASHES:
        raise IntrinsicFailure(f"The hash algorithm {algorithm} is not supported")
    return hashlib.new(HASHES[algorithm], _text(json_text(value), "The input").encode()).hexdigest()


def json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _json_merge(left: Any, right: Any, deep: Any) -> dict:
    if deep is not False:
        raise IntrinsicFailure("States.JsonMerge supports only a shallow merge: its third argument must be false")
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise IntrinsicFailure("States.JsonMerge needs two objects")
    return {**left, **right}


def _math_random(start: Any, end: Any, seed: Any = None) -> int:
    low, high = java_round(start), java_round(end)
    if seed is None:
        return random.randint(low, high - 1) if high > low else low
    return low + JavaRandom(java_round(seed)).next_int(max(high - low, 1))


def java_round(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IntrinsicFailure("A number is needed")
    return math.floor(value + 0.5)


def _math_add(a: Any, b: Any) -> int:
    return java_round(a) + java_round(b)


def _string_split(text: Any, delimiters: Any) -> list:
    if not isinstance(text, str) or not isinstance(delimiters, str):
        raise IntrinsicFailure("States.StringSplit needs two strings")
    parts, current = [], []
    for char in text:
        if char in delimiters:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part]


def _uuid() -> str:
    return str(uuid.uuid4())


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}
ARITY.update(
    {
        "States.Format": (1, 10_000),
        "States.StringToJson": (1, 1),
        "States.JsonToString": (1, 1),
        "States.ArrayPartition": (2, 2),
        "States.ArrayContains": (2, 2),
        "States.ArrayRange": (3, 3),
        "States.ArrayGetItem": (2, 2),
        "States.ArrayLength": (1, 1),
        "States.ArrayUnique": (1, 1),
        "States.Base64Encode": (1, 1),
        "States.Base64Decode": (1, 1),
        "States.Hash": (2, 2),
        "States.JsonMerge": (3, 3),
        "States.MathRandom": (2, 3),
        "States.MathAdd": (2, 2),
        "States.StringSplit": (2, 2),
        "States.UUID": (0, 0),
    }
)
