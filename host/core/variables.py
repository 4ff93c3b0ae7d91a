"""The environment variables a runtime process starts with, with AWS's values and precedence.

1. The runtime's own defaults (PATH, LD_LIBRARY_PATH, LANG, NODE_PATH, ...), which the
   function's variables may override;
2. the function's variables;
3. the reserved variables, which nothing overrides (CreateFunction refuses them).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

RESERVED = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "TZ",
    }
)

XRAY_DAEMON_HOST = "169.254.79.129"


@dataclass(frozen=True)
class Platform:
    """Facts about where environments run that end up in their variables."""

    region: str
    runtime_api: str  # host:port of this environment's Runtime API
    lambda_endpoint: str  # URL of the host's Lambda API as seen from a container
    credentials: tuple[str, str, str | None]  # access key, secret key, session token


def log_stream_name(version: str, now: float | None = None) -> str:
    """A new log stream name as Lambda makes one per environment: ``2026/11/27/[$LATEST]<hex>``."""
    day = time.strftime("%Y/%m/%d", time.gmtime(now))
    return f"{day}/[{version}]{secrets.token_hex(16)}"


def runtime_environment(
    *,
    function_name: str,
    version: str,
    handler: str,
    memory_size: int,
    log_group: str,
    log_stream: str,
    runtime_defaults: Mapping[str, str],
    execution_env: str | None,
    user_variables: Mapping[str, str],
    platform: Platform,
    initialization_type: str = "on-demand",
) -> dict[str, str]:
    env = dict(runtime_defaults)
    if execution_env:
        env["PWD"] = "/var/task"
    env.update({k: v for k, v in user_variables.items() if k not in RESERVED})
    access_key, secret_key, session_token = platform.credentials
    reserved = {
        "_HANDLER": handler,
        "AWS_REGION": platform.region,
        "AWS_DEFAULT_REGION": platform.region,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_RUNTIME_API": platform.runtime_api,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
    }
    if session_token:
        reserved["AWS_SESSION_TOKEN"] = session_token
    if execution_env:
        reserved["AWS_EXECUTION_ENV"] = execution_env
    env.update(reserved)
    env.setdefault("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
    env.setdefault("AWS_XRAY_DAEMON_ADDRESS", f"{XRAY_DAEMON_HOST}:2000")
    env["_AWS_XRAY_DAEMON_ADDRESS"] = XRAY_DAEMON_HOST
    env["_AWS_XRAY_DAEMON_PORT"] = "2000"
    env.setdefault("AWS_ENDPOINT_URL_LAMBDA", platform.lambda_endpoint)
    env.setdefault("AWS_ENDPOINT_URL_SFN", platform.lambda_endpoint)  # Step Functions is served there too
    env.setdefault("AWS_ENDPOINT_URL", platform.lambda_endpoint)  # the host relays other services to its endpoint
    return env
