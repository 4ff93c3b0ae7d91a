"""Tags on Lambda resources: the ARNs TagResource takes, AWS's limits and messages. No I/O.

What AWS recorded (LocalStack's ``TestLambdaTag`` and ``TestLambdaTags`` snapshots, 2025-11):

1. The resource must match ``RESOURCE_PATTERN`` (a ``ValidationException`` quoting it),
   checked before anything else; the pattern is the one AWS quoted, which still lists
   ``layer:`` and not botocore's newer ``network-connector``.
2. A function ARN with a qualifier (a version, an alias, ``$LATEST``) is refused with
   ``TAGS_QUALIFIED`` whether or not the function exists; an unqualified one that does
   not exist is ``Function not found: <arn>``.
3. ``TagResource`` with no tags is ``InvalidParameterValueException`` "An error occurred and
   the request cannot be processed."; ``UntagResource`` with no keys is a
   ``ValidationException`` on ``tagKeys`` being null (an empty list is no query parameter).
4. A resource holds at most 50 tags, counted after the change (``TOO_MANY``); the same
   message refuses a CreateFunction with 51.
5. Removing a key that is not there is no error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from host.core.errors import InvalidParameterValue, ValidationError, validation_message
from host.core.validation import problem

RESOURCE_PATTERN = (
    r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
    r"code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"
)
MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256
TAG_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"  # botocore's TagKey/TagValue pattern, as AWS would quote it
TAGS_QUALIFIED = "Tags on function aliases and versions are not supported. Please specify a function ARN."
TOO_MANY = "Number of tags exceeds resource tag limit."
NO_TAGS = "An error occurred and the request cannot be processed."
NOT_FOUND = {
    "function": "Function not found: {arn}",
    "event-source-mapping": "Event source mapping not found: {arn}",
    "capacity-provider": "Capacity provider not found: {arn}",
    "code-signing-config": "Code signing configuration not found: {arn}",  # not recorded: AWS's wording elsewhere
    "layer": "The resource you requested does not exist.",  # not recorded: GetLayerVersion's wording
}


@dataclass(frozen=True)
class TaggedArn:
    """A resource ARN TagResource accepts, split: ``kind`` is ``function``, ``event-source-mapping``..."""

    arn: str
    kind: str
    name: str  # a function's name, a mapping's UUID, a layer's name
    qualifier: str | None = None  # functions only

    @property
    def unqualified(self) -> str:
        return self.arn if self.qualifier is None else self.arn.rsplit(":", 1)[0]


def parse_resource(arn: str) -> TaggedArn:
    """The resource ``arn`` names, or the ValidationException AWS gives for it."""
    if not re.fullmatch(RESOURCE_PATTERN, arn) or len(arn) > 10000:
        constraint = f"Member must satisfy regular expression pattern: {RESOURCE_PATTERN}"
        raise ValidationError(validation_message([problem(arn, "resource", constraint)]))
    parts = arn.split(":")
    kind, name = parts[5], parts[6]
    qualifier = parts[7] if kind == "function" and len(parts) > 7 else None
    return TaggedArn(arn, kind, name, qualifier)


def _tag_text_ok(text: str) -> bool:
    """``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``: letters, separators, numbers and ``_.:/=+-@``."""
    return all(
        ch in "_.:/=+-@" or unicodedata.category(ch)[0] in ("L", "Z", "N") for ch in text
    )  # fmt: skip


def check_tags(tags: Mapping[str, str], *, required: bool) -> None:
    """Keys and values against botocore's shapes; with ``required`` (TagResource) at least one tag."""
    if required and not tags:
        raise InvalidParameterValue(NO_TAGS)
    shown = "{" + ", ".join(f"{k}={v}" for k, v in tags.items()) + "}"
    problems = []
    if any(not 1 <= len(k) <= MAX_KEY or not _tag_text_ok(k) for k in tags):
        problems.append(
            problem(
                shown,
                "tags",
                f"Map keys must satisfy constraint: [Member must have length less than or equal to {MAX_KEY}, "
                f"Member must have length greater than or equal to 1, Member must satisfy regular expression "
                f"pattern: {TAG_PATTERN}]",
            )
        )
    if any(not isinstance(v, str) or len(v) > MAX_VALUE or not _tag_text_ok(v) for v in tags.values()):
        problems.append(
            problem(
                shown,
                "tags",
                f"Map value must satisfy constraint: [Member must have length less than or equal to {MAX_VALUE}, "
                f"Member must have length greater than or equal to 0, Member must satisfy regular expression "
                f"pattern: {TAG_PATTERN}, Member must not be null]",
            )
        )
    if problems:
        raise ValidationError(validation_message(problems))
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(TOO_MANY)


def check_keys(keys: list[str]) -> None:
    if not keys:
        raise ValidationError(validation_message([problem(None, "tagKeys", "Member must not be null")]))


def merged(current: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """``current`` with ``new`` added or overwriting; at most 50 afterwards."""
    result = {**current, **new}
    if len(result) > MAX_TAGS:
        raise InvalidParameterValue(TOO_MANY)
    return result


def without(current: Mapping[str, str], keys: list[str]) -> dict[str, str]:
    return {k: v for k, v in current.items() if k not in keys}
