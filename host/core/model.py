"""The values that describe deployed code: functions, layers and their code.

Frozen dataclasses shared by the store (which persists them), the API (which renders
them in AWS's shapes) and the scheduler (which starts environments from them). They
hold no behaviour beyond small derived properties and know nothing of HTTP or SQL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cached_property

from host.core.log_settings import LogSettings

LATEST = "$LATEST"


def url_timestamp(now: float | None = None) -> str:
    """Function URLs' format for CreationTime and LastModifiedTime: ``2026-11-27T16:42:41.123456Z``."""
    now = time.time() if now is None else now
    micros = int(now * 1_000_000) % 1_000_000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{micros:06d}Z"


def timestamp(now: float | None = None) -> str:
    """Lambda's format for LastModified and CreatedDate: ``2026-11-27T16:42:41.123+0000``."""
    now = time.time() if now is None else now
    millis = int(now * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{millis:03d}+0000"


@dataclass(frozen=True)
class CodeRef:
    """A deployment package, extracted once into ``path`` (mounted read-only)."""

    sha256: str  # base64 SHA-256 of the zip, as CodeSha256
    size: int  # bytes of the zip, as CodeSize
    path: str  # folder on this host holding the unzipped content
    local: bool = False  # a developer's own folder, used in place rather than a stored zip


@dataclass(frozen=True)
class LayerRef:
    """A layer version as a function references it."""

    arn: str
    code_size: int
    code: CodeRef


@dataclass(frozen=True)
class LayerVersion:
    name: str
    version: int
    arn: str  # the layer version ARN
    layer_arn: str
    description: str
    created_date: str
    code: CodeRef
    compatible_runtimes: tuple[str, ...] | None = None
    compatible_architectures: tuple[str, ...] | None = None
    license_info: str | None = None
    policy: tuple[dict, ...] = ()  # AddLayerVersionPermission's statements, in the order added
    policy_revision: str | None = None  # GetLayerVersionPolicy's RevisionId; new on every change

    def with_changes(self, **changes) -> LayerVersion:
        return replace(self, **changes)


@dataclass(frozen=True)
class VpcSettings:
    """VpcConfig as AWS shows it: the subnets and security groups given, the VPC they are in."""

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    vpc_id: str = ""
    ipv6_allowed_for_dual_stack: bool = False


@dataclass(frozen=True)
class ImageRef:
    """A container image function's image: resolved once against the local engine, pinned by its ID.

    ``entrypoint``, ``command``, ``working_dir`` and ``env`` are the image's own configuration;
    ``config_*`` are the function's ImageConfig overrides (None where not given).
    """

    uri: str  # ImageUri as given
    resolved_uri: str  # <repository>@sha256:<digest>, as ResolvedImageUri
    image_id: str  # sha256:<hex>: what environments run, so a moved tag never changes a function
    entrypoint: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    working_dir: str = ""
    env: tuple[tuple[str, str], ...] = ()
    config_entry_point: tuple[str, ...] | None = None
    config_command: tuple[str, ...] | None = None
    config_working_directory: str | None = None

    @property
    def argv(self) -> tuple[str, ...]:
        """What the runtime process runs: ENTRYPOINT then CMD, each replaced by ImageConfig's where given."""
        entry = self.entrypoint if self.config_entry_point is None else self.config_entry_point
        command = self.command if self.config_command is None else self.config_command
        return (*entry, *command)

    @property
    def cwd(self) -> str:
        return self.config_working_directory or self.working_dir or "/"

    @property
    def runtime_id(self) -> str:
        """The name environments of this image are kept under (stems, container names)."""
        return "image-" + self.image_id.split(":")[-1][:12]

    def with_changes(self, **changes) -> ImageRef:
        return replace(self, **changes)


@dataclass(frozen=True)
class FunctionConfig:
    """One version of a function: everything an environment is started from."""

    name: str
    arn: str  # unqualified function ARN
    runtime: str
    handler: str
    role: str
    code: CodeRef
    memory_size: int = 128
    timeout: int = 3
    description: str = ""
    environment: tuple[tuple[str, str], ...] | None = None
    ephemeral_storage: int = 512
    architectures: tuple[str, ...] = ("x86_64",)
    layers: tuple[LayerRef, ...] = ()
    version: str = LATEST
    revision_id: str = ""
    last_modified: str = ""
    state: str = "Active"
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: str | None = "Successful"
    tracing_mode: str = "PassThrough"
    log_format: str = "Text"
    log_group: str | None = None
    application_log_level: str | None = None  # LoggingConfig's levels: set (INFO unless given) only with JSON
    system_log_level: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    published_from: str = ""  # for a version: what $LATEST was when it was published
    reserved_concurrency: int | None = None  # PutFunctionConcurrency; kept on $LATEST, holds for every version
    dead_letter_target: str | None = None  # DeadLetterConfig.TargetArn: an SQS queue or SNS topic
    snap_start: str = "None"  # SnapStart.ApplyOn, shown as set; no snapshots are taken here (README)
    recursive_loop: str = "Terminate"  # PutFunctionRecursionConfig; kept on $LATEST, not enforced (README)
    vpc: VpcSettings | None = None  # None until a request gave VpcConfig (checked against EC2, not applied)
    package_type: str = "Zip"  # Zip | Image
    image: ImageRef | None = None  # for PackageType Image: the image and its ImageConfig

    @property
    def runtime_id(self) -> str:
        """What runs this function: its AWS runtime, or for an image function its image."""
        return self.image.runtime_id if self.image is not None else self.runtime

    @property
    def env_vars(self) -> dict[str, str]:
        return dict(self.environment or ())

    @property
    def log_settings(self) -> LogSettings:
        return LogSettings(self.log_format, self.application_log_level, self.system_log_level, self.log_group)

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

    @cached_property
    def environment_key(self) -> tuple[str, str, str]:
        """Environments are shared only by invocations of the same code and configuration."""
        return (self.name, self.version, self.revision_key)

    @cached_property
    def revision_key(self) -> str:
        # RevisionId also changes when nothing an environment sees changes (Pending to Active),
        # so environments key on what they are built from instead.
        layers = ",".join(layer.code.sha256 for layer in self.layers)
        env = repr(sorted(self.environment or ()))
        return "|".join(
            (
                self.runtime,
                self.handler,
                self.code.sha256,
                self.code.path,
                str(self.memory_size),
                str(self.timeout),
                str(self.ephemeral_storage),
                layers,
                env,
                self.role,
                self.log_group_name,
                self.log_format,
                f"{self.application_log_level}/{self.system_log_level}",  # the runtime filters by level
                *((repr(self.image),) if self.image is not None else ()),
            )
        )

    @property
    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.version}"

    def with_changes(self, **changes) -> FunctionConfig:
        return replace(self, **changes)


@dataclass(frozen=True)
class Alias:
    """A name for a version, optionally sending a share of invocations to a second version."""

    function_name: str
    name: str
    arn: str
    function_version: str
    description: str = ""
    revision_id: str = ""
    additional_weights: tuple[tuple[str, float], ...] = ()  # RoutingConfig.AdditionalVersionWeights

    def with_changes(self, **changes) -> Alias:
        return replace(self, **changes)


@dataclass(frozen=True)
class FunctionUrl:
    """A function URL: an HTTP endpoint of its own for $LATEST (qualifier "") or one alias."""

    function_name: str
    qualifier: str  # "" for the function itself, else an alias name
    url_id: str  # 32 characters of [a-z0-9], as AWS's URL ids
    port: int  # where this host serves it
    auth_type: str  # NONE | AWS_IAM
    creation_time: str
    last_modified_time: str
    invoke_mode: str | None = None  # None until a request sets it (AWS then shows BUFFERED on Get)
    cors: dict | None = None  # the Cors object as given

    def with_changes(self, **changes) -> FunctionUrl:
        return replace(self, **changes)


@dataclass(frozen=True)
class EventInvokeConfig:
    """How Event invocations of a function (one qualifier of it) are retried, how old they may
    get, and where their outcome goes."""

    function_name: str
    qualifier: str  # $LATEST, a version or an alias
    maximum_retry_attempts: int | None = None  # 0-2; None means AWS's default, 2
    maximum_event_age: int | None = None  # seconds, 60-21600; None means AWS's default, 6 hours
    last_modified: float = 0.0
    on_success: str | None = None  # DestinationConfig.OnSuccess.Destination: an ARN
    on_failure: str | None = None  # DestinationConfig.OnFailure.Destination


@dataclass(frozen=True)
class FunctionPolicy:
    """A resource-based policy: the statements AddPermission gave a function, a version or an alias."""

    function_name: str
    qualifier: str  # $LATEST for the function itself, else a version number or an alias name
    statements: tuple[dict, ...]  # each as AddPermission returned it, in the order added
    revision_id: str  # GetPolicy's RevisionId; new on every change

    def with_changes(self, **changes) -> FunctionPolicy:
        return replace(self, **changes)


@dataclass(frozen=True)
class ProvisionedConcurrency:
    """PutProvisionedConcurrencyConfig for one version or alias: environments kept initialised."""

    function_name: str
    qualifier: str  # a version or an alias, never $LATEST
    requested: int
    last_modified: str  # 2019-12-31T20:28:49+0000, as AWS writes it here
    status: str = "IN_PROGRESS"  # READY once every environment is initialised; FAILED if one cannot be
    status_reason: str | None = None

    def with_changes(self, **changes) -> ProvisionedConcurrency:
        return replace(self, **changes)
