"""CloudWatch Logs' errors, as JSON 1.1 answers them: ``{"__type": code, "message": ...}``, status 400."""

from __future__ import annotations


class LogsError(Exception):
    code = "ServiceUnavailableException"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ResourceNotFound(LogsError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExists(LogsError):
    code = "ResourceAlreadyExistsException"


class InvalidParameter(LogsError):
    code = "InvalidParameterException"


class UnknownOperation(LogsError):
    code = "UnknownOperationException"


class SerializationError(LogsError):
    code = "SerializationException"


class InternalFailure(LogsError):
    code = "ServiceUnavailableException"
    status = 500


GROUP_NOT_FOUND = "The specified log group does not exist."
STREAM_NOT_FOUND = "The specified log stream does not exist."
GROUP_EXISTS = "The specified log group already exists"
STREAM_EXISTS = "The specified log stream already exists"
