"""CloudWatch Logs filter patterns: parse once, then match log event messages. No I/O.

The three syntaxes of AWS's "Filter pattern syntax" page, told apart by the first character:

1. ``{ ... }``: a JSON pattern. The message must be a JSON object; selectors ``$.a.b[0]``
   compare with ``=`` / ``!=`` (strings, ``*`` as a wildcard, or numbers) and ``<``, ``<=``,
   ``>``, ``>=`` (numbers); also ``IS NULL``, ``IS TRUE``, ``IS FALSE``, ``NOT EXISTS``;
   joined with ``&&`` and ``||`` (``&&`` binds tighter) and grouped with parentheses.
   Example: ``{ ($.level = "ERROR") && ($.latency > 100) }``.
2. ``[ ... ]``: a space-delimited pattern. The message is split on spaces (a ``"quoted"``
   or ``[bracketed]`` run stays one field); each named field may carry conditions as in
   JSON patterns, ``...`` stands for any number of fields.
   Example: ``[ip, user, ..., status = 4*, bytes > 1000]``.
3. Otherwise terms: every plain term (or ``"quoted phrase"``) must occur, no ``-term``
   may occur, and of the ``?term`` ones at least one must occur; ``%regex%`` terms are
   regular expressions. Matching is case-sensitive, as on AWS, and a term matches whole
   words: ``AUTHORIZED`` finds ``[OK] AUTHORIZED`` but not ``UNAUTHORIZED`` (letters, digits
   and ``_`` make words; AWS's regex page shows ``%AUTHORIZED%`` for the partial match).

Caveat: JSON selectors support member and index access, not ``[*]`` wildcards.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]
_MISSING = object()


class PatternError(ValueError):
    """The pattern cannot be parsed (AWS: InvalidParameterException)."""


def compile_pattern(pattern: str | None) -> Matcher:
    """A predicate on messages for ``pattern`` (None or blank: every message)."""
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        if not text.endswith("}"):
            raise PatternError("Invalid filter pattern")
        return _json_matcher(_Parser(_tokens(text[1:-1])).expression_until_end())
    if text.startswith("["):
        if not text.endswith("]"):
            raise PatternError("Invalid filter pattern")
        return _delimited_matcher(text[1:-1])
    return _terms_matcher(text)


# -- terms ------------------------------------------------------------------------------------

_TERM = re.compile(r'([-?]?)(?:"((?:[^"\\]|\\.)*)"|(%[^%]+%)|(\S+))')


def _terms_matcher(text: str) -> Matcher:
    required: list[Matcher] = []
    excluded: list[Matcher] = []
    optional: list[Matcher] = []
    for match in _TERM.finditer(text):
        sign, quoted, regex, bare = match.groups()
        if regex is not None:
            compiled = re.compile(regex[1:-1])
            test: Matcher = lambda m, r=compiled: r.search(m) is not None  # noqa: E731
        else:
            term = quoted.replace('\\"', '"') if quoted is not None else bare
            word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(term)}(?![A-Za-z0-9_])")
            test = lambda m, w=word: w.search(m) is not None  # noqa: E731
        {"-": excluded, "?": optional}.get(sign, required).append(test)

    def matches(message: str) -> bool:
        if not all(test(message) for test in required):
            return False
        if any(test(message) for test in excluded):
            return False
        return not optional or any(test(message) for test in optional)

    return matches


# -- conditions shared by JSON and space-delimited patterns -----------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))|"(?P<str>(?:[^"\\]|\\.)*)"|(?P<word>[^\s()=!<>&|"]+))')


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PatternError("Invalid filter pattern")
        position = match.end()
        if match.group("op") is not None:
            out.append(("op", match.group("op")))
        elif match.group("str") is not None:
            out.append(("str", match.group("str").replace('\\"', '"')))
        else:
            out.append(("word", match.group("word")))
    return out


def _number(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _compare(value: Any, op: str, literal: tuple[str, str]) -> bool:
    """``value op literal`` as AWS compares: numbers numerically, strings by wildcard match."""
    kind, text = literal
    if value is _MISSING:
        return False
    wanted = _number(text) if kind == "word" and "*" not in text else None
    if wanted is not None:
        actual = _number(value)
        if actual is None:
            return op == "!="
        return {
            "=": actual == wanted,
            "!=": actual != wanted,
            "<": actual < wanted,
            "<=": actual <= wanted,
            ">": actual > wanted,
            ">=": actual >= wanted,
        }[op]
    if op not in ("=", "!="):
        raise PatternError("Invalid filter pattern: only = and != compare strings")
    if value is None or isinstance(value, (dict, list)):
        return op == "!="
    shown = json.dumps(value) if isinstance(value, bool) else str(value)
    if isinstance(value, float) and value.is_integer():
        shown = str(int(value))
    equal = fnmatch.fnmatchcase(shown, text) if "*" in text else shown == text
    return equal if op == "=" else not equal


class _Parser:
    """``expr := and ('||' and)*``, ``and := unary ('&&' unary)*``, ``unary := '(' expr ')' | condition``.

    Produces a tree of callables taking a ``lookup(selector) -> value`` function."""

    def __init__(self, tokens: list[tuple[str, str]], selectors: bool = True) -> None:
        self.tokens = tokens
        self.at = 0
        self.selectors = selectors  # JSON patterns name members with $-selectors; delimited ones name fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise PatternError("Invalid filter pattern")
        self.at += 1
        return token

    def expression_until_end(self):
        tree = self.expression()
        if self.peek() is not None:
            raise PatternError("Invalid filter pattern")
        return tree

    def expression(self):
        parts = [self.conjunction()]
        while self.peek() == ("op", "||"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda look: any(part(look) for part in parts))

    def conjunction(self):
        parts = [self.unary()]
        while self.peek() == ("op", "&&"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda look: all(part(look) for part in parts))

    def unary(self):
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise PatternError("Invalid filter pattern")
            return inner
        kind, selector = self.take()
        if kind != "word" or (self.selectors and not _SELECTOR.fullmatch(selector)):
            raise PatternError("Invalid filter pattern")
        kind, op = self.take()
        if kind == "word" and op.upper() == "IS":
            what = self.take()[1].upper()
            checks = {"NULL": lambda v: v is None, "TRUE": lambda v: v is True, "FALSE": lambda v: v is False}
            if what not in checks:
                raise PatternError("Invalid filter pattern")
            return lambda look: checks[what](look(selector))
        if kind == "word" and op.upper() == "NOT":
            if self.take()[1].upper() != "EXISTS":
                raise PatternError("Invalid filter pattern")
            return lambda look: look(selector) is _MISSING
        if kind != "op" or op not in ("=", "!=", "<", "<=", ">", ">="):
            raise PatternError("Invalid filter pattern")
        literal = self.take()
        if literal[0] == "op":
            raise PatternError("Invalid filter pattern")
        if literal[0] == "str" and op not in ("=", "!="):
            raise PatternError("Invalid filter pattern")
        return lambda look: _compare(look(selector), op, literal)


# -- JSON patterns -----------------------------------------------------------------------------

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_SELECTOR = re.compile(r"\$(?:\.[^.\[\]]+|\[\d+\])*")


def _select(document: Any, selector: str) -> Any:
    """The value at ``$.a.b[0]`` in ``document`` (checked by the parser), or ``_MISSING``."""
    value, rest = document, selector[1:]
    while rest:
        step = _STEP.match(rest)
        rest = rest[step.end() :]
        key, index = step.groups()
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                return _MISSING
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
    return value


def _json_matcher(tree) -> Matcher:
    def matches(message: str) -> bool:
        text = message.strip()
        if not text.startswith("{"):
            return False
        try:
            document = json.loads(text)
        except ValueError:
            return False
        return bool(tree(lambda selector: _select(document, selector)))

    return matches


# -- space-delimited patterns ------------------------------------------------------------------

_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')
ELLIPSIS = "..."


def split_fields(message: str) -> list[str]:
    """A message's space-delimited fields, quotes and brackets taken off."""
    fields = []
    for raw in _FIELD.findall(message):
        fields.append(raw[1:-1] if raw[:1] in '"[' and len(raw) > 1 else raw)
    return fields


def _split_specs(text: str) -> list[str]:
    specs, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            specs.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    specs.append("".join(current).strip())
    if any(not spec for spec in specs):
        raise PatternError("Invalid filter pattern")
    return specs


def _delimited_matcher(text: str) -> Matcher:
    specs: list[Any] = []  # ELLIPSIS, or a test on one field's value
    for spec in _split_specs(text):
        if spec == ELLIPSIS:
            specs.append(ELLIPSIS)
            continue
        tokens = _tokens(spec)
        if len(tokens) == 1 and tokens[0][0] == "word":
            specs.append(lambda value: True)
            continue
        tree = _Parser(tokens, selectors=False).expression_until_end()
        specs.append(lambda value, tree=tree: bool(tree(lambda _selector: value)))

    def fit(fields: list[str], at: int, spec_at: int) -> bool:
        if spec_at == len(specs):
            return at == len(fields)
        spec = specs[spec_at]
        if spec is ELLIPSIS:
            return any(fit(fields, start, spec_at + 1) for start in range(at, len(fields) + 1))
        return at < len(fields) and spec(fields[at]) and fit(fields, at + 1, spec_at + 1)

    return lambda message: fit(split_fields(message), 0, 0)
