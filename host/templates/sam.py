"""Deploying an AWS SAM template: its functions and layers, created through the same services as the API.

Understood: ``Globals.Function``; ``AWS::Serverless::Function`` (CodeUri as a folder or
zip, Handler, Runtime, MemorySize, Timeout, EphemeralStorage, Environment, Layers,
Description, FunctionName); ``AWS::Serverless::LayerVersion`` (ContentUri, LayerName,
CompatibleRuntimes); the intrinsics ``Ref``, ``Fn::Sub`` and ``Fn::GetAtt`` (Arn) with
``Parameters`` defaults. Anything else is named in one warning, never silently dropped.

A function whose CodeUri is a folder runs that folder in place, so edits are seen by
the next new environment; zips and layers are stored like uploads.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from host.core.errors import LambdaApiError
from host.store.packages import zip_folder

if TYPE_CHECKING:
    from host.host import Host

log = logging.getLogger("lambda_host.template")

FUNCTION_TYPES = ("AWS::Serverless::Function",)
LAYER_TYPES = ("AWS::Serverless::LayerVersion",)
FUNCTION_KEYS = {
    "CodeUri", "Handler", "Runtime", "MemorySize", "Timeout", "EphemeralStorage", "Environment", "Layers",
    "Description", "FunctionName", "Role", "Architectures", "Tags",
}  # fmt: skip
LAYER_KEYS = {"ContentUri", "LayerName", "CompatibleRuntimes", "Description", "CompatibleArchitectures", "LicenseInfo"}


class TemplateError(ValueError):
    """The template cannot be read or deployed; the message says where."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (``!Ref x`` becomes ``{"Ref": "x"}``)."""


def _tag(name: str):
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    return construct


for _short, _long in {
    "!Ref": "Ref", "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!If": "Fn::If",
    "!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
    "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or", "!Base64": "Fn::Base64",
    "!GetAZs": "Fn::GetAZs", "!Condition": "Condition",
}.items():  # fmt: skip
    _Loader.add_constructor(_short, _tag(_long))


def load_template(path: Path) -> dict:
    try:
        document = yaml.load(path.read_text(), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TemplateError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path}: a SAM template needs a Resources section")
    return document


class _Resolver:
    """Intrinsic functions over parameters, pseudo parameters and deployed resources."""

    def __init__(self, values: dict[str, Any], arns: dict[str, str]) -> None:
        self.values = values
        self.arns = arns
        self.unknown: set[str] = set()

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if arg in self.values:
                    return self.values[arg]
                self.unknown.add(f"Ref {arg}")
                return arg
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                if attribute == "Arn" and logical in self.arns:
                    return self.arns[logical]
                self.unknown.add(f"Fn::GetAtt {logical}.{attribute}")
                return None
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self(arg[1]))
                return _substitute(
                    text, {**self.values, **{k: str(v) for k, v in extra.items()}}, self.arns, self.unknown
                )
            if key.startswith("Fn::") or key == "Condition":
                self.unknown.add(key)
                return None
        return {k: self(v) for k, v in value.items()}


def _substitute(text: str, values: dict[str, Any], arns: dict[str, str], unknown: set[str]) -> str:
    out, i = [], 0
    while i < len(text):
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            break
        end = text.find("}", start)
        if end < 0:
            out.append(text[i:])
            break
        out.append(text[i:start])
        name = text[start + 2 : end]
        if name.startswith("!"):
            out.append("${" + name[1:] + "}")
        elif name in values:
            out.append(str(values[name]))
        elif name.endswith(".Arn") and name[:-4] in arns:
            out.append(arns[name[:-4]])
        else:
            unknown.add(f"${{{name}}}")
            out.append("")
        i = end + 1
    return "".join(out)


def _code_source(base: Path, uri: str) -> dict:
    path = (base / uri).resolve()
    if path.is_dir():
        return {"S3Bucket": "hot-reload", "S3Key": str(path)}
    if path.is_file():
        return {"ZipFile": base64.b64encode(path.read_bytes()).decode()}
    raise TemplateError(f"code location {uri} does not exist (looked at {path})")


def deploy_template(path: Path, host: Host, parameters: dict[str, str] | None = None) -> list[str]:
    """Create (or replace) every function and layer of the template; returns the function names."""
    template = load_template(path)
    base = path.resolve().parent
    config = host.config
    values: dict[str, Any] = {
        "AWS::Region": config.region,
        "AWS::AccountId": config.account_id,
        "AWS::Partition": "aws",
        "AWS::StackName": "lambda-host",
        "AWS::URLSuffix": "amazonaws.com",
    }
    for name, spec in (template.get("Parameters") or {}).items():
        if isinstance(spec, dict) and "Default" in spec:
            values[name] = spec["Default"]
    values.update(parameters or {})
    resources: dict[str, dict] = template["Resources"]
    arns: dict[str, str] = {}
    resolve = _Resolver(values, arns)
    ignored: set[str] = set()
    globals_ = (template.get("Globals") or {}).get("Function") or {}

    for logical, resource in resources.items():
        if resource.get("Type") in LAYER_TYPES:
            props = resolve(resource.get("Properties") or {})
            ignored.update(f"{logical}.{k}" for k in props if k not in LAYER_KEYS)
            content = (base / str(props.get("ContentUri", "."))).resolve()
            data = zip_folder(content) if content.is_dir() else content.read_bytes()
            params = {
                "Content": {"ZipFile": base64.b64encode(data).decode()},
                "Description": props.get("Description", ""),
            }
            if props.get("CompatibleRuntimes"):
                params["CompatibleRuntimes"] = props["CompatibleRuntimes"]
            layer = host.layers.publish(str(props.get("LayerName") or logical), params)
            arns[logical] = layer.arn
            values[logical] = layer.arn

    functions = []
    for logical, resource in resources.items():
        kind = resource.get("Type")
        if kind in LAYER_TYPES:
            continue
        if kind not in FUNCTION_TYPES:
            ignored.add(f"{logical} ({kind})")
            continue
        props = {**resolve(globals_), **resolve(resource.get("Properties") or {})}
        if "Environment" in globals_ and "Environment" in (resource.get("Properties") or {}):
            merged = dict((resolve(globals_)["Environment"] or {}).get("Variables") or {})
            merged.update(((resolve(resource["Properties"])["Environment"] or {}).get("Variables")) or {})
            props["Environment"] = {"Variables": merged}
        ignored.update(f"{logical}.{k}" for k in props if k not in FUNCTION_KEYS)
        name = str(props.get("FunctionName") or logical)
        params = {
            "FunctionName": name,
            "Runtime": props.get("Runtime"),
            "Handler": props.get("Handler"),
            "Role": props.get("Role") or f"arn:aws:iam::{config.account_id}:role/lambda-host-{name}"[:140],
            "Code": _code_source(base, str(props.get("CodeUri", "."))),
            "MemorySize": props.get("MemorySize"),
            "Timeout": props.get("Timeout"),
            "Description": props.get("Description"),
            "Layers": [str(layer) for layer in props.get("Layers") or []],
        }
        if props.get("Environment"):
            params["Environment"] = {
                "Variables": {k: str(v) for k, v in (props["Environment"].get("Variables") or {}).items()}
            }
        if props.get("EphemeralStorage"):
            params["EphemeralStorage"] = props["EphemeralStorage"]
        if props.get("Architectures"):
            params["Architectures"] = props["Architectures"]
        params = {k: v for k, v in params.items() if v is not None}
        try:
            if host.function_store.get(name) is not None:
                host.functions.delete(name)
            host.functions.create(params)
        except LambdaApiError as exc:
            raise TemplateError(f"{path}: function {logical}: {exc.message}") from exc
        arns[logical] = host.functions.arn(name)
        functions.append(name)

    unsupported = sorted(ignored | resolve.unknown)
    if unsupported:
        log.warning("%s: not understood and left out: %s", path.name, ", ".join(unsupported))
    return functions
