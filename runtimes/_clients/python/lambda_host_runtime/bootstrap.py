"""The runtime loop: import the handler, then take invocations one at a time.

1. The handler's module is imported before the first ``/next``; a failure is logged,
   posted to ``/runtime/init/error`` and the process exits with status 1, as AWS's
   client does.
2. For each invocation: build the context, decode the event, call the handler, encode
   the result and post it to ``/response``, or post the error body to ``/error``.

Frames from this file are trimmed from user stack traces (see ``faults.user_frames``).
"""

import importlib
import json
import logging
import os
import sys

from lambda_host_runtime import logs
from lambda_host_runtime.api import RuntimeApiClient
from lambda_host_runtime.context import LambdaContext
from lambda_host_runtime.faults import (
    BUILT_IN_MODULE_CONFLICT,
    HANDLER_NOT_FOUND,
    IMPORT_MODULE_ERROR,
    LAMBDA_CONTEXT_UNMARSHAL_ERROR,
    MALFORMED_HANDLER_NAME,
    USER_CODE_SYNTAX_ERROR,
    FaultException,
    error_from_exception,
    error_log_line,
)
from lambda_host_runtime.marshal import marshal_response, to_json, unmarshal_event

INIT_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


def resolve_handler(handler):
    """The callable for ``module.function`` (or ``dir/module.function``), importing it."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise FaultException(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from exc
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultException(BUILT_IN_MODULE_CONFLICT, f"Cannot use built-in module {modname} as a handler module")
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as exc:
        raise FaultException(IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {exc}") from exc
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise FaultException(USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {exc}", trace) from exc
    try:
        return getattr(module, fname)
    except AttributeError as exc:
        raise FaultException(HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}'") from exc


def _json_header(headers, name, what):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise FaultException(LAMBDA_CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {what} JSON: {exc}") from exc


def handle(api, handler, invocation):
    request_id = invocation.request_id
    headers = invocation.headers
    logs.set_request_id(request_id)
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = LambdaContext(
            request_id,
            int(headers.get("lambda-runtime-deadline-ms") or 0),
            headers.get("lambda-runtime-invoked-function-arn"),
            _json_header(headers, "lambda-runtime-client-context", "Client Context"),
            _json_header(headers, "lambda-runtime-cognito-identity", "Cognito Identity"),
            headers.get("lambda-runtime-aws-tenant-id") or None,
        )
        event = unmarshal_event(invocation.body, headers.get("content-type"))
        result = handler(event, context)
        body, content_type = marshal_response(result)
    except Exception as exc:
        error = error_from_exception(exc, request_id)
        sys.stdout.write(logs.error_line(error, error_log_line(error)))
        api.post_error(request_id, to_json(error).encode("utf-8"))
        return
    api.post_response(request_id, body, content_type)


def run(task_root, handler_name, address):
    logs.install()
    api = RuntimeApiClient(address)
    try:
        handler = resolve_handler(handler_name)
    except Exception as exc:
        error = error_from_exception(exc, "")
        logging.warning(INIT_WARNING)
        sys.stdout.write(logs.error_line(error, error_log_line(error)))
        api.post_init_error(to_json(error).encode("utf-8"), error["errorType"])
        sys.exit(1)
    while True:
        handle(api, handler, api.next())
