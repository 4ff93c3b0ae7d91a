"""``lambda-host serve --debug FUNCTION[=PORT]``: the option, its parsing lives in ``host.debugging``."""

from __future__ import annotations

import argparse

from host.debugging import parse_targets


def _target(spec: str) -> str:
    try:
        parse_targets([spec])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return spec


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug",
        action="append",
        type=_target,
        metavar="FUNCTION[=PORT]",
        help="start FUNCTION's environments under a debugger waiting on 127.0.0.1:PORT (Python: debugpy, default"
        " 5678; Node.js: the inspector, default 9229); one environment at a time, no timeout while debugging"
        " (repeatable)",
    )
