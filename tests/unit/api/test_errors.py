"""Lambda API errors rendered as AWS sends them: status, error-type header, body casing."""

import json

import pytest

from host.api.errors import render
from host.core.errors import (
    InvalidParameterValue,
    RequestEntityTooLarge,
    ResourceConflict,
    ResourceNotFound,
    ServiceError,
    TooManyRequests,
    ValidationError,
)
from host.core.names import AccessDenied


def rendered(error):
    status, headers, body = render(error, "req-1")
    return status, dict(headers), json.loads(body)


def test_resource_not_found_spells_message_with_a_capital_m():
    status, headers, body = rendered(ResourceNotFound("Function not found: arn"))
    assert status == 404
    assert body == {"Type": "User", "Message": "Function not found: arn"}
    assert headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"


def test_invalid_parameter_value_spells_message_in_lower_case():
    status, headers, body = rendered(InvalidParameterValue("bad value"))
    assert status == 400
    assert body == {"Type": "User", "message": "bad value"}
    assert headers["X-Amzn-ErrorType"] == "InvalidParameterValueException"


def test_a_validation_error_has_no_type():
    status, _, body = rendered(ValidationError("1 validation error detected: ..."))
    assert status == 400
    assert body == {"message": "1 validation error detected: ..."}


def test_too_many_requests_carries_its_reason():
    status, headers, body = rendered(
        TooManyRequests("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded")
    )
    assert status == 429
    assert body == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }
    assert headers["X-Amzn-ErrorType"] == "TooManyRequestsException"


def test_a_service_error_is_the_services_fault():
    status, _, body = rendered(ServiceError("boom"))
    assert status == 500
    assert body == {"Type": "Service", "Message": "boom"}


def test_access_denied_without_a_message_sends_a_null_one():
    status, headers, body = rendered(AccessDenied(""))
    assert status == 403
    assert body == {"Type": "User", "Message": None}
    assert headers["X-Amzn-ErrorType"] == "AccessDeniedException"


@pytest.mark.parametrize(("error", "status"), [(ResourceConflict("x"), 409), (RequestEntityTooLarge("x"), 413)])
def test_each_error_has_its_status(error, status):
    assert rendered(error)[0] == status


def test_every_error_is_json_and_carries_the_request_id():
    _, headers, _ = rendered(ResourceConflict("busy"))
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Amzn-RequestId"] == "req-1"


def test_the_body_is_compact_json():
    assert render(InvalidParameterValue("x"), "r")[2] == b'{"Type":"User","message":"x"}'
