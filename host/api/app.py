"""The management API (functions and layers) as a thin Flask application.

Each view reads its parameters, calls a service and renders the result in AWS's
shape; every failure is a ``LambdaApiError`` rendered by one error handler. Invoke is
not here: it is the hot path and runs on the event loop (``host.api.invoke``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, g, request, send_file

from host.api import shapes
from host.api.errors import render
from host.core.errors import (
    InvalidRequestContent,
    LambdaApiError,
    ResourceNotFound,
    ServiceError,
    ValidationError,
    validation_message,
)
from host.core.model import CodeRef, FunctionConfig, LayerVersion
from host.core.validation import problem
from host.service.functions import FunctionService
from host.service.layers import LayerService
from host.store.packages import PackageStore

FUNCTIONS = "/2015-03-31/functions"
LAYERS = "/2018-10-31/layers"


@dataclass(frozen=True)
class Services:
    functions: FunctionService
    layers: LayerService
    packages: PackageStore
    region: str


def _json(value, status: int = 200) -> Response:
    return Response(
        json.dumps(value), status=status, mimetype="application/json", headers={"X-Amzn-RequestId": g.request_id}
    )


def _body() -> dict:
    data = request.get_data()
    if not data:
        return {}
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise InvalidRequestContent(f"Could not parse request body into json: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidRequestContent("Could not parse request body into json: expected an object")
    return value


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def create_app(services: Services) -> Flask:
    app = Flask("lambda_host")
    functions, layers = services.functions, services.layers

    def code_location(code: CodeRef) -> str | None:
        if code.local or services.packages.zip_path(code) is None:
            return None
        return f"http://{request.host}/_lambda-host/code/{Path(code.path).name}.zip"

    def configuration(function: FunctionConfig, qualified: bool = False) -> dict:
        return shapes.function_configuration(function, services.region, qualified=qualified)

    def layer_shape(layer: LayerVersion) -> dict:
        return shapes.layer_version(layer, code_location(layer.code))

    @app.before_request
    def _request_id() -> None:
        g.request_id = str(uuid.uuid4())

    @app.errorhandler(LambdaApiError)
    def _lambda_error(error: LambdaApiError) -> Response:
        status, headers, body = render(error, g.get("request_id", ""))
        return Response(body, status=status, headers=headers)

    @app.errorhandler(404)
    def _unknown(_error) -> Response:
        body = json.dumps({"message": f"No operation at {request.method} {request.path}"})
        return Response(
            body, 404, {"X-Amzn-ErrorType": "UnknownOperationException", "Content-Type": "application/json"}
        )

    @app.errorhandler(405)
    def _not_allowed(_error) -> Response:
        return _unknown(_error)

    @app.errorhandler(Exception)
    def _bug(error: Exception) -> Response:
        app.logger.exception("management API failure")
        status, headers, body = render(ServiceError(f"An internal error occurred: {error}"), g.get("request_id", ""))
        return Response(body, status=status, headers=headers)

    # -- functions --------------------------------------------------------------------------

    @app.post(FUNCTIONS)
    @app.post(FUNCTIONS + "/")
    def create_function():
        return _json(configuration(functions.create(_body())), 201)

    @app.get(FUNCTIONS)
    @app.get(FUNCTIONS + "/")
    def list_functions():
        version = request.args.get("FunctionVersion")
        if version is not None and version != "ALL":
            raise ValidationError(
                validation_message([problem(version, "functionVersion", "Member must satisfy enum value set: [ALL]")])
            )
        page, marker = functions.list(request.args.get("Marker"), _int_arg("MaxItems"))
        # With FunctionVersion=ALL every version is listed, each under its qualified ARN.
        qualified = version == "ALL"
        listing = [shapes.function_configuration(f, services.region, listing=True, qualified=qualified) for f in page]
        result: dict = {"Functions": listing}
        if marker:
            result["NextMarker"] = marker
        return _json(result)

    @app.get(FUNCTIONS + "/<name>")
    def get_function(name: str):
        function, ref = functions.get(name, request.args.get("Qualifier") or None)
        result: dict = {"Configuration": configuration(function, qualified=ref.qualifier is not None)}
        location = code_location(function.code)
        result["Code"] = {"RepositoryType": "S3", "Location": location} if location else {"RepositoryType": "S3"}
        if function.tags:
            result["Tags"] = dict(function.tags)
        return _json(result)

    @app.get(FUNCTIONS + "/<name>/configuration")
    def get_function_configuration(name: str):
        function, ref = functions.get(name, request.args.get("Qualifier") or None)
        return _json(configuration(function, qualified=ref.qualifier is not None))

    @app.put(FUNCTIONS + "/<name>/code")
    def update_function_code(name: str):
        return _json(configuration(functions.update_code(name, _body())))

    @app.put(FUNCTIONS + "/<name>/configuration")
    def update_function_configuration(name: str):
        return _json(configuration(functions.update_configuration(name, _body())))

    @app.delete(FUNCTIONS + "/<name>")
    def delete_function(name: str):
        functions.delete(name, request.args.get("Qualifier") or None)
        return Response(status=204, headers={"X-Amzn-RequestId": g.request_id})

    # -- tags and account settings ------------------------------------------------------------

    @app.get("/2017-03-31/tags/<path:arn>")
    def list_tags(arn: str):
        return _json({"Tags": functions.tags(arn)})

    @app.post("/2017-03-31/tags/<path:arn>")
    def tag_resource(arn: str):
        functions.tag(arn, _body().get("Tags") or {})
        return Response(status=204, headers={"X-Amzn-RequestId": g.request_id})

    @app.delete("/2017-03-31/tags/<path:arn>")
    def untag_resource(arn: str):
        functions.untag(arn, request.args.getlist("tagKeys"))
        return Response(status=204, headers={"X-Amzn-RequestId": g.request_id})

    @app.get("/2016-08-19/account-settings/")
    @app.get("/2016-08-19/account-settings")
    def get_account_settings():
        limits = {
            "TotalCodeSize": 80530636800,
            "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800,
            "ConcurrentExecutions": 1000,
            "UnreservedConcurrentExecutions": 1000,
        }
        return _json({"AccountLimit": limits, "AccountUsage": functions.account_usage()})

    # -- layers -----------------------------------------------------------------------------

    @app.post(LAYERS + "/<name>/versions")
    def publish_layer_version(name: str):
        return _json(layer_shape(layers.publish(name, _body())), 201)

    @app.get(LAYERS + "/<name>/versions")
    def list_layer_versions(name: str):
        page, marker = layers.versions(name, request.args.get("Marker"), _int_arg("MaxItems"))
        result: dict = {"LayerVersions": [shapes.layer_version(v, None, listing=True) for v in page]}
        if marker:
            result["NextMarker"] = marker
        return _json(result)

    @app.get(LAYERS + "/<name>/versions/<version>")
    def get_layer_version(name: str, version: str):
        return _json(layer_shape(layers.get(name, _version(version))))

    @app.delete(LAYERS + "/<name>/versions/<version>")
    def delete_layer_version(name: str, version: str):
        layers.delete(name, _version(version))
        return Response(status=204, headers={"X-Amzn-RequestId": g.request_id})

    @app.get(LAYERS)
    @app.get(LAYERS + "/")
    def list_layers_or_find():
        if request.args.get("find") == "LayerVersion":
            return _json(layer_shape(layers.get_by_arn(request.args.get("Arn", ""))))
        latest = layers.latest_per_layer()
        items = [
            {
                "LayerName": v.name,
                "LayerArn": v.layer_arn,
                "LatestMatchingVersion": shapes.layer_version(v, None, listing=True),
            }
            for v in latest
        ]
        return _json({"Layers": items})

    # -- code downloads (GetFunction's Code.Location) ----------------------------------------

    @app.get("/_lambda-host/code/<digest>.zip")
    def download_code(digest: str):
        path = services.packages.code_dir / f"{digest}.zip"
        if "/" in digest or not path.is_file():
            raise ResourceNotFound("The resource you requested does not exist.")
        return send_file(path, mimetype="application/zip")

    return app


def _version(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidRequestContent(f"Invalid layer version: {text}") from exc
