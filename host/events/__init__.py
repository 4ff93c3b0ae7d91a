"""Sample events: AWS's payloads for the services that invoke functions, with fields to fill.

``lambda-host events generate s3 put --bucket b --key a.txt`` and the console's templates
read the same registry (``host.events.registry``). Each template is a function from
``Values`` (its fields, plus the region, account and partition every template shares) to
the event as AWS sends it: bodies base64- or JSON-encoded where AWS encodes them, object
keys URL-encoded as S3 sends them, timestamps and ids filled consistently within one event.
Nothing here knows about HTTP, the store or the CLI.
"""

from __future__ import annotations

from host.events.registry import Template, UnknownTemplate, generate, get, templates

__all__ = ["Template", "UnknownTemplate", "generate", "get", "templates"]
