"""The saved test events store: one file per function in the console's schema shape, atomic writes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host.events.saved import NAME, InvalidEventName, TestEventStore


def test_events_are_saved_listed_by_name_replaced_and_deleted(tmp_path):
    store = TestEventStore(tmp_path / "test-events")
    saved, created = store.put("fn", "zeta", {"a": 1})
    assert created and saved.event == {"a": 1} and saved.last_modified.endswith("Z")
    store.put("fn", "alpha", [1, 2])
    again, created = store.put("fn", "zeta", "replaced")
    assert not created and again.event == "replaced"
    assert [(s.name, s.event) for s in store.list("fn")] == [("alpha", [1, 2]), ("zeta", "replaced")]
    assert store.get("fn", "alpha").shape() == {
        "Name": "alpha",
        "Event": [1, 2],
        "LastModified": store.get("fn", "alpha").last_modified,
    }
    assert store.delete("fn", "alpha") and not store.delete("fn", "alpha")
    assert store.get("fn", "alpha") is None
    assert store.list("other") == []


def test_the_file_is_the_consoles_schema_document_with_examples_by_name(tmp_path):
    store = TestEventStore(tmp_path)
    store.put("my-fn", "hello", {"key": "value"})
    document = json.loads((tmp_path / "my-fn.json").read_text())
    assert document["openapi"] == "3.0.0"
    assert document["components"]["examples"]["hello"]["value"] == {"key": "value"}
    assert [p.name for p in tmp_path.iterdir()] == ["my-fn.json"]  # no temporary file left behind


def test_deleting_the_last_event_removes_the_functions_file(tmp_path):
    store = TestEventStore(tmp_path)
    store.put("fn", "only", {})
    store.delete("fn", "only")
    assert not (tmp_path / "fn.json").exists()


@pytest.mark.parametrize("name", ["", "x" * 26, "has space", "slash/y", "ümlaut", "semi;colon"])
def test_event_names_outside_the_consoles_rules_are_refused(tmp_path, name):
    with pytest.raises(InvalidEventName, match="1 to 25 characters"):
        TestEventStore(tmp_path).put("fn", name, {})


@pytest.mark.parametrize("name", ["a", "x" * 25, "My_event-1.v2"])
def test_event_names_inside_the_consoles_rules_are_kept(tmp_path, name):
    store = TestEventStore(tmp_path)
    store.put("fn", name, {"n": name})
    assert store.get("fn", name).event == {"n": name}


def test_function_names_never_reach_outside_the_folder(tmp_path):
    with pytest.raises(ValueError, match="not a function name"):
        TestEventStore(tmp_path / "events").put("../escape", "e", {})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=30), event=JSON)
def test_any_name_is_either_kept_and_read_back_or_refused_and_nothing_else_is_written(tmp_path, name, event):
    root = tmp_path / "fuzz"
    store = TestEventStore(root)
    try:
        store.put("fn", name, event)
    except InvalidEventName:
        assert not NAME.fullmatch(name)
        return
    assert NAME.fullmatch(name)
    assert store.get("fn", name).event == event
    assert {p.name for p in root.iterdir()} == {"fn.json"}
