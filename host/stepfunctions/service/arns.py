"""Step Functions ARNs and names: building them, reading them back, AWS's refusals.

State machine ``arn:aws:states:<r>:<a>:stateMachine:<name>`` (``:<n>`` for a version,
``:<alias>`` for an alias); execution ``...:execution:<machine>:<name>``; Express
execution ``...:express:<machine>:<name>:<uuid>``; activity ``...:activity:<name>``;
map run ``...:mapRun:<machine>/<label>:<uuid>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from host.stepfunctions.service.errors import InvalidArn, InvalidName

# AWS's characters refused in names: whitespace, brackets, wildcards, special characters and control characters.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$")


def check_name(name: str, what: str = "") -> None:
    if not name or len(name) > 80 or _BAD_NAME.search(name):
        raise InvalidName(f"Invalid Name: '{name}'")


@dataclass(frozen=True)
class Arn:
    text: str
    partition: str
    region: str
    account: str
    kind: str  # stateMachine, execution, express, activity, mapRun
    parts: tuple[str, ...]  # what follows the kind, split on ":"


def parse(text: str, allowed: tuple[str, ...]) -> Arn:
    """Read ``text`` as one of the ``allowed`` kinds, or raise AWS's InvalidArn."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {text}'")
    pieces = text.split(":")
    if len(pieces) < 7 or pieces[2] != "states":
        raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {text}'")
    kind = pieces[5]
    if kind not in allowed:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {kind}'")
    return Arn(text, pieces[1], pieces[3], pieces[4], kind, tuple(pieces[6:]))


class Names:
    """ARNs for one region and account."""

    def __init__(self, region: str, account: str, partition: str = "aws") -> None:
        self.region = region
        self.account = account
        self.prefix = f"arn:{partition}:states:{region}:{account}"

    def machine(self, name: str) -> str:
        return f"{self.prefix}:stateMachine:{name}"

    def version(self, machine_arn: str, number: int) -> str:
        return f"{machine_arn}:{number}"

    def alias(self, machine_arn: str, name: str) -> str:
        return f"{machine_arn}:{name}"

    def execution(self, machine_name: str, name: str) -> str:
        return f"{self.prefix}:execution:{machine_name}:{name}"

    def express_execution(self, machine_name: str, name: str, run_id: str) -> str:
        return f"{self.prefix}:express:{machine_name}:{name}:{run_id}"

    def activity(self, name: str) -> str:
        return f"{self.prefix}:activity:{name}"

    def map_run(self, machine_name: str, label: str, run_id: str) -> str:
        return f"{self.prefix}:mapRun:{machine_name}/{label}:{run_id}"


def machine_of(arn: str) -> tuple[str, str | None]:
    """(the unqualified state machine ARN, the qualifier: a version number, an alias name or None)."""
    pieces = arn.split(":")
    if len(pieces) >= 8:
        return ":".join(pieces[:7]), pieces[7]
    return arn, None


def machine_name_of_execution(arn: str) -> str:
    return arn.split(":")[6]
