"""The event source mapping operations as a Flask blueprint: read the request, call the service, answer.

Create, Update and Delete answer 202 as AWS does; tags of a mapping's ARN
(``/2017-03-31/tags/<arn>``) are answered here before the functions' tag views see them.
"""

from __future__ import annotations

from flask import Blueprint, request

from host.api.common import answer, body, int_arg
from host.event_sources.core.shapes import configuration
from host.event_sources.service import EventSourceService

MAPPINGS = "/2015-03-31/event-source-mappings"


def blueprint(service: EventSourceService) -> Blueprint:
    views = Blueprint("event_source_mappings", __name__)

    @views.post(MAPPINGS)
    @views.post(MAPPINGS + "/")
    def create_event_source_mapping():
        return answer(configuration(service.create(body())), 202)

    @views.get(MAPPINGS)
    @views.get(MAPPINGS + "/")
    def list_event_source_mappings():
        page, marker = service.list(
            request.args.get("FunctionName"),
            request.args.get("EventSourceArn"),
            request.args.get("Marker"),
            int_arg("MaxItems"),
        )
        result: dict = {"EventSourceMappings": [configuration(m) for m in page]}
        if marker:
            result["NextMarker"] = marker
        return answer(result)

    @views.get(MAPPINGS + "/<uuid>")
    def get_event_source_mapping(uuid: str):
        return answer(configuration(service.get(uuid)))

    @views.put(MAPPINGS + "/<uuid>")
    def update_event_source_mapping(uuid: str):
        return answer(configuration(service.update(uuid, body())), 202)

    @views.delete(MAPPINGS + "/<uuid>")
    def delete_event_source_mapping(uuid: str):
        return answer(configuration(service.delete(uuid)), 202)

    return views
