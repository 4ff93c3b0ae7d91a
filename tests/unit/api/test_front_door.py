"""The front door's dispatch: function URLs, registered X-Amz-Target prefixes, Lambda, the relay."""

from host.api.front import FrontDoor
from host.http.server import Request


class FakeExchange:
    def __init__(self, method="POST", path="/", headers=None, query=""):
        self.request = Request(method, path, query, headers or {}, b"", ("127.0.0.1", 1))
        self.answered = False
        self.closed = False

    def respond(self, status, headers=(), body=b""):
        self.answered = True
        self.status = status


class Recording:
    def __init__(self):
        self.seen = []

    def handle(self, exchange, *args):
        self.seen.append(exchange)


def door():
    front = FrontDoor()
    invoke, management, relay, states = Recording(), Recording(), Recording(), Recording()
    front.attach(invoke, management, "http://127.0.0.1:9001")
    front.forward_others(relay.handle)
    front.route_target("AWSStepFunctions.", states.handle)
    return front, invoke, management, relay, states


def signed(service):
    return {"authorization": f"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/{service}/aws4_request, x"}


def test_requests_go_to_lambda_a_registered_target_or_the_relay():
    front, invoke, management, relay, states = door()
    front.handle(FakeExchange(path="/2015-03-31/functions/f/invocations", headers=signed("lambda")))
    front.handle(FakeExchange("GET", "/2015-03-31/functions", headers=signed("lambda")))
    front.handle(FakeExchange(headers={**signed("states"), "x-amz-target": "AWSStepFunctions.StartExecution"}))
    front.handle(FakeExchange(headers={**signed("sqs"), "x-amz-target": "AmazonSQS.SendMessage"}))
    front.handle(
        FakeExchange("GET", "/bucket/key", query="X-Amz-Credential=A%2F20250101%2Fus-east-1%2Fs3%2Faws4_request")
    )
    front.handle(FakeExchange("GET", "/2015-03-31/functions"))  # unsigned: Lambda's
    assert (len(invoke.seen), len(management.seen), len(states.seen), len(relay.seen)) == (1, 2, 1, 2)


def test_the_container_door_relays_other_services_but_refuses_lambda_deploys():
    front, _, management, relay, _ = door()
    front.handle_from_containers(FakeExchange(headers={**signed("sqs"), "x-amz-target": "AmazonSQS.SendMessage"}))
    refused = FakeExchange("POST", "/2015-03-31/functions", headers=signed("lambda"))
    front.handle_from_containers(refused)
    assert len(relay.seen) == 1 and refused.answered and refused.status == 403 and not management.seen


def test_registered_paths_and_signing_services_are_answered_before_lambda_and_the_relay():
    front, _, management, relay, _ = door()
    cbor, prometheus, monitoring = Recording(), Recording(), Recording()
    front.route_path("/service/GraniteServiceVersion20100801/", cbor.handle, from_containers=True)
    front.route_path("/metrics", prometheus.handle)
    front.route_service("monitoring", monitoring.handle)
    front.handle(FakeExchange(path="/service/GraniteServiceVersion20100801/operation/ListMetrics"))
    front.handle(FakeExchange("GET", "/metrics"))
    front.handle(FakeExchange("GET", "/metricsx"))  # not under the exact path
    front.handle(FakeExchange(path="/", headers=signed("monitoring")))  # the query protocol
    front.handle(FakeExchange(path="/", headers=signed("sqs")))
    assert (len(cbor.seen), len(prometheus.seen), len(monitoring.seen), len(relay.seen)) == (1, 1, 1, 1)
    assert len(management.seen) == 1
    front.handle_from_containers(FakeExchange(path="/service/GraniteServiceVersion20100801/operation/PutMetricData"))
    assert len(cbor.seen) == 2
    outside = FakeExchange("POST", "/metrics")
    front.handle_from_containers(outside)  # not opened to containers: refused as any other write
    assert len(prometheus.seen) == 1 and outside.status == 403
