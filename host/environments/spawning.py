"""What a runtime is started with: its entry point and its environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from host.core.model import FunctionConfig
from host.core.variables import Platform, runtime_environment
from host.images.definitions import RuntimeDefinition


class NoEntrypoint(LookupError):
    """A custom runtime without a bootstrap; the message is Lambda's."""


def entrypoint(
    runtime: RuntimeDefinition,
    code_dir: str,
    opt_dir: str | None,
    variables: Mapping[str, str] | None = None,
    memory_mb: int = 128,
) -> list[str]:
    """The bootstrap to exec. Custom runtimes look in the code, then the layers, as Lambda does.

    A Python or Node.js function without AWS_LAMBDA_EXEC_WRAPPER starts its interpreter
    directly, with the arguments /var/runtime/bootstrap would give it: skipping bash saves its
    start, whose library search is slow on Docker's fuse-overlayfs for an unprivileged user
    (~25 ms per cold start). With a wrapper the script runs, as in AWS's images.
    """
    variables = variables or {}
    if not variables.get("AWS_LAMBDA_EXEC_WRAPPER"):
        if runtime.client == "python":
            return [f"/var/lang/bin/{runtime.id}", "/var/runtime/bootstrap.py"]
        if runtime.client == "nodejs":
            args = ["--expose-gc", "--max-http-header-size", "81920"]
            if "--max-old-space-size" not in variables.get("NODE_OPTIONS", ""):  # the function's own wins
                args.append(f"--max-old-space-size={memory_mb * 90 // 100}")
            return ["/var/lang/bin/node", *args, "/var/runtime/index.mjs"]
    if runtime.client != "provided":
        return list(runtime.entrypoints)
    host_folders = {"/var/task/bootstrap": code_dir, "/opt/bootstrap": opt_dir}
    for path in runtime.entrypoints:
        folder = host_folders.get(path)
        if folder and (Path(folder) / "bootstrap").exists():
            return [path]
    raise NoEntrypoint(f"Couldn't find valid bootstrap(s): [{' '.join(runtime.entrypoints)}]")


def launch(runtime: RuntimeDefinition, function: FunctionConfig, opt_dir: str | None) -> tuple[str, list[str]]:
    """The working directory and command line of ``function``'s runtime process.

    An image function runs its image's ENTRYPOINT and CMD in its WORKDIR, each replaced by
    ImageConfig's where given, as Lambda runs them.
    """
    if function.image is not None:
        argv = list(function.image.argv)
        if not argv:
            raise NoEntrypoint("The image has no ENTRYPOINT or CMD, and ImageConfig gives none.")
        if not argv[0].startswith("/"):  # found on the image's PATH, as Docker and Lambda find it
            argv = ["/bin/sh", "-c", 'exec "$0" "$@"', *argv]
        return function.image.cwd, argv
    return "/var/task", entrypoint(runtime, function.code.path, opt_dir, function.env_vars, function.memory_size)


def runtime_variables(
    function: FunctionConfig,
    runtime: RuntimeDefinition,
    log_stream: str,
    platform: Platform,
    initialization_type: str = "on-demand",
) -> dict[str, str]:
    variables = runtime_environment(
        function_name=function.name,
        version=function.version,
        handler=function.handler,
        memory_size=function.memory_size,
        log_group=function.log_group_name,
        log_stream=log_stream,
        runtime_defaults=dict(runtime.env),
        execution_env=runtime.execution_env(function.runtime),
        user_variables=function.env_vars,
        platform=platform,
        initialization_type=initialization_type,
    )
    if function.log_format == "JSON":  # as Lambda sets them for LoggingConfig LogFormat JSON
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        variables["AWS_LAMBDA_LOG_LEVEL"] = function.application_log_level or "INFO"
    if function.image is not None:
        # An image function's variables start from its image's ENV; its handler is its CMD's,
        # which AWS's /lambda-entrypoint.sh exports as _HANDLER itself.
        image = function.image
        command = image.command if image.config_command is None else image.config_command
        if command:
            variables["_HANDLER"] = command[0]
        else:
            variables.pop("_HANDLER", None)
    return variables


# The runtimes whose client can be started ahead and told its function later (see core/prestart).
PRESTARTED_CLIENTS = frozenset({"python", "nodejs"})


def prestart_variables(runtime: RuntimeDefinition, platform: Platform, memory_mb: int) -> dict[str, str]:
    """The variables a stem's runtime starts with before it has a function: the runtime's own,
    as a function of it would have them; the function's replace them all when it comes."""
    return runtime_environment(
        function_name="",
        version="$LATEST",
        handler="",
        memory_size=memory_mb,
        log_group="",
        log_stream="",
        runtime_defaults=dict(runtime.env),
        execution_env=runtime.execution_env(runtime.id),
        user_variables={},
        platform=platform,
    )
