"""Uses the `greeting` module from the GreetingLayer layer (mounted at /opt/python)."""

import greeting


def handler(event, context):
    return {"message": greeting.greet(event.get("name", "world"))}
