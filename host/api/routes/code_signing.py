"""A function's code signing configuration: this host keeps none (see the README's differences from AWS).

Get and Delete answer as AWS does for a function without one; Put cannot name a
configuration that exists here, so it gets AWS's "cannot be found".
"""

from __future__ import annotations

from flask import Blueprint

from host.api.common import answer, body, no_content, services
from host.core.errors import LambdaApiError

blueprint = Blueprint("code_signing", __name__)

CONFIG = "/2020-06-30/functions/<name>/code-signing-config"


class CodeSigningConfigNotFound(LambdaApiError):
    code = "CodeSigningConfigNotFoundException"


@blueprint.get(CONFIG)
def get_function_code_signing_config(name: str):
    services().functions.get(name)
    return answer({})


@blueprint.delete(CONFIG)
def delete_function_code_signing_config(name: str):
    services().functions.get(name)
    return no_content()


@blueprint.put(CONFIG)
def put_function_code_signing_config(name: str):
    arn = body().get("CodeSigningConfigArn")
    raise CodeSigningConfigNotFound(
        f"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}."
    )
