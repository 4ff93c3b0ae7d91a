"""The registry of sample-event templates and the values they are filled with.

1. A template is registered with ``@template(service, event, description, field=default, ...)``;
   its fields' names are the CLI flags (``key_id`` is ``--key-id``).
2. Every template also takes the shared fields ``region``, ``account-id`` and ``partition``.
3. ``generate`` fills a template: the caller's values over the defaults; one clock reading
   and one set of ids per event, so the same time and request id appear wherever AWS repeats them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote_plus

COMMON = {"region": "us-east-1", "account-id": "123456789012", "partition": "aws"}


class UnknownTemplate(LookupError):
    """No template by that service and event (the message lists what there is)."""


@dataclass(frozen=True)
class Template:
    service: str
    event: str
    description: str
    fields: Mapping[str, str]  # flag name -> default, shared fields not included
    build: Callable[[Values], dict] = field(repr=False, compare=False)

    def all_fields(self) -> dict[str, str]:
        return {**self.fields, **{k: v for k, v in COMMON.items() if k not in self.fields}}


class Values:
    """What a template is filled with: its fields by name, and helpers for AWS's encodings."""

    def __init__(self, fields: Mapping[str, str], now: datetime) -> None:
        self.fields = dict(fields)
        self.now = now
        self._ids: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        return self.fields[name]

    @property
    def region(self) -> str:
        return self.fields["region"]

    @property
    def account(self) -> str:
        return self.fields["account-id"]

    @property
    def partition(self) -> str:
        return self.fields["partition"]

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def id(self, name: str = "request") -> str:
        """A UUID, the same one each time ``name`` is asked for within this event."""
        if name not in self._ids:
            self._ids[name] = str(uuid.uuid4())
        return self._ids[name]

    def iso(self, millis: bool = True) -> str:
        """The event's time as AWS writes it: ``2026-12-05T08:00:00.000Z``."""
        text = self.now.strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{self.now.microsecond // 1000:03d}Z" if millis else "Z")

    def epoch_ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    def epoch(self) -> float:
        return round(self.now.timestamp(), 3)

    def http_date(self) -> str:
        return self.now.strftime("%a, %d %b %Y %H:%M:%S GMT")

    @staticmethod
    def b64(text: str | bytes) -> str:
        return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()

    @staticmethod
    def url(text: str) -> str:
        """URL-encoded as S3 writes object keys into events (a space becomes ``+``)."""
        return quote_plus(text, safe="/")

    @staticmethod
    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    @staticmethod
    def json(value) -> str:
        return json.dumps(value)


_TEMPLATES: dict[tuple[str, str], Template] = {}


def template(service: str, event: str, description: str, **defaults: str) -> Callable:
    """Register the decorated builder as ``service event``; keyword arguments are its fields' defaults."""

    def register(build: Callable[[Values], dict]) -> Callable[[Values], dict]:
        fields = {name.replace("_", "-"): value for name, value in defaults.items()}
        _TEMPLATES[(service, event)] = Template(service, event, description, fields, build)
        return build

    return register


def _load() -> dict[tuple[str, str], Template]:
    import host.events.samples  # noqa: F401  (each module registers its templates)

    return _TEMPLATES


def templates() -> list[Template]:
    """Every template, by service then event."""
    return [t for _, t in sorted(_load().items())]


def get(service: str, event: str) -> Template:
    found = _load().get((service, event))
    if found is not None:
        return found
    events = sorted(e for s, e in _TEMPLATES if s == service)
    if events:
        raise UnknownTemplate(f"{service} has no event {event!r}; it has: {', '.join(events)}")
    services = sorted({s for s, _ in _TEMPLATES})
    raise UnknownTemplate(f"no service {service!r}; there are: {', '.join(services)}")


def generate(
    service: str, event: str, values: Mapping[str, str] | None = None, now: datetime | None = None, **defaults: str
) -> dict:
    """The event ``service event`` with ``values`` (flag name -> text) over its defaults.

    ``defaults`` change the shared fields' defaults (the host passes its region and account).
    Raises ``UnknownTemplate``, or ``KeyError`` naming a field the template does not have.
    """
    found = get(service, event)
    fields = found.all_fields()
    for name, value in defaults.items():
        name = name.replace("_", "-")
        if name in COMMON and name in fields and name not in found.fields:
            fields[name] = value
    for name, value in (values or {}).items():
        if name not in fields:
            raise KeyError(f"{service} {event} has no field {name!r}; it has: {', '.join(sorted(fields))}")
        fields[name] = value
    return found.build(Values(fields, now or datetime.now(UTC)))
