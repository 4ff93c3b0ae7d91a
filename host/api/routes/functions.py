"""Functions: create, get, list, update, delete; tags; account settings; code downloads."""

from __future__ import annotations

from flask import Blueprint, request, send_file

from host.api import shapes
from host.api.common import (
    FUNCTIONS,
    answer,
    body,
    code_location,
    int_arg,
    no_content,
    qualifier_arg,
    services,
)
from host.core.errors import ResourceNotFound, ValidationError, validation_message
from host.core.model import FunctionConfig
from host.core.validation import problem

blueprint = Blueprint("functions", __name__)


def configuration(function: FunctionConfig, arn: str | None = None) -> dict:
    return shapes.function_configuration(function, services().region, arn=arn)


@blueprint.post(FUNCTIONS)
@blueprint.post(FUNCTIONS + "/")
def create_function():
    params = body()
    function = services().functions.create(params)
    if params.get("Publish"):
        version = services().versions.publish(function.name, {}, internal=True)
        function = function.with_changes(version=version.version)  # AWS: Version "1", ARN unqualified
    return answer(configuration(function), 201)


@blueprint.get(FUNCTIONS)
@blueprint.get(FUNCTIONS + "/")
def list_functions():
    version = request.args.get("FunctionVersion")
    if version is not None and version != "ALL":
        raise ValidationError(
            validation_message([problem(version, "functionVersion", "Member must satisfy enum value set: [ALL]")])
        )
    page, marker = services().functions.list(request.args.get("Marker"), int_arg("MaxItems"))
    listing = []
    for function in page:
        if version == "ALL":  # every version, each under its qualified ARN
            for each in (function, *services().functions.store.versions(function.name)):
                listing.append(
                    shapes.function_configuration(each, services().region, arn=each.qualified_arn, listing=True)
                )
        else:
            listing.append(shapes.function_configuration(function, services().region, listing=True))
    result: dict = {"Functions": listing}
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.get(FUNCTIONS + "/<name>")
def get_function(name: str):
    function, ref = services().versions.get(name, qualifier_arg())
    arn = services().functions.arn(ref.name, ref.qualifier)
    result: dict = {"Configuration": configuration(function, arn)}
    if function.image is not None:
        result["Code"] = {
            "RepositoryType": "ECR",
            "ImageUri": function.image.uri,
            "ResolvedImageUri": function.image.resolved_uri,
        }
    else:
        location = code_location(function.code)
        result["Code"] = {"RepositoryType": "S3", "Location": location} if location else {"RepositoryType": "S3"}
    latest = services().functions.store.get(ref.name)
    if latest.tags:
        result["Tags"] = dict(latest.tags)
    if latest.reserved_concurrency is not None:
        result["Concurrency"] = {"ReservedConcurrentExecutions": latest.reserved_concurrency}
    return answer(result)


@blueprint.get(FUNCTIONS + "/<name>/configuration")
def get_function_configuration(name: str):
    function, ref = services().versions.get(name, qualifier_arg())
    return answer(configuration(function, services().functions.arn(ref.name, ref.qualifier)))


@blueprint.put(FUNCTIONS + "/<name>/code")
def update_function_code(name: str):
    params = body()
    function = services().functions.update_code(name, params)
    if not params.get("Publish") or params.get("DryRun"):  # a dry run publishes nothing either
        return answer(configuration(function))
    version = services().versions.publish(function.name, {}, internal=True)
    # AWS answers with the new version, as it looks while being created.
    shown = version.with_changes(
        state="Pending", state_reason="The function is being created.", state_reason_code="Creating",
        last_update_status=None,
    )  # fmt: skip
    return answer(configuration(shown, version.qualified_arn))


@blueprint.put(FUNCTIONS + "/<name>/configuration")
def update_function_configuration(name: str):
    return answer(configuration(services().functions.update_configuration(name, body())))


@blueprint.delete(FUNCTIONS + "/<name>")
def delete_function(name: str):
    services().versions.delete(name, qualifier_arg())
    return no_content()


@blueprint.put("/2017-10-31/functions/<name>/concurrency")
def put_function_concurrency(name: str):
    value = services().functions.put_concurrency(name, body())
    return answer({"ReservedConcurrentExecutions": value})


@blueprint.get("/2019-09-30/functions/<name>/concurrency")
def get_function_concurrency(name: str):
    value = services().functions.get_concurrency(name)
    return answer({} if value is None else {"ReservedConcurrentExecutions": value})


@blueprint.delete("/2017-10-31/functions/<name>/concurrency")
def delete_function_concurrency(name: str):
    services().functions.delete_concurrency(name)
    return no_content()


@blueprint.put("/2024-08-31/functions/<name>/recursion-config")
def put_function_recursion_config(name: str):
    return answer({"RecursiveLoop": services().functions.put_recursion(name, body())})


@blueprint.get("/2024-08-31/functions/<name>/recursion-config")
def get_function_recursion_config(name: str):
    return answer({"RecursiveLoop": services().functions.get_recursion(name)})


@blueprint.get("/2017-03-31/tags/<path:arn>")
def list_tags(arn: str):
    return answer({"Tags": services().tags.list(arn)})


@blueprint.post("/2017-03-31/tags/<path:arn>")
def tag_resource(arn: str):
    services().tags.tag(arn, body().get("Tags"))
    return no_content()


@blueprint.delete("/2017-03-31/tags/<path:arn>")
def untag_resource(arn: str):
    services().tags.untag(arn, request.args.getlist("tagKeys"))
    return no_content()


@blueprint.get("/2016-08-19/account-settings/")
@blueprint.get("/2016-08-19/account-settings")
def get_account_settings():
    limits = {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": services().functions.unreserved_concurrency(),
    }
    return answer({"AccountLimit": limits, "AccountUsage": services().functions.account_usage()})


@blueprint.get("/_lambda-host/code/<digest>.zip")
def download_code(digest: str):
    path = services().packages.code_dir / f"{digest}.zip"
    if "/" in digest or not path.is_file():
        raise ResourceNotFound("The resource you requested does not exist.")
    return send_file(path, mimetype="application/zip")
