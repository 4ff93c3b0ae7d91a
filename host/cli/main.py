"""The ``lambda-host`` command: ``serve``, ``invoke`` and ``images build|list``."""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import signal
import sys
from pathlib import Path

from host.cli.debug import add_debug_option
from host.cli.engine import add_engine_options, engine_settings
from host.cli.running import find_running_host
from host.debugging import parse_targets
from host.host import Host, HostConfig
from host.store.ownership import StateDirInUse
from host.templates.sam import TemplateError, parse_parameter_overrides

DEFAULT_TEMPLATE = Path("sample_functions/template.yaml")


def _host_config(args: argparse.Namespace, **overrides) -> HostConfig:
    template = Path(args.template) if getattr(args, "template", None) else None
    values = dict(
        host=getattr(args, "host", "127.0.0.1"),
        port=getattr(args, "port", 9001),
        state_dir=Path(args.state_dir),
        region=args.region,
        idle_timeout=args.idle_timeout,
        async_time_scale=args.async_time_scale,
        max_concurrency=args.max_concurrency,
        shutdown_grace=args.shutdown_grace,
        aws_endpoint_url=args.aws_endpoint_url,
        function_logs=not getattr(args, "quiet", False),
        logs_max_mb=getattr(args, "logs_max_mb", 256),
        registry_base=args.registry_base,
        template=template,
        template_parameters=parse_parameter_overrides(getattr(args, "parameter_overrides", None) or []),
        env_vars=Path(args.env_vars) if getattr(args, "env_vars", None) else None,
        hot_reload=not getattr(args, "no_hot_reload", False),
        metrics=not getattr(args, "no_metrics", False),
        settle_time=args.settle_time,
        sfn_wait_scale=getattr(args, "sfn_wait_scale", 1.0),
        sfn_mock_config=Path(args.sfn_mock_config) if getattr(args, "sfn_mock_config", None) else None,
        debug=parse_targets(getattr(args, "debug", None)),
    )
    values.update(overrides)
    return HostConfig(**values)


def _add_host_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--template", help="an AWS SAM template whose functions and layers to deploy")
    parser.add_argument(
        "--parameter-overrides", nargs="*", help="template parameters as Key=Value (or ParameterKey=K,ParameterValue=V)"
    )
    parser.add_argument(
        "--env-vars",
        help='a JSON file of variables per function, as SAM CLI\'s: {"Fn": {"K": "v"}, "Parameters": {...}}',
    )
    parser.add_argument(
        "--no-hot-reload", action="store_true", help="do not follow edits of functions whose code is a local folder"
    )
    parser.add_argument(
        "--no-metrics", action="store_true", help="record no CloudWatch metrics (GetMetricData, GET /metrics)"
    )
    parser.add_argument("--state-dir", default=".lambda-host", help="where functions, layers and queues are kept")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--idle-timeout", type=float, default=600.0, help="seconds an idle environment stays warm")
    parser.add_argument(
        "--shutdown-grace",
        type=float,
        default=30.0,
        help="seconds running invocations get to finish on SIGTERM before every container is removed (30)",
    )
    parser.add_argument(
        "--settle-time",
        type=float,
        default=0.25,
        help="seconds a new function stays Pending and an update InProgress, as on AWS, where a second update "
        "meanwhile is refused (0.25; 0 settles at once)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        help="invocations running at once on this host; more get 429 ConcurrentInvocationLimitExceeded"
        " (default: as many 128 MB environments as the machine's memory holds, at most 1,000)",
    )
    parser.add_argument(
        "--async-time-scale",
        type=float,
        default=1.0,
        help="multiply every time of Event invocations (retry delays, back-off, maximum event age) by this;"
        " 1 (the default) is AWS's timing, 0.001 turns minutes into milliseconds",
    )
    parser.add_argument(
        "--aws-endpoint-url",
        help="the AWS endpoint for every service the host does not serve itself (SQS, SNS, Kinesis, DynamoDB,"
        " S3, EventBridge, ...): a URL (LocalStack, moto's server), or 'aws' for AWS itself with the"
        " environment's credentials; default: an embedded moto server, in memory",
    )
    parser.add_argument("--registry-base", action="store_true", help="build images from debian:<suite>-slim")
    parser.add_argument(
        "--sfn-wait-scale",
        type=float,
        default=1.0,
        help="multiply Step Functions' Wait states and retry intervals by this (Step Functions Local's"
        " WAIT_TIME_SCALE; 1 is AWS's timing)",
    )
    parser.add_argument(
        "--sfn-mock-config",
        help="Step Functions Local's mock configuration file (default: $SFN_MOCK_CONFIG); an execution chooses a"
        " test case with StartExecution on '<state machine ARN>#<test case>'",
    )


def _print_welcome(host: Host, region: str) -> None:
    functions = host.function_store.all()
    print(f"lambda-host is serving the Lambda API on {host.endpoint}", flush=True)
    print(f"Console: {host.endpoint}/")
    if functions:
        print("Functions: " + ", ".join(f.name for f in functions))
        example = functions[0].name
        print("Invoke one with the AWS CLI v2 (v1: leave out --cli-binary-format raw-in-base64-out):")
        print(
            f"  aws lambda invoke --endpoint-url {host.endpoint} --function-name {example} "
            "--cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout"
        )
        print("or with boto3:")
        print(
            f"  boto3.client('lambda', endpoint_url='{host.endpoint}', region_name='{region}')"
            f".invoke(FunctionName='{example}', Payload=b'{{}}')"
        )
    mappings = host.event_sources.store.all() if host.event_sources is not None else []
    if mappings:
        print(f"Event source mappings (the AWS endpoint is {host.endpoint} too, for every service):")
        for mapping in mappings:
            print(f"  {mapping.source.arn} -> {mapping.function_arn}")
        for mapping in mappings:
            source = mapping.source
            if source.kind == "sqs":
                print("Send a message to a queue:")
                print(
                    f"  aws sqs send-message --endpoint-url {host.endpoint} --queue-url "
                    f"{host.endpoint}/{source.account}/{source.name} --message-body 'hello'"
                )
            elif source.kind == "dynamodb":
                print("Change an item of a table with a stream:")
                print(
                    f"  aws dynamodb put-item --endpoint-url {host.endpoint} --table-name {source.name} "
                    '--item \'{"id": {"S": "1"}}\''
                )
    building = sorted(host.catalog.building)
    if building:
        print(
            f"Runtime images still being built in the background: {', '.join(building)} (progress in the log;"
            " functions of those runtimes stay Pending until theirs is ready)"
        )
    urls = host.function_store.urls()
    if urls:
        print("Function URLs:")
        for url in urls:
            target = f"{url.function_name}:{url.qualifier}" if url.qualifier else url.function_name
            print(f"  {target}: {host.urls.address(url)}")
    from host.stepfunctions.cli import print_welcome

    print_welcome(host)
    sys.stdout.flush()


def cmd_serve(args: argparse.Namespace) -> int:
    host = Host(_host_config(args, build_all_images=True, **engine_settings(args)))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        starting = asyncio.ensure_future(host.start())
        try:
            await asyncio.wait([starting, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            if not starting.done():  # interrupted while starting: undo what was started
                starting.cancel()
                await asyncio.gather(starting, return_exceptions=True)
                return
            starting.result()
            _print_welcome(host, args.region)
            await stop.wait()
            print("lambda-host: stopping, removing environments...", flush=True)
        finally:
            await host.stop()

    asyncio.run(main())
    return 0


def cmd_invoke(args: argparse.Namespace) -> int:
    """Invoke once: on the lambda-host already serving (its state directory's, or the one on --port) when
    there is one, deploying the template's functions there only if it lacks them; else on a host of its own."""
    payload = Path(args.event).read_bytes() if args.event else b"{}"
    template = args.template or (str(DEFAULT_TEMPLATE) if DEFAULT_TEMPLATE.exists() else None)
    host = None
    endpoint = args.endpoint
    if endpoint is None:
        running = find_running_host(Path(args.state_dir).resolve(), args.port)
        if running is not None:
            endpoint = running.endpoint
            print(f"lambda-host: using the host already serving on {endpoint} (pid {running.pid})", file=sys.stderr)
            if template:
                _deploy_missing(template, _client(endpoint, args.region), args)
        else:
            args.template = template
            host = Host(_host_config(args, port=0, function_logs=False))
            host.start_in_thread()
            endpoint = host.endpoint
    try:
        if args.stream:
            return _invoke_streamed(_client(endpoint, args.region), args.function, payload)
        response = _client(endpoint, args.region).invoke(FunctionName=args.function, Payload=payload, LogType="Tail")
        body = response["Payload"].read().decode("utf-8", "replace")
        print(body)
        print("--- log tail ---", file=sys.stderr)
        print(base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace"), file=sys.stderr, end="")
        return 1 if response.get("FunctionError") else 0
    finally:
        if host is not None:
            host.stop_thread()


def _invoke_streamed(client, function: str, payload: bytes) -> int:
    """InvokeWithResponseStream: each chunk to stdout as it arrives, then the log tail (and any error) to stderr."""
    response = client.invoke_with_response_stream(FunctionName=function, Payload=payload, LogType="Tail")
    complete: dict = {}
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            sys.stdout.buffer.write(event["PayloadChunk"]["Payload"])
            sys.stdout.buffer.flush()
        else:
            complete = event.get("InvokeComplete", {})
    print()
    print("--- log tail ---", file=sys.stderr)
    print(base64.b64decode(complete.get("LogResult", "")).decode("utf-8", "replace"), file=sys.stderr, end="")
    if complete.get("ErrorCode"):
        print(f"{complete['ErrorCode']}: {complete.get('ErrorDetails', '')}", file=sys.stderr)
        return 1
    return 0


def _client(endpoint: str, region: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="lambda-host",
        aws_secret_access_key="lambda-host",
        config=Config(read_timeout=960, retries={"total_max_attempts": 1}),
    )


def _deploy_missing(template: str, client, args: argparse.Namespace) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from host.templates.remote import deploy_missing

    try:
        created = deploy_missing(
            Path(template),
            client,
            parse_parameter_overrides(args.parameter_overrides or []),
            Path(args.env_vars) if args.env_vars else None,
        )
    except (BotoCoreError, ClientError) as exc:
        print(f"lambda-host: could not deploy {template} to that host: {exc}", file=sys.stderr)
        return
    if created:
        print(f"lambda-host: deployed {', '.join(created)} from {template} to that host", file=sys.stderr)


def cmd_images(args: argparse.Namespace) -> int:
    import docker

    from host.images import aws_bases
    from host.images.builder import ImageBuilder
    from host.images.definitions import load_definitions
    from host.images.rootfs import BuildToolMissing

    definitions = load_definitions()
    builder = ImageBuilder(
        docker.from_env(), say=lambda line: print(line, flush=True), registry_base=args.registry_base
    )
    wanted = args.runtime or sorted(definitions)
    unknown = [r for r in wanted if r not in definitions]
    if unknown:
        print(f"unknown runtime(s): {', '.join(unknown)}; known: {', '.join(sorted(definitions))}", file=sys.stderr)
        return 2
    if args.action == "list":
        for runtime in wanted:
            status = builder.status(definitions[runtime])
            size = f"{status.size / 1e6:.0f} MB" if status.size else "-"
            print(f"{runtime:18} {status.tag:45} {'built' if status.present else 'missing':8} {size}")
        return 0
    if args.action == "copy":
        from host.images.distribute import copy_images

        if not args.to:
            print("images copy: name the engines with --to URL (repeatable)", file=sys.stderr)
            return 2
        tags = [s.tag for s in (builder.status(definitions[r]) for r in wanted) if s.present]
        copy_images(builder.client, tags, [docker.DockerClient(base_url=url, timeout=600) for url in args.to])
        print(f"copied {len(tags)} image(s) to {len(args.to)} engine(s)")
        return 0
    try:
        for runtime in wanted:
            tag = builder.ensure(definitions[runtime], force=args.force)
            aws_name = aws_bases.aws_name(runtime)
            print(f"{runtime}: {tag}" + (f" (also {aws_name})" if aws_name else ""), flush=True)
    except BuildToolMissing as exc:
        print(f"lambda-host: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_dlq(args: argparse.Namespace) -> int:
    """Deliveries to destinations and dead-letter queues that did not arrive, kept in the state directory."""
    from host.store.db import Database
    from host.store.events import EventQueue

    path = Path(args.state_dir) / "lambda-host.db"
    if not path.exists():
        print(f"lambda-host: no state in {args.state_dir}", file=sys.stderr)
        return 2
    queue = EventQueue(Database(path))
    if args.action == "redrive":
        print(f"{queue.redrive()} delivery(ies) will be tried again when the host next starts")
        return 0
    kept = queue.deliveries(None if args.all else "failed")
    for delivery in kept:
        print(
            f"{delivery.id}\t{delivery.status}\t{delivery.request_id}\t{delivery.kind}\t{delivery.target}"
            f"\tattempts={delivery.attempts}\t{delivery.last_error or ''}"
        )
        if args.verbose_body:
            print("\t" + delivery.body.decode("utf-8", "replace"))
    if not kept:
        print("no undelivered destination records or dead-letter messages", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambda-host", description="A local, Docker-backed AWS Lambda host.")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the Lambda API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=9001)
    serve.add_argument("--quiet", action="store_true", help="do not print function logs")
    add_debug_option(serve)
    add_engine_options(serve)
    serve.add_argument(
        "--logs-max-mb", type=int, default=256, help="CloudWatch Logs kept in the state directory (oldest dropped)"
    )
    _add_host_options(serve)
    serve.set_defaults(run=cmd_serve)

    invoke = commands.add_parser("invoke", help="invoke one function once and print its result and log")
    invoke.add_argument("function")
    invoke.add_argument("--event", help="a JSON file to send as the event (default {})")
    invoke.add_argument("--endpoint", help="a running lambda-host to use instead of starting one")
    invoke.add_argument(
        "--stream", action="store_true", help="invoke with response streaming, printing each chunk as it arrives"
    )
    invoke.add_argument(
        "--port",
        type=int,
        default=9001,
        help="where a lambda-host may already be serving (9001); it is used when it answers, with the template's"
        " functions deployed to it if it lacks them; otherwise a host of this command's own runs the invoke",
    )
    _add_host_options(invoke)
    invoke.set_defaults(run=cmd_invoke)

    images = commands.add_parser("images", help="build, list or copy (to other engines) the runtime images")
    images.add_argument("action", choices=["build", "list", "copy"])
    images.add_argument("--runtime", action="append", help="only this runtime (repeatable)")
    images.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    images.add_argument(
        "--to",
        action="append",
        metavar="URL",
        help="copy: a Docker engine (a Swarm node) to load the built images into (repeatable)",
    )
    images.add_argument(
        "--registry-base", action="store_true", help="start from debian:<suite>-slim (needs a registry)"
    )
    images.set_defaults(run=cmd_images)

    dlq = commands.add_parser(
        "dlq", help="list (or redrive) destination records and dead-letter messages that could not be delivered"
    )
    dlq.add_argument("action", choices=["list", "redrive"], nargs="?", default="list")
    dlq.add_argument("--state-dir", default=".lambda-host")
    dlq.add_argument("--all", action="store_true", help="also the deliveries still being tried")
    dlq.add_argument("--body", dest="verbose_body", action="store_true", help="print each message's body too")
    dlq.set_defaults(run=cmd_dlq)

    from host.cli.events import add_commands as add_event_commands
    from host.stepfunctions.cli import add_commands

    add_commands(commands, _add_host_options, _host_config)
    add_event_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("docker").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        return args.run(args)
    except TemplateError as error:  # a template the user can fix: say where, no traceback
        print(f"lambda-host: {error}", file=sys.stderr)
        return 2
    except StateDirInUse as error:  # another host serves this directory: it is left alone
        print(f"lambda-host: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
