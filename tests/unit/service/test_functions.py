"""FunctionService on its own: UpdateFunctionCode's DryRun and tags on qualified ARNs, as AWS answers them."""

import pytest

from host.core.errors import InvalidParameterValue, PreconditionFailed, ResourceNotFound
from host.core.tags import TAGS_QUALIFIED
from host.service.functions import REVISION_MISMATCH, FunctionService
from host.service.tags import TagService
from tests.unit.service.test_versions import ARN, Catalog, build, create_params, make_zip, raises, zip_param


@pytest.fixture
def built(tmp_path):
    functions, versions, _ = build(tmp_path, Catalog())
    yield functions, versions
    functions.close()


@pytest.fixture
def functions(built) -> FunctionService:
    return built[0]


@pytest.fixture
def fn(functions):
    return functions.create(create_params(Tags={"team": "a"}))


def stored_packages(functions: FunctionService) -> set[str]:
    return {path.name for path in functions.packages.code_dir.iterdir()}


# -- UpdateFunctionCode with DryRun ---------------------------------------------------------------


def test_a_dry_run_answers_with_the_new_code_and_changes_nothing(functions, fn):
    before = functions.store.get("my-fn")
    packages = stored_packages(functions)
    new_code = zip_param("def handler(event, context):\n    return 2\n")
    shown = functions.update_code("my-fn", {**new_code, "DryRun": True})
    assert shown.code.sha256 != before.code.sha256
    assert shown.code.size == len(make_zip({"app.py": "def handler(event, context):\n    return 2\n"}))
    assert (shown.revision_id, shown.last_modified, shown.last_update_status) == (
        before.revision_id, before.last_modified, before.last_update_status,
    )  # fmt: skip
    assert functions.store.get("my-fn") == before
    assert stored_packages(functions) == packages  # the zip was checked, not kept
    applied = functions.update_code("my-fn", new_code)
    assert applied.code.sha256 == shown.code.sha256


def test_a_dry_run_still_checks_the_package(functions, fn):
    with raises(
        InvalidParameterValue, "Could not unzip uploaded file. Please check your file, then try to upload again."
    ):
        functions.update_code("my-fn", {"ZipFile": "bm90IGEgemlw", "DryRun": True})
    with raises(InvalidParameterValue, "Please provide a source for function code."):
        functions.update_code("my-fn", {"DryRun": True})


def test_a_dry_run_still_checks_the_function_and_its_revision(functions, fn):
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"):
        functions.update_code("missing", {**zip_param(), "DryRun": True})
    with raises(PreconditionFailed, REVISION_MISMATCH):
        functions.update_code("my-fn", {**zip_param(), "DryRun": True, "RevisionId": "stale"})


def test_a_dry_run_of_the_current_package_matches_what_is_stored(functions, fn):
    shown = functions.update_code("my-fn", {**zip_param(), "DryRun": True})
    assert shown.code == functions.store.get("my-fn").code


# -- tags -----------------------------------------------------------------------------------------


@pytest.fixture
def tags(functions) -> TagService:
    return TagService(functions)


@pytest.mark.parametrize("suffix", [":1", ":$LATEST", ":live"])
def test_tags_on_a_version_alias_or_latest_arn_are_refused(tags, fn, suffix):
    """AWS: test_tag_versions and the aliased ARN of test_tag_exceptions."""
    for call in (
        lambda: tags.tag(ARN + suffix, {"k": "v"}),
        lambda: tags.untag(ARN + suffix, ["team"]),
        lambda: tags.list(ARN + suffix),
    ):
        with raises(InvalidParameterValue, TAGS_QUALIFIED):
            call()
    assert tags.list(ARN) == {"team": "a"}


def test_a_qualified_arn_is_refused_before_the_function_is_looked_up(tags):
    with raises(InvalidParameterValue, TAGS_QUALIFIED):
        tags.list("arn:aws:lambda:us-east-1:123456789012:function:missing:alias")
    with raises(ResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"):
        tags.list("arn:aws:lambda:us-east-1:123456789012:function:missing")


def test_tags_on_the_function_arn_still_work_and_revise_the_function(functions, tags, fn):
    before = functions.store.get("my-fn").revision_id
    tags.tag(ARN, {"stage": "dev"})
    tags.untag(ARN, ["team"])
    assert tags.list(ARN) == {"stage": "dev"}
    assert functions.store.get("my-fn").revision_id != before


def test_kinds_nobody_registered_are_not_found_with_aws_message(tags):
    arn = "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:a1b2c3d4-0000-1111-2222-333344445555"
    with raises(ResourceNotFound, f"Event source mapping not found: {arn}"):
        tags.list(arn)
    arn = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp"
    with raises(ResourceNotFound, f"Capacity provider not found: {arn}"):
        tags.tag(arn, {"a": "b"})
