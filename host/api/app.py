"""The management API as a thin Flask application, one blueprint per resource.

Each view reads its parameters, calls a service and renders the result in AWS's
shape; every failure is a ``LambdaApiError`` rendered by one error handler. Invoke is
not here: it is the hot path and runs on the event loop (``host.api.invoke``).
"""

from __future__ import annotations

import dataclasses
import json
import uuid

from flask import Flask, Response, g, request

from host.api.common import Services
from host.api.errors import render
from host.api.routes import (
    code_signing,
    event_configs,
    functions,
    layers,
    permissions,
    provisioned,
    urls,
    versions,
)
from host.core.errors import LambdaApiError, ServiceError
from host.service.permissions import PermissionService
from host.service.tags import TagService

__all__ = ["Services", "create_app"]


def create_app(services: Services) -> Flask:
    if services.permissions is None:  # policies need nothing but the functions' store
        services = dataclasses.replace(services, permissions=PermissionService(services.functions))
    if services.tags is None:
        services = dataclasses.replace(services, tags=TagService(services.functions))
    app = Flask("lambda_host")
    app.config["services"] = services
    for module in (functions, versions, layers, urls, event_configs, permissions, provisioned, code_signing):
        app.register_blueprint(module.blueprint)
    for room in services.rooms:
        app.register_blueprint(room)

    @app.before_request
    def _request_id() -> None:
        g.request_id = str(uuid.uuid4())

    @app.errorhandler(LambdaApiError)
    def _lambda_error(error: LambdaApiError) -> Response:
        status, headers, body = render(error, g.get("request_id", ""))
        return Response(body, status=status, headers=headers)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _unknown(_error) -> Response:
        body = json.dumps({"message": f"No operation at {request.method} {request.path}"})
        headers = {"X-Amzn-ErrorType": "UnknownOperationException", "Content-Type": "application/json"}
        return Response(body, 404, headers)

    @app.errorhandler(Exception)
    def _bug(error: Exception) -> Response:
        app.logger.exception("management API failure")
        status, headers, body = render(ServiceError(f"An internal error occurred: {error}"), g.get("request_id", ""))
        return Response(body, status=status, headers=headers)

    return app
