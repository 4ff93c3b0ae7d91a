"""The console's own JSON reads and its redrive action, over a real queue in SQLite."""

import json
import time

import pytest

from host.console.app import create_console, plotly_script
from host.console.layout import GraphRenderer
from host.console.ports import ConsolePorts
from host.environments.snapshot import PoolSnapshot
from host.store.db import Database
from host.store.events import Delivery, EventQueue

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:flow"
DEFINITION = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'


@pytest.fixture
def queue(tmp_path):
    return EventQueue(Database(tmp_path / "host.db"))


@pytest.fixture
def client(queue):
    redriven = []

    def redrive(delivery_id):
        redriven.append(delivery_id)
        return len(queue.requeue_failed(delivery_id))

    def definition(arn):
        if arn != MACHINE:
            raise LookupError(arn)
        return DEFINITION

    ports = ConsolePorts(lambda: PoolSnapshot((), (), {}), queue, redrive, definition)
    app = create_console(ports, GraphRenderer(use_dot=False))
    test_client = app.test_client()
    test_client.redriven = redriven
    return test_client


def failed_delivery(queue, request_id):
    [stored] = queue.finish(request_id, [Delivery(request_id, "arn:fn", "DeadLetter", "arn:aws:sqs:q", b"{}")])
    queue.delivery_failed(stored.id, 10, time.time(), "queue does not exist", gave_up=True)
    return stored.id


def test_the_async_read_shows_queue_depth_oldest_age_and_undeliverable_records(client, queue):
    queue.add("r1", "slow", "", b"{}")
    queue.add("r2", "slow", "", b"{}")
    queue.add("r3", "other", "", b"{}")
    gone = failed_delivery(queue, "r0")
    body = client.get("/_lambda-host/console/api/async").get_json()
    assert body["Queue"]["Depth"] == 3
    assert [(f["FunctionName"], f["Depth"]) for f in body["Queue"]["ByFunction"]] == [("other", 1), ("slow", 2)]
    assert body["Queue"]["OldestAgeSeconds"] >= 0
    [record] = body["Undeliverable"]
    assert (record["Id"], record["Kind"], record["LastError"], record["Attempts"]) == (
        gone, "DeadLetter", "queue does not exist", 10,
    )  # fmt: skip


def test_redrive_makes_one_or_all_undeliverable_records_pending_again(client, queue):
    first, second = failed_delivery(queue, "a"), failed_delivery(queue, "b")
    post = lambda body: client.post("/_lambda-host/console/api/async/redrive", json=body)  # noqa: E731
    assert post({"Id": first}).get_json() == {"Redriven": 1}
    assert [d.id for d in queue.deliveries("failed")] == [second]
    assert post({}).get_json() == {"Redriven": 1}
    assert queue.deliveries("failed") == [] and client.redriven == [first, None]
    assert post({"Id": "x"}).status_code == 400


def test_redrive_takes_only_json_so_other_sites_cannot_post_it_without_a_preflight(client, queue):
    failed_delivery(queue, "a")
    answer = client.post("/_lambda-host/console/api/async/redrive", data="Id=1", content_type="text/plain")
    assert answer.status_code == 415 and len(queue.deliveries("failed")) == 1


def test_pages_scripts_and_graphs_are_served(client):
    page = client.get("/console/functions/echo")
    assert page.status_code == 200 and b'src="/_lambda-host/console/static/app.js"' in page.data
    assert client.get("/_lambda-host/console/static/app.js").status_code == 200
    graph = client.get(f"/_lambda-host/console/api/state-machines/{MACHINE}/graph.svg")
    assert (
        graph.status_code == 200
        and graph.headers["X-Layout-Engine"] == "fallback"
        and b"<title>A</title>" in graph.data
    )
    assert client.get("/_lambda-host/console/api/state-machines/arn:nope/graph.svg").status_code == 404
    assert json.loads(client.get("/_lambda-host/console/api/environments").data)["Environments"] == []


def test_plotly_is_served_from_the_plotly_wheel(client):
    assert plotly_script() is not None
    answer = client.get("/_lambda-host/console/static/vendor/plotly.min.js")
    assert answer.status_code == 200 and b"plotly.js" in answer.data[:400]
