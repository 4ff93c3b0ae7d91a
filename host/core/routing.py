"""Which version an invocation of an alias runs: weighted routing, as Lambda does it.

An alias names a primary version and may send a share of invocations to one more
version (``RoutingConfig.AdditionalVersionWeights``). Each invocation draws once:
with weights {"2": 0.2}, a draw under 0.2 runs version 2, any other runs the primary.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from host.core.model import Alias


def route(alias: Alias, draw: Callable[[], float] = random.random) -> str:
    """The version this invocation of ``alias`` runs."""
    if not alias.additional_weights:
        return alias.function_version
    value = draw()
    for version, weight in alias.additional_weights:
        if value < weight:
            return version
        value -= weight
    return alias.function_version
