"""The console: a Flask application serving the page shell, its scripts and a few JSON reads.

Pages are drawn in the browser by the modules under ``static/``, which call the same APIs a
user could call (Lambda, CloudWatch Logs and metrics, Step Functions) on this origin. What
no AWS API tells (the warm pool, the async queue, undeliverable records, a state machine's
drawing) comes from ``host.console.api``. This module must not reach into the host: it gets
``ConsolePorts`` and nothing else.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Flask, Response, abort, send_file, send_from_directory

from host.console.api import blueprint as api_views
from host.console.layout import GraphRenderer
from host.console.ports import ConsolePorts

STATIC = Path(__file__).parent / "static"
SHELL = STATIC / "index.html"


def plotly_script() -> Path | None:
    """plotly.min.js as the ``plotly`` wheel ships it (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def create_console(ports: ConsolePorts, renderer: GraphRenderer | None = None) -> Flask:
    app = Flask("lambda_host_console", static_folder=None)
    app.config["ports"] = ports
    app.config["renderer"] = renderer or GraphRenderer()
    app.register_blueprint(api_views)
    shell = SHELL.read_bytes()

    @app.get("/")
    @app.get("/console")
    @app.get("/console/<path:_page>")
    def page(_page: str = "") -> Response:
        return Response(shell, mimetype="text/html", headers={"Cache-Control": "no-cache"})

    @app.get("/_lambda-host/console/static/vendor/plotly.min.js")
    def plotly() -> Response:
        path = plotly_script()
        if path is None:
            abort(404)
        return send_file(path, mimetype="text/javascript", max_age=86400)

    @app.get("/_lambda-host/console/static/<path:name>")
    def static(name: str) -> Response:
        response = send_from_directory(STATIC, name, max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.errorhandler(404)
    def _missing(_error) -> Response:
        return Response('{"message": "No such console resource"}', 404, mimetype="application/json")

    return app
