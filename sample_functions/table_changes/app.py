import json


def handler(event, context):
    """Prints each change of the table's stream."""
    for record in event["Records"]:
        print(json.dumps({"eventName": record["eventName"], "keys": record["dynamodb"]["Keys"]}))
    return {}
