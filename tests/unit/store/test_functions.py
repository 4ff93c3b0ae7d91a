"""Functions in SQLite and memory: what is put survives a restart of the store."""

import pytest

from host.core.model import Alias, CodeRef, FunctionConfig, FunctionPolicy, LayerRef
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


# -- published versions and aliases ------------------------------------------------------------


def publisher(name="my-fn", **changes):
    """A ``make`` for FunctionStore.publish: $LATEST frozen under the number it is given."""

    def make(number):
        return function(name, version=str(number), **changes)

    return make


def alias(name="live", version="1", function_name="my-fn", weights=()):
    return Alias(
        function_name=function_name,
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}:{name}",
        function_version=version,
        description=f"{name} alias",
        revision_id=f"rev-{name}",
        additional_weights=weights,
    )


def test_versions_are_numbered_from_one_per_function(db):
    store = FunctionStore(db)
    assert store.publish("my-fn", publisher()).version == "1"
    assert store.publish("my-fn", publisher()).version == "2"
    assert store.publish("other", publisher("other")).version == "1"


def test_a_published_version_is_read_back_and_leaves_latest_alone(db):
    store = FunctionStore(db)
    store.put(function(timeout=3))
    published = store.publish("my-fn", publisher(timeout=30))
    assert store.version("my-fn", "1") == published == function(version="1", timeout=30)
    assert store.version("my-fn", "$LATEST") == store.get("my-fn") == function(timeout=3)
    assert store.version("my-fn", "2") is None
    assert store.version("missing", "1") is None


def test_publish_gives_make_the_next_number(db):
    seen = []

    def make(number):
        seen.append(number)
        return function(version=str(number))

    store = FunctionStore(db)
    store.publish("my-fn", make)
    store.publish("my-fn", make)
    assert seen == [1, 2]


def test_version_numbers_are_never_reused_after_a_delete(db):
    store = FunctionStore(db)
    for _ in range(3):
        store.publish("my-fn", publisher())
    assert store.delete_version("my-fn", "3") == function(version="3")
    assert store.delete_version("my-fn", "2") == function(version="2")
    assert store.publish("my-fn", publisher()).version == "4"
    assert [v.version for v in store.versions("my-fn")] == ["1", "4"]
    assert [v.version for v in FunctionStore(db).versions("my-fn")] == ["1", "4"]


def test_version_numbers_are_never_reused_after_a_reopen(tmp_path):
    store = FunctionStore(Database(tmp_path / "host.db"))
    store.publish("my-fn", publisher())
    store.publish("my-fn", publisher())
    store.delete_version("my-fn", "2")
    reopened = FunctionStore(Database(tmp_path / "host.db"))
    assert reopened.publish("my-fn", publisher()).version == "3"


def test_deleting_an_unknown_version_returns_none(db):
    store = FunctionStore(db)
    store.publish("my-fn", publisher())
    assert store.delete_version("my-fn", "7") is None
    assert store.delete_version("missing", "1") is None
    assert [v.version for v in store.versions("my-fn")] == ["1"]


def test_versions_are_ordered_by_number_not_by_text(db):
    store = FunctionStore(db)
    for _ in range(11):
        store.publish("my-fn", publisher())
    expected = [str(n) for n in range(1, 12)]
    assert [v.version for v in store.versions("my-fn")] == expected
    assert [v.version for v in FunctionStore(db).versions("my-fn")] == expected


def test_a_function_without_versions_lists_none(db):
    store = FunctionStore(db)
    store.put(function())
    assert store.versions("my-fn") == []
    assert store.versions("missing") == []


def test_putting_a_version_replaces_it_without_touching_latest(db):
    store = FunctionStore(db)
    store.put(function())
    store.publish("my-fn", publisher(state="Pending"))
    store.put(function(version="1", state="Active"))
    assert store.version("my-fn", "1").state == "Active"
    assert FunctionStore(db).version("my-fn", "1").state == "Active"
    assert store.get("my-fn") == function()
    assert [f.version for f in FunctionStore(db).all()] == ["$LATEST"]


def test_a_failed_make_publishes_nothing_and_uses_no_number(db):
    store = FunctionStore(db)

    def broken(number):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.publish("my-fn", broken)
    assert store.versions("my-fn") == []
    assert store.publish("my-fn", publisher()).version == "1"


def test_a_stored_alias_can_be_read_back(db):
    store = FunctionStore(db)
    store.put_alias(alias(weights=(("2", 0.25),)))
    assert store.alias("my-fn", "live") == alias(weights=(("2", 0.25),))
    assert store.alias("my-fn", "other") is None
    assert store.alias("missing", "live") is None


def test_aliases_are_listed_by_name(db):
    store = FunctionStore(db)
    for name in ("prod", "beta", "live"):
        store.put_alias(alias(name))
    store.put_alias(alias("zeta", function_name="other"))
    assert [a.name for a in store.aliases("my-fn")] == ["beta", "live", "prod"]
    assert [a.name for a in FunctionStore(db).aliases("my-fn")] == ["beta", "live", "prod"]
    assert store.aliases("missing") == []


def test_putting_an_alias_again_replaces_it(db):
    store = FunctionStore(db)
    store.put_alias(alias(version="1"))
    store.put_alias(alias(version="2", weights=(("1", 0.5),)))
    assert store.alias("my-fn", "live") == alias(version="2", weights=(("1", 0.5),))
    assert FunctionStore(db).alias("my-fn", "live") == alias(version="2", weights=(("1", 0.5),))
    assert len(store.aliases("my-fn")) == 1


def test_a_deleted_alias_is_gone_after_a_reload(db):
    store = FunctionStore(db)
    store.put_alias(alias("live"))
    store.put_alias(alias("beta"))
    assert store.delete_alias("my-fn", "live") == alias("live")
    assert store.alias("my-fn", "live") is None
    assert [a.name for a in FunctionStore(db).aliases("my-fn")] == ["beta"]
    assert store.delete_alias("my-fn", "live") is None


def test_versions_and_aliases_survive_a_new_database_object_on_the_same_file(tmp_path):
    store = FunctionStore(Database(tmp_path / "host.db"))
    store.put(function())
    store.publish("my-fn", publisher(description="first"))
    store.publish("my-fn", publisher(description="second", memory_size=256))
    store.put_alias(alias("live", "2", weights=(("1", 0.1),)))
    reopened = FunctionStore(Database(tmp_path / "host.db"))
    assert reopened.get("my-fn") == function()
    assert reopened.versions("my-fn") == [
        function(version="1", description="first"),
        function(version="2", description="second", memory_size=256),
    ]
    assert reopened.alias("my-fn", "live") == alias("live", "2", weights=(("1", 0.1),))
    assert [f.name for f in reopened.all()] == ["my-fn"]  # versions are not listed as functions


def test_deleting_a_function_removes_its_versions_and_aliases(db):
    store = FunctionStore(db)
    for name in ("my-fn", "other"):
        store.put(function(name))
        store.publish(name, publisher(name))
        store.publish(name, publisher(name))
        store.put_alias(alias("live", function_name=name))
    assert store.delete("my-fn") == function()
    for reader in (store, FunctionStore(db)):
        assert reader.get("my-fn") is None
        assert reader.versions("my-fn") == []
        assert reader.version("my-fn", "1") is None
        assert reader.aliases("my-fn") == []
        assert reader.alias("my-fn", "live") is None
        assert [v.version for v in reader.versions("other")] == ["1", "2"]
        assert reader.alias("other", "live") == alias("live", function_name="other")


def test_a_function_created_again_after_a_delete_numbers_from_one(db):
    store = FunctionStore(db)
    store.put(function())
    store.publish("my-fn", publisher())
    store.publish("my-fn", publisher())
    store.delete("my-fn")
    store.put(function())
    assert store.publish("my-fn", publisher()).version == "1"
    assert [v.version for v in FunctionStore(db).versions("my-fn")] == ["1"]


# -- resource-based policies ------------------------------------------------------------------


def policy(qualifier="$LATEST", sids=("s3",), revision="rev-1"):
    statements = tuple(
        {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"} for sid in sids
    )
    return FunctionPolicy("my-fn", qualifier, statements, revision)


def test_a_policy_survives_a_new_store_with_its_statements_in_order(db):
    FunctionStore(db).put_policy(policy(sids=("b", "a")))
    reloaded = FunctionStore(db).policy("my-fn", "$LATEST")
    assert reloaded == policy(sids=("b", "a"))
    assert [s["Sid"] for s in reloaded.statements] == ["b", "a"]


def test_policies_are_kept_per_qualifier_and_deleted_one_by_one(db):
    store = FunctionStore(db)
    store.put_policy(policy())
    store.put_policy(policy("1", sids=("v",)))
    assert store.delete_policy("my-fn", "$LATEST") == policy()
    assert FunctionStore(db).policy("my-fn", "$LATEST") is None
    assert FunctionStore(db).policy("my-fn", "1") == policy("1", sids=("v",))


def test_a_policy_goes_with_its_function_version_or_alias(db):
    store = FunctionStore(db)
    store.put(function())
    version = store.publish("my-fn", lambda n: function(version=str(n)))
    store.put_alias(Alias("my-fn", "live", "arn:...:live", "1"))
    for qualifier in ("$LATEST", version.version, "live"):
        store.put_policy(policy(qualifier))
    store.delete_alias("my-fn", "live")
    store.delete_version("my-fn", "1")
    assert (store.policy("my-fn", "live"), store.policy("my-fn", "1")) == (None, None)
    assert FunctionStore(db).policy("my-fn", "1") is None
    store.delete("my-fn")
    assert store.policy("my-fn", "$LATEST") is None
    assert FunctionStore(db).policy("my-fn", "$LATEST") is None
