"""Lambda API errors as AWS sends them: status, ``X-Amzn-ErrorType``, and the body casing boto3 reads."""

from __future__ import annotations

import json
import re

from host.core.errors import LambdaApiError, RequestEntityTooLarge, TooManyRequests

MAX_REQUEST_BYTES = 70167211  # Lambda's limit on a whole API request (a CreateFunction with its zip)

STATUS = {
    "ResourceNotFoundException": 404,
    "ProvisionedConcurrencyConfigNotFoundException": 404,
    "CodeSigningConfigNotFoundException": 404,
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
    elif code == "AccessDeniedException":  # AWS's for another account's ARN: boto3 reads Message None (recorded)
        body = {"Type": "User", "Message": error.message or None}
    else:
        body = {"Type": "Service" if STATUS.get(code, 500) >= 500 else "User"} if error.typed else {}
        body["Message" if code in CAPITAL_MESSAGE else "message"] = error.message
    if isinstance(error, TooManyRequests):
        body["Reason"] = error.reason
    headers = [
        ("Content-Type", "application/json"),
        ("X-Amzn-ErrorType", code),
        ("X-Amzn-RequestId", request_id),
    ]
    return STATUS.get(code, 500), headers, json.dumps(body, separators=(",", ":")).encode()


# The operations whose requests can be that large, as AWS's message names them (recorded for CreateFunction).
_LARGE_OPERATIONS = (
    ("POST", re.compile(r"/2015-03-31/functions/?"), "CreateFunction"),
    ("PUT", re.compile(r"/2015-03-31/functions/[^/]+/code"), "UpdateFunctionCode"),
    ("POST", re.compile(r"/2018-10-31/layers/[^/]+/versions"), "PublishLayerVersion"),
)


def request_too_large(request=None, request_id: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    """413 for a request over Lambda's limit, naming its operation as AWS does when it is known."""
    message = f"Request must be smaller than {MAX_REQUEST_BYTES} bytes"
    for method, path, operation in _LARGE_OPERATIONS:
        if request is not None and request.method == method and path.fullmatch(request.path):
            message += f" for the {operation} operation"
    return render(RequestEntityTooLarge(message), request_id)
