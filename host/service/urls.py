"""Function URL configurations: AWS's API over them, each URL served at an address of its own.

A function may have one URL of its own and one per alias (never for a version number or
$LATEST, as AWS rules). Each URL gets a port on this host, kept across restarts, and a
32-character id like AWS's. The HTTP side (``host.api.function_urls``) opens and closes
the listeners; this module only tells it when the set of URLs changed.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from typing import Any, Protocol

from host.core.errors import (
    InvalidParameterValue,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
    validation_message,
)
from host.core.model import FunctionUrl, url_timestamp
from host.core.names import FunctionRef
from host.core.validation import problem
from host.service.functions import FunctionService

QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("RESPONSE_STREAM", "BUFFERED")  # in the order AWS lists them in its message
MAX_PAGE = 50
NO_FUNCTION = "Function does not exist"
NO_RESOURCE = "The resource you requested does not exist."
_ID_ALPHABET = string.ascii_lowercase + string.digits


class UrlEndpoints(Protocol):
    """What serves the URLs: hands out ports and follows the store's URLs."""

    def reserve(self) -> int: ...  # a free port, held for the URL about to be stored

    def address(self, port: int) -> str: ...  # the FunctionUrl of a port, with its trailing slash

    def sync(self) -> None: ...  # serve exactly the URLs in the store (thread-safe, returns at once)


class UrlService:
    def __init__(self, functions: FunctionService, endpoints: UrlEndpoints) -> None:
        self.functions = functions
        self.store = functions.store
        self.endpoints = endpoints

    def function_arn(self, url: FunctionUrl) -> str:
        return self.functions.arn(url.function_name, url.qualifier or None)

    def address(self, url: FunctionUrl) -> str:
        return self.endpoints.address(url.port)

    # -- the API ----------------------------------------------------------------------------------

    def create(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> FunctionUrl:
        ref = self._ref(value, qualifier)
        _check(params, creating=True)
        with self.functions.lock:
            self._target(ref, NO_FUNCTION)
            key = ref.qualifier or ""
            if self.store.url(ref.name, key) is not None:
                arn = self.functions.arn(ref.name, ref.qualifier)
                raise ResourceConflict(
                    f"Failed to create function url config for [functionArn = {arn}]. "
                    "Error message:  FunctionUrlConfig exists for this Lambda function"
                )
            now = url_timestamp()
            url = FunctionUrl(
                function_name=ref.name,
                qualifier=key,
                url_id=_new_url_id(),
                port=self.endpoints.reserve(),
                auth_type=params["AuthType"],
                creation_time=now,
                last_modified_time=now,
                invoke_mode=params.get("InvokeMode"),
                cors=params.get("Cors"),
            )
            self.store.put_url(url)
        self.endpoints.sync()
        return url

    def get(self, value: str, qualifier: str | None) -> FunctionUrl:
        ref = self._ref(value, qualifier)
        self._target(ref, NO_RESOURCE)
        return self._existing(ref)

    def update(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> FunctionUrl:
        ref = self._ref(value, qualifier)
        _check(params, creating=False)
        with self.functions.lock:
            self._target(ref, NO_FUNCTION)
            url = self._existing(ref)
            changes: dict[str, Any] = {"last_modified_time": url_timestamp()}
            for key, field in (("AuthType", "auth_type"), ("InvokeMode", "invoke_mode"), ("Cors", "cors")):
                if params.get(key) is not None:
                    changes[field] = params[key]
            url = url.with_changes(**changes)
            self.store.put_url(url)
        return url

    def delete(self, value: str, qualifier: str | None) -> None:
        ref = self._ref(value, qualifier)
        with self.functions.lock:
            self._target(ref, NO_RESOURCE)
            self._existing(ref)
            self.store.delete_url(ref.name, ref.qualifier or "")
        self.endpoints.sync()

    def list(self, value: str, marker: str | None, max_items: int | None) -> tuple[list[FunctionUrl], str | None]:
        if max_items is not None and not 1 <= max_items <= MAX_PAGE:
            raise ValidationError(
                validation_message(
                    [problem(max_items, "maxItems", f"Member must have value less than or equal to {MAX_PAGE}")]
                )
            )
        ref = self.functions.ref(value)
        if self.store.get(ref.name) is None:
            raise ResourceNotFound(NO_FUNCTION)
        everything = self.store.urls(ref.name)
        start = int(marker) if marker and marker.isdigit() else 0
        size = max_items or MAX_PAGE
        page = everything[start : start + size]
        return page, str(start + size) if start + size < len(everything) else None

    # -- helpers ----------------------------------------------------------------------------------

    def _ref(self, value: str, qualifier: str | None) -> FunctionRef:
        """The function and alias named; a version number or $LATEST fails AWS's pattern first."""
        _check_qualifier(qualifier)
        ref = self.functions.ref(value, qualifier)
        _check_qualifier(ref.qualifier)
        return ref

    def _target(self, ref: FunctionRef, missing: str) -> None:
        """The function, and the alias if one is named, must exist (AWS's text differs per operation)."""
        if self.store.get(ref.name) is None:
            raise ResourceNotFound(missing)
        if ref.qualifier is not None and self.store.alias(ref.name, ref.qualifier) is None:
            raise ResourceNotFound(missing)

    def _existing(self, ref: FunctionRef) -> FunctionUrl:
        url = self.store.url(ref.name, ref.qualifier or "")
        if url is None:
            raise ResourceNotFound(NO_RESOURCE)
        return url


def _check_qualifier(qualifier: str | None) -> None:
    if qualifier is not None and not re.search(QUALIFIER_PATTERN, qualifier):
        constraint = f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}"
        raise ValidationError(validation_message([problem(qualifier, "qualifier", constraint)]))


def _check(params: Mapping[str, Any], creating: bool) -> None:
    cors = params.get("Cors")
    if cors is not None and not isinstance(cors, Mapping):
        raise InvalidParameterValue("Cors must be an object.")
    problems = []
    auth = params.get("AuthType")
    if auth is None and creating:
        problems.append(problem(None, "authType", "Member must not be null"))
    elif auth is not None and auth not in AUTH_TYPES:
        problems.append(problem(auth, "authType", "Member must satisfy enum value set: [AWS_IAM, NONE]"))
    mode = params.get("InvokeMode")
    if mode is not None and mode not in INVOKE_MODES:
        problems.append(problem(mode, "invokeMode", "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"))
    if cors is not None:
        max_age = cors.get("MaxAge")
        if max_age is not None and not 0 <= int(max_age) <= 86400:
            limit = "less than or equal to 86400" if int(max_age) > 0 else "greater than or equal to 0"
            problems.append(problem(max_age, "cors.maxAge", f"Member must have value {limit}"))
        methods = cors.get("AllowMethods") or []
        if any(len(str(method)) > 6 for method in methods):
            problems.append(
                problem(
                    "[" + ", ".join(map(str, methods)) + "]",
                    "cors.allowMethods",
                    "Member must satisfy constraint: [Member must have length less than or equal to 6, "
                    "Member must satisfy regular expression pattern: .*]",
                )
            )
    if problems:
        raise ValidationError(validation_message(problems))


def _new_url_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))
