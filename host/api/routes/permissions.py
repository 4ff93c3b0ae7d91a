"""Resource-based policies: AddPermission, GetPolicy, RemovePermission (stored, not enforced)."""

from __future__ import annotations

from flask import Blueprint, request

from host.api.common import FUNCTIONS, answer, body, no_content, qualifier_arg, services
from host.core import permissions

blueprint = Blueprint("permissions", __name__)

POLICY = FUNCTIONS + "/<name>/policy"


@blueprint.post(POLICY)
def add_permission(name: str):
    statement = services().permissions.add(name, qualifier_arg(), body())
    return answer({"Statement": permissions.to_json(statement)}, 201)


@blueprint.get(POLICY)
def get_policy(name: str):
    policy = services().permissions.get(name, qualifier_arg())
    document = permissions.to_json(permissions.document(policy.statements))
    return answer({"Policy": document, "RevisionId": policy.revision_id})


@blueprint.delete(POLICY + "/<statement_id>")
def remove_permission(name: str, statement_id: str):
    services().permissions.remove(name, statement_id, qualifier_arg(), request.args.get("RevisionId") or None)
    return no_content()
