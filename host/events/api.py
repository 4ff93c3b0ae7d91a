"""Saved test events and event templates over HTTP, for the console and for scripts.

The paths and shapes (the console calls them):

1. ``GET /_lambda-host/functions/<name>/test-events``: ``{"TestEvents": [{"Name", "Event", "LastModified"}]}``.
2. ``GET|PUT|DELETE /_lambda-host/functions/<name>/test-events/<event>``: one event; PUT's body is the
   event itself (any JSON), answered 201 when new and 200 when replaced; DELETE answers 204.
3. ``GET /_lambda-host/events/templates``: ``{"Templates": [{"Service", "Event", "Description"}]}``.
4. ``GET /_lambda-host/events/templates/<service>/<event>``: the generated event; query parameters
   fill its fields (``?bucket=b&key=a.txt``), the host's region and account are the defaults.

Errors are Lambda's: an unknown function is a 404 ``ResourceNotFoundException`` naming its ARN, a
body that is not JSON a 400 ``InvalidRequestContentException``, a bad event name a 400
``ValidationException``. These paths change state on the host, so the door functions' containers
use refuses their PUT and DELETE (``host.api.front``: containers may only read and invoke).
"""

from __future__ import annotations

import json

from flask import Blueprint, request

from host.api.common import answer, no_content, services
from host.core.errors import InvalidRequestContent, RequestEntityTooLarge, ResourceNotFound, ValidationError
from host.events.registry import UnknownTemplate, generate, templates
from host.events.saved import InvalidEventName, TestEventStore

PREFIX = "/_lambda-host"
MAX_EVENT_BYTES = 6 * 1024 * 1024  # a synchronous invocation's payload limit: a bigger event could never be sent


def blueprint(store: TestEventStore) -> Blueprint:
    views = Blueprint("test_events", __name__)

    def function_name(value: str) -> str:
        function, _ = services().functions.get(value)  # AWS's 404 naming the function's ARN
        return function.name

    @views.get(PREFIX + "/functions/<name>/test-events")
    def list_test_events(name: str):
        return answer({"TestEvents": [saved.shape() for saved in store.list(function_name(name))]})

    @views.get(PREFIX + "/functions/<name>/test-events/<event>")
    def get_test_event(name: str, event: str):
        function = function_name(name)
        saved = _checked(lambda: store.get(function, event))
        if saved is None:
            raise ResourceNotFound(f"Test event {event} not found for function {function}")
        return answer(saved.shape())

    @views.put(PREFIX + "/functions/<name>/test-events/<event>")
    def put_test_event(name: str, event: str):
        function = function_name(name)
        data = request.get_data()
        if len(data) > MAX_EVENT_BYTES:
            raise RequestEntityTooLarge(f"Test event must be smaller than {MAX_EVENT_BYTES} bytes")
        try:
            value = json.loads(data)
        except ValueError as exc:
            raise InvalidRequestContent(f"Could not parse request body into json: {exc}") from exc
        saved, created = _checked(lambda: store.put(function, event, value))
        return answer(saved.shape(), 201 if created else 200)

    @views.delete(PREFIX + "/functions/<name>/test-events/<event>")
    def delete_test_event(name: str, event: str):
        function = function_name(name)
        if not _checked(lambda: store.delete(function, event)):
            raise ResourceNotFound(f"Test event {event} not found for function {function}")
        return no_content()

    @views.get(PREFIX + "/events/templates")
    def list_templates():
        listing = [{"Service": t.service, "Event": t.event, "Description": t.description} for t in templates()]
        return answer({"Templates": listing})

    @views.get(PREFIX + "/events/templates/<service>/<event>")
    def generate_template(service: str, event: str):
        host = services()
        try:
            generated = generate(
                service, event, dict(request.args), region=host.region, account_id=host.functions.account
            )
        except UnknownTemplate as error:
            raise ResourceNotFound(f"No event template {service}/{event}: {error}") from error
        except (KeyError, ValueError, TypeError) as error:
            message = error.args[0] if isinstance(error, KeyError) else str(error)
            raise ValidationError(f"Cannot fill event template {service}/{event}: {message}") from error
        return answer(generated)

    return views


def _checked(action):
    try:
        return action()
    except InvalidEventName as error:
        raise ValidationError(str(error)) from error
