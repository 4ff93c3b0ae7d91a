"""The event source mapping API against AWS's recorded shapes, defaults, states and errors.

Driven through boto3; queues and streams live on the host's embedded moto server, reached
through the host's own port.
"""

import pytest
from botocore.exceptions import ClientError

from tests.integration.esm_support import ACCOUNT, REGION, aws, enabled, queue, stream, table, unique, wait_until

SQS_KEYS = {
    "BatchSize", "EventSourceArn", "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes",
    "LastModified", "MaximumBatchingWindowInSeconds", "State", "StateTransitionReason", "UUID",
}  # fmt: skip
STREAM_KEYS = SQS_KEYS | {
    "BisectBatchOnFunctionError", "DestinationConfig", "LastProcessingResult", "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts", "ParallelizationFactor", "StartingPosition", "TumblingWindowInSeconds",
}  # fmt: skip
NOOP = {"app.py": "def handler(e, c):\n    return {}\n"}


@pytest.fixture(scope="module")
def function(lambda_client):
    name = unique("esm-api")
    from host.testing.plugin import DEFAULT_ROLE, make_zip

    lambda_client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip(NOOP)},
    )  # fmt: skip
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lambda_client.delete_function(FunctionName=name)


def error(call, **params):
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def gone(client, uuid: str) -> bool:
    try:
        client.get_event_source_mapping(UUID=uuid)
    except ClientError as failure:
        return failure.response["Error"]["Code"] == "ResourceNotFoundException"
    return False


def test_an_sqs_mapping_has_aws_keys_and_defaults_and_becomes_enabled(lambda_client, lambda_host, function):
    _, arn = queue(lambda_host)
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    body = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert set(body) == SQS_KEYS
    assert body["BatchSize"] == 10 and body["MaximumBatchingWindowInSeconds"] == 0
    assert body["State"] == "Creating" and body["StateTransitionReason"] == "USER_INITIATED"
    assert body["FunctionResponseTypes"] == []
    assert body["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
    assert body["EventSourceMappingArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{body['UUID']}"
    assert enabled(lambda_client, body["UUID"])["State"] == "Enabled"
    lambda_client.delete_event_source_mapping(UUID=body["UUID"])


def test_a_kinesis_mapping_has_stream_keys_and_defaults(lambda_client, lambda_host, function):
    arn = stream(lambda_host)
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST"
    )
    body = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert set(body) == STREAM_KEYS
    assert body["BatchSize"] == 100 and body["DestinationConfig"] == {"OnFailure": {}}
    assert body["MaximumRecordAgeInSeconds"] == -1 and body["MaximumRetryAttempts"] == -1
    assert body["ParallelizationFactor"] == 1 and body["TumblingWindowInSeconds"] == 0
    assert body["BisectBatchOnFunctionError"] is False
    assert body["LastProcessingResult"] == "No records processed"
    assert body["StateTransitionReason"] == "User action" and body["State"] == "Creating"
    enabled(lambda_client, body["UUID"])
    lambda_client.delete_event_source_mapping(UUID=body["UUID"])


def test_filters_and_scaling_appear_only_when_set_and_empty_filters_are_dropped(lambda_client, lambda_host, function):
    _, arn = queue(lambda_host)
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, FilterCriteria={"Filters": []}, Enabled=False
    )
    assert "FilterCriteria" not in created and "ScalingConfig" not in created
    assert created["State"] == "Disabled"  # created disabled: Disabled at once
    updated = lambda_client.update_event_source_mapping(
        UUID=created["UUID"], FilterCriteria={"Filters": [{"Pattern": '{"body": {"a": [1]}}'}]},
        ScalingConfig={"MaximumConcurrency": 3},
    )  # fmt: skip
    assert updated["FilterCriteria"] == {"Filters": [{"Pattern": '{"body": {"a": [1]}}'}]}
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 3}
    lambda_client.delete_event_source_mapping(UUID=created["UUID"])


def test_states_of_disable_enable_update_and_delete(lambda_client, lambda_host, function):
    _, arn = queue(lambda_host)
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
    enabled(lambda_client, uuid)
    assert lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    wait_until(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled")
    assert lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    enabled(lambda_client, uuid)
    updated = lambda_client.update_event_source_mapping(UUID=uuid, BatchSize=5)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["State"] == "Updating" and updated["BatchSize"] == 5
    enabled(lambda_client, uuid)
    deleted = lambda_client.delete_event_source_mapping(UUID=uuid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202 and deleted["State"] == "Deleting"
    wait_until(lambda: gone(lambda_client, uuid))  # Deleting until the poller has stopped


def test_function_name_forms_keep_their_qualifier_and_an_update_repoints(lambda_client, lambda_host, function):
    version = lambda_client.publish_version(FunctionName=function)["Version"]
    lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion=version)
    _, arn = queue(lambda_host)
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
    on_alias = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=f"{function}:live")
    assert on_alias["FunctionArn"] == f"{base}:live"
    _, other = queue(lambda_host)
    by_arn = lambda_client.create_event_source_mapping(EventSourceArn=other, FunctionName=base)
    assert by_arn["FunctionArn"] == base
    moved = lambda_client.update_event_source_mapping(UUID=by_arn["UUID"], FunctionName=f"{function}:{version}")
    assert moved["FunctionArn"] == f"{base}:{version}"
    for uuid in (on_alias["UUID"], by_arn["UUID"]):
        lambda_client.delete_event_source_mapping(UUID=uuid)


def test_list_filters_by_function_and_source_and_pages(lambda_client, lambda_host, function):
    arns = [queue(lambda_host)[1] for _ in range(3)]
    uuids = [lambda_client.create_event_source_mapping(EventSourceArn=a, FunctionName=function)["UUID"] for a in arns]
    listed = lambda_client.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
    assert {m["UUID"] for m in listed} >= set(uuids)
    by_source = lambda_client.list_event_source_mappings(EventSourceArn=arns[1])["EventSourceMappings"]
    assert [m["UUID"] for m in by_source] == [uuids[1]]
    first = lambda_client.list_event_source_mappings(FunctionName=function, MaxItems=2)
    assert len(first["EventSourceMappings"]) == 2 and first["NextMarker"]
    rest = lambda_client.list_event_source_mappings(FunctionName=function, Marker=first["NextMarker"])
    assert {m["UUID"] for m in first["EventSourceMappings"] + rest["EventSourceMappings"]} >= set(uuids)
    assert lambda_client.list_event_source_mappings(FunctionName="no-such-function")["EventSourceMappings"] == []
    for uuid in uuids:
        lambda_client.delete_event_source_mapping(UUID=uuid)


def test_tags_of_a_mapping(lambda_client, lambda_host, function):
    _, arn = queue(lambda_host)
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, Tags={"team": "a"})
    assert lambda_client.list_tags(Resource=created["EventSourceMappingArn"])["Tags"] == {"team": "a"}
    lambda_client.tag_resource(Resource=created["EventSourceMappingArn"], Tags={"env": "dev"})
    assert lambda_client.list_tags(Resource=created["EventSourceMappingArn"])["Tags"] == {"team": "a", "env": "dev"}
    lambda_client.delete_event_source_mapping(UUID=created["UUID"])


def test_validation_errors_are_aws_words(lambda_client, lambda_host, function):
    create = lambda_client.create_event_source_mapping
    _, arn = queue(lambda_host, VisibilityTimeout=30)
    kinesis = stream(lambda_host)
    _, ddb = table(lambda_host)
    missing_queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{unique('missing')}"
    assert error(create, FunctionName=function) == (400, "InvalidParameterValueException", "Unrecognized event source.")
    assert error(create, EventSourceArn=arn, FunctionName=unique("nope")) == (
        400, "InvalidParameterValueException", "Function does not exist",
    )  # fmt: skip
    assert error(create, EventSourceArn=missing_queue, FunctionName=function) == (
        400, "InvalidParameterValueException",
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
        "SQS Error Message: The specified queue does not exist.",
    )  # fmt: skip
    missing_stream = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{unique('missing')}"
    assert error(create, EventSourceArn=missing_stream, FunctionName=function, StartingPosition="LATEST") == (
        400, "InvalidParameterValueException", f"Stream not found: {missing_stream}",
    )  # fmt: skip
    assert error(create, EventSourceArn=kinesis, FunctionName=function) == (
        400, "InvalidParameterValueException",
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
        "Member must not be null.",
    )  # fmt: skip
    assert error(create, EventSourceArn=kinesis, FunctionName=function, StartingPosition="invalid") == (
        400, "ValidationException",
        "1 validation error detected: Value 'invalid' at 'startingPosition' failed to satisfy constraint: "
        "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
    )  # fmt: skip
    assert error(
        create, EventSourceArn=ddb, FunctionName=function, StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=1
    ) == (400, "InvalidParameterValueException", f"Unsupported starting position for arn type: {ddb}")
    assert error(create, EventSourceArn=arn, FunctionName=function, BatchSize=11)[2] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )
    assert (
        error(
            create,
            EventSourceArn=kinesis,
            FunctionName=function,
            StartingPosition="LATEST",
            MaximumRecordAgeInSeconds=30,
        )[2]
        == "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
    )
    assert error(
        create, EventSourceArn=kinesis, FunctionName=function, StartingPosition="LATEST",
        DestinationConfig={"OnSuccess": {"Destination": arn}},
    )[2] == "Unsupported DestinationConfig parameter for given event source mapping type."  # fmt: skip
    assert error(
        create, EventSourceArn=arn, FunctionName=function, FilterCriteria={"Filters": [{"Pattern": "{not json"}]}
    ) == (400, "InvalidParameterValueException", "Invalid filter pattern definition.")
    _, fifo = queue(lambda_host, unique("f") + ".fifo", FifoQueue="true")
    assert error(create, EventSourceArn=fifo, FunctionName=function, MaximumBatchingWindowInSeconds=1)[2] == (
        "Batching window is not supported for FIFO queues"
    )
    _, short = queue(lambda_host, VisibilityTimeout=2)
    lambda_client.update_function_configuration(FunctionName=function, Timeout=5)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function)
    assert error(create, EventSourceArn=short, FunctionName=function)[2] == (
        "Queue visibility timeout: 2 seconds is less than Function timeout: 5 seconds"
    )
    assert lambda_client.list_event_source_mappings(EventSourceArn=short)["EventSourceMappings"] == []  # nothing made


def test_duplicates_are_conflicts_and_unknown_uuids_are_not_found(lambda_client, lambda_host, function):
    _, arn = queue(lambda_host)
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
    assert error(lambda_client.create_event_source_mapping, EventSourceArn=arn, FunctionName=function) == (
        409, "ResourceConflictException",
        f'An event source mapping with SQS arn (" {arn} ") and function (" {function} ") already exists. '
        f"Please update or delete the existing mapping with UUID {uuid}",
    )  # fmt: skip
    kinesis = stream(lambda_host)
    other = lambda_client.create_event_source_mapping(
        EventSourceArn=kinesis, FunctionName=function, StartingPosition="LATEST"
    )
    assert error(
        lambda_client.create_event_source_mapping, EventSourceArn=kinesis, FunctionName=function,
        StartingPosition="LATEST",
    )[2] == (
        f'The event source arn (" {kinesis} ") and function (" {function} ") provided mapping already exists. '
        f"Please update or delete the existing mapping with UUID {other['UUID']}"
    )  # fmt: skip
    assert error(lambda_client.update_event_source_mapping, UUID=uuid, BatchSize=50)[2] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )
    missing = "00000000-0000-0000-0000-000000000000"
    for call in (lambda_client.get_event_source_mapping, lambda_client.delete_event_source_mapping):
        assert error(call, UUID=missing) == (
            404,
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
        )
    for mapping in (uuid, other["UUID"]):
        lambda_client.delete_event_source_mapping(UUID=mapping)


def test_a_deleted_function_leaves_its_mapping_enabled(lambda_client, lambda_host, create_function):
    name = create_function(NOOP)
    _, arn = queue(lambda_host)
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    enabled(lambda_client, uuid)
    lambda_client.delete_function(FunctionName=name)
    assert lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    aws(lambda_host, "sqs").send_message(
        QueueUrl=f"{lambda_host.endpoint}/{ACCOUNT}/{arn.rsplit(':', 1)[1]}", MessageBody="x"
    )
    assert lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    lambda_client.delete_event_source_mapping(UUID=uuid)
