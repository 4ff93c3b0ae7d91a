"""Other AWS services as Tasks, sent to the host's AWS endpoint through boto3.

1. Optimized integrations (``arn:aws:states:::sqs:sendMessage``, ``sns:publish``,
   ``dynamodb:getItem|putItem|updateItem|deleteItem``, ``events:putEvents``, ``s3:...``):
   a JSON body member that is not a string is sent as JSON text; the output is the
   service's answer plus ``SdkHttpMetadata``/``SdkResponseMetadata`` (EventBridge: none);
   a failure is ``<Service>.<Code>Exception`` when the service models that error, else
   ``<Service>.Amazon<Service>Exception``, with the Java SDK v1's cause wording.
2. ``arn:aws:states:::aws-sdk:<service>:<action>``: any action of any service boto3 knows,
   parameters as the API names them; the output is the answer as is; a failure is
   ``<Service>.<Code>Exception`` (``<Service>.<Service>Exception`` for unmodelled codes),
   with the Java SDK v2's cause wording.
3. ``.waitForTaskToken`` on any of them: the answer is the ``TaskSubmitted`` output and
   the task waits for ``SendTask*``.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import re
from concurrent.futures import Future
from email.utils import formatdate
from typing import Any

import botocore.exceptions
from botocore import xform_name

from host.stepfunctions.core.history import text
from host.stepfunctions.integrations.aws_clients import AwsClients
from host.stepfunctions.integrations.base import Reply, TaskCall

# service -> (boto3 name, error prefix, SDK v1 service name)
OPTIMISED = {
    "sqs": ("sqs", "SQS", "AmazonSQS"),
    "sns": ("sns", "SNS", "AmazonSNS"),
    "dynamodb": ("dynamodb", "DynamoDB", "AmazonDynamoDBv2"),
    "events": ("events", "EventBridge", "AmazonEventBridge"),
    "s3": ("s3", "S3", "Amazon S3"),
}
JSON_TEXT_MEMBERS = {("sqs", "sendMessage"): "MessageBody", ("sns", "publish"): "Message"}
SDK_SERVICE_ALIASES = {"sfn": "stepfunctions", "cloudwatchlogs": "logs", "eventbridge": "events"}


class AwsServices:
    def __init__(self, loop: asyncio.AbstractEventLoop, clients: AwsClients, region: str, account: str) -> None:
        self.loop = loop
        self.clients = clients
        self.region = region

    def start(self, call: TaskCall, reply: Reply) -> None:
        target = call.target
        parameters = dict(call.parameters) if isinstance(call.parameters, dict) else {}
        if target.service == "aws-sdk":
            service = SDK_SERVICE_ALIASES.get(target.sdk_service, target.sdk_service)
        elif target.service in OPTIMISED:
            service = OPTIMISED[target.service][0]
            parameters = _prepare(target.service, target.action, parameters)
        else:
            reply.started()
            reply.failed("States.Runtime", f"The resource {target.arn} is not supported by lambda-host")
            return
        method = xform_name(target.action[:1].upper() + target.action[1:])
        reply.started()
        future: Future = self.clients.call(service, self.region, method, parameters)
        future.add_done_callback(lambda done: self.loop.call_soon_threadsafe(self._answered, call, reply, done))

    def _answered(self, call: TaskCall, reply: Reply, done: Future) -> None:
        if not reply.current:
            return
        target = call.target
        sdk = target.service == "aws-sdk"
        error = done.exception()
        if error is not None:
            reply.failed(
                *(_sdk_failure(target.sdk_service, error) if sdk else _optimised_failure(target.service, error))
            )
            return
        response = done.result()
        metadata = response.pop("ResponseMetadata", {}) if isinstance(response, dict) else {}
        output = _jsonable(response, epoch_millis=not sdk)
        if not sdk and target.service == "events":
            if output.get("FailedEntryCount"):
                reply.failed("EventBridge.FailedEntry", text(output))
                return
        elif not sdk:
            output["SdkHttpMetadata"] = _http_metadata(metadata)
            output["SdkResponseMetadata"] = {"RequestId": metadata.get("RequestId", "")}
        if target.pattern == "waitForTaskToken":
            reply.submitted(output)
            return
        reply.succeeded(output)


def _prepare(service: str, action: str, parameters: dict) -> dict:
    member = JSON_TEXT_MEMBERS.get((service, action))
    if member is not None and member in parameters and not isinstance(parameters[member], str):
        parameters[member] = text(parameters[member])
    if service == "events" and action == "putEvents":
        entries = []
        for entry in parameters.get("Entries") or []:
            entry = dict(entry)
            if "Detail" in entry and not isinstance(entry["Detail"], str):
                entry["Detail"] = text(entry["Detail"])
            entries.append(entry)
        parameters["Entries"] = entries
    return parameters


def _jsonable(value: Any, epoch_millis: bool) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v, epoch_millis) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, epoch_millis) for v in value]
    if isinstance(value, datetime.datetime):
        if epoch_millis:
            return int(value.timestamp() * 1000)
        moment = value.astimezone(datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if hasattr(value, "read"):  # a streaming body (S3 GetObject): its text
        data = value.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(data).decode()
    return value


_CANONICAL = {
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "date": "Date",
    "x-amzn-requestid": "x-amzn-RequestId",
    "connection": "connection",
    "server": "Server",
}


def _http_metadata(metadata: dict) -> dict:
    headers = [(_CANONICAL.get(name, name), value) for name, value in (metadata.get("HTTPHeaders") or {}).items()]
    if not any(name == "Date" for name, _ in headers):
        headers.append(("Date", formatdate(usegmt=True)))
    return {
        "AllHttpHeaders": {name: [value] for name, value in headers},
        "HttpHeaders": dict(sorted(headers, key=lambda item: item[0].lower())),
        "HttpStatusCode": metadata.get("HTTPStatusCode", 200),
    }


def _client_error(error: BaseException) -> tuple[str, str, int, str] | None:
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        meta = error.response.get("ResponseMetadata", {})
        return (
            info.get("Code", "Unknown"),
            info.get("Message", str(error)),
            meta.get("HTTPStatusCode", 400),
            meta.get("RequestId", ""),
        )
    return None


def _modelled(service: str, code: str) -> bool:
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:
        return False
    for shape in model.error_shapes:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return True
    return False


def _optimised_failure(service: str, error: BaseException) -> tuple[str, str]:
    boto_name, prefix, sdk_name = OPTIMISED[service]
    details = _client_error(error)
    if details is None:
        return f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {error}"
    code, message, status, request_id = details
    if _modelled(boto_name, code):
        name = f"{prefix}.{code if code.endswith('Exception') else code + 'Exception'}"
    else:
        name = f"{prefix}.{sdk_name.replace('v2', '').replace(' ', '')}Exception"
    cause = (
        f"{message} (Service: {sdk_name}; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; "
        "Proxy: null)"
    )
    return name, cause


def sdk_v2_name(service: str) -> str:
    """The AWS SDK for Java v2's name of a service (``DynamoDb``, ``SecretsManager``, ``Sfn``)."""
    import botocore.session

    boto_name = SDK_SERVICE_ALIASES.get(service, service)
    try:
        service_id = botocore.session.get_session().get_service_model(boto_name).service_id
    except Exception:
        service_id = service
    words = []
    for word in str(service_id).split():
        if word.isupper() and len(word) > 1 and not any(c.isdigit() for c in word):
            word = word.capitalize()
        else:
            word = re.sub(r"([A-Z])([A-Z]+)$", lambda m: m.group(1) + m.group(2).lower(), word)
        words.append(word)
    return "".join(words)


def _sdk_failure(service: str, error: BaseException) -> tuple[str, str]:
    name = sdk_v2_name(service)
    details = _client_error(error)
    if details is None:
        return f"{name}.SdkClientException", f"Unable to execute HTTP request: {error}"
    code, message, status, request_id = details
    boto_name = SDK_SERVICE_ALIASES.get(service, service)
    if _modelled(boto_name, code):
        error_name = f"{name}.{code if code.endswith('Exception') else code + 'Exception'}"
    else:
        error_name = f"{name}.{name}Exception"
    cause = f"{message} (Service: {name}, Status Code: {status}, Request ID: {request_id})"
    return error_name, cause


def service_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
