"""CloudWatch's errors, with the codes its query protocol used (kept by every protocol: awsQueryCompatible)."""

from __future__ import annotations


class MetricsError(Exception):
    code = "InternalServiceError"
    shape = "InternalServiceFault"  # the error's shape name in the service model
    status = 500
    fault = "Receiver"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameterValue(MetricsError):
    code, shape, status, fault = "InvalidParameterValue", "InvalidParameterValueException", 400, "Sender"


class InvalidParameterCombination(MetricsError):
    code, shape, status, fault = "InvalidParameterCombination", "InvalidParameterCombinationException", 400, "Sender"


class MissingParameter(MetricsError):
    code, shape, status, fault = "MissingParameter", "MissingRequiredParameterException", 400, "Sender"


class InvalidNextToken(MetricsError):
    code, shape, status, fault = "InvalidNextToken", "InvalidNextToken", 400, "Sender"


class ValidationError(MetricsError):
    code, shape, status, fault = "ValidationError", "ValidationException", 400, "Sender"


class UnknownOperation(MetricsError):
    code, shape, status, fault = "UnknownOperationException", "UnknownOperationException", 400, "Sender"
