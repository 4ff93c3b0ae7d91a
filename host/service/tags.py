"""TagResource, UntagResource and ListTags for every kind of Lambda resource, by its ARN.

The checks AWS makes on the request are here (``host.core.tags``); the tags themselves
belong to whoever owns the resource. Functions are built in; other packages register
their kind (``register("event-source-mapping", owner)``), and a kind nobody registered
answers AWS's "not found" for its ARN, which is true: this host has none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from host.core import tags as rules
from host.core.errors import InvalidParameterValue, ResourceNotFound
from host.core.tags import TaggedArn
from host.service.functions import FunctionService


class TagOwner(Protocol):
    """Keeps the tags of one kind of resource; raises ``ResourceNotFound`` for one it does not have."""

    def tags_of(self, resource: TaggedArn) -> dict[str, str]: ...

    def replace_tags(self, resource: TaggedArn, change) -> None: ...  # change: current tags -> new tags


class _Nobody:
    """A kind of resource this host has none of."""

    def tags_of(self, resource: TaggedArn) -> dict[str, str]:
        raise ResourceNotFound(rules.NOT_FOUND[resource.kind].format(arn=resource.arn))

    def replace_tags(self, resource: TaggedArn, change) -> None:
        self.tags_of(resource)


class FunctionTags:
    """Functions' tags, kept on $LATEST (versions and aliases have none)."""

    def __init__(self, functions: FunctionService) -> None:
        self.functions = functions

    def tags_of(self, resource: TaggedArn) -> dict[str, str]:
        function = self.functions.store.get(resource.name)
        if function is None:
            raise ResourceNotFound(rules.NOT_FOUND["function"].format(arn=resource.arn))
        return dict(function.tags)

    def replace_tags(self, resource: TaggedArn, change) -> None:
        self.functions.retag(resource.name, change)


class TagService:
    def __init__(self, functions: FunctionService) -> None:
        self.owners: dict[str, TagOwner] = {"function": FunctionTags(functions)}

    def register(self, kind: str, owner: TagOwner) -> None:
        """Let ``owner`` keep the tags of ``kind`` (an ARN's resource type, e.g. ``event-source-mapping``)."""
        self.owners[kind] = owner

    def _resource(self, arn: str) -> tuple[TaggedArn, TagOwner]:
        resource = rules.parse_resource(arn)
        if resource.qualifier is not None:
            raise InvalidParameterValue(rules.TAGS_QUALIFIED)
        return resource, self.owners.get(resource.kind, _Nobody())

    def list(self, arn: str) -> dict[str, str]:
        resource, owner = self._resource(arn)
        return owner.tags_of(resource)

    def tag(self, arn: str, tags: Mapping[str, str] | None) -> None:
        resource, owner = self._resource(arn)
        rules.check_tags(tags or {}, required=True)
        owner.replace_tags(resource, lambda current: rules.merged(current, tags))

    def untag(self, arn: str, keys: list[str]) -> None:
        resource, owner = self._resource(arn)
        rules.check_keys(keys)
        owner.replace_tags(resource, lambda current: rules.without(current, keys))
