"""CloudWatch's three wire protocols, as botocore's model declares them, over one ``MetricsService``.

1. Smithy RPC v2 CBOR (what botocore's ``cloudwatch`` client picks today):
   ``POST /service/GraniteServiceVersion20100801/operation/<Op>``, ``smithy-protocol: rpc-v2-cbor``,
   CBOR bodies with timestamps as tag 1 (epoch seconds).
2. AWS JSON 1.0: ``X-Amz-Target: GraniteServiceVersion20100801.<Op>``, timestamps as epoch numbers
   (what the console's JavaScript and older SDKs use).
3. The query protocol: a form POST with ``Action=<Op>&Version=2010-08-01``, answered in XML
   (the AWS CLI v1 and older SDKs).

Requests are normalised through the operation's input shape (numbers, booleans, timestamps as
epoch seconds), so the service sees one form whatever the protocol. Errors carry AWS's
``x-amzn-query-error`` header (the model is ``awsQueryCompatible``), so every client sees the
query codes (``InvalidParameterValue``...).
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable
from functools import cache
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import cbor2
from botocore.model import Shape
from botocore.session import get_session

from host.observability.metrics.errors import MetricsError, MissingParameter, UnknownOperation, ValidationError
from host.observability.metrics.service import MetricsService

log = logging.getLogger("lambda_host.metrics")
TARGET_PREFIX = "GraniteServiceVersion20100801."
CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/"
OPERATIONS = ("GetMetricData", "GetMetricStatistics", "ListMetrics", "PutMetricData")

Answer = tuple[int, list[tuple[str, str]], bytes]


@cache
def _model():
    return get_session().get_service_model("cloudwatch")


class MetricsApi:
    def __init__(self, service: MetricsService) -> None:
        self.calls: dict[str, Callable[[dict], dict]] = {
            "GetMetricData": service.get_metric_data,
            "GetMetricStatistics": service.get_metric_statistics,
            "ListMetrics": service.list_metrics,
            "PutMetricData": service.put_metric_data,
        }

    def _call(self, operation: str, raw: dict) -> dict:
        call = self.calls.get(operation)
        if call is None:
            raise UnknownOperation(f"lambda-host's CloudWatch serves {', '.join(OPERATIONS)}, not {operation}.")
        shape = _model().operation_model(operation).input_shape
        params = _normalise(shape, raw, shape.name) if shape is not None else {}
        try:
            return call(params)
        except MetricsError:
            raise
        except Exception as exc:  # a bug here: the caller gets CloudWatch's internal error, not a dropped line
            log.exception("%s failed", operation)
            raise MetricsError("An internal error occurred.") from exc

    def _output(self, operation: str) -> Shape | None:
        return _model().operation_model(operation).output_shape

    # -- AWS JSON 1.0 -----------------------------------------------------------------------

    def json(self, operation: str, body: bytes) -> Answer:
        request_id = str(uuid.uuid4())
        try:
            raw = json.loads(body) if body.strip() else {}
            if not isinstance(raw, dict):
                raise ValueError("not an object")
        except ValueError:
            return _json_error(MissingParameter("The request body is not a JSON object."), request_id)
        try:
            result = self._call(operation, raw)
        except MetricsError as error:
            return _json_error(error, request_id)
        shape = self._output(operation)
        out = _serialise(shape, result, lambda at: at) if shape is not None else {}
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id)]
        return 200, headers, json.dumps(out).encode()

    # -- Smithy RPC v2 CBOR -------------------------------------------------------------------

    def cbor(self, operation: str, body: bytes) -> Answer:
        request_id = str(uuid.uuid4())
        try:
            raw = cbor2.loads(body) if body else {}
            if not isinstance(raw, dict):
                raise ValueError("not a map")
        except (ValueError, cbor2.CBORDecodeError):
            return _cbor_error(MissingParameter("The request body is not a CBOR map."), request_id)
        try:
            result = self._call(operation, raw)
        except MetricsError as error:
            return _cbor_error(error, request_id)
        shape = self._output(operation)
        out = _serialise(shape, result, lambda at: cbor2.CBORTag(1, at)) if shape is not None else {}
        return 200, _cbor_headers(request_id), cbor2.dumps(out)

    # -- query (form in, XML out) ---------------------------------------------------------------

    def query(self, body: bytes, query_string: str = "") -> Answer:
        request_id = str(uuid.uuid4())
        form = dict(parse_qsl(query_string)) | dict(parse_qsl(body.decode("utf-8", "replace")))
        operation = form.pop("Action", "")
        form.pop("Version", None)
        try:
            if operation not in self.calls:
                raise UnknownOperation(f"lambda-host's CloudWatch serves {', '.join(OPERATIONS)}, not {operation}.")
            shape = _model().operation_model(operation).input_shape
            result = self._call(operation, _unflatten(shape, form, ""))
        except MetricsError as error:
            return _xml_error(error, request_id)
        shape = self._output(operation)
        inner = _xml(shape, result) if shape is not None else ""
        body_xml = (
            f'<{operation}Response xmlns="{XML_NAMESPACE}"><{operation}Result>{inner}</{operation}Result>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>"
        )
        return 200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body_xml.encode()


# -- shapes ------------------------------------------------------------------------------------


def _epoch(value) -> float:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"The value {text} is not a valid timestamp.") from None
    return parsed.replace(tzinfo=parsed.tzinfo or datetime.UTC).timestamp()


def _normalise(shape: Shape, value, where: str):
    """A request value in the service's terms: numbers as numbers, timestamps as epoch seconds;
    a value of the wrong type is refused (``where`` names it)."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            raise ValidationError(f"{where} must be a structure.")
        return {k: _normalise(shape.members[k], v, k) for k, v in value.items() if k in shape.members}
    if kind == "list":
        if not isinstance(value, list):
            raise ValidationError(f"{where} must be a list.")
        return [_normalise(shape.member, v, where) for v in value]
    if kind == "timestamp":
        return _epoch(value)
    if kind == "string":
        if not isinstance(value, str):
            raise ValidationError(f"{where} must be a string.")
        return value
    if kind == "boolean":
        return value.lower() == "true" if isinstance(value, str) else bool(value)
    if kind in ("integer", "long", "double", "float"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{where} must be a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(f"{where} must be a finite number.")
        return int(number) if kind in ("integer", "long") else number
    return value


def _serialise(shape: Shape, value, timestamp: Callable[[float], object]):
    kind = shape.type_name
    if kind == "structure":
        return {
            k: _serialise(shape.members[k], v, timestamp)
            for k, v in value.items()
            if k in shape.members and v is not None
        }
    if kind == "list":
        return [_serialise(shape.member, v, timestamp) for v in value]
    if kind == "map":
        return {k: _serialise(shape.value, v, timestamp) for k, v in value.items()}
    if kind == "timestamp":
        return timestamp(value)
    return value


def _unflatten(shape: Shape, form: dict[str, str], prefix: str):
    """The query protocol's flattened form (``A.member.1.B=x``) as the nested value ``shape`` describes."""
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            key = f"{prefix}{name}"
            if member.type_name in ("structure", "list", "map"):
                if any(k == key or k.startswith(key + ".") for k in form):
                    out[name] = _unflatten(member, form, key + ".")
            elif key in form:
                out[name] = form[key]
        return out
    if kind == "list":
        items, i = [], 1
        base = prefix + "member."
        while any(k == f"{base}{i}" or k.startswith(f"{base}{i}.") for k in form):
            member = shape.member
            if member.type_name in ("structure", "list", "map"):
                items.append(_unflatten(member, form, f"{base}{i}."))
            else:
                items.append(form[f"{base}{i}"])
            i += 1
        return items
    return None


def _xml(shape: Shape, value) -> str:
    kind = shape.type_name
    if kind == "structure":
        return "".join(
            f"<{name}>{_xml(shape.members[name], v)}</{name}>"
            for name, v in value.items()
            if name in shape.members and v is not None
        )
    if kind == "list":
        return "".join(f"<member>{_xml(shape.member, v)}</member>" for v in value)
    if kind == "map":
        return "".join(
            f"<entry><key>{escape(k)}</key><value>{_xml(shape.value, v)}</value></entry>" for k, v in value.items()
        )
    if kind == "timestamp":
        return datetime.datetime.fromtimestamp(value, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


# -- errors ------------------------------------------------------------------------------------


def _query_error(error: MetricsError) -> tuple[str, str]:
    return ("x-amzn-query-error", f"{error.code};{error.fault}")


def _json_error(error: MetricsError, request_id: str) -> Answer:
    body = {"__type": f"com.amazonaws.cloudwatch#{error.shape}", "message": error.message}
    headers = [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("x-amzn-RequestId", request_id),
        _query_error(error),
    ]
    return error.status, headers, json.dumps(body).encode()


def _cbor_headers(request_id: str) -> list[tuple[str, str]]:
    return [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id)]


def _cbor_error(error: MetricsError, request_id: str) -> Answer:
    body = {"__type": f"com.amazonaws.cloudwatch#{error.shape}", "message": error.message}
    return error.status, [*_cbor_headers(request_id), _query_error(error)], cbor2.dumps(body)


def _xml_error(error: MetricsError, request_id: str) -> Answer:
    body = (
        f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>{error.fault}</Type><Code>{error.code}</Code>'
        f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return error.status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
