"""TagResource, UntagResource and ListTags against AWS's recordings (function resources)."""

import pytest

from .expect import (
    ACCOUNT,
    REGION,
    UUID,
    body,
    configuration,
    function_arn,
    invalid,
    not_found,
    problem,
    refused,
    status,
    validation,
)

RESOURCE_PATTERN = (
    r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
    r"code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"
)
QUALIFIED = "Tags on function aliases and versions are not supported. Please specify a function ARN."
TOO_MANY = "Number of tags exceeds resource tag limit."


def bad_resource(value: str) -> dict:
    return validation(problem(value, "resource", f"Member must satisfy regular expression pattern: {RESOURCE_PATTERN}"))


def test_tags_given_on_create_show_in_get_function_and_list_tags(lambda_client, function):
    # snapshot: TestLambdaTag::test_create_tag_on_fn_create
    name = function(Tags={"testtag": "tag-x"})["FunctionName"]
    shown = lambda_client.get_function(FunctionName=name)
    assert shown["Tags"] == {"testtag": "tag-x"}
    assert shown["Configuration"] == configuration(name)
    assert body(lambda_client.list_tags(Resource=function_arn(name))) == {"Tags": {"testtag": "tag-x"}}


def test_tag_and_untag_merge_overwrite_and_ignore_missing_keys(lambda_client, function):
    # snapshot: TestLambdaTag::test_tag_lifecycle[lambda_function]
    arn = function()["FunctionArn"]

    def tags():
        return body(lambda_client.list_tags(Resource=arn))["Tags"]

    assert status(lambda_client.tag_resource(Resource=arn, Tags={"A": "tag-a"})) == 204
    assert tags() == {"A": "tag-a"}
    assert status(lambda_client.tag_resource(Resource=arn, Tags={"B": "tag-b", "C": "tag-c"})) == 204
    assert tags() == {"A": "tag-a", "B": "tag-b", "C": "tag-c"}
    lambda_client.tag_resource(Resource=arn, Tags={"C": "tag-c-newsuffix", "D": "tag-d"})
    assert tags() == {"A": "tag-a", "B": "tag-b", "C": "tag-c-newsuffix", "D": "tag-d"}
    assert status(lambda_client.untag_resource(Resource=arn, TagKeys=["A"])) == 204
    assert tags() == {"B": "tag-b", "C": "tag-c-newsuffix", "D": "tag-d"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["B", "C"])
    assert tags() == {"D": "tag-d"}
    assert status(lambda_client.untag_resource(Resource=arn, TagKeys=["F"])) == 204
    assert tags() == {"D": "tag-d"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["D", "F"])
    assert tags() == {}


def test_each_tag_change_gives_the_function_a_new_revision_and_no_tags_means_no_tags_key(lambda_client, function):
    # snapshot: TestLambdaTags::test_tag_lifecycle
    name = function(Tags={"key_a": "value_a"})["FunctionName"]
    arn = function_arn(name)
    seen = []

    def check(tags):
        assert body(lambda_client.list_tags(Resource=arn)) == {"Tags": tags}
        shown = body(lambda_client.get_function(FunctionName=arn))
        assert shown.get("Tags") == (tags or None)
        assert shown["Configuration"] == configuration(name)
        seen.append(shown["Configuration"]["RevisionId"])

    check({"key_a": "value_a"})
    lambda_client.tag_resource(
        Resource=arn, Tags={"key_b": "value_b", "key_c": "value_c", "key_d": "value_d", "key_e": "value_e"}
    )
    check({"key_a": "value_a", "key_b": "value_b", "key_c": "value_c", "key_d": "value_d", "key_e": "value_e"})
    lambda_client.tag_resource(Resource=arn, Tags={"key_b": "value_b", "key_c": "value_x"})
    check({"key_a": "value_a", "key_b": "value_b", "key_c": "value_x", "key_d": "value_d", "key_e": "value_e"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["key_c", "key_d"])
    check({"key_a": "value_a", "key_b": "value_b", "key_e": "value_e"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["key_a", "key_b", "key_e"])
    check({})
    assert len(set(seen)) == 5 and all(r == UUID for r in seen)  # uuid:1 .. uuid:5 in the recording
    lambda_client.delete_function(FunctionName=name)
    assert refused(lambda_client.list_tags, Resource=arn) == not_found(f"Function not found: {arn}")


def test_tagging_errors_are_aws_s(lambda_client, function):
    # snapshot: TestLambdaTags::test_tag_exceptions
    arn = function()["FunctionArn"]
    assert refused(lambda_client.tag_resource, Resource="arn:aws:something", Tags={"key_a": "value_a"}) == (
        bad_resource("arn:aws:something")
    )
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:doesnotexist"
    assert refused(lambda_client.tag_resource, Resource=missing, Tags={"key_a": "value_a"}) == not_found(
        f"Function not found: {missing}"
    )
    assert refused(lambda_client.tag_resource, Resource=f"{arn}:v1", Tags={"key_a": "value_a"}) == invalid(QUALIFIED)
    assert body(lambda_client.list_tags(Resource=arn)) == {"Tags": {}}
    assert status(lambda_client.untag_resource(Resource=arn, TagKeys=["somekey"])) == 204
    assert refused(lambda_client.untag_resource, Resource=arn, TagKeys=[]) == validation(
        problem(None, "tagKeys", "Member must not be null")
    )
    assert refused(lambda_client.tag_resource, Resource=arn, Tags={}) == invalid(
        "An error occurred and the request cannot be processed."
    )
    lambda_client.tag_resource(Resource=arn, Tags={"a_key": "a_value", "b_key": "b_value"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["a_key", "c_key"])
    assert body(lambda_client.list_tags(Resource=arn)) == {"Tags": {"b_key": "b_value"}}


def test_a_resource_holds_at_most_50_tags(lambda_client, function):
    # snapshot: TestLambdaTags::test_tag_limits
    name = function()["FunctionName"]
    arn = function_arn(name)
    many = {f"{k}_key": f"{k}_value" for k in range(51)}
    assert refused(lambda_client.tag_resource, Resource=arn, Tags=many) == invalid(TOO_MANY)
    fifty = {f"{k}_key": f"{k}_value" for k in range(50)}
    assert status(lambda_client.tag_resource(Resource=arn, Tags=fifty)) == 204
    assert body(lambda_client.list_tags(Resource=arn)) == {"Tags": fifty}
    assert lambda_client.get_function(FunctionName=name)["Tags"] == fifty
    assert refused(lambda_client.tag_resource, Resource=arn, Tags={"a_key": "a_value"}) == invalid(TOO_MANY)
    with pytest.raises(AssertionError):  # the limit counts the tags after the change: overwriting one is fine
        refused(lambda_client.tag_resource, Resource=arn, Tags={"0_key": "changed"})
    assert refused(lambda_client.create_function, **_create(Tags=many)) == invalid(TOO_MANY)


def test_versions_and_latest_cannot_be_tagged(lambda_client, function):
    # snapshot: TestLambdaTags::test_tag_versions
    created = function(Tags={"key_a": "value_a"})
    version_arn = lambda_client.publish_version(FunctionName=created["FunctionName"])["FunctionArn"]
    tags = {"key_b": "value_b", "key_c": "value_c", "key_d": "value_d", "key_e": "value_e"}
    assert refused(lambda_client.tag_resource, Resource=version_arn, Tags=tags) == invalid(QUALIFIED)
    latest = f"{created['FunctionArn']}:$LATEST"
    assert refused(lambda_client.tag_resource, Resource=latest, Tags=tags) == invalid(QUALIFIED)


def test_a_missing_function_or_a_bad_arn_is_refused_for_each_tag_operation(lambda_client):
    # snapshot: TestLambdaTag::test_tag_exceptions[lambda_function]
    name = f"fn-{'a' * 20}-missing"
    arn = function_arn(name)
    message = f"Function not found: {arn}"
    assert refused(lambda_client.tag_resource, Resource=arn, Tags={"A": "B"}) == not_found(message)
    assert refused(lambda_client.untag_resource, Resource=arn, TagKeys=["A"]) == not_found(message)
    assert refused(lambda_client.list_tags, Resource=arn) == not_found(message)
    assert refused(lambda_client.list_tags, Resource=f"{arn}:alias") == invalid(QUALIFIED)
    foobar = f"arn:aws:lambda:{REGION}:{ACCOUNT}:foobar:{name}"
    assert refused(lambda_client.list_tags, Resource=foobar) == bad_resource(foobar)


def test_tags_of_a_deleted_function_are_not_found(lambda_client, function):
    # snapshot: TestLambdaTag::test_tag_nonexisting_resource
    name = function()["FunctionName"]
    arn = function_arn(name)
    assert lambda_client.get_function(FunctionName=arn)["Configuration"] == configuration(name)
    lambda_client.delete_function(FunctionName=arn)
    message = f"Function not found: {arn}"
    assert refused(lambda_client.tag_resource, Resource=arn, Tags={"A": "B"}) == not_found(message)
    assert refused(lambda_client.untag_resource, Resource=arn, TagKeys=["A"]) == not_found(message)
    assert refused(lambda_client.list_tags, Resource=arn) == not_found(message)


def _create(**params) -> dict:
    from host.testing.plugin import make_zip

    from .conftest import ECHO, unique
    from .expect import ROLE

    return {
        "FunctionName": unique(),
        "Handler": "index.handler",
        "Code": {"ZipFile": make_zip(ECHO)},
        "PackageType": "Zip",
        "Role": ROLE,
        "Runtime": "python3.12",
        **params,
    }


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (  # snapshot: TestLambdaTag::test_tag_exceptions[event_source_mapping] (no mapping of that id)
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:0b0b0b0b-1111-2222-3333-444444444444",
            "Event source mapping not found: {arn}",
        ),
        (  # snapshot: TestLambdaTag::test_tag_exceptions[capacity_provider]
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:cp-0b0b0b0b",
            "Capacity provider not found: {arn}",
        ),
    ],
)
def test_other_kinds_of_resource_that_do_not_exist_are_not_found(lambda_client, arn, message):
    expected = not_found(message.format(arn=arn))
    assert refused(lambda_client.tag_resource, Resource=arn, Tags={"A": "B"}) == expected
    assert refused(lambda_client.untag_resource, Resource=arn, TagKeys=["A"]) == expected
    assert refused(lambda_client.list_tags, Resource=arn) == expected
    assert refused(lambda_client.list_tags, Resource=f"{arn}:alias") == bad_resource(f"{arn}:alias")
    kind = arn.split(":")[5]
    foobar = arn.replace(f":{kind}:", ":foobar:")
    assert refused(lambda_client.list_tags, Resource=foobar) == bad_resource(foobar)
