"""The templates, one module per family of services; importing this package registers them all."""

from host.events.samples import conversations, data, edge, http, platform, sources  # noqa: F401
