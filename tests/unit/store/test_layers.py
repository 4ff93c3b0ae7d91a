"""Layer versions in SQLite: numbered from 1, newest first, never reused after a delete."""

import pytest

from host.core.model import CodeRef, LayerVersion
from host.store.db import Database
from host.store.layers import LayerStore

BASE = "arn:aws:lambda:us-east-1:123456789012:layer:"


def builder(name, description=""):
    def build(version):
        return LayerVersion(
            name=name,
            version=version,
            arn=f"{BASE}{name}:{version}",
            layer_arn=f"{BASE}{name}",
            description=description,
            created_date="2026-11-27T00:00:00.000+0000",
            code=CodeRef("c2hh", 3, f"/state/code/{name}{version}"),
            compatible_runtimes=("python3.13",),
        )

    return build


@pytest.fixture
def store(tmp_path):
    return LayerStore(Database(tmp_path / "host.db"))


def test_versions_are_numbered_from_one(store):
    assert store.publish("deps", builder("deps")).version == 1
    assert store.publish("deps", builder("deps")).version == 2
    assert store.publish("other", builder("other")).version == 1


def test_a_published_version_can_be_read_back(store):
    published = store.publish("deps", builder("deps", "first"))
    assert store.get("deps", 1) == published
    assert store.get("deps", 1).compatible_runtimes == ("python3.13",)
    assert store.get("deps", 2) is None


def test_versions_are_listed_newest_first(store):
    for _ in range(3):
        store.publish("deps", builder("deps"))
    assert [layer.version for layer in store.versions("deps")] == [3, 2, 1]


def test_a_deleted_version_number_is_never_reused(store):
    store.publish("deps", builder("deps"))
    store.publish("deps", builder("deps"))
    store.delete("deps", 2)
    assert store.get("deps", 2) is None
    assert store.publish("deps", builder("deps")).version == 3


def test_numbers_are_not_reused_even_when_every_version_was_deleted(store):
    store.publish("deps", builder("deps"))
    store.delete("deps", 1)
    assert store.versions("deps") == []
    assert store.names() == []
    assert store.publish("deps", builder("deps")).version == 2


def test_layer_names_are_listed_once_in_order(store):
    for name in ("zeta", "alpha", "zeta"):
        store.publish(name, builder(name))
    assert store.names() == ["alpha", "zeta"]


def test_a_failed_build_publishes_nothing(store):
    def broken(version):
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.publish("deps", broken)
    assert store.publish("deps", builder("deps")).version == 1
