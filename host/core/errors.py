"""Errors of the Lambda API, named as AWS names them.

Raised anywhere below the HTTP layer; ``host/api/errors.py`` renders them with AWS's
status codes, headers and body casing. Messages are AWS's exact wording.
"""

from __future__ import annotations


class LambdaApiError(Exception):
    code = "ServiceException"

    def __init__(self, message: str, *, typed: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.typed = typed  # False: AWS's body has no "Type" (its account-limit messages, recorded)


class ResourceNotFound(LambdaApiError):
    code = "ResourceNotFoundException"


class ResourceConflict(LambdaApiError):
    code = "ResourceConflictException"


class InvalidParameterValue(LambdaApiError):
    code = "InvalidParameterValueException"


class ValidationError(LambdaApiError):
    code = "ValidationException"


class InvalidRequestContent(LambdaApiError):
    code = "InvalidRequestContentException"


class RequestEntityTooLarge(LambdaApiError):
    code = "RequestEntityTooLargeException"


class PreconditionFailed(LambdaApiError):
    code = "PreconditionFailedException"


class UnsupportedMediaType(LambdaApiError):
    code = "UnsupportedMediaTypeException"


class TooManyRequests(LambdaApiError):
    code = "TooManyRequestsException"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ServiceError(LambdaApiError):
    code = "ServiceException"


def function_not_found(arn: str) -> ResourceNotFound:
    return ResourceNotFound(f"Function not found: {arn}")


def validation_message(problems: list[str]) -> str:
    """AWS's summary line over one or more ``Value '...' at '...' failed ...`` problems."""
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(problems)
