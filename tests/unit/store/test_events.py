"""The async event queue: rows in SQLite from acceptance until the event is done."""

import pytest

from host.store.db import Database
from host.store.events import EventQueue


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "host.db")


def test_an_added_event_is_pending(db):
    queue = EventQueue(db)
    event = queue.add("req-1", "my-fn", "$LATEST", b'{"a": 1}')
    assert event.attempts == 0
    assert event.due == event.created
    assert queue.pending() == [event]


def test_pending_events_survive_a_new_queue_on_the_same_database(tmp_path):
    EventQueue(Database(tmp_path / "host.db")).add("req-1", "my-fn", "prod", b"\x00binary")
    [event] = EventQueue(Database(tmp_path / "host.db")).pending()
    assert (event.request_id, event.function_name, event.qualifier, event.payload) == (
        "req-1",
        "my-fn",
        "prod",
        b"\x00binary",
    )


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


def test_a_removed_event_is_no_longer_pending(db):
    queue = EventQueue(db)
    queue.add("req-1", "my-fn", "$LATEST", b"{}")
    queue.add("req-2", "my-fn", "$LATEST", b"{}")
    queue.remove("req-1")
    assert [e.request_id for e in queue.pending()] == ["req-2"]
    assert [e.request_id for e in EventQueue(db).pending()] == ["req-2"]
