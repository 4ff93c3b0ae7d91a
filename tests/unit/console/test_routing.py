"""Which requests are the console's, and the front door handing them to it on the user's door only."""

import pytest

from host.console.routing import is_console_request
from tests.unit.api.test_front_door import FakeExchange, Recording, door, signed


@pytest.mark.parametrize(
    ("method", "path", "headers", "console"),
    [
        ("GET", "/", {"accept": "text/html,application/xhtml+xml"}, True),
        ("GET", "/", {}, False),  # an SDK's GET / (S3 ListBuckets, say) is never a page
        ("GET", "/", {"accept": "text/html", **signed("s3")}, False),
        ("POST", "/", {"accept": "text/html", "x-amz-target": "AWSStepFunctions.ListStateMachines"}, False),
        ("GET", "/console", {}, True),
        ("GET", "/console/functions/echo", {}, True),
        ("GET", "/consoles", {}, False),
        ("GET", "/_lambda-host/console/static/app.js", {}, True),
        ("POST", "/_lambda-host/console/api/async/redrive", {}, True),
        ("GET", "/2015-03-31/functions", {"accept": "text/html"}, False),
    ],
)
def test_console_requests_are_told_from_the_apis(method, path, headers, console):
    assert is_console_request(method, path, headers) is console


def test_the_front_door_gives_pages_to_the_console_and_keeps_the_lambda_api():
    front, _, management, _, states = door()
    console = Recording()
    front.serve_console(console.handle)
    front.handle(FakeExchange("GET", "/", headers={"accept": "text/html"}))
    front.handle(FakeExchange("GET", "/_lambda-host/console/api/environments"))
    front.handle(FakeExchange("GET", "/2015-03-31/functions"))
    front.handle(FakeExchange(headers={"x-amz-target": "AWSStepFunctions.ListStateMachines"}))
    assert (len(console.seen), len(management.seen), len(states.seen)) == (2, 1, 1)


def test_the_container_door_never_serves_the_console():
    front, _, management, _, _ = door()
    console = Recording()
    front.serve_console(console.handle)
    refused = [FakeExchange("GET", "/_lambda-host/console/api/environments"), FakeExchange("GET", "/console")]
    for exchange in refused:
        front.handle_from_containers(exchange)
    assert not console.seen and not management.seen
    assert all(exchange.status == 403 for exchange in refused)
