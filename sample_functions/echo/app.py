"""Returns the event it was given, with a little of the context."""


def handler(event, context):
    print(f"echo got {event!r}")
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
