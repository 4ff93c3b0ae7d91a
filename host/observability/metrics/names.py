"""The namespaces, metric names, units and dimension sets AWS publishes, and lambda-host's own.

Lambda publishes each function metric under four dimension sets (the dimension sets of the
AWS CDK's canned Lambda metrics): none (account-wide), ``FunctionName``, ``FunctionName`` +
``Resource`` (``name:qualifier`` for a version or alias invoked), and ``ExecutedVersion`` +
``FunctionName`` + ``Resource`` (an alias invoked: the version it ran).
"""

from __future__ import annotations

from host.observability.metrics.stats import Dimensions

LAMBDA = "AWS/Lambda"
STATES = "AWS/States"
HOST = "LambdaHost"  # not an AWS namespace: cold starts, which the console charts

UNITS = {
    "Duration": "Milliseconds",
    "AsyncEventAge": "Milliseconds",
    "IteratorAge": "Milliseconds",
    "ExecutionTime": "Milliseconds",
    "InitDuration": "Milliseconds",
    "ProvisionedConcurrencyUtilization": "None",
}


def unit_of(metric: str) -> str:
    return UNITS.get(metric, "Count")


def function_dimensions(name: str, qualifier: str | None, executed_version: str | None = None) -> list[Dimensions]:
    """The dimension sets one function metric is published under (see the module docstring)."""
    sets: list[Dimensions] = [(), (("FunctionName", name),)]
    if qualifier:
        resource = (("FunctionName", name), ("Resource", f"{name}:{qualifier}"))
        sets.append(resource)
        if executed_version and not qualifier.isdigit() and qualifier != "$LATEST":
            sets.append((("ExecutedVersion", executed_version), *resource))
    return sets


def qualifier_of(arn: str) -> str | None:
    """The qualifier of an invoked ARN (``arn:aws:lambda:r:a:function:name:qualifier``), if any."""
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 and parts[7] else None
