"""The async event queue: rows in SQLite from acceptance until the event is done."""

from dataclasses import replace

import pytest

from host.store.db import Database
from host.store.events import Delivery, EventQueue


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "host.db")


def test_an_added_event_is_pending_and_its_payload_is_read_back_on_demand(db):
    queue = EventQueue(db)
    event = queue.add("req-1", "my-fn", "$LATEST", b'{"a": 1}')
    assert event.attempts == 0
    assert event.due == event.created
    assert queue.pending() == [replace(event, payload=None)]  # a backlog is listed without payloads
    assert queue.payload("req-1") == b'{"a": 1}'
    assert queue.payload("req-2") is None


def test_pending_events_survive_a_new_queue_on_the_same_database(tmp_path):
    EventQueue(Database(tmp_path / "host.db")).add("req-1", "my-fn", "prod", b"\x00binary")
    queue = EventQueue(Database(tmp_path / "host.db"))
    [event] = queue.pending()
    assert (event.request_id, event.function_name, event.qualifier) == ("req-1", "my-fn", "prod")
    assert queue.payload("req-1") == b"\x00binary"


def test_a_rescheduled_event_keeps_its_attempts_and_new_due_time(db):
    queue = EventQueue(db)
    event = queue.add("req-1", "my-fn", "$LATEST", b"{}")
    queue.reschedule("req-1", 1, event.due + 60)
    [again] = queue.pending()
    assert again.attempts == 1
    assert again.due == event.due + 60
    assert again.created == event.created


def test_pending_events_come_in_order_of_due_time(db):
    queue = EventQueue(db)
    first = queue.add("req-1", "my-fn", "$LATEST", b"{}")
    queue.add("req-2", "my-fn", "$LATEST", b"{}")
    queue.reschedule("req-1", 1, first.due + 3600)
    assert [e.request_id for e in queue.pending()] == ["req-2", "req-1"]


def test_a_finished_event_is_no_longer_pending(db):
    queue = EventQueue(db)
    queue.add("req-1", "my-fn", "$LATEST", b"{}")
    queue.add("req-2", "my-fn", "$LATEST", b"{}")
    assert queue.finish("req-1", []) == []
    assert [e.request_id for e in queue.pending()] == ["req-2"]
    assert [e.request_id for e in EventQueue(db).pending()] == ["req-2"]


def _delivery(request_id="req-1", target="arn:aws:sqs:us-east-1:123456789012:q", **changes):
    values = dict(
        request_id=request_id,
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
        kind="OnSuccess",
        target=target,
        body=b'{"version":"1.0"}',
        due=1.0,
        created=1.0,
    )
    return Delivery(**{**values, **changes})


def test_finishing_an_event_stores_its_deliveries_in_the_same_step(db):
    queue = EventQueue(db)
    queue.add("req-1", "f", "", b"{}")
    attributes = {"RequestID": {"DataType": "String", "StringValue": "req-1"}}
    stored = queue.finish("req-1", [_delivery(), _delivery(kind="DeadLetter", attributes=attributes)])
    assert [d.id for d in stored] == [1, 2]
    assert queue.pending() == []
    again = EventQueue(db).deliveries("pending")
    assert again == stored
    assert again[1].attributes == attributes


def test_a_delivered_row_goes_and_a_failed_one_is_kept_until_redriven(db):
    queue = EventQueue(db)
    queue.add("req-1", "f", "", b"{}")
    first, second = queue.finish("req-1", [_delivery(), _delivery(target="arn:aws:sns:us-east-1:1:t")])
    queue.delivered(first.id)
    queue.delivery_failed(second.id, 3, 99.0, "connection refused", gave_up=False)
    [pending] = queue.deliveries("pending")
    assert (pending.attempts, pending.due, pending.last_error) == (3, 99.0, "connection refused")
    queue.delivery_failed(second.id, 10, 120.0, "still refused", gave_up=True)
    assert queue.deliveries("pending") == []
    [failed] = queue.deliveries("failed")
    assert (failed.status, failed.last_error) == ("failed", "still refused")
    assert queue.redrive() == 1
    [back] = queue.deliveries("pending")
    assert back.attempts == 0
