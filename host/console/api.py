"""The console's own read-only JSON endpoints, for what no AWS API tells, and one action.

1. ``GET  .../api/environments``: the warm pool (``PoolSnapshot``), stems included.
2. ``GET  .../api/async``: the async queue's depth and oldest event's age, overall and per
   function, and the deliveries kept as undeliverable (destination records, dead-letter messages).
3. ``POST .../api/async/redrive``: try undeliverable records again now (``{"Id": n}`` for one).
   It takes only ``Content-Type: application/json``, which no other site's page can send here
   without a preflight this host never grants.
4. ``GET  .../api/state-machines/<arn>/graph.svg``: the definition drawn (``host.console.layout``).
5. ``GET  .../api/info``: region, account and how graphs are laid out.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, request

from host.console.ports import ConsolePorts

blueprint = Blueprint("console_api", __name__, url_prefix="/_lambda-host/console/api")
BODY_PREVIEW = 4096  # characters of an undeliverable record's body shown


def _ports() -> ConsolePorts:
    return current_app.config["ports"]


def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value), status, mimetype="application/json", headers={"Cache-Control": "no-store"})


@blueprint.get("/info")
def info() -> Response:
    ports = _ports()
    layout = "graphviz" if current_app.config["renderer"].dot else "fallback"
    return _json({"Region": ports.region, "Account": ports.account, "GraphLayout": layout})


@blueprint.get("/environments")
def environments() -> Response:
    return _json(_ports().pool().to_json())


@blueprint.get("/async")
def async_queue() -> Response:
    ports = _ports()
    now = time.time()
    by_function: dict[str, dict] = {}
    for event in ports.queue.pending():
        entry = by_function.setdefault(event.function_name, {"FunctionName": event.function_name, "Depth": 0})
        entry["Depth"] += 1
        entry["OldestAgeSeconds"] = max(entry.get("OldestAgeSeconds", 0.0), round(now - event.created, 3))
    depth = sum(entry["Depth"] for entry in by_function.values())
    oldest = max((entry["OldestAgeSeconds"] for entry in by_function.values()), default=0.0)
    deliveries = ports.queue.deliveries()
    undeliverable = [
        {
            "Id": d.id,
            "RequestId": d.request_id,
            "FunctionArn": d.function_arn,
            "Kind": d.kind,
            "Target": d.target,
            "Attempts": d.attempts,
            "LastError": d.last_error,
            "Created": d.created,
            "Body": d.body.decode("utf-8", "replace")[:BODY_PREVIEW],
        }
        for d in deliveries
        if d.status == "failed"
    ]
    return _json(
        {
            "Queue": {
                "Depth": depth,
                "OldestAgeSeconds": oldest,
                "ByFunction": sorted(by_function.values(), key=_name),
            },
            "DeliveriesInProgress": sum(1 for d in deliveries if d.status != "failed"),
            "Undeliverable": undeliverable,
        }
    )


def _name(entry: dict) -> str:
    return entry["FunctionName"]


@blueprint.post("/async/redrive")
def redrive() -> Response:
    if request.mimetype != "application/json":
        return _json({"message": "Content-Type must be application/json"}, 415)
    body = request.get_json(silent=True) or {}
    delivery_id = body.get("Id")
    if delivery_id is not None and not isinstance(delivery_id, int):
        return _json({"message": "Id must be an integer"}, 400)
    return _json({"Redriven": _ports().redrive(delivery_id)})


@blueprint.get("/state-machines/<path:arn>/graph.svg")
def graph(arn: str) -> Response:
    try:
        definition = _ports().machine_definition(arn)
    except LookupError:
        return _json({"message": f"State machine does not exist: {arn}"}, 404)
    try:
        svg, engine = current_app.config["renderer"].svg(definition)
    except ValueError as exc:
        return _json({"message": str(exc)}, 422)
    return Response(svg, mimetype="image/svg+xml", headers={"X-Layout-Engine": engine, "Cache-Control": "no-cache"})
