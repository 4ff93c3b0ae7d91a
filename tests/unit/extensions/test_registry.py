import json

import pytest

from host.extensions.registry import MAX_EXTENSIONS, ExtensionError, Registry


def _registry() -> Registry:
    return Registry("fn", "$LATEST", "app.handler")


def _events(*names: str) -> bytes:
    return json.dumps({"events": list(names)}).encode()


def test_register_returns_an_identifier_and_the_function_description():
    ext, answer = _registry().register("ext.sh", _events("INVOKE", "SHUTDOWN"))
    assert len(ext.identifier) == 36
    assert answer == {"functionName": "fn", "functionVersion": "$LATEST", "handler": "app.handler"}


@pytest.mark.parametrize(
    ("name", "body", "error_type"),
    [
        ("", _events("INVOKE"), "Extension.InvalidExtensionName"),
        ("x", b"not json", "InvalidRequestFormat"),
        ("x", _events("RESTART"), "Extension.InvalidEventType"),
    ],
)
def test_bad_registrations_are_refused_with_aws_error_types(name, body, error_type):
    with pytest.raises(ExtensionError) as caught:
        _registry().register(name, body)
    assert (caught.value.status, caught.value.error_type) == (403, error_type)


def test_a_name_registers_once_and_registration_closes_with_runtime_init():
    registry = _registry()
    registry.register("x", _events())
    with pytest.raises(ExtensionError, match="already registered"):
        registry.register("x", _events())
    registry.close_registration()
    with pytest.raises(ExtensionError) as caught:
        registry.register("y", _events())
    assert caught.value.error_type == "Extension.RegistrationServiceOff"


def test_no_more_than_ten_extensions_register():
    registry = _registry()
    for i in range(MAX_EXTENSIONS):
        registry.register(f"e{i}", _events())
    with pytest.raises(ExtensionError, match="too many"):
        registry.register("extra", _events())


def test_next_without_or_with_an_unknown_identifier_is_forbidden():
    registry = _registry()
    for identifier, error_type in [
        (None, "Extension.MissingExtensionIdentifier"),
        ("nope", "Extension.InvalidExtensionIdentifier"),
    ]:
        with pytest.raises(ExtensionError) as caught:
            registry.next_requested(identifier, lambda event, eid: True)
        assert (caught.value.status, caught.value.error_type) == (403, error_type)


def test_init_completes_only_when_every_extension_waits_in_next():
    registry = _registry()
    a, _ = registry.register("a", _events("INVOKE"))
    b, _ = registry.register("b", _events("SHUTDOWN"))
    registry.next_requested(a.identifier, lambda event, eid: True)
    assert not registry.all_waiting()
    registry.next_requested(b.identifier, lambda event, eid: True)
    assert registry.all_waiting()


def test_invoke_goes_to_invoke_subscribers_and_completes_when_they_call_next_again():
    registry = _registry()
    a, _ = registry.register("a", _events("INVOKE"))
    b, _ = registry.register("b", _events("SHUTDOWN"))
    got = []
    registry.next_requested(a.identifier, lambda event, eid: got.append(event) or True)
    registry.next_requested(b.identifier, lambda event, eid: pytest.fail("b is not subscribed to INVOKE"))
    assert registry.invoke("req-1", "arn:aws:lambda:us-east-1:1:function:fn", 123, "Root=1-a") == 1
    assert got == [
        {
            "eventType": "INVOKE",
            "deadlineMs": 123,
            "requestId": "req-1",
            "invokedFunctionArn": "arn:aws:lambda:us-east-1:1:function:fn",
            "tracing": {"type": "X-Amzn-Trace-Id", "value": "Root=1-a"},
        }
    ]
    assert not registry.all_waiting()
    registry.next_requested(a.identifier, lambda event, eid: True)
    assert registry.all_waiting()


def test_an_event_for_an_extension_not_yet_waiting_is_queued_until_it_asks():
    registry = _registry()
    a, _ = registry.register("a", _events("SHUTDOWN"))
    assert registry.shutdown("spindown", 999) == 1
    got = []
    registry.next_requested(a.identifier, lambda event, eid: got.append(event) or True)
    assert got == [{"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": 999}]


def test_init_error_is_recorded_and_needs_an_error_type():
    registry = _registry()
    a, _ = registry.register("a", _events())
    with pytest.raises(ExtensionError) as caught:
        registry.error_posted(a.identifier, None, b"{}", "init")
    assert caught.value.status == 400
    registry.error_posted(a.identifier, "Extension.ConfigInvalid", b"{}", "init")
    assert registry.init_failure.error_type == "Extension.ConfigInvalid"
