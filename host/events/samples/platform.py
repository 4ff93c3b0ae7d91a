"""Events of AWS's control planes: EventBridge and scheduled events, CloudFormation custom resources,
CodeCommit, CodePipeline, Config, Step Functions, Batch, SageMaker Ground Truth, Rekognition,
WorkMail and Connect."""

from __future__ import annotations

import json

from host.events.registry import Values, template


def _eventbridge(v: Values, source: str, detail_type: str, resources: list[str], detail: dict) -> dict:
    return {
        "version": "0",
        "id": v.id("event"),
        "detail-type": detail_type,
        "source": source,
        "account": v.account,
        "time": v.iso(millis=False),
        "region": v.region,
        "resources": resources,
        "detail": detail,
    }


@template("cloudwatch", "scheduled-event", "Amazon EventBridge (CloudWatch Events) scheduled rule", rule="ExampleRule")
def scheduled(v: Values) -> dict:
    return _eventbridge(v, "aws.events", "Scheduled Event", [v.arn("events", f"rule/{v['rule']}")], {})


@template("eventbridge", "scheduled-event", "Amazon EventBridge scheduled rule", rule="ExampleRule")
def eventbridge_scheduled(v: Values) -> dict:
    return scheduled(v)


@template(
    "eventbridge",
    "event",
    "Amazon EventBridge event from a custom application (PutEvents)",
    source="com.example.orders",
    detail_type="OrderPlaced",
    detail='{"orderId": "1234", "amount": 42}',
)
def eventbridge_custom(v: Values) -> dict:
    return _eventbridge(v, v["source"], v["detail-type"], [], json.loads(v["detail"]))


@template(
    "eventbridge",
    "s3-object-created",
    "Amazon EventBridge notification of an S3 object created",
    bucket="example-bucket",
    key="test/key",
    size="1024",
)
def eventbridge_s3(v: Values) -> dict:
    detail = {
        "version": "0",
        "bucket": {"name": v["bucket"]},
        "object": {"key": v["key"], "size": int(v["size"]), "etag": v.md5(v["key"]), "sequencer": "00617F08299329D189"},
        "request-id": v.id("s3")[:16].replace("-", "").upper(),
        "requester": v.account,
        "source-ip-address": "203.0.113.15",
        "reason": "PutObject",
    }
    return _eventbridge(v, "aws.s3", "Object Created", [f"arn:{v.partition}:s3:::{v['bucket']}"], detail)


def _cfn(v: Values, request_type: str) -> dict:
    stack = v.arn("cloudformation", f"stack/{v['stack']}/{v.id('stack')}")
    event = {
        "RequestType": request_type,
        "ServiceToken": v.arn("lambda", f"function:{v['function']}"),
        "ResponseURL": f"https://cloudformation-custom-resource-response-{v.region.replace('-', '')}.s3.amazonaws.com/"
        f"{v.url(stack)}%7C{v['logical-id']}%7C{v.id()}?X-Amz-Expires=7200",
        "StackId": stack,
        "RequestId": v.id(),
        "LogicalResourceId": v["logical-id"],
        "ResourceType": v["resource-type"],
        "ResourceProperties": {"ServiceToken": v.arn("lambda", f"function:{v['function']}"), "StackName": v["stack"]},
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = v["physical-id"]
    if request_type == "Update":
        event["OldResourceProperties"] = dict(event["ResourceProperties"], StackName=f"{v['stack']}-old")
    return event


CFN_FIELDS = dict(
    stack="MyStack",
    function="MyCustomResourceFunction",
    logical_id="MyTestResource",
    resource_type="Custom::TestResource",
    physical_id="MyTestResource-1234",
)


@template("cloudformation", "create-request", "AWS CloudFormation custom resource Create request", **CFN_FIELDS)
def cfn_create(v: Values) -> dict:
    return _cfn(v, "Create")


@template("cloudformation", "update-request", "AWS CloudFormation custom resource Update request", **CFN_FIELDS)
def cfn_update(v: Values) -> dict:
    return _cfn(v, "Update")


@template("cloudformation", "delete-request", "AWS CloudFormation custom resource Delete request", **CFN_FIELDS)
def cfn_delete(v: Values) -> dict:
    return _cfn(v, "Delete")


@template(
    "codecommit",
    "repository",
    "AWS CodeCommit repository trigger",
    repository="my-repo",
    trigger="my-trigger",
    custom_data="this is custom data",
    branch="main",
    commit="5c4ef1049f1d27deadbeeff313e0730018be182b",
)
def codecommit(v: Values) -> dict:
    return {
        "Records": [
            {
                "awsRegion": v.region,
                "codecommit": {"references": [{"commit": v["commit"], "ref": f"refs/heads/{v['branch']}"}]},
                "customData": v["custom-data"],
                "eventId": v.id("event"),
                "eventName": "TriggerEventTest",
                "eventPartNumber": 1,
                "eventSource": "aws:codecommit",
                "eventSourceARN": v.arn("codecommit", v["repository"]),
                "eventTime": v.iso(millis=True).replace("Z", "+0000"),
                "eventTotalParts": 1,
                "eventTriggerConfigId": v.id("trigger"),
                "eventTriggerName": v["trigger"],
                "eventVersion": "1.0",
                "userIdentityARN": v.arn("iam", "user/JaneDoe-CodeCommit", region=""),
            }
        ]
    }


@template(
    "codepipeline",
    "job",
    "AWS CodePipeline job for a Lambda invoke action",
    input_bucket="example-bucket",
    input_key="test/key",
    output_bucket="example-bucket2",
    output_key="test/key2",
    user_parameters="",
)
def codepipeline(v: Values) -> dict:
    def artifact(name: str, bucket: str, key: str) -> dict:
        return {
            "location": {"s3Location": {"bucketName": bucket, "objectKey": key}, "type": "S3"},
            "revision": None,
            "name": name,
        }

    return {
        "CodePipeline.job": {
            "id": v.id("job"),
            "accountId": v.account,
            "data": {
                "actionConfiguration": {
                    "configuration": {"FunctionName": "MyLambdaFunction", "UserParameters": v["user-parameters"]}
                },
                "inputArtifacts": [artifact("ArtifactName", v["input-bucket"], v["input-key"])],
                "outputArtifacts": [artifact("ArtifactName2", v["output-bucket"], v["output-key"])],
                "artifactCredentials": {
                    "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
                    "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "sessionToken": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
                },
            },
        }
    }


def _config_item(v: Values) -> dict:
    return {
        "configurationItemDiff": None,
        "configurationItem": {
            "relatedEvents": [],
            "relationships": [],
            "configuration": {"instanceType": v["instance-type"], "state": {"name": "running"}},
            "supplementaryConfiguration": {},
            "tags": {},
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": v.iso(),
            "configurationStateId": v.epoch_ms(),
            "awsAccountId": v.account,
            "configurationItemStatus": "ResourceDiscovered",
            "resourceType": "AWS::EC2::Instance",
            "resourceId": v["resource-id"],
            "resourceName": None,
            "ARN": v.arn("ec2", f"instance/{v['resource-id']}"),
            "awsRegion": v.region,
            "availabilityZone": f"{v.region}a",
            "configurationStateMd5Hash": "",
            "resourceCreationTime": v.iso(),
        },
        "notificationCreationTime": v.iso(),
        "messageType": "ConfigurationItemChangeNotification",
        "recordVersion": "1.3",
    }


CONFIG_FIELDS = dict(rule="example-rule", resource_id="i-0123456789abcdef0", instance_type="t2.micro")


def _config(v: Values, invoking: dict) -> dict:
    return {
        "invokingEvent": json.dumps(invoking),
        "ruleParameters": json.dumps({"desiredInstanceType": "t2.micro"}),
        "resultToken": "myResultToken",
        "eventLeftScope": False,
        "executionRoleArn": v.arn("iam", "role/config-role", region=""),
        "configRuleArn": v.arn("config", f"config-rule/config-rule-{v.id('rule')[:6]}"),
        "configRuleName": v["rule"],
        "configRuleId": f"config-rule-{v.id('rule')[:6]}",
        "accountId": v.account,
        "version": "1.0",
    }


@template("config", "item-change-notification", "AWS Config rule: configuration item change", **CONFIG_FIELDS)
def config_change(v: Values) -> dict:
    return _config(v, _config_item(v))


@template(
    "config", "oversized-item-change-notification", "AWS Config rule: oversized configuration item", **CONFIG_FIELDS
)
def config_oversized(v: Values) -> dict:
    item = _config_item(v)["configurationItem"]
    summary = {k: item[k] for k in ("configurationItemCaptureTime", "awsAccountId", "resourceType", "resourceId")}
    summary.update(changeType="UPDATE", configurationItemVersion="1.3", configurationItemStatus="OK")
    invoking = {
        "configurationItemSummary": dict(summary, ARN=item["ARN"], awsRegion=v.region),
        "s3DetailsReference": {"s3BucketLocation": "config-bucket/item.json.gz"},
        "notificationCreationTime": v.iso(),
        "messageType": "OversizedConfigurationItemChangeNotification",
        "recordVersion": "1.0",
    }
    return _config(v, invoking)


@template("config", "periodic-rule", "AWS Config rule: periodic evaluation", **CONFIG_FIELDS)
def config_periodic(v: Values) -> dict:
    invoking = {"awsAccountId": v.account, "notificationCreationTime": v.iso(), "messageType": "ScheduledNotification"}
    return _config(v, invoking)


@template(
    "stepfunctions",
    "error",
    "AWS Step Functions: the input of a Catch's next state after a task error",
    error="States.TaskFailed",
    cause="An error occurred while executing the state.",
)
def stepfunctions_error(v: Values) -> dict:
    return {"Error": v["error"], "Cause": v["cause"]}


@template(
    "batch",
    "submit-job",
    "AWS Batch SubmitJob request (as a Step Functions task passes it)",
    job_name="my-job",
    job_queue="my-queue",
    job_definition="my-job-definition",
)
def batch_submit(v: Values) -> dict:
    return {
        "jobName": v["job-name"],
        "jobQueue": v.arn("batch", f"job-queue/{v['job-queue']}"),
        "jobDefinition": v.arn("batch", f"job-definition/{v['job-definition']}:1"),
        "parameters": {},
        "containerOverrides": {"environment": [{"name": "EXAMPLE", "value": "value"}]},
    }


@template("batch", "get-job", "AWS Batch DescribeJobs request for one job", job_id="")
def batch_get(v: Values) -> dict:
    return {"jobs": [v["job-id"] or v.id("job")]}


@template(
    "batch",
    "job-state-change",
    "AWS Batch job state change (EventBridge)",
    job_name="my-job",
    job_queue="my-queue",
    status="SUCCEEDED",
)
def batch_state(v: Values) -> dict:
    detail = {
        "jobName": v["job-name"],
        "jobId": v.id("job"),
        "jobQueue": v.arn("batch", f"job-queue/{v['job-queue']}"),
        "status": v["status"],
        "attempts": [],
        "createdAt": v.epoch_ms(),
        "retryStrategy": {"attempts": 1},
        "dependsOn": [],
        "jobDefinition": v.arn("batch", "job-definition/my-job-definition:1"),
        "parameters": {},
        "container": {"image": "busybox", "vcpus": 1, "memory": 128, "command": ["echo", "hello"]},
    }
    return _eventbridge(v, "aws.batch", "Batch Job State Change", [detail["jobQueue"]], detail)


@template(
    "rekognition",
    "s3-request",
    "Amazon Rekognition request naming an image in S3",
    bucket="example-bucket",
    key="test/key",
)
def rekognition(v: Values) -> dict:
    return {"Image": {"S3Object": {"Bucket": v["bucket"], "Name": v["key"]}}, "MaxLabels": 10, "MinConfidence": 75}


SAGEMAKER_FIELDS = dict(labeling_job_name="example-job", source_ref="s3://sagemakerexample/object_to_annotate.jpg")


@template(
    "sagemaker",
    "ground-truth-pre-human",
    "Amazon SageMaker Ground Truth pre-annotation (PreHumanTask) request",
    **SAGEMAKER_FIELDS,
)
def ground_truth_pre(v: Values) -> dict:
    return {
        "version": "2018-10-16",
        "labelingJobArn": v.arn("sagemaker", f"labeling-job/{v['labeling-job-name']}"),
        "dataObject": {"source-ref": v["source-ref"]},
    }


@template(
    "sagemaker",
    "ground-truth-annotation-consolidation",
    "Amazon SageMaker Ground Truth annotation consolidation request",
    label_attribute_name="example-attribute",
    s3_output_path="s3://sagemakerexample/output",
    **SAGEMAKER_FIELDS,
)
def ground_truth_consolidation(v: Values) -> dict:
    return {
        "version": "2018-10-16",
        "labelingJobArn": v.arn("sagemaker", f"labeling-job/{v['labeling-job-name']}"),
        "labelCategories": ["Dog", "Cat", "Bird"],
        "labelAttributeName": v["label-attribute-name"],
        "roleArn": v.arn("iam", "role/sagemaker-role", region=""),
        "payload": {"s3Uri": f"{v['s3-output-path']}/annotations/consolidation-request/iteration-1/payload.json"},
    }


@template(
    "workmail",
    "message-flow",
    "Amazon WorkMail synchronous or asynchronous message flow rule",
    sender="sender@example.com",
    recipient="recipient@example.com",
    subject="Hello From Amazon WorkMail!",
    flow_direction="INBOUND",
)
def workmail(v: Values) -> dict:
    return {
        "summaryVersion": "2018-10-10",
        "envelope": {"mailFrom": {"address": v["sender"]}, "recipients": [{"address": v["recipient"]}]},
        "sender": {"address": v["sender"]},
        "subject": v["subject"],
        "messageId": v.id("message"),
        "invocationId": v.id("invocation").replace("-", ""),
        "flowDirection": v["flow-direction"],
        "truncated": False,
    }


@template(
    "connect",
    "contact-flow-event",
    "Amazon Connect contact flow invoking a function",
    contact_id="5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
    phone_number="+11234567890",
    instance_id="11111111-2222-3333-4444-555555555555",
)
def connect(v: Values) -> dict:
    instance = v.arn("connect", f"instance/{v['instance-id']}")
    return {
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": v["contact-id"],
                "CustomerEndpoint": {"Address": v["phone-number"], "Type": "TELEPHONE_NUMBER"},
                "InitialContactId": v["contact-id"],
                "InitiationMethod": "INBOUND",
                "InstanceARN": instance,
                "PreviousContactId": v["contact-id"],
                "Queue": {"ARN": f"{instance}/queue/{v.id('queue')}", "Name": "PasswordReset"},
                "SystemEndpoint": {"Address": "+11234567890", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": {"sentAttributeKey": "sentAttributeValue"},
        },
        "Name": "ContactFlowEvent",
    }
