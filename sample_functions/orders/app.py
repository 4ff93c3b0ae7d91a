import json


def handler(event, context):
    """Processes an SQS batch; a message whose body has "fail" is reported failed, so only it comes back
    (and lands in the dead-letter queue after two receives)."""
    failures = []
    for record in event["Records"]:
        body = record["body"]
        print(json.dumps({"messageId": record["messageId"], "body": body}))
        if "fail" in body:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
