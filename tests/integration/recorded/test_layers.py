"""Layer versions, their listings and their permissions against AWS's recordings."""

import json

import pytest

from .conftest import unique, wait_updated
from .expect import (
    ACCOUNT,
    DATE,
    LOCATION,
    SHA256,
    SIZE,
    UUID,
    body,
    configuration,
    conflict,
    invalid,
    layer_arn,
    not_found,
    precondition,
    problem,
    refused,
    status,
    updating,
    validation,
)

LAYER_VERSION_ARN_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:"
    r"[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
)
NEW_FUNCTION_RUNTIMES = (
    "[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, "
    "python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, "
    "java11, dotnet6, nodejs18.x, provided.al2, java8.al2]"
)
EVERY_RUNTIME = (
    "[ruby3.5, ruby2.6, dotnetcore1.0, python3.7, nodejs8.10, nasa, ruby2.7, python2.7-greengrass, dotnetcore2.0, "
    "python3.8, java21, dotnet6, dotnetcore2.1, python3.9, java11, nodejs6.10, provided, dotnetcore3.1, dotnet8, "
    "java25, java17, nodejs, nodejs4.3, java8.al2, go1.x, dotnet10, nodejs20.x, go1.9, byol, nodejs10.x, "
    "provided.al2023, nodejs22.x, python3.10, java8, nodejs12.x, python3.11, nodejs24.x, nodejs8.x, python3.12, "
    "nodejs14.x, nodejs8.9, nodejs26.x, python3.13, python3.14, nodejs16.x, python3.15, provided.al2, "
    "nodejs4.3-edge, nodejs18.x, ruby3.2, python3.4, ruby3.3, ruby3.4, ruby2.5, python3.6, python2.7]"
)
NOT_THERE = "The resource you requested does not exist."
TOO_LOW = "Layer Version Cannot be less than 1"
STALE_POLICY = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the "
    "latest Revision Id"
)
ARCHITECTURE_CONSTRAINT = (
    "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
)


def published(name: str, version: int, **fields) -> dict:
    shown = {
        "Content": {"Location": LOCATION, "CodeSha256": SHA256, "CodeSize": SIZE},
        "LayerArn": layer_arn(name),
        "LayerVersionArn": layer_arn(name, version),
        "Description": "",
        "CreatedDate": DATE,
        "Version": version,
        "CompatibleRuntimes": ["python3.12"],
        "CompatibleArchitectures": ["x86_64"],
    }
    shown.update(fields)
    return shown


def listed(name: str, version: int, **fields) -> dict:
    shown = published(name, version, **fields)
    del shown["Content"], shown["LayerArn"]
    return shown


@pytest.mark.parametrize(
    "runtimes",
    [
        # snapshot: TestLambdaLayer::test_layer_compatibilities[runtimes0]
        [
            "nodejs24.x", "nodejs22.x", "nodejs20.x", "nodejs18.x", "nodejs16.x", "nodejs14.x", "nodejs12.x",
            "python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8", "python3.7",
        ],
        # snapshot: TestLambdaLayer::test_layer_compatibilities[runtimes1]
        [
            "java25", "java21", "java17", "java11", "java8.al2", "java8", "dotnet10", "dotnet8", "dotnet6",
            "dotnetcore3.1", "go1.x", "ruby3.4", "ruby3.3", "ruby3.2", "ruby2.7",
        ],
        # snapshot: TestLambdaLayer::test_layer_compatibilities[runtimes2]
        ["provided.al2023", "provided.al2", "provided"],
    ],
)  # fmt: skip
def test_a_layer_may_name_up_to_15_runtimes_retired_ones_included(lambda_client, layer, runtimes):
    name = unique("layer")
    result = layer(LayerName=name, CompatibleRuntimes=runtimes, CompatibleArchitectures=["arm64", "x86_64"])
    assert status(result) == 201
    assert body(result) == published(name, 1, CompatibleRuntimes=runtimes, CompatibleArchitectures=["arm64", "x86_64"])


def test_layer_errors_and_idempotent_deletes(lambda_client, layer):
    # snapshot: TestLambdaLayer::test_layer_exceptions
    name = unique("layer")
    first = layer(LayerName=name, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    assert body(first) == published(name, 1)
    assert refused(lambda_client.list_layers, CompatibleRuntime="runtimedoesnotexist") == validation(
        problem("runtimedoesnotexist", "compatibleRuntime", f"Member must satisfy enum value set: {EVERY_RUNTIME}")
    )
    assert refused(lambda_client.list_layers, CompatibleArchitecture="archdoesnotexist") == validation(
        problem("archdoesnotexist", "compatibleArchitecture", "Member must satisfy enum value set: [x86_64, arm64]")
    )
    assert body(lambda_client.list_layer_versions(LayerName="layerdoesnotexist")) == {"LayerVersions": []}
    get = lambda_client.get_layer_version
    assert refused(get, LayerName="layerdoesnotexist", VersionNumber=1) == not_found(NOT_THERE)
    assert refused(get, LayerName=name, VersionNumber=-1) == invalid(TOO_LOW)
    assert refused(get, LayerName=name, VersionNumber=0) == invalid(TOO_LOW)
    assert refused(get, LayerName=name, VersionNumber=2) == not_found(NOT_THERE)
    assert refused(lambda_client.get_layer_version_by_arn, Arn=first["LayerArn"]) == validation(
        problem(
            first["LayerArn"], "arn", f"Member must satisfy regular expression pattern: {LAYER_VERSION_ARN_PATTERN}"
        )
    )
    assert refused(lambda_client.get_layer_version_by_arn, Arn=f"{first['LayerArn']}:2") == not_found(NOT_THERE)
    delete = lambda_client.delete_layer_version
    assert status(delete(LayerName="layerdoesnotexist", VersionNumber=1)) == 204
    assert status(delete(LayerName=name, VersionNumber=2)) == 204
    assert status(delete(LayerName=name, VersionNumber=1)) == 204
    assert status(delete(LayerName=name, VersionNumber=1)) == 204
    assert refused(delete, LayerName=name, VersionNumber=-1) == invalid(TOO_LOW)
    empty = unique("layer")
    shown = layer(LayerName=empty, CompatibleRuntimes=[], CompatibleArchitectures=[])
    assert body(shown) == published(empty, 1, CompatibleRuntimes=[], CompatibleArchitectures=[])
    zipped = first_zip(lambda_client, empty)
    assert refused(
        lambda_client.publish_layer_version,
        LayerName=unique("layer"),
        Content={"ZipFile": zipped},
        CompatibleRuntimes=["invalidruntime"],
        CompatibleArchitectures=["invalidarch"],
    ) == validation(
        problem(
            "[invalidruntime]", "compatibleRuntimes", f"Member must satisfy enum value set: {NEW_FUNCTION_RUNTIMES}"
        ),
        problem("[invalidarch]", "compatibleArchitectures", ARCHITECTURE_CONSTRAINT),
    )
    assert refused(
        lambda_client.publish_layer_version,
        LayerName=unique("layer"),
        Content={"ZipFile": zipped},
        CompatibleRuntimes=["invalidruntime", "invalidruntime2", "nodejs20.x"],
        CompatibleArchitectures=["invalidarch", "x86_64"],
    ) == validation(
        problem(
            "[invalidruntime, invalidruntime2, nodejs20.x]",
            "compatibleRuntimes",
            f"Member must satisfy enum value set: {NEW_FUNCTION_RUNTIMES}",
        ),
        problem("[invalidarch, x86_64]", "compatibleArchitectures", ARCHITECTURE_CONSTRAINT),
    )


def first_zip(lambda_client, name: str) -> bytes:
    from host.testing.plugin import make_zip

    return make_zip({"python/layered.py": "X = 1\n"})


def test_layer_lifecycle_numbers_never_reused_and_functions_keep_deleted_versions(lambda_client, function, layer):
    # snapshot: TestLambdaLayer::test_layer_lifecycle
    name = function()["FunctionName"]
    before = lambda_client.get_function_configuration(FunctionName=name)
    assert body(before) == configuration(name)
    layer_name = unique("layer")
    params = dict(
        LayerName=layer_name,
        CompatibleRuntimes=["python3.12"],
        LicenseInfo="licenseinfo-x",
        Description="description-x",
        CompatibleArchitectures=["x86_64"],
    )
    extra = {"Description": "description-x", "LicenseInfo": "licenseinfo-x"}
    first, second = layer(**params), layer(**params)
    assert body(first) == published(layer_name, 1, **extra)
    assert body(second) == published(layer_name, 2, **extra)
    assert first["Content"]["CodeSha256"] == second["Content"]["CodeSha256"]
    layers = [{"Arn": first["LayerVersionArn"], "CodeSize": SIZE}]
    updated = lambda_client.update_function_configuration(FunctionName=name, Layers=[first["LayerVersionArn"]])
    assert body(updated) == updating(name, Layers=layers)
    wait_updated(lambda_client, name)
    config = body(lambda_client.get_function_configuration(FunctionName=name))
    assert config == configuration(name, Layers=layers)
    assert len({before["RevisionId"], updated["RevisionId"], config["RevisionId"]}) == 3
    fields = published(layer_name, 1, **extra)
    assert body(lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)) == fields
    assert body(lambda_client.get_layer_version_by_arn(Arn=first["LayerVersionArn"])) == fields
    assert body(lambda_client.list_layer_versions(LayerName=layer_name)) == {
        "LayerVersions": [listed(layer_name, 2, **extra), listed(layer_name, 1, **extra)]
    }
    assert status(lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=1)) == 204
    assert body(lambda_client.get_function_configuration(FunctionName=name)) == config
    lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=2)
    assert body(lambda_client.list_layer_versions(LayerName=layer_name)) == {"LayerVersions": []}
    assert body(layer(**params)) == published(layer_name, 3, **extra)


def test_layers_a_function_refers_to_are_checked(lambda_client, function, layer):
    # snapshot: TestLambdaLayer::test_layer_function_exceptions
    layer_name = unique("layer")
    versions = [layer(LayerName=layer_name, CompatibleRuntimes=[], CompatibleArchitectures=["x86_64"]) for _ in "123"]
    for number, version in enumerate(versions, 1):
        assert body(version) == published(layer_name, number, CompatibleRuntimes=[])
    name = function()["FunctionName"]
    arns = [v["LayerVersionArn"] for v in versions]

    def update(layers):
        return refused(lambda_client.update_function_configuration, FunctionName=name, Layers=layers)

    twice = "Two different versions of the same layer are not allowed to be referenced in the same function. "
    assert update(arns[:2]) == invalid(f"{twice}{arns[0]} and {arns[1]} are versions of the same layer.")
    assert update(arns) == invalid(f"{twice}{arns[0]} and {arns[1]} are versions of the same layer.")
    assert update([arns[0], arns[0]]) == invalid(f"{twice}{arns[0]} and {arns[0]} are versions of the same layer.")
    missing = f"{layer_arn('doesnotexist')}:1"
    assert update([missing]) == invalid(f"Layer version {missing} does not exist.")
    assert update([f"{layer_arn(layer_name)}:9"]) == invalid(f"Layer version {layer_arn(layer_name)}:9 does not exist.")
    assert update([layer_arn(layer_name)]) == validation(
        problem(
            f"[{layer_arn(layer_name)}]",
            "layers",
            "Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have "
            "length greater than or equal to 1, Member must satisfy regular expression pattern: "
            f"{LAYER_VERSION_ARN_PATTERN}, Member must not be null]",
        )
    )
    # The recording publishes the layer in a second region; this host has one, so the ARN is written out.
    elsewhere = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:layer:{layer_name}:1"
    assert refused(function, Layers=[elsewhere]) == invalid(
        "Layers are not in the same region as the function. Layers are expected to be in region us-east-1."
    )


def test_a_function_takes_at_most_five_layers(lambda_client, function, layer):
    # snapshot: TestLambdaLayer::test_layer_function_quota_exception
    arns = [layer(CompatibleRuntimes=[], CompatibleArchitectures=["x86_64"])["LayerVersionArn"] for _ in range(6)]
    assert refused(function, Layers=arns) == invalid("Cannot reference more than 5 layers.")


def test_layer_permission_errors(lambda_client, layer):
    # snapshot: TestLambdaLayer::test_layer_policy_exceptions
    name = unique("layer4policy")
    assert body(layer(LayerName=name, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])) == (
        published(name, 1)
    )
    get = lambda_client.get_layer_version_policy
    add = lambda_client.add_layer_version_permission
    remove = lambda_client.remove_layer_version_permission
    assert refused(get, LayerName=name, VersionNumber=1) == not_found(
        "No policy is associated with the given resource."
    )
    grant = dict(Action="lambda:GetLayerVersion", Principal="*")
    added = add(LayerName=name, VersionNumber=1, StatementId="s1", **grant)
    assert status(added) == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "s1", "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion",
        "Resource": layer_arn(name, 1),
    }  # fmt: skip
    assert added["RevisionId"] == UUID
    assert refused(add, LayerName=name, VersionNumber=1, Action="*", Principal="*", StatementId="s-x") == validation(
        problem("*", "action", "Member must satisfy regular expression pattern: lambda:GetLayerVersion")
    )
    assert refused(add, LayerName=name, VersionNumber=1, StatementId="s1", **grant) == conflict(
        "The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing "
        "statement."
    )
    assert refused(add, LayerName=name, VersionNumber=1, StatementId="s2", RevisionId="wrong", **grant) == precondition(
        STALE_POLICY
    )
    other = f"{name}-doesnotexist"
    gone = not_found(f"Layer version {layer_arn(other, 1)} does not exist.")
    assert refused(add, LayerName=other, VersionNumber=1, StatementId="s-y", **grant) == gone
    assert refused(get, LayerName=other, VersionNumber=1) == gone
    assert refused(remove, LayerName=other, VersionNumber=1, StatementId="s1") == gone
    gone = not_found(f"Layer version {layer_arn(name, 2)} does not exist.")
    assert refused(add, LayerName=name, VersionNumber=2, StatementId="s-y", **grant) == gone
    assert refused(get, LayerName=name, VersionNumber=2) == gone
    assert refused(remove, LayerName=name, VersionNumber=2, StatementId="s1") == gone
    assert refused(remove, LayerName=name, VersionNumber=1, StatementId="doesnotexist") == not_found(
        "Statement doesnotexist is not found in resource policy."
    )
    assert refused(remove, LayerName=name, VersionNumber=1, StatementId="s1", RevisionId="wrong") == precondition(
        STALE_POLICY
    )


def test_layer_permissions_are_added_read_and_removed(lambda_client, layer):
    # snapshot: TestLambdaLayer::test_layer_policy_lifecycle
    name = unique("layer")
    layer(LayerName=name, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    grant = dict(LayerName=name, VersionNumber=1, Action="lambda:GetLayerVersion", Principal="*")

    def statement(sid):
        return {
            "Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion",
            "Resource": layer_arn(name, 1),
        }  # fmt: skip

    def policy():
        shown = lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=1)
        return json.loads(shown["Policy"]), shown["RevisionId"]

    first = lambda_client.add_layer_version_permission(StatementId="s1", **grant)
    document, revision = policy()
    assert document == {"Version": "2012-10-17", "Id": "default", "Statement": [statement("s1")]}
    assert revision == first["RevisionId"]  # uuid:1
    second = lambda_client.add_layer_version_permission(StatementId="s2", RevisionId=revision, **grant)
    assert json.loads(second["Statement"]) == statement("s2")
    document, revision = policy()
    assert document["Statement"] == [statement("s1"), statement("s2")]
    assert revision == second["RevisionId"] != first["RevisionId"]  # uuid:2
    assert status(
        lambda_client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="s2",
                                                      RevisionId=revision)
    ) == 204  # fmt: skip
    document, last = policy()
    assert document["Statement"] == [statement("s1")]
    assert last not in (first["RevisionId"], second["RevisionId"])  # uuid:3


def test_listings_filter_by_runtime_and_architecture(lambda_client, layer):
    # not in the recordings beyond the invalid filters: ListLayers shows each layer's newest version that
    # names the runtime and architecture asked for, ListLayerVersions every such version
    name = unique("layer")
    layer(LayerName=name, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    layer(LayerName=name, CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    layer(LayerName=name)

    def latest(**filters):
        found = [e for e in lambda_client.list_layers(**filters)["Layers"] if e["LayerName"] == name]
        return [e["LatestMatchingVersion"]["Version"] for e in found]

    def versions(**filters):
        return [v["Version"] for v in lambda_client.list_layer_versions(LayerName=name, **filters)["LayerVersions"]]

    assert latest() == [3] and versions() == [3, 2, 1]
    assert latest(CompatibleRuntime="python3.12") == [1] and versions(CompatibleRuntime="python3.12") == [1]
    assert latest(CompatibleArchitecture="arm64") == [2] and versions(CompatibleArchitecture="arm64") == [2]
    assert latest(CompatibleRuntime="python3.12", CompatibleArchitecture="arm64") == []
    assert latest(CompatibleRuntime="java21") == [] and versions(CompatibleRuntime="java21") == []
    entry = next(e for e in lambda_client.list_layers()["Layers"] if e["LayerName"] == name)
    assert entry == {
        "LayerName": name,
        "LayerArn": layer_arn(name),
        "LatestMatchingVersion": {
            "LayerVersionArn": layer_arn(name, 3), "Version": 3, "Description": "", "CreatedDate": DATE,
        },
    }  # fmt: skip
    pages = list(lambda_client.get_paginator("list_layer_versions").paginate(
        LayerName=name, PaginationConfig={"PageSize": 2}
    ))  # fmt: skip
    assert [[v["Version"] for v in p["LayerVersions"]] for p in pages] == [[3, 2], [1]]
