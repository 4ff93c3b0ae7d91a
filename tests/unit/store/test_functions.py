"""Functions in SQLite and memory: what is put survives a restart of the store."""

import pytest

from host.core.model import CodeRef, FunctionConfig, LayerRef
from host.store.db import Database
from host.store.functions import FunctionStore


def function(name="my-fn", **changes):
    config = FunctionConfig(
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        runtime="python3.13",
        handler="app.handler",
        role="arn:aws:iam::123456789012:role/r",
        code=CodeRef("c2hh", 10, "/state/code/abc"),
        environment=(("A", "1"), ("B", "2")),
        layers=(LayerRef("arn:aws:lambda:us-east-1:123456789012:layer:deps:1", 5, CodeRef("bGF5", 5, "/l")),),
        tags=(("team", "x"),),
    )
    return config.with_changes(**changes)


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "host.db")


def test_a_stored_function_can_be_read_back(db):
    store = FunctionStore(db)
    store.put(function())
    assert store.get("my-fn") == function()


def test_an_unknown_function_is_none(db):
    assert FunctionStore(db).get("missing") is None


def test_functions_survive_a_new_store_on_the_same_database(db):
    FunctionStore(db).put(function(memory_size=512, architectures=("arm64",)))
    reloaded = FunctionStore(db).get("my-fn")
    assert reloaded == function(memory_size=512, architectures=("arm64",))
    assert reloaded.layers[0].code == CodeRef("bGF5", 5, "/l")


def test_functions_survive_a_new_database_object_on_the_same_file(tmp_path):
    FunctionStore(Database(tmp_path / "host.db")).put(function())
    assert FunctionStore(Database(tmp_path / "host.db")).get("my-fn") == function()


def test_putting_a_function_again_replaces_it(db):
    store = FunctionStore(db)
    store.put(function(timeout=3))
    store.put(function(timeout=30))
    assert store.get("my-fn").timeout == 30
    assert FunctionStore(db).get("my-fn").timeout == 30


def test_all_functions_are_listed_by_name(db):
    store = FunctionStore(db)
    for name in ("b-fn", "a-fn", "c-fn"):
        store.put(function(name))
    assert [f.name for f in store.all()] == ["a-fn", "b-fn", "c-fn"]
    assert [f.name for f in FunctionStore(db).all()] == ["a-fn", "b-fn", "c-fn"]


def test_a_deleted_function_is_gone_after_a_reload(db):
    store = FunctionStore(db)
    store.put(function("keep"))
    store.put(function("drop"))
    assert store.delete("drop") == function("drop")
    assert store.get("drop") is None
    assert [f.name for f in FunctionStore(db).all()] == ["keep"]


def test_deleting_an_unknown_function_returns_none(db):
    assert FunctionStore(db).delete("missing") is None
