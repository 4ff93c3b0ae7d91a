"""Step Functions' AWS-service integrations against a real AWS endpoint (moto's server on loopback,
the host's ``aws_endpoint_url``): SQS, SNS, DynamoDB and EventBridge optimized integrations,
``aws-sdk:`` tasks with AWS's error names, a task token sent through SQS, and a distributed Map
reading a CSV object from S3 and writing its results back.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.integration.sfn_helpers import create, details, run, sfn_client, wait_for_end


@pytest.fixture(scope="module")
def aws():
    endpoint = AwsEndpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def sfn(lambda_host_factory, aws, tmp_path):
    host = lambda_host_factory(state_dir=tmp_path, aws_endpoint_url=aws.url)
    return sfn_client(host.endpoint)


def task(resource: str, parameters: dict, **extra) -> dict:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, **extra}


def test_optimized_and_sdk_integrations(sfn, aws):
    queue = aws.client("sqs").create_queue(QueueName="sfn-orders")["QueueUrl"]
    topic = aws.client("sns").create_topic(Name="sfn-topic")["TopicArn"]
    aws.client("dynamodb").create_table(
        TableName="sfn-table", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    aws.client("s3").create_bucket(Bucket="sfn-bucket")
    definition = {
        "StartAt": "All",
        "States": {
            "All": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Send", "States": {"Send": task(
                        "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"order.$": "$.order"}},
                        End=True)}},
                    {"StartAt": "Publish", "States": {"Publish": task(
                        "arn:aws:states:::sns:publish", {"TopicArn": topic, "Message.$": "$.order"}, End=True)}},
                    {"StartAt": "Put", "States": {
                        "Put": task("arn:aws:states:::dynamodb:putItem",
                                    {"TableName": "sfn-table", "Item": {"id": {"S.$": "$.order"}, "n": {"N": "7"}}},
                                    ResultPath=None, Next="Get"),
                        "Get": task("arn:aws:states:::dynamodb:getItem",
                                    {"TableName": "sfn-table", "Key": {"id": {"S.$": "$.order"}}}, End=True)}},
                    {"StartAt": "Events", "States": {"Events": task(
                        "arn:aws:states:::events:putEvents",
                        {"Entries": [{"Source": "orders", "DetailType": "placed", "Detail": {"order.$": "$.order"}}]},
                        End=True)}},
                    {"StartAt": "Buckets", "States": {"Buckets": task(
                        "arn:aws:states:::aws-sdk:s3:listBuckets", {}, ResultSelector={"names.$": "$.Buckets[*].Name"},
                        End=True)}},
                    {"StartAt": "Missing", "States": {
                        "Missing": task("arn:aws:states:::dynamodb:getItem",
                                        {"TableName": "no-such-table", "Key": {"id": {"S": "x"}}},
                                        Catch=[{"ErrorEquals": ["DynamoDB.ResourceNotFoundException"],
                                                "Next": "SdkMissing"}],
                                        End=True),
                        "SdkMissing": task("arn:aws:states:::aws-sdk:dynamodb:describeTable",
                                           {"TableName": "no-such-table"},
                                           Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], End=True),
                        "Caught": {"Type": "Pass", "End": True}}},
                ],
            }
        },
    }  # fmt: skip
    described, events = run(sfn, definition, {"order": "o-42"})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    sent, published, got, put_events, buckets, caught = json.loads(described["output"])
    assert sent["MessageId"] and sent["MD5OfMessageBody"] and sent["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert published["MessageId"] and published["SdkResponseMetadata"]["RequestId"]
    assert got["Item"] == {"id": {"S": "o-42"}, "n": {"N": "7"}}
    assert put_events["FailedEntryCount"] == 0 and len(put_events["Entries"]) == 1
    assert "sfn-bucket" in buckets["names"]
    failed = {d["error"] for d in details(events, "TaskFailed")}
    assert failed == {"DynamoDB.ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"}
    assert caught["Error"] == "DynamoDb.ResourceNotFoundException"

    [message] = aws.client("sqs").receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(message["Body"]) == {"order": "o-42"}
    item = aws.client("dynamodb").get_item(TableName="sfn-table", Key={"id": {"S": "o-42"}})["Item"]
    assert item["n"] == {"N": "7"}


def test_a_task_token_through_sqs(sfn, aws):
    queue = aws.client("sqs").create_queue(QueueName="sfn-approvals")["QueueUrl"]
    body = {"token.$": "$$.Task.Token", "order.$": "$.order"}
    ask = task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {"QueueUrl": queue, "MessageBody": body}, End=True)
    arn = create(sfn, {"StartAt": "Ask", "States": {"Ask": ask}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "o-9"}')["executionArn"]
    [message] = aws.messages(f"arn:aws:sqs:{REGION}:{ACCOUNT}:sfn-approvals", 1)
    body = json.loads(message["Body"])
    assert body["order"] == "o-9"
    sfn.send_task_success(taskToken=body["token"], output='{"approved": "o-9"}')
    described = wait_for_end(sfn, execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"approved": "o-9"}


def test_a_distributed_map_reads_csv_from_s3_and_writes_results(sfn, aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="sfn-items")
    s3.put_object(
        Bucket="sfn-items", Key="file.csv", Body=b"Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6"
    )
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Keep",
                    "States": {"Keep": {"Type": "Pass", "End": True}},
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "sfn-items", "Prefix": "out"},
                },
                "End": True,
            }
        },
    }
    arn = create(sfn, definition)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"Bucket": "sfn-items", "Key": "file.csv"}')[
        "executionArn"
    ]
    described = wait_for_end(sfn, execution)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    [listed] = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    run_arn = listed["mapRunArn"]
    assert run_arn.startswith(f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{arn.split(':')[-1]}/")
    map_run = sfn.describe_map_run(mapRunArn=run_arn)
    counts = {"aborted": 0, "failed": 0, "pending": 0, "resultsWritten": 2, "running": 0, "succeeded": 2,
              "timedOut": 0, "total": 2}  # fmt: skip
    assert map_run["status"] == "SUCCEEDED" and map_run["maxConcurrency"] == 1
    assert map_run["itemCounts"] == counts and map_run["executionCounts"] == counts
    children = sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert sorted(c["status"] for c in children) == ["SUCCEEDED", "SUCCEEDED"]
    written = json.loads(described["output"])["ResultWriterDetails"]
    manifest = json.loads(s3.get_object(Bucket="sfn-items", Key=written["Key"])["Body"].read())
    results = manifest["ResultFiles"]["SUCCEEDED"]
    assert results and results[0]["Key"].startswith("out/")
    body = json.loads(s3.get_object(Bucket="sfn-items", Key=results[0]["Key"])["Body"].read())
    assert sorted(json.loads(r["Output"])["Col1"] for r in body) == ["Value1", "Value4"]
