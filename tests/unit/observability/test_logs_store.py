"""logs.db: batched writes, reads that see them, the size bound, retention and restarts."""

import sqlite3
import time

import pytest

from host.observability.logs.store import LogStore, now_ms


@pytest.fixture
def store(tmp_path):
    store = LogStore(tmp_path / "logs.db", max_bytes=10_000, interval=0.01)
    yield store
    store.close()


def test_appended_events_are_read_back_after_a_flush_with_their_group_and_stream_created(store):
    now = now_ms()
    store.append("/g", "s", [(now, "a\n"), (now + 1, "b\n")])
    rows = store.stream_events("/g", "s", None, None, after=0, limit=10)
    assert [row[2] for row in rows] == ["a\n", "b\n"]
    assert store.has_group("/g") and store.has_stream("/g", "s")
    [(name, _, first, last, ingestion)] = store.streams("/g")
    assert (name, first, last) == ("s", now, now + 1) and ingestion >= now


def test_the_writer_thread_commits_a_burst_without_anyone_flushing(store, tmp_path):
    for i in range(100):
        store.append("/g", "s", [(now_ms(), f"line {i}\n")])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        count = sqlite3.connect(tmp_path / "logs.db").execute("SELECT COUNT(*) FROM log_events").fetchone()[0]
        if count == 100:
            break
        time.sleep(0.01)
    assert count == 100


def test_over_the_bound_the_oldest_events_go_first(store):
    for i in range(100):
        store.append("/g", "s", [(now_ms(), f"{i:03d}" + "x" * 100)])
    store.flush()
    assert store.total <= 10_000
    rows = store.stream_events("/g", "s", None, None, after=0, limit=1000)
    assert rows[-1][2].startswith("099") and not rows[0][2].startswith("000")


def test_retention_deletes_events_older_than_the_groups_days(store):
    day = 86_400_000
    now = now_ms()
    store.append("/g", "s", [(now - 3 * day, "old"), (now, "new")])
    store.flush()
    assert store.set_retention("/g", 1)
    assert [row[2] for row in store.stream_events("/g", "s", None, None, after=0, limit=10)] == ["new"]
    assert not store.set_retention("/missing", 1)


def test_events_survive_closing_and_reopening_the_store(tmp_path):
    first = LogStore(tmp_path / "logs.db", max_bytes=10_000)
    first.append("/g", "s", [(now_ms(), "kept")])
    first.close()
    second = LogStore(tmp_path / "logs.db", max_bytes=10_000)
    try:
        assert [row[2] for row in second.stream_events("/g", "s", None, None, after=0, limit=10)] == ["kept"]
        assert second.total == len("kept") + 26
    finally:
        second.close()


def test_group_events_run_in_time_order_across_streams_and_resume_after_a_position(store):
    now = now_ms()
    store.append("/g", "b", [(now + 1, "b1"), (now + 3, "b3")])
    store.append("/g", "a", [(now + 2, "a2")])
    rows = list(store.group_events("/g", None, None, None, None, None))
    assert [row[3] for row in rows] == ["b1", "a2", "b3"]
    after = (rows[0][1], rows[0][0])
    assert [row[3] for row in store.group_events("/g", None, None, None, None, after)] == ["a2", "b3"]
    assert [row[3] for row in store.group_events("/g", ["a"], None, None, None, None)] == ["a2"]
    assert [row[3] for row in store.group_events("/g", None, "b", now + 2, None, None)] == ["b3"]
