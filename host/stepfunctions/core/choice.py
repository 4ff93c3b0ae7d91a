"""Choice rules: the comparison operators, ``And``/``Or``/``Not``, and JSONata ``Condition``.

A comparison whose operand has the wrong type is false, never an error (a number is not
``StringEquals`` anything); ``Is*`` operators test types; ``IsPresent`` is the only
operator that may look at a missing path, every other one fails the execution with
AWS's ``Invalid path`` message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core import jsonata
from host.stepfunctions.core.jsonpath import CompiledPath, PathMissing, compile_path
from host.stepfunctions.core.templates import JsonataTemplate, Scope, compile_jsonata_template, evaluate_expression
from host.stepfunctions.core.timestamps import parse_timestamp

OPERATORS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
    "BooleanEquals",
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
IS_OPERATORS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
ALL_OPERATORS = frozenset(OPERATORS + tuple(op + "Path" for op in OPERATORS) + IS_OPERATORS + ("StringMatches",))


@dataclass(frozen=True)
class Rule:
    """A top-level rule (with ``next``) or a nested one."""

    next: str | None = None
    variable: CompiledPath | None = None
    operator: str = ""
    operand: Any = None  # the literal, or a CompiledPath for the *Path operators
    all_of: tuple[Rule, ...] = ()
    any_of: tuple[Rule, ...] = ()
    negated: Rule | None = None
    condition: Any = None  # JSONata: a template, or a literal boolean
    assign: Any = None
    output: JsonataTemplate | None = None
    raw: Any = None


def compile_rule(raw: dict, language: str, location: str) -> Rule:
    from host.stepfunctions.core.definition import _assign, _jsonata

    common = {
        "next": raw.get("Next"),
        "assign": _assign(raw, language, location),
        "output": _jsonata(raw["Output"], "Output", location, present=True)
        if language == "JSONata" and "Output" in raw
        else None,
        "raw": raw,
    }
    if "Condition" in raw:
        condition = raw["Condition"]
        if jsonata.is_expression(condition):
            condition = compile_jsonata_template("Condition", condition)
        return Rule(condition=condition, **common)
    return _comparison(raw, common)


def _comparison(raw: dict, common: dict) -> Rule:
    if "And" in raw:
        return Rule(all_of=tuple(_comparison(r, {}) for r in raw["And"]), **common)
    if "Or" in raw:
        return Rule(any_of=tuple(_comparison(r, {}) for r in raw["Or"]), **common)
    if "Not" in raw:
        return Rule(negated=_comparison(raw["Not"], {}), **common)
    operator = next((key for key in raw if key in ALL_OPERATORS), "")
    operand = raw.get(operator)
    if operator.endswith("Path") and operator not in IS_OPERATORS:
        operand = compile_path(operand)
    return Rule(variable=compile_path(raw.get("Variable", "$")), operator=operator, operand=operand, **common)


def matches(rule: Rule, scope: Scope) -> bool:
    if rule.condition is not None:
        return _condition(rule.condition, scope)
    if rule.all_of:
        return all(matches(r, scope) for r in rule.all_of)
    if rule.any_of:
        return any(matches(r, scope) for r in rule.any_of)
    if rule.negated is not None:
        return not matches(rule.negated, scope)
    operator = rule.operator
    if operator == "IsPresent":
        try:
            scope.resolve(rule.variable)
            present = True
        except PathMissing:
            present = False
        return present is rule.operand
    try:
        value = scope.resolve(rule.variable)
    except PathMissing as missing:
        raise scope.failure(missing.describe()) from None
    if operator in IS_OPERATORS:
        return _is(operator, value) is rule.operand
    operand = rule.operand
    if isinstance(operand, CompiledPath):
        try:
            operand = scope.resolve(operand)
        except PathMissing as missing:
            raise scope.failure(missing.describe()) from None
        operator = operator[:-4]
    return compare(operator, value, operand)


def _condition(condition: Any, scope: Scope) -> bool:
    if isinstance(condition, bool):
        return condition
    text = condition.node.text if hasattr(condition.node, "text") else None
    if text is None:
        return bool(condition.node.value)
    value = evaluate_expression(text, "Condition", scope)
    if not isinstance(value, bool):
        kind = _type_name(value)
        raise scope.failure(
            f"The JSONata expression '{text}' specified for the field 'Condition' returned an unexpected result type. "
            f"Expected 'boolean', but was '{kind}' for value: {jsonata_compact(value)}",
            "States.QueryEvaluationError",
            "Condition",
        )
    return value


def jsonata_compact(value: Any) -> str:
    from host.stepfunctions.core.templates import compact

    return compact(value)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is(operator: str, value: Any) -> bool:
    if operator == "IsNull":
        return value is None
    if operator == "IsNumeric":
        return _number(value)
    if operator == "IsString":
        return isinstance(value, str)
    if operator == "IsBoolean":
        return isinstance(value, bool)
    if operator == "IsTimestamp":
        return isinstance(value, str) and parse_timestamp(value) is not None
    return False


def compare(operator: str, value: Any, operand: Any) -> bool:
    if operator.startswith("String"):
        if not isinstance(value, str) or not isinstance(operand, str):
            return False
        if operator == "StringMatches":
            return _wildcard(operand).fullmatch(value) is not None
        return _order(operator[6:], value, operand)
    if operator.startswith("Numeric"):
        if not _number(value) or not _number(operand):
            return False
        return _order(operator[7:], value, operand)
    if operator == "BooleanEquals":
        return isinstance(value, bool) and isinstance(operand, bool) and value is operand
    if operator.startswith("Timestamp"):
        left = parse_timestamp(value) if isinstance(value, str) else None
        right = parse_timestamp(operand) if isinstance(operand, str) else None
        if left is None or right is None:
            return False
        return _order(operator[9:], left, right)
    return False


def _order(relation: str, a: Any, b: Any) -> bool:
    if relation == "Equals":
        return a == b
    if relation == "LessThan":
        return a < b
    if relation == "GreaterThan":
        return a > b
    if relation == "LessThanEquals":
        return a <= b
    return a >= b


def _wildcard(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)
