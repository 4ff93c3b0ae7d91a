"""Lambda API errors as AWS sends them: status, ``X-Amzn-ErrorType``, and the body casing boto3 reads."""

from __future__ import annotations

import json

from host.core.errors import LambdaApiError, RequestEntityTooLarge, TooManyRequests

MAX_REQUEST_BYTES = 70167211  # Lambda's limit on a whole API request (a CreateFunction with its zip)

STATUS = {
    "ResourceNotFoundException": 404,
    "ProvisionedConcurrencyConfigNotFoundException": 404,
    "ResourceConflictException": 409,
    "InvalidParameterValueException": 400,
    "ValidationException": 400,
    "InvalidRequestContentException": 400,
    "RequestEntityTooLargeException": 413,
    "PreconditionFailedException": 412,
    "UnsupportedMediaTypeException": 415,
    "TooManyRequestsException": 429,
    "AccessDeniedException": 403,
    "ServiceException": 500,
}
# Shapes whose message member is spelled with a capital M in Lambda's model.
CAPITAL_MESSAGE = frozenset({"ResourceNotFoundException", "ServiceException", "InvalidZipFileException"})


def render(error: LambdaApiError, request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    code = error.code
    if code == "ValidationException":
        body: dict = {"message": error.message}
    elif code == "AccessDeniedException":
        body = {"Type": "User"}
    else:
        body = {"Type": "Service" if STATUS.get(code, 500) >= 500 else "User"}
        body["Message" if code in CAPITAL_MESSAGE else "message"] = error.message
    if isinstance(error, TooManyRequests):
        body["Reason"] = error.reason
    headers = [
        ("Content-Type", "application/json"),
        ("X-Amzn-ErrorType", code),
        ("X-Amzn-RequestId", request_id),
    ]
    return STATUS.get(code, 500), headers, json.dumps(body, separators=(",", ":")).encode()


def request_too_large(request_id: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    return render(RequestEntityTooLarge(f"Request must be smaller than {MAX_REQUEST_BYTES} bytes"), request_id)
