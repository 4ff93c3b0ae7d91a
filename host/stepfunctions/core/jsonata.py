"""JSONata as Step Functions runs it, on ``jsonata-python`` (a port of jsonata-js).

1. A field value ``"{% expr %}"`` is an expression; ``compile_expression`` parses it once
   (cached) and binds the Step Functions functions: ``$partition``, ``$range``, ``$hash``,
   ``$random``, ``$uuid``, ``$parse``. ``$eval`` is not available, as on AWS.
2. ``evaluate`` binds ``$states`` and the workflow variables and keeps JSONata's null apart
   from *undefined*: an expression that yields nothing is AWS's "returned nothing
   (undefined)" ``States.QueryEvaluationError``.
3. Every failure of the library (its ``JException`` codes such as T1006, and Python's own
   errors like a division by zero) becomes a ``JsonataFailure`` carrying jsonata-js's
   code and message, which the caller words as AWS does.
4. ``check_static`` refuses at create time what AWS refuses: unparsable expressions and a
   bare field reference at the top (``phone`` instead of ``$states.input.phone``).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import uuid
from functools import lru_cache
from typing import Any

_LIMIT = sys.getrecursionlimit()
from jsonata import Jsonata  # noqa: E402 (it raises the process's recursion limit when imported)
from jsonata.jexception import JException  # noqa: E402
from jsonata.utils import Utils  # noqa: E402

sys.setrecursionlimit(_LIMIT)  # the host's limit stays the host's: deep JSON keeps failing the same way

from host.stepfunctions.core.jrandom import JavaRandom  # noqa: E402

OPEN, CLOSE = "{%", "%}"
NULL = Utils.NULL_VALUE  # JSONata's null, which a bound variable needs (None would be undefined)
MAX_RANGE = 1000
HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


class JsonataFailure(Exception):
    """An expression that threw; ``detail`` is jsonata's "CODE: message" (or Python's error)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Undefined(Exception):
    """The expression yielded nothing."""


class Unsupported(Exception):
    """The expression yielded something that is not JSON (a function)."""


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(OPEN) and value.endswith(CLOSE) and len(value) >= 4


def body(value: str) -> str:
    return value[2:-2].strip()


def _partition(array: Any, size: Any) -> Any:
    if not isinstance(array, list) or not isinstance(size, int | float) or size <= 0:
        raise JException("D3137", -1, "$partition needs an array and a positive size")
    size = int(size)
    return [array[i : i + size] for i in range(0, len(array), size)]


def _range(start: Any, end: Any, step: Any) -> list:
    start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise JException("D3138", -1, "$range step must not be 0")
    values = list(range(start, end + (1 if step > 0 else -1), step))
    if len(values) > MAX_RANGE:
        raise JException("D3139", -1, f"$range can create at most {MAX_RANGE} items")
    return Utils.create_sequence_from_iter(values)  # a sequence: one item comes out as that item, as on AWS


def _hash(value: Any, algorithm: Any) -> str:
    if algorithm not in HASHES:
        raise JException("D3140", -1, f"{algorithm} is not a supported hash algorithm")
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return hashlib.new(HASHES[algorithm], text.encode()).hexdigest()


def _random(seed: Any = None) -> float:
    if seed is None:
        return JavaRandom(uuid.uuid4().int & ((1 << 63) - 1)).next_double()
    return JavaRandom(int(seed)).next_double()


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise JException("D3141", -1, "$parse needs a string")
    return to_jsonata(json.loads(text))


def _no_eval(*_: Any) -> Any:
    raise JException("T1006", -1)


FUNCTIONS = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": lambda: str(uuid.uuid4()),
    "parse": _parse,
    "eval": _no_eval,
}


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> Jsonata:
    """The parsed expression (``text`` without its ``{% %}``); raises ``JsonataFailure``."""
    try:
        expression = Jsonata(text)
    except JException as exc:
        raise JsonataFailure(_describe(exc)) from exc
    except Exception as exc:
        raise JsonataFailure(str(exc)) from exc
    expression.set_output_convert_nulls(False)
    for name, function in FUNCTIONS.items():
        expression.register_lambda(name, function)
    return expression


def evaluate(text: str, bindings: dict[str, Any]) -> Any:
    """The value of ``text`` with ``bindings`` (``states`` and variables), as plain JSON."""
    expression = compile_expression(text)
    try:
        result = expression.evaluate(None, bindings)
    except JException as exc:
        raise JsonataFailure(_describe(exc)) from exc
    except RecursionError as exc:
        raise JsonataFailure("U1001: Stack overflow error") from exc
    except Exception as exc:
        raise JsonataFailure(f"{type(exc).__name__}: {exc}") from exc
    if result is None:
        raise Undefined(text)
    return from_jsonata(result)


def from_jsonata(value: Any) -> Any:
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, dict):
        return {k: from_jsonata(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [from_jsonata(v) for v in value if v is not None]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise JsonataFailure("D1001: Number out of range")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, str | int | bool):
        return value
    raise Unsupported(type(value).__name__)


def to_jsonata(value: Any) -> Any:
    """JSON values as jsonata expects them: JSON's null as its null, not as undefined."""
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, dict):
        return {k: to_jsonata(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonata(v) for v in value]
    return value


def _describe(exc: JException) -> str:
    message = str(exc)
    code = getattr(exc, "error", None)
    if code and not message.startswith(code):
        return f"{code}: {message}"
    return message


def check_static(text: str) -> str | None:
    """Why AWS would refuse this expression at create time, or None."""
    try:
        expression = compile_expression(text)
    except JsonataFailure as failure:
        return f"INVALID_JSONATA_EXPRESSION: {failure.detail}"
    root = expression.ast
    first = root
    if getattr(root, "type", None) == "path" and getattr(root, "steps", None):
        first = root.steps[0]
    if getattr(first, "type", None) == "name":
        return f"UNSUPPORTED_JSONATA_EXPRESSION: Reference to '{first.value}' at the top level is not supported."
    return None
