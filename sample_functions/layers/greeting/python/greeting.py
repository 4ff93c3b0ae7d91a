"""A layer module: found on sys.path because Lambda adds /opt/python."""


def greet(name):
    return f"Hello, {name}! (from a layer)"
