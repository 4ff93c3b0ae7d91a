"""CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias against AWS's recordings."""

from .conftest import wait_updated
from .expect import (
    body,
    configuration,
    conflict,
    function_arn,
    invalid,
    not_found,
    problem,
    refused,
    status,
    validation,
)

WEIGHTS = "routingConfig.additionalVersionWeights"
VALUE_CONSTRAINT = (
    "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value "
    "greater than or equal to 0.0, Member must not be null]"
)
KEY_CONSTRAINT = (
    "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length "
    "greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]"
)


def alias(function: str, name: str, version: str, description: str = "", weights=None) -> dict:
    shown = {
        "AliasArn": function_arn(function, name),
        "Name": name,
        "FunctionVersion": version,
        "Description": description,
        "RevisionId": alias_revision,
    }
    if weights:
        shown["RoutingConfig"] = {"AdditionalVersionWeights": weights}
    return shown


class _AnyUuid:
    def __eq__(self, other):
        from .expect import UUID

        return other == UUID


alias_revision = _AnyUuid()


def two_versions(lambda_client, bare_function, **params) -> str:
    name = bare_function(Environment={"Variables": {"testenv": "staging"}}, **params)["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_configuration(FunctionName=name, Environment={"Variables": {"testenv": "prod"}})
    wait_updated(lambda_client, name)
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"
    return name


def test_alias_lifecycle(lambda_client, bare_function):
    # snapshot: TestLambdaAlias::test_alias_lifecycle
    fn = two_versions(lambda_client, bare_function)
    created = lambda_client.create_alias(
        FunctionName=fn, Name="aliasname1_1", FunctionVersion="1", Description="custom-alias",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )  # fmt: skip
    assert status(created) == 201
    a11 = alias(fn, "aliasname1_1", "1", "custom-alias", {"2": 0.2})
    assert body(created) == a11
    assert body(lambda_client.get_alias(FunctionName=fn, Name="aliasname1_1")) == a11
    v1 = lambda_client.get_function(FunctionName=fn, Qualifier="1")["Configuration"]
    by_alias = configuration(
        fn, FunctionArn=function_arn(fn, "aliasname1_1"), Version="1", Handler="index.handler", Timeout=3,
        Environment={"Variables": {"testenv": "staging"}}, RevisionId=v1["RevisionId"],
    )  # fmt: skip
    assert lambda_client.get_function(FunctionName=fn, Qualifier="aliasname1_1")["Configuration"] == by_alias
    assert lambda_client.get_function(FunctionName=created["AliasArn"])["Configuration"] == by_alias
    missing = not_found(f"Function not found: {function_arn(fn, 'aliasdoesnotexist')}")
    assert refused(lambda_client.get_function, FunctionName=fn, Qualifier="aliasdoesnotexist") == missing
    assert refused(lambda_client.get_function, FunctionName=function_arn(fn, "aliasdoesnotexist")) == missing
    made = {
        "aliasname1_2": alias(fn, "aliasname1_2", "1", "custom-alias"),
        "aliasname1_3": alias(fn, "aliasname1_3", "1"),
        "aliasname2": alias(fn, "aliasname2", "2", "custom-alias"),
    }
    for name, expected in made.items():
        params = {"Description": expected["Description"]} if expected["Description"] else {}
        assert body(lambda_client.create_alias(FunctionName=fn, Name=name, FunctionVersion=expected["FunctionVersion"],
                                               **params)) == expected  # fmt: skip
        assert body(lambda_client.get_alias(FunctionName=fn, Name=name)) == expected
    pages = lambda_client.get_paginator("list_aliases").paginate(FunctionName=fn, PaginationConfig={"PageSize": 1})
    assert pages.build_full_result()["Aliases"] == [a11, *made.values()]
    cleared = lambda_client.update_alias(FunctionName=fn, Name="aliasname1_1",
                                         RoutingConfig={"AdditionalVersionWeights": {}})  # fmt: skip
    a11_after = alias(fn, "aliasname1_1", "1", "custom-alias")
    assert body(cleared) == a11_after and cleared["RevisionId"] != created["RevisionId"]
    assert body(lambda_client.get_alias(FunctionName=fn, Name="aliasname1_1")) == a11_after
    unchanged = lambda_client.update_alias(FunctionName=fn, Name="aliasname1_2")
    assert body(unchanged) == made["aliasname1_2"]  # an update without changes still gets a new RevisionId
    old = lambda_client.list_aliases(FunctionName=fn)["Aliases"]
    assert [a["RevisionId"] for a in old][1] == unchanged["RevisionId"]
    assert body(lambda_client.list_aliases(FunctionName=fn))["Aliases"] == [a11_after, *made.values()]
    for_one = lambda_client.list_aliases(FunctionName=fn, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in for_one] == ["aliasname1_1", "aliasname1_2", "aliasname1_3"]
    assert status(lambda_client.delete_alias(FunctionName=fn, Name="aliasname1_1")) == 204
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=fn)["Aliases"]] == list(made)


def test_deleting_a_missing_alias_is_no_error_updating_one_is(lambda_client, bare_function):
    # snapshot: TestLambdaAlias::test_non_existent_alias_deletion and ::test_non_existent_alias_update
    fn = bare_function(Environment={"Variables": {"testenv": "staging"}})["FunctionName"]
    assert status(lambda_client.delete_alias(FunctionName=fn, Name="non-existent")) == 204
    assert refused(lambda_client.update_alias, FunctionName=fn, Name="non-existent") == not_found(
        f"Alias not found: {function_arn(fn, 'non-existent')}"
    )


def test_routing_configurations_aws_refuses_and_accepts(lambda_client, unchecked_client, bare_function):
    # snapshot: TestLambdaAlias::test_notfound_and_invalid_routingconfigs (boto3's own checks off, as recorded)
    fn = two_versions(lambda_client, bare_function, Publish=True)
    create = unchecked_client.create_alias

    def attempt(version="1", weights=None, name="custom", function=fn):
        return refused(create, FunctionName=function, Name=name, FunctionVersion=version,
                       RoutingConfig={"AdditionalVersionWeights": weights})  # fmt: skip

    assert attempt(weights={"1": 0.8, "2": 0.2}) == invalid(
        "Number of items in AdditionalVersionWeights cannot be greater than 1"
    )
    assert attempt(weights={"2": 2}) == validation(problem("{2=2.0}", WEIGHTS, VALUE_CONSTRAINT))
    assert attempt(weights={"2": -1}) == validation(problem("{2=-1.0}", WEIGHTS, VALUE_CONSTRAINT))
    assert attempt(weights={"1": 0.5}) == invalid(
        "Invalid function version 1. Function version 1 is already included in routing configuration."
    )
    assert attempt("10", {"2": 0.5}) == not_found(f"Function not found: {function_arn(fn, '10')}")
    assert attempt(weights={"10": 0.5}) == not_found(f"Function not found: {function_arn(fn, '10')}")
    assert attempt("$LATEST", {"1": 0.5}) == invalid(
        "$LATEST is not supported for an alias pointing to more than 1 version"
    )
    assert attempt(weights={"$LATEST": 0.5}) == validation(problem("{$LATEST=0.5}", WEIGHTS, KEY_CONSTRAINT))
    latest = create(FunctionName=fn, Name="custom-latest", FunctionVersion="$LATEST")
    assert body(latest) == alias(fn, "custom-latest", "$LATEST")
    assert attempt(weights={"2": 0.5}, function=f"{fn}-unknown") == not_found(
        f"Function not found: {function_arn(fn + '-unknown', '1')}"
    )
    empty = create(FunctionName=fn, Name="custom-empty-routingconfig", FunctionVersion="1",
                   RoutingConfig={"AdditionalVersionWeights": {}})  # fmt: skip
    assert body(empty) == alias(fn, "custom-empty-routingconfig", "1")
    normal = create(FunctionName=fn, Name="custom", FunctionVersion="1",
                    RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})  # fmt: skip
    assert body(normal) == alias(fn, "custom", "1", weights={"2": 0.5})
    assert attempt(weights={"2": 0.5}) == conflict(f"Alias already exists: {function_arn(fn, 'custom')}")
    assert refused(lambda_client.get_alias, FunctionName=fn, Name="non-existent") == not_found(
        f"Cannot find alias arn: {function_arn(fn, 'non-existent')}"
    )


def test_an_alias_may_look_like_a_date_but_not_a_number(lambda_client, bare_function):
    # snapshot: TestLambdaAlias::test_alias_naming
    fn = bare_function(Environment={"Variables": {"testenv": "staging"}})["FunctionName"]
    lambda_client.publish_version(FunctionName=fn)
    created = lambda_client.create_alias(FunctionName=fn, Name="2024-01-02", FunctionVersion="1",
                                         Description="custom-alias")  # fmt: skip
    assert body(created) == alias(fn, "2024-01-02", "1", "custom-alias")
    assert body(lambda_client.get_alias(FunctionName=fn, Name="2024-01-02")) == body(created)
    assert lambda_client.invoke(FunctionName=f"{fn}:2024-01-02")["StatusCode"] == 200
    number = refused(lambda_client.create_alias, FunctionName=fn, Name="2024", FunctionVersion="1")
    assert number == validation(
        problem("2024", "name", r"Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
    )
