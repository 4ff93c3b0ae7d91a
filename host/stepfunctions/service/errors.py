"""Errors of the Step Functions API, named as AWS names them (all answered with status 400)."""

from __future__ import annotations


class SfnError(Exception):
    code = "InternalFailure"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(code: str, status: int = 400) -> type[SfnError]:
    return type(code, (SfnError,), {"code": code, "status": status})


ValidationException = _error("ValidationException")
InvalidArn = _error("InvalidArn")
InvalidName = _error("InvalidName")
InvalidDefinition = _error("InvalidDefinition")
InvalidExecutionInput = _error("InvalidExecutionInput")
InvalidOutput = _error("InvalidOutput")
InvalidToken = _error("InvalidToken")
InvalidLoggingConfiguration = _error("InvalidLoggingConfiguration")
StateMachineDoesNotExist = _error("StateMachineDoesNotExist")
StateMachineAlreadyExists = _error("StateMachineAlreadyExists")
StateMachineDeleting = _error("StateMachineDeleting")
StateMachineTypeNotSupported = _error("StateMachineTypeNotSupported")
ExecutionDoesNotExist = _error("ExecutionDoesNotExist")
ExecutionAlreadyExists = _error("ExecutionAlreadyExists")
ExecutionNotRedrivable = _error("ExecutionNotRedrivable")
ActivityDoesNotExist = _error("ActivityDoesNotExist")
ActivityAlreadyExists = _error("ActivityAlreadyExists")
TaskDoesNotExist = _error("TaskDoesNotExist")
TaskTimedOut = _error("TaskTimedOut")
ResourceNotFound = _error("ResourceNotFound")
ConflictException = _error("ConflictException")
ServiceQuotaExceededException = _error("ServiceQuotaExceededException")
TooManyTags = _error("TooManyTags")
MissingRequiredParameter = _error("MissingRequiredParameter")
UnknownOperation = _error("UnknownOperationException")
InternalFailure = _error("InternalFailure", 500)
