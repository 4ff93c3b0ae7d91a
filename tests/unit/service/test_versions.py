"""Versions and aliases through the service: publishing, lookups, deletes and alias checks, as AWS answers them."""

import base64
import io
import re
import threading
import zipfile
from pathlib import Path

import pytest

from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
)
from host.core.model import LATEST
from host.core.names import FunctionRef
from host.service.functions import REVISION_MISMATCH, FunctionService
from host.service.layers import LayerService
from host.service.versions import VersionService
from host.store.db import Database
from host.store.functions import FunctionStore
from host.store.layers import LayerStore
from host.store.packages import PackageStore

ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
NAME_PATTERN = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
VERSION_PATTERN = r"(\$LATEST(\.PUBLISHED)?|[0-9]+)"


class Catalog:
    """Every runtime's image is there at once, unless ``gate`` holds the build back."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate

    def ready(self, runtime: str) -> bool:
        return self.gate is None

    def definition(self, runtime: str) -> object:
        return object()

    def image(self, runtime: str) -> str:
        if self.gate is not None:
            assert self.gate.wait(10), "the test never let the image build finish"
        return f"lambda-host/{runtime}"

    def available(self) -> list[str]:
        return ["python3.11"]


def make_zip(files: dict[str, str]) -> bytes:
    """The same bytes for the same files (a fixed date: writestr would stamp the current second)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def zip_param(body: str = "def handler(event, context):\n    return 1\n") -> dict:
    return {"ZipFile": base64.b64encode(make_zip({"app.py": body})).decode()}


def create_params(name: str = "my-fn", **extra) -> dict:
    return {
        "FunctionName": name,
        "Runtime": "python3.11",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Handler": "app.handler",
        "Code": zip_param(),
        **extra,
    }


def build(tmp_path: Path, catalog: Catalog) -> tuple[FunctionService, VersionService, list[str]]:
    db = Database(tmp_path / "host.db")
    packages = PackageStore(tmp_path / "state")
    layers = LayerService(region="us-east-1", account="123456789012", store=LayerStore(db), packages=packages)
    activated: list[str] = []
    functions = FunctionService(
        region="us-east-1",
        account="123456789012",
        store=FunctionStore(db),
        packages=packages,
        layers=layers,
        catalog=catalog,
        on_active=activated.append,
    )
    return functions, VersionService(functions), activated


@pytest.fixture
def built(tmp_path):
    functions, versions, activated = build(tmp_path, Catalog())
    yield functions, versions, activated
    functions.close()


@pytest.fixture
def functions(built) -> FunctionService:
    return built[0]


@pytest.fixture
def versions(built) -> VersionService:
    return built[1]


@pytest.fixture
def fn(functions):
    return functions.create(create_params())


def publish_n(versions: VersionService, functions: FunctionService, count: int) -> list[str]:
    """``count`` new versions, each after a configuration change."""
    numbers = []
    for _ in range(count):
        latest = functions.store.get("my-fn")
        functions.update_configuration("my-fn", {"Timeout": latest.timeout + 1})
        numbers.append(versions.publish("my-fn", {}).version)
    return numbers


def raises(kind, message: str):
    """pytest.raises matching the whole message, not a pattern."""
    return pytest.raises(kind, match="^" + re.escape(message) + "$")


# -- publish -----------------------------------------------------------------------------------


def test_the_first_publish_is_version_one_with_latest_configuration(functions, versions, fn):
    version = versions.publish("my-fn", {"Description": "first"})
    latest = functions.store.get("my-fn")
    assert version.version == "1"
    assert version.qualified_arn == f"{ARN}:1"
    assert version.description == "first"
    assert (version.code, version.handler, version.runtime, version.timeout) == (
        latest.code,
        latest.handler,
        latest.runtime,
        latest.timeout,
    )
    assert version.state == "Active"
    assert version.last_update_status == "Successful"
    assert version.revision_id not in ("", latest.revision_id)
    assert functions.store.version("my-fn", "1") == version


def test_a_version_keeps_latest_description_when_publish_gives_none(functions, versions):
    functions.create(create_params(Description="from latest"))
    assert versions.publish("my-fn", {}).description == "from latest"


def test_publishing_with_no_change_returns_the_same_version_as_it_was(functions, versions, fn):
    first = versions.publish("my-fn", {"Description": "first"})
    again = versions.publish("my-fn", {"Description": "second"})
    assert again == first
    assert again.version == "1"
    assert again.description == "first"
    assert again.revision_id == first.revision_id
    assert [v.version for v in functions.store.versions("my-fn")] == ["1"]


def test_a_configuration_change_publishes_a_new_number(functions, versions, fn):
    versions.publish("my-fn", {})
    functions.update_configuration("my-fn", {"Timeout": 30})
    second = versions.publish("my-fn", {})
    assert second.version == "2"
    assert second.timeout == 30
    assert functions.store.version("my-fn", "1").timeout == 3


def test_a_description_change_of_latest_publishes_a_new_number(functions, versions, fn):
    versions.publish("my-fn", {})
    functions.update_configuration("my-fn", {"Description": "changed"})
    assert versions.publish("my-fn", {}).version == "2"


def test_a_dead_letter_config_change_publishes_a_new_number(functions, versions, fn):
    versions.publish("my-fn", {})
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    functions.update_configuration("my-fn", {"DeadLetterConfig": {"TargetArn": queue}})
    second = versions.publish("my-fn", {})
    assert (second.version, second.dead_letter_target) == ("2", queue)
    assert versions.publish("my-fn", {}) == second  # unchanged since
    functions.update_configuration("my-fn", {"DeadLetterConfig": {"TargetArn": ""}})
    third = versions.publish("my-fn", {})
    assert (third.version, third.dead_letter_target) == ("3", None)


def test_a_code_change_publishes_a_new_number_with_the_new_code(functions, versions, fn):
    first = versions.publish("my-fn", {})
    functions.update_code("my-fn", zip_param("def handler(event, context):\n    return 2\n"))
    second = versions.publish("my-fn", {})
    assert second.version == "2"
    assert second.code.sha256 != first.code.sha256
    assert second.code == functions.store.get("my-fn").code


def test_publishing_moves_latest_revision_id(functions, versions, fn):
    before = functions.store.get("my-fn").revision_id
    version = versions.publish("my-fn", {})
    after = functions.store.get("my-fn").revision_id
    assert after != before
    assert version.revision_id not in (before, after)
    assert versions.publish("my-fn", {}) == version  # nothing changed: $LATEST keeps its new RevisionId
    assert functions.store.get("my-fn").revision_id == after


def test_a_code_sha256_other_than_latest_is_refused(functions, versions, fn):
    sha = fn.code.sha256
    message = (
        f"CodeSHA256 (bm90LXRoZS1zaGE=) is different from current CodeSHA256 in $LATEST ({sha}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )
    with raises(InvalidParameterValue, message):
        versions.publish("my-fn", {"CodeSha256": "bm90LXRoZS1zaGE="})
    assert functions.store.versions("my-fn") == []


def test_latest_code_sha256_is_accepted(versions, fn):
    assert versions.publish("my-fn", {"CodeSha256": fn.code.sha256}).version == "1"


def test_a_stale_revision_id_is_refused(functions, versions, fn):
    with raises(PreconditionFailed, REVISION_MISMATCH):
        versions.publish("my-fn", {"RevisionId": "not-the-revision"})
    assert functions.store.versions("my-fn") == []


def test_latest_revision_id_is_accepted(functions, versions, fn):
    current = functions.store.get("my-fn").revision_id
    assert versions.publish("my-fn", {"RevisionId": current}).version == "1"
    with raises(PreconditionFailed, REVISION_MISMATCH):  # publishing moved it
        versions.publish("my-fn", {"RevisionId": current})


def test_publishing_an_unknown_function_is_not_found(versions):
    with raises(ResourceNotFound, f"Function not found: {ARN}"):
        versions.publish("my-fn", {})


def test_publishing_during_an_update_is_a_conflict(functions, versions, fn):
    functions.store.put(functions.store.get("my-fn").with_changes(last_update_status="InProgress"))
    message = f"The operation cannot be performed at this time. An update is in progress for resource: {ARN}"
    with raises(ResourceConflict, message):
        versions.publish("my-fn", {})
    assert versions.publish("my-fn", {}, internal=True).version == "1"  # Publish=True on the update itself


def test_publishing_tells_which_runtime_became_active(built, fn):
    _, versions, activated = built
    activated.clear()
    versions.publish("my-fn", {})
    assert activated == ["python3.11"]
    versions.publish("my-fn", {})  # nothing new published
    assert activated == ["python3.11"]


def test_version_numbers_are_not_reused_after_a_version_is_deleted(functions, versions, fn):
    assert publish_n(versions, functions, 2) == ["1", "2"]
    versions.delete("my-fn", "2")
    assert publish_n(versions, functions, 1) == ["3"]


def test_a_local_folder_is_frozen_into_the_store_at_publish(tmp_path, functions, versions):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    params = create_params(Code={"S3Bucket": "__local__", "S3Key": str(folder)})
    latest = functions.create(params)
    assert latest.code.local
    version = versions.publish("my-fn", {})
    assert not version.code.local
    assert Path(version.code.path) != folder
    assert Path(version.code.path, "app.py").read_text() == "def handler(event, context):\n    return 1\n"
    assert versions.publish("my-fn", {}) == version  # the folder did not change
    (folder / "app.py").write_text("def handler(event, context):\n    return 22\n")
    second = versions.publish("my-fn", {})
    assert second.version == "2"
    assert Path(second.code.path, "app.py").read_text() == "def handler(event, context):\n    return 22\n"
    assert Path(version.code.path, "app.py").read_text() == "def handler(event, context):\n    return 1\n"


def test_a_version_published_while_pending_becomes_active_with_its_function(tmp_path):
    gate = threading.Event()
    functions, versions, activated = build(tmp_path, Catalog(gate))
    try:
        assert functions.create(create_params()).state == "Pending"
        message = f"The operation cannot be performed at this time. An update is in progress for resource: {ARN}"
        with raises(ResourceConflict, message):
            versions.publish("my-fn", {})
        version = versions.publish("my-fn", {}, internal=True)
        assert (version.version, version.state, version.state_reason_code) == ("1", "Pending", "Creating")
        assert version.last_update_status is None
        gate.set()
        functions.activation.background.shutdown(wait=True)
        assert functions.store.get("my-fn").state == "Active"
        done = functions.store.version("my-fn", "1")
        assert (done.state, done.state_reason, done.last_update_status) == ("Active", None, "Successful")
        assert "python3.11" in activated
    finally:
        gate.set()
        functions.close()


def test_versions_lists_latest_first_then_by_number_in_pages(functions, versions, fn):
    publish_n(versions, functions, 3)
    page, marker = versions.versions("my-fn", None, 2)
    assert [v.version for v in page] == [LATEST, "1"]
    assert marker == "2"
    page, marker = versions.versions("my-fn", marker, 2)
    assert [v.version for v in page] == ["2", "3"]
    assert marker is None


# -- lookup and get ----------------------------------------------------------------------------


def test_lookup_finds_latest_a_version_or_an_alias_version(functions, versions, fn):
    publish_n(versions, functions, 2)
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    latest = functions.store.get("my-fn")
    assert versions.lookup(FunctionRef("my-fn", None)) == latest
    assert versions.lookup(FunctionRef("my-fn", LATEST)) == latest
    assert versions.lookup(FunctionRef("my-fn", "2")) == functions.store.version("my-fn", "2")
    assert versions.lookup(FunctionRef("my-fn", "live")) == functions.store.version("my-fn", "1")


def test_lookup_of_something_missing_is_none(functions, versions, fn):
    versions.publish("my-fn", {})
    assert versions.lookup(FunctionRef("my-fn", "7")) is None
    assert versions.lookup(FunctionRef("my-fn", "nope")) is None
    assert versions.lookup(FunctionRef("missing", None)) is None
    assert versions.lookup(FunctionRef("missing", "1")) is None


def test_lookup_routes_by_the_alias_weights_only_when_asked(functions, versions, fn):
    publish_n(versions, functions, 2)
    versions.create_alias(
        "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 1.0}}}
    )
    assert versions.lookup(FunctionRef("my-fn", "live")).version == "1"
    assert versions.lookup(FunctionRef("my-fn", "live"), route=True).version == "2"


def test_get_names_the_missing_function_or_qualifier(functions, versions, fn):
    versions.publish("my-fn", {})
    function, ref = versions.get("my-fn:1")
    assert (function.version, ref) == ("1", FunctionRef("my-fn", "1"))
    assert versions.get("my-fn", "1")[0].version == "1"
    with raises(ResourceNotFound, f"Function not found: {ARN}:9"):
        versions.get("my-fn", "9")
    with raises(ResourceNotFound, f"Function not found: {ARN}:live"):
        versions.get("my-fn:live")
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"):
        versions.get("missing")


@pytest.mark.parametrize(
    ("value", "qualifier", "shown"),
    [
        ("missing", "1", "missing:1"),
        ("missing", "live", "missing:live"),
        ("missing:live", None, "missing:live"),
        ("arn:aws:lambda:us-east-1:123456789012:function:missing:$LATEST", "$LATEST", "missing:$LATEST"),
        ("arn:aws:lambda:us-east-1:123456789012:function:missing", "$latest", "missing:$latest"),
    ],
)
def test_a_missing_function_looked_up_with_a_qualifier_is_named_with_it(versions, value, qualifier, shown):
    """AWS: test_ops_with_arn_qualifier_mismatch and lowercase_latest_qualifier-get_function."""
    with raises(ResourceNotFound, f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{shown}"):
        versions.get(value, qualifier)


def test_latest_of_a_missing_function_keeps_the_qualifier_in_functions_lookups_too(functions):
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing:1"):
        functions.get("missing:1")
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"):
        functions.get("missing")


# -- delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "qualifier"), [("my-fn", LATEST), ("my-fn:$LATEST", None)])
def test_latest_cannot_be_deleted_alone(functions, versions, fn, value, qualifier):
    with raises(InvalidParameterValue, "$LATEST version cannot be deleted without deleting the function."):
        versions.delete(value, qualifier)
    assert functions.store.get("my-fn") is not None


def test_an_alias_cannot_be_deleted_as_a_qualifier(functions, versions, fn):
    versions.publish("my-fn", {})
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(InvalidParameterValue, "Deletion of aliases is not currently supported."):
        versions.delete("my-fn", "live")
    with raises(InvalidParameterValue, "Deletion of aliases is not currently supported."):
        versions.delete("my-fn:live")
    assert functions.store.alias("my-fn", "live") is not None


def test_a_version_is_deleted_alone(functions, versions, fn):
    publish_n(versions, functions, 2)
    versions.delete("my-fn", "1")
    assert [v.version for v in functions.store.versions("my-fn")] == ["2"]
    versions.delete("my-fn:2")
    assert functions.store.versions("my-fn") == []
    assert functions.store.get("my-fn") is not None


def test_deleting_a_missing_version_is_no_error(functions, versions, fn):
    versions.publish("my-fn", {})
    versions.delete("my-fn", "9")
    assert [v.version for v in functions.store.versions("my-fn")] == ["1"]


def test_deleting_a_version_of_a_missing_function_is_not_found(versions):
    with raises(ResourceNotFound, f"Function not found: {ARN}"):
        versions.delete("my-fn", "1")


@pytest.mark.parametrize("qualifier", ["$latest", "$LATEST.PUBLISHED"])
def test_a_qualifier_outside_the_alias_pattern_is_deleted_as_a_missing_version(functions, versions, fn, qualifier):
    """AWS: lowercase_latest_qualifier-delete_function gives the function's 404; on a function, nothing to do."""
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"):
        versions.delete("arn:aws:lambda:us-east-1:123456789012:function:missing", qualifier)
    versions.publish("my-fn", {})
    versions.delete("my-fn", qualifier)
    assert [v.version for v in functions.store.versions("my-fn")] == ["1"]
    assert functions.store.get("my-fn") is not None


def test_a_long_qualifier_matching_the_alias_pattern_is_an_alias_to_delete(versions, fn):
    """AWS: qualifier_too_long1-delete_function (65 characters)."""
    with raises(InvalidParameterValue, "Deletion of aliases is not currently supported."):
        versions.delete("my-fn", "a" * 65)


def test_a_version_an_alias_points_at_cannot_be_deleted(functions, versions, fn):
    publish_n(versions, functions, 2)
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(ResourceConflict, "Unable to delete version because the following aliases reference it: [live]"):
        versions.delete("my-fn", "1")
    assert functions.store.version("my-fn", "1") is not None
    versions.delete("my-fn", "2")  # no alias references it
    assert functions.store.version("my-fn", "2") is None


def test_a_version_an_alias_sends_a_share_to_cannot_be_deleted(functions, versions, fn):
    publish_n(versions, functions, 2)
    versions.create_alias(
        "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    )
    with raises(ResourceConflict, "Unable to delete version because the following aliases reference it: [live]"):
        versions.delete("my-fn", "2")
    assert functions.store.version("my-fn", "2") is not None


def test_every_alias_referencing_a_version_is_named_in_order(functions, versions, fn):
    versions.publish("my-fn", {})
    for name in ("prod", "beta"):
        versions.create_alias("my-fn", {"Name": name, "FunctionVersion": "1"})
    message = "Unable to delete version because the following aliases reference it: [beta, prod]"
    with raises(ResourceConflict, message):
        versions.delete("my-fn", "1")


def test_a_version_can_be_deleted_once_its_alias_is(functions, versions, fn):
    versions.publish("my-fn", {})
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    versions.delete_alias("my-fn", "live")
    versions.delete("my-fn", "1")
    assert functions.store.versions("my-fn") == []


def test_an_unqualified_delete_removes_the_function_with_versions_and_aliases(functions, versions, fn):
    versions.publish("my-fn", {})
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    versions.delete("my-fn")
    assert functions.store.get("my-fn") is None
    assert functions.store.versions("my-fn") == []
    assert functions.store.aliases("my-fn") == []
    with raises(ResourceNotFound, f"Function not found: {ARN}"):
        versions.delete("my-fn")


# -- aliases -----------------------------------------------------------------------------------


@pytest.fixture
def two_versions(functions, versions, fn):
    publish_n(versions, functions, 2)


def test_an_alias_is_created_and_read_back(functions, versions, two_versions):
    alias = versions.create_alias(
        "my-fn",
        {
            "Name": "live",
            "FunctionVersion": "1",
            "Description": "production",
            "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.25}},
        },
    )
    assert alias.arn == f"{ARN}:live"
    assert (alias.function_name, alias.name, alias.function_version) == ("my-fn", "live", "1")
    assert alias.description == "production"
    assert alias.additional_weights == (("2", 0.25),)
    assert alias.revision_id
    assert versions.get_alias("my-fn", "live") == alias
    assert versions.get_alias(ARN, "live") == alias
    assert functions.store.alias("my-fn", "live") == alias


def test_an_alias_without_description_or_routing_has_empty_ones(versions, two_versions):
    alias = versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "2"})
    assert alias.description == ""
    assert alias.additional_weights == ()


def test_an_alias_may_point_at_latest(versions, fn):
    alias = versions.create_alias("my-fn", {"Name": "dev", "FunctionVersion": LATEST})
    assert alias.function_version == LATEST
    assert versions.lookup(FunctionRef("my-fn", "dev")).version == LATEST


def test_an_integer_weight_is_stored_as_a_float(versions, two_versions):
    alias = versions.create_alias(
        "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 1}}}
    )
    assert alias.additional_weights == (("2", 1.0),)
    assert isinstance(alias.additional_weights[0][1], float)


def test_an_alias_needs_a_name_and_a_version(versions, fn):
    message = (
        "2 validation errors detected: "
        "Value null at 'name' failed to satisfy constraint: Member must not be null; "
        "Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {})
    message = (
        "1 validation error detected: "
        "Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {"Name": "live"})


def test_an_alias_name_of_digits_only_is_refused(versions, two_versions):
    message = (
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {"Name": "123", "FunctionVersion": "1"})


def test_an_alias_name_with_other_characters_is_refused(versions, two_versions):
    message = (
        "1 validation error detected: Value 'my.alias' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {"Name": "my.alias", "FunctionVersion": "1"})


def test_an_alias_name_of_at_most_128_characters_is_accepted(versions, two_versions):
    name = "a" * 128
    assert versions.create_alias("my-fn", {"Name": name, "FunctionVersion": "1"}).name == name
    long = "a" * 129
    message = (
        f"1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {"Name": long, "FunctionVersion": "1"})


def test_an_alias_version_must_be_a_number_or_latest(versions, two_versions):
    message = (
        "1 validation error detected: Value 'live' at 'functionVersion' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {VERSION_PATTERN}"
    )
    with raises(ValidationError, message):
        versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "live"})


def test_routing_weights_must_name_a_version_number(versions, two_versions):
    message = (
        "1 validation error detected: Value '{live=0.5}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
        "Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "
        "[0-9]+]"
    )
    with raises(ValidationError, message):
        versions.create_alias(
            "my-fn",
            {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"live": 0.5}}},
        )


@pytest.mark.parametrize(("weight", "shown"), [(1.5, "1.5"), (-0.1, "-0.1")])
def test_routing_weights_must_be_between_zero_and_one(versions, two_versions, weight, shown):
    message = (
        f"1 validation error detected: Value '{{2={shown}}}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]"
    )
    with raises(ValidationError, message):
        versions.create_alias(
            "my-fn",
            {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": weight}}},
        )


def test_routing_to_more_than_one_more_version_is_refused(functions, versions, two_versions):
    publish_n(versions, functions, 1)
    with raises(InvalidParameterValue, "Number of items in AdditionalVersionWeights cannot be greater than 1"):
        versions.create_alias(
            "my-fn",
            {
                "Name": "live",
                "FunctionVersion": "1",
                "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}},
            },
        )


def test_routing_to_the_primary_version_is_refused(versions, two_versions):
    message = "Invalid function version 1. Function version 1 is already included in routing configuration."
    with raises(InvalidParameterValue, message):
        versions.create_alias(
            "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}}
        )


def test_routing_from_latest_is_refused(versions, two_versions):
    with raises(InvalidParameterValue, "$LATEST is not supported for an alias pointing to more than 1 version"):
        versions.create_alias(
            "my-fn",
            {"Name": "live", "FunctionVersion": LATEST, "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
        )


def test_an_alias_to_a_missing_version_is_not_found(functions, versions, two_versions):
    with raises(ResourceNotFound, f"Function not found: {ARN}:9"):
        versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "9"})
    with raises(ResourceNotFound, f"Function not found: {ARN}:9"):
        versions.create_alias(
            "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"9": 0.5}}}
        )
    assert functions.store.aliases("my-fn") == []


def test_an_alias_of_a_missing_function_is_not_found(versions):
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing:1"):
        versions.create_alias("missing", {"Name": "live", "FunctionVersion": "1"})


def test_an_alias_name_is_taken_once(versions, two_versions):
    first = versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(ResourceConflict, f"Alias already exists: {ARN}:live"):
        versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "2"})
    assert versions.get_alias("my-fn", "live") == first


def test_a_missing_alias_is_not_found(versions, fn):
    with raises(ResourceNotFound, f"Cannot find alias arn: {ARN}:live"):
        versions.get_alias("my-fn", "live")


def test_updating_an_alias_changes_only_what_is_given(versions, two_versions):
    created = versions.create_alias(
        "my-fn",
        {
            "Name": "live",
            "FunctionVersion": "1",
            "Description": "production",
            "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}},
        },
    )
    updated = versions.update_alias("my-fn", "live", {"RoutingConfig": {"AdditionalVersionWeights": {"2": 0.4}}})
    assert updated.function_version == "1"
    assert updated.description == "production"
    assert updated.additional_weights == (("2", 0.4),)
    assert updated.revision_id != created.revision_id
    assert versions.get_alias("my-fn", "live") == updated
    described = versions.update_alias("my-fn", "live", {"Description": ""})
    assert described.description == ""
    assert described.additional_weights == (("2", 0.4),)  # no RoutingConfig: the weights stay


def test_an_empty_routing_config_removes_the_weights(versions, two_versions):
    versions.create_alias(
        "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    )
    updated = versions.update_alias("my-fn", "live", {"FunctionVersion": "2", "RoutingConfig": {}})
    assert (updated.function_version, updated.additional_weights) == ("2", ())


def test_moving_an_alias_onto_its_routed_version_is_refused(versions, two_versions):
    versions.create_alias(
        "my-fn", {"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    )
    message = "Invalid function version 2. Function version 2 is already included in routing configuration."
    with raises(InvalidParameterValue, message):
        versions.update_alias("my-fn", "live", {"FunctionVersion": "2"})
    with raises(InvalidParameterValue, "$LATEST is not supported for an alias pointing to more than 1 version"):
        versions.update_alias("my-fn", "live", {"FunctionVersion": LATEST})
    assert versions.get_alias("my-fn", "live").function_version == "1"


def test_updating_an_alias_to_a_missing_version_is_not_found(versions, two_versions):
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(ResourceNotFound, f"Function not found: {ARN}:9"):
        versions.update_alias("my-fn", "live", {"FunctionVersion": "9"})
    assert versions.get_alias("my-fn", "live").function_version == "1"


def test_updating_an_alias_checks_its_revision_id(versions, two_versions):
    alias = versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(PreconditionFailed, REVISION_MISMATCH):
        versions.update_alias("my-fn", "live", {"FunctionVersion": "2", "RevisionId": "stale"})
    assert versions.get_alias("my-fn", "live") == alias
    updated = versions.update_alias("my-fn", "live", {"FunctionVersion": "2", "RevisionId": alias.revision_id})
    assert updated.function_version == "2"


def test_updating_a_missing_alias_is_not_found(versions, fn):
    with raises(ResourceNotFound, f"Alias not found: {ARN}:live"):
        versions.update_alias("my-fn", "live", {"FunctionVersion": "1"})


def test_updating_an_alias_checks_the_values_given(versions, two_versions):
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    message = (
        "1 validation error detected: Value 'x' at 'functionVersion' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {VERSION_PATTERN}"
    )
    with raises(ValidationError, message):
        versions.update_alias("my-fn", "live", {"FunctionVersion": "x"})


def test_a_deleted_alias_is_gone_and_deleting_it_again_is_no_error(functions, versions, two_versions):
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    versions.delete_alias("my-fn", "live")
    assert functions.store.alias("my-fn", "live") is None
    with raises(ResourceNotFound, f"Cannot find alias arn: {ARN}:live"):
        versions.get_alias("my-fn", "live")
    versions.delete_alias("my-fn", "live")
    assert versions.lookup(FunctionRef("my-fn", "live")) is None


def test_aliases_are_listed_by_name_and_filtered_by_version(versions, two_versions):
    for name, version in (("prod", "1"), ("beta", "2"), ("live", "1")):
        versions.create_alias("my-fn", {"Name": name, "FunctionVersion": version})
    page, marker = versions.aliases("my-fn", None, None, None)
    assert ([a.name for a in page], marker) == (["beta", "live", "prod"], None)
    page, _ = versions.aliases("my-fn", "1", None, None)
    assert [a.name for a in page] == ["live", "prod"]
    page, marker = versions.aliases("my-fn", None, None, 2)
    assert ([a.name for a in page], marker) == (["beta", "live"], "2")
    page, marker = versions.aliases("my-fn", None, marker, 2)
    assert ([a.name for a in page], marker) == (["prod"], None)
