"""From a template's resources to what to deploy: the API calls' parameters, and what is left out.

Pure translation, no deploying: ``layer_specs`` and ``function_specs`` turn SAM and
plain CloudFormation resources into the parameters CreateFunction and
PublishLayerVersion take, plus the extras SAM adds (an alias published on every
deploy, a function URL, reserved concurrency, an event invoke configuration).
Everything not understood is added to ``Omissions``, which the deployer prints as one
warning.
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from host.store.packages import zip_folder
from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
SERVERLESS_LAYER = "AWS::Serverless::LayerVersion"
LAMBDA_LAYER = "AWS::Lambda::LayerVersion"
IAM_ROLE = "AWS::IAM::Role"

# Properties understood, per resource type (SAM's and CloudFormation's names differ).
SERVERLESS_FUNCTION_KEYS = {
    "CodeUri", "InlineCode", "Handler", "Runtime", "MemorySize", "Timeout", "EphemeralStorage", "Environment",
    "Layers", "Description", "FunctionName", "Role", "Architectures", "Tags", "AutoPublishAlias",
    "VersionDescription", "FunctionUrlConfig", "ReservedConcurrentExecutions", "EventInvokeConfig",
    "LoggingConfig", "PackageType", "Tracing", "DeadLetterQueue", "Events", "ImageUri", "ImageConfig",
}  # fmt: skip
LAMBDA_FUNCTION_KEYS = {
    "Code", "Handler", "Runtime", "MemorySize", "Timeout", "EphemeralStorage", "Environment", "Layers",
    "Description", "FunctionName", "Role", "Architectures", "Tags", "ReservedConcurrentExecutions",
    "LoggingConfig", "PackageType", "TracingConfig", "DeadLetterConfig", "ImageConfig",
}  # fmt: skip
SERVERLESS_LAYER_KEYS = {
    "ContentUri", "LayerName", "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo",
}  # fmt: skip
LAMBDA_LAYER_KEYS = {
    "Content",
    "LayerName",
    "CompatibleRuntimes",
    "CompatibleArchitectures",
    "Description",
    "LicenseInfo",
}
# Properties that only matter to a real account (IAM, networking, deployment safety, retention).
NO_LOCAL_MEANING = {
    "Policies", "PermissionsBoundary", "RolePath", "KmsKeyArn", "VpcConfig", "DeploymentPreference",
    "CodeSigningConfigArn", "AutoPublishCodeSha256", "AutoPublishAliasAllProperties", "AssumeRolePolicyDocument",
    "RetentionPolicy",
}  # fmt: skip
IMAGE_REFUSES = ("Runtime", "Handler", "Layers")  # settings an image function cannot have
STACK_TAG = "aws:cloudformation:stack-name"
LOGICAL_ID_TAG = "aws:cloudformation:logical-id"


@dataclass
class Omissions:
    """What the template holds that is not deployed, sorted into the one warning's parts."""

    unsupported: set[str] = field(default_factory=set)
    no_local_meaning: set[str] = field(default_factory=set)

    def warning(self, template: str, unknown_intrinsics: set[str]) -> str | None:
        parts = []
        if self.unsupported or unknown_intrinsics:
            parts.append("not understood, left out: " + ", ".join(sorted(self.unsupported | unknown_intrinsics)))
        if self.no_local_meaning:
            parts.append("no meaning locally, ignored: " + ", ".join(sorted(self.no_local_meaning)))
        return f"{template}: " + "; ".join(parts) if parts else None


@dataclass
class LayerSpec:
    logical_id: str
    name: str
    content: bytes  # the zip
    params: dict[str, Any]  # PublishLayerVersion's, without Content


@dataclass(frozen=True)
class ImageBuild:
    """A SAM image function's ``Metadata``: the image to build before the function is deployed."""

    context: Path  # DockerContext, resolved against the template's folder
    dockerfile: str  # Dockerfile, relative to the context
    tag: str  # <logical id, lower case>:<DockerTag or latest>, as ``sam build`` tags it
    buildargs: dict[str, str] = field(default_factory=dict)  # DockerBuildArgs


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    params: dict[str, Any]  # CreateFunction's
    alias: str | None = None  # AutoPublishAlias
    version_description: str | None = None
    url: dict[str, Any] | None = None  # FunctionUrlConfig
    reserved_concurrency: int | None = None
    event_invoke: dict[str, Any] | None = None
    image_build: ImageBuild | None = None  # built (and Code.ImageUri set to its tag) before deploying


def included(resource: dict, resolve: Resolver) -> bool:
    """False for a resource whose Condition is false."""
    condition = resource.get("Condition")
    return condition is None or resolve.condition(str(condition))


def layer_specs(resources: dict[str, dict], resolve: Resolver, base: Path, omitted: Omissions) -> list[LayerSpec]:
    specs = []
    for logical, resource in resources.items():
        kind = resource["Type"]
        if kind not in (SERVERLESS_LAYER, LAMBDA_LAYER) or not included(resource, resolve):
            continue
        props = resolve(resource.get("Properties") or {})
        known = SERVERLESS_LAYER_KEYS if kind == SERVERLESS_LAYER else LAMBDA_LAYER_KEYS
        _note_extra(logical, props, known, omitted)
        source = props.get("ContentUri" if kind == SERVERLESS_LAYER else "Content", ".")
        if not isinstance(source, str):
            omitted.unsupported.add(f"{logical} (layer content in S3: give a local folder or zip)")
            continue
        params = {
            key: props[key]
            for key in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
            if props.get(key) is not None
        }
        name = str(props.get("LayerName") or logical)
        specs.append(LayerSpec(logical, name, _package(base, source, f"layer {logical}"), params))
    return specs


def function_specs(
    resources: dict[str, dict],
    globals_: dict[str, Any],
    resolve: Resolver,
    base: Path,
    account: str,
    stack: str,
    omitted: Omissions,
) -> list[FunctionSpec]:
    specs = []
    for logical, resource in resources.items():
        kind = resource["Type"]
        if kind not in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION) or not included(resource, resolve):
            continue
        spec = _function(logical, resource, kind, globals_, resolve, base, account, stack, omitted)
        if spec is not None:
            specs.append(spec)
    return specs


def _function(logical, resource, kind, globals_, resolve, base, account, stack, omitted) -> FunctionSpec | None:
    own = resolve(resource.get("Properties") or {})
    serverless = kind == SERVERLESS_FUNCTION
    package_type = own.get("PackageType") or (resolve(globals_) or {}).get("PackageType") or "Zip"
    inherited = resolve(globals_) or {}
    if package_type == "Image":  # a Zip function's settings in Globals do not apply to an image function
        inherited = {k: v for k, v in inherited.items() if k not in IMAGE_REFUSES}
    props = merge_globals(inherited, own) if serverless else own
    _note_extra(logical, props, SERVERLESS_FUNCTION_KEYS if serverless else LAMBDA_FUNCTION_KEYS, omitted)
    if package_type not in ("Zip", "Image"):
        omitted.unsupported.add(f"{logical} (PackageType {package_type})")
        return None
    name = str(props.get("FunctionName") or logical)
    image_build = None
    if package_type == "Image":
        image_build = image_build_of(logical, resource.get("Metadata"), base)
        code = _image_code(logical, props, serverless, image_build)
    else:
        code = _code(logical, props, serverless, base, omitted)
    if code is None:
        return None
    tags = props.get("Tags") or {}
    if isinstance(tags, list):  # CloudFormation's [{Key, Value}]
        tags = {str(tag.get("Key")): str(tag.get("Value")) for tag in tags if isinstance(tag, dict)}
    tags = {str(k): str(v) for k, v in tags.items()}
    tags.update({STACK_TAG: stack, LOGICAL_ID_TAG: logical})
    if serverless:
        tags["lambda:createdBy"] = "SAM"
    params: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": props.get("Runtime"),
        "Handler": props.get("Handler"),
        "Role": props.get("Role") or f"arn:aws:iam::{account}:role/lambda-host-{name}"[:140],
        "Code": code,
        "MemorySize": props.get("MemorySize"),
        "Timeout": props.get("Timeout"),
        "Description": props.get("Description"),
        "Layers": [str(layer) for layer in props.get("Layers") or []],
        "Tags": tags,
        "EphemeralStorage": props.get("EphemeralStorage"),
        "Architectures": props.get("Architectures"),
        "LoggingConfig": props.get("LoggingConfig"),
    }
    if props.get("Environment") is not None:
        variables = (props["Environment"] or {}).get("Variables") or {}
        params["Environment"] = {"Variables": {str(k): _variable(v) for k, v in variables.items()}}
    dead_letter = props.get("DeadLetterQueue") if serverless else props.get("DeadLetterConfig")
    if isinstance(dead_letter, dict) and dead_letter.get("TargetArn"):  # SAM adds a Type: SQS or SNS
        params["DeadLetterConfig"] = {"TargetArn": str(dead_letter["TargetArn"])}
    tracing = props.get("Tracing") if serverless else (props.get("TracingConfig") or {}).get("Mode")
    if tracing:
        params["TracingConfig"] = {"Mode": "Active" if tracing == "Active" else "PassThrough"}
    if package_type == "Image":
        params.update(PackageType="Image", ImageConfig=props.get("ImageConfig"), Runtime=None, Handler=None)
        params["Layers"] = [str(layer) for layer in props["Layers"]] if props.get("Layers") else None
    spec = FunctionSpec(logical, name, {k: v for k, v in params.items() if v is not None}, image_build=image_build)
    if serverless:
        spec.alias = props.get("AutoPublishAlias")
        spec.version_description = props.get("VersionDescription")
        spec.url = props.get("FunctionUrlConfig")
        spec.event_invoke = props.get("EventInvokeConfig")
    if props.get("ReservedConcurrentExecutions") is not None:
        try:
            spec.reserved_concurrency = int(props["ReservedConcurrentExecutions"])
        except (TypeError, ValueError) as exc:
            raise TemplateError(
                f"function {logical}: ReservedConcurrentExecutions must be a number, not "
                f"{props['ReservedConcurrentExecutions']!r}"
            ) from exc
    return spec


def merge_globals(globals_: Any, own: Any) -> Any:
    """SAM's Globals rule: maps merge (the function's value wins), lists add up, the rest is replaced."""
    if isinstance(globals_, dict) and isinstance(own, dict):
        merged = dict(globals_)
        for key, value in own.items():
            merged[key] = merge_globals(globals_[key], value) if key in globals_ else value
        return merged
    if isinstance(globals_, list) and isinstance(own, list):
        return globals_ + own
    return own


def image_build_of(logical: str, metadata: Any, base: Path) -> ImageBuild | None:
    """What ``sam build`` would build for an image function, from its Metadata (None without one)."""
    if not isinstance(metadata, dict) or not (metadata.get("Dockerfile") or metadata.get("DockerContext")):
        return None
    context = (base / str(metadata.get("DockerContext") or ".")).resolve()
    if not context.is_dir():
        raise TemplateError(f"function {logical}: DockerContext {context} is not a folder")
    buildargs = metadata.get("DockerBuildArgs") or {}
    return ImageBuild(
        context=context,
        dockerfile=str(metadata.get("Dockerfile") or "Dockerfile"),
        tag=f"{logical.lower()}:{metadata.get('DockerTag') or 'latest'}",
        buildargs={str(k): _variable(v) for k, v in buildargs.items()},
    )


def _image_code(logical: str, props: dict, serverless: bool, build: ImageBuild | None) -> dict:
    """CreateFunction's Code for an image function: the image Metadata builds (it wins, as in ``sam build``),
    else ImageUri (SAM) or Code.ImageUri (CloudFormation)."""
    if build is not None:
        return {"ImageUri": build.tag}
    uri = props.get("ImageUri") if serverless else (props.get("Code") or {}).get("ImageUri")
    if not uri:
        raise TemplateError(f"function {logical}: PackageType Image needs ImageUri or Metadata with a Dockerfile")
    return {"ImageUri": str(uri)}


def _code(logical: str, props: dict, serverless: bool, base: Path, omitted: Omissions) -> dict | None:
    """CreateFunction's Code: a local folder runs in place (hot reload); a zip is uploaded."""
    runtime = str(props.get("Runtime") or "")
    if serverless:
        if props.get("InlineCode") is not None:
            return {"ZipFile": _inline_zip(str(props["InlineCode"]), runtime)}
        source = props.get("CodeUri", ".")
    else:
        source = props.get("Code")
        if isinstance(source, dict) and source.get("ZipFile") is not None:
            return {"ZipFile": _inline_zip(str(source["ZipFile"]), runtime)}
    if not isinstance(source, str) or source.startswith("s3://"):
        omitted.unsupported.add(f"{logical} (code in S3 or an image: give a local folder or zip)")
        return None
    path = (base / source).resolve()
    if path.is_dir():
        return {"S3Bucket": "hot-reload", "S3Key": str(path)}
    if path.is_file():
        return {"ZipFile": base64.b64encode(path.read_bytes()).decode()}
    raise TemplateError(f"function {logical}: code location {source} does not exist (looked at {path})")


def _package(base: Path, source: str, what: str) -> bytes:
    path = (base / source).resolve()
    if path.is_dir():
        return zip_folder(path)
    if path.is_file():
        return path.read_bytes()
    raise TemplateError(f"{what}: content location {source} does not exist (looked at {path})")


def _inline_zip(source: str, runtime: str) -> str:
    """Inline code, packaged as CloudFormation does: ``index.py`` or ``index.js``."""
    name = "index.py" if runtime.startswith("python") else "index.js" if runtime.startswith("nodejs") else "index"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, source)
    return base64.b64encode(buffer.getvalue()).decode()


def _variable(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _note_extra(logical: str, props: dict, known: set[str], omitted: Omissions) -> None:
    for key in props:
        if key in known:
            continue
        target = omitted.no_local_meaning if key in NO_LOCAL_MEANING else omitted.unsupported
        target.add(f"{logical}.{key}")
