"""``lambda-host events list|generate``: AWS's sample events with fields filled in, as JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys

from host.events import UnknownTemplate, generate, get, templates


def add_commands(commands) -> None:
    """Register ``events`` on the top-level subparsers of ``lambda-host``."""
    events = commands.add_parser("events", help="list and generate sample events of AWS services")
    actions = events.add_subparsers(dest="events_action", required=True)

    listing = actions.add_parser("list", help="the services and events there are templates for")
    listing.add_argument("service", nargs="?", help="only this service's events")
    listing.add_argument("--fields", action="store_true", help="show each template's fields and defaults")
    listing.set_defaults(run=cmd_list)

    making = actions.add_parser(
        "generate",
        help="print a sample event: lambda-host events generate s3 put --bucket my-bucket --key a.txt",
        description="Print AWS's sample event for SERVICE EVENT; each --field value replaces that field's default "
        "(lambda-host events generate SERVICE EVENT --help lists them).",
    )
    making.add_argument("service")
    making.add_argument("event")
    making.add_argument("fields", nargs=argparse.REMAINDER, help="--field value pairs")
    making.set_defaults(run=cmd_generate)


def cmd_list(args: argparse.Namespace) -> int:
    chosen = [t for t in templates() if args.service in (None, t.service)]
    if not chosen:
        print(f"lambda-host: no templates for service {args.service!r}", file=sys.stderr)
        return 2
    width = max(len(f"{t.service} {t.event}") for t in chosen)
    for t in chosen:
        print(f"{t.service + ' ' + t.event:{width}}  {t.description}")
        if args.fields:
            for name, default in t.all_fields().items():
                print(f"{'':{width}}    --{name} {json.dumps(default)}")
    return 0


def _field_parser(service: str, event: str, fields: dict[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"lambda-host events generate {service} {event}", description=get(service, event).description
    )
    for name, default in fields.items():
        parser.add_argument(f"--{name}", dest=name, default=None, metavar="VALUE", help=f"default: {default!r}")
    return parser


def cmd_generate(args: argparse.Namespace) -> int:
    try:
        found = get(args.service, args.event)
    except UnknownTemplate as error:
        print(f"lambda-host: {error}", file=sys.stderr)
        return 2
    fields = found.all_fields()
    given = vars(_field_parser(found.service, found.event, fields).parse_args(args.fields))
    values = {name: value for name, value in given.items() if value is not None}
    try:
        event = generate(found.service, found.event, values)
    except (ValueError, TypeError) as error:  # a field whose text the template cannot use (a number, JSON)
        print(f"lambda-host: {found.service} {found.event}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(event, indent=2))
    return 0
