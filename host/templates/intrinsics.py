"""CloudFormation's intrinsic functions, over parameters, pseudo parameters and deployed resources.

Understood: ``Ref`` (``AWS::NoValue`` removes the key), ``Fn::Sub``, ``Fn::GetAtt`` for
``Arn`` (and any attribute a deployer puts in ``values`` as ``Logical.Attribute``),
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with the template's
``Conditions`` (``Fn::Equals``, ``Fn::Not``, ``Fn::And``, ``Fn::Or``, ``Condition``),
``Fn::FindInMap`` over ``Mappings`` and ``Fn::Base64``. Anything else resolves to None
and is noted in ``unknown``, for the one warning the deployer prints.
"""

from __future__ import annotations

import base64
from typing import Any

NO_VALUE = object()  # Ref AWS::NoValue: the key holding it disappears


class Resolver:
    def __init__(
        self,
        values: dict[str, Any],
        arns: dict[str, str],
        conditions: dict[str, Any] | None = None,
        mappings: dict[str, Any] | None = None,
    ) -> None:
        self.values = values  # what Ref gives: parameters, pseudo parameters, resources
        self.arns = arns  # what GetAtt X.Arn gives
        self.conditions = conditions or {}
        self.mappings = mappings or {}
        self.unknown: set[str] = set()
        self._evaluated: dict[str, bool] = {}

    def __call__(self, value: Any) -> Any:
        resolved = self._resolve(value)
        return None if resolved is NO_VALUE else resolved

    def condition(self, name: str) -> bool:
        """A named condition of the template's Conditions section (unknown ones are false, and noted)."""
        if name not in self._evaluated:
            if name not in self.conditions:
                self.unknown.add(f"Condition {name}")
                self._evaluated[name] = False
            else:
                self._evaluated[name] = False  # guards a condition that refers to itself
                self._evaluated[name] = bool(self._resolve(self.conditions[name]))
        return self._evaluated[name]

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self._resolve(v) for v in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._function(key, arg)
        out = {}
        for key, item in value.items():
            resolved = self._resolve(item)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def _ref(self, name: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.values:
            return self.values[name]
        self.unknown.add(f"Ref {name}")
        return name

    def _function(self, key: str, arg: Any) -> Any:
        if key == "Fn::GetAtt":
            logical, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            if attribute == "Arn" and logical in self.arns:
                return self.arns[logical]
            if f"{logical}.{attribute}" in self.values:  # QueueUrl, StreamArn, TopicName ...
                return self.values[f"{logical}.{attribute}"]
            self.unknown.add(f"Fn::GetAtt {logical}.{attribute}")
            return None
        if key == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self._resolve(arg[1]))
            return substitute(text, {**self.values, **extra}, self.arns, self.unknown)
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            separator, items = arg[0], self._resolve(arg[1])
            return str(separator).join(_text(item) for item in items or [])
        if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            index, items = self._resolve(arg[0]), self._resolve(arg[1])
            try:
                return items[int(index)]
            except (IndexError, TypeError, ValueError):
                self.unknown.add(f"Fn::Select {index}")
                return None
        if key == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
            return str(self._resolve(arg[1])).split(str(arg[0]))
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return self._resolve(arg[1] if self.condition(str(arg[0])) else arg[2])
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = self._resolve(arg[0]), self._resolve(arg[1])
            return _text(left) == _text(right)
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            return not self._resolve(arg[0])
        if key == "Fn::And" and isinstance(arg, list):
            return all(self._resolve(item) for item in arg)
        if key == "Fn::Or" and isinstance(arg, list):
            return any(self._resolve(item) for item in arg)
        if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            names = [self._resolve(part) for part in arg[:3]]
            try:
                return self.mappings[names[0]][names[1]][names[2]]
            except (KeyError, TypeError):
                self.unknown.add("Fn::FindInMap " + ".".join(map(str, names)))
                return None
        if key == "Fn::Base64":
            return base64.b64encode(_text(self._resolve(arg)).encode()).decode()
        self.unknown.add(key)
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def substitute(text: str, values: dict[str, Any], arns: dict[str, str], unknown: set[str]) -> str:
    """``Fn::Sub``'s ``${Name}``, ``${Resource.Arn}`` and ``${!Literal}``."""
    out, i = [], 0
    while i < len(text):
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            break
        end = text.find("}", start)
        if end < 0:
            out.append(text[i:])
            break
        out.append(text[i:start])
        name = text[start + 2 : end]
        if name.startswith("!"):
            out.append("${" + name[1:] + "}")
        elif name in values:
            out.append(_text(values[name]))
        elif name.endswith(".Arn") and name[:-4] in arns:
            out.append(arns[name[:-4]])
        else:
            unknown.add(f"${{{name}}}")
        i = end + 1
    return "".join(out)
