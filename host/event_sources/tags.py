"""Event source mappings' tags, kept for the Lambda API's TagResource, UntagResource and ListTags.

The tag service checks the request (ARN, keys, limits) and hands the change here; an ARN whose
mapping does not exist answers AWS's recorded "Event source mapping not found: <arn>".
"""

from __future__ import annotations

from collections.abc import Callable

from host.core import tags as rules
from host.core.errors import ResourceNotFound
from host.core.tags import TaggedArn
from host.event_sources.service import EventSourceService


class MappingTags:
    """The ``event-source-mapping`` owner registered with ``host.service.tags.TagService``."""

    def __init__(self, service: EventSourceService) -> None:
        self.service = service

    def _uuid(self, resource: TaggedArn) -> str:
        uuid = resource.arn.rsplit(":", 1)[-1]
        if self.service.store.get(uuid) is None:
            raise ResourceNotFound(rules.NOT_FOUND["event-source-mapping"].format(arn=resource.arn))
        return uuid

    def tags_of(self, resource: TaggedArn) -> dict[str, str]:
        return dict(self.service.get(self._uuid(resource)).tags)

    def replace_tags(self, resource: TaggedArn, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
        self.service.retag(self._uuid(resource), change)
