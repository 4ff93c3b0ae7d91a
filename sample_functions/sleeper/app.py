"""Sleeps longer than its 1-second timeout: the host answers Sandbox.Timedout."""

import time


def handler(event, context):
    time.sleep(event.get("seconds", 5))
    return "woke up"
