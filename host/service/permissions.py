"""Resource-based policies: AddPermission, GetPolicy and RemovePermission, answered as AWS answers.

A policy belongs to the function ($LATEST), one version or one alias, is stored with it
and goes when it is deleted; publishing a version does not copy it. Statement ids are
unique within one policy. The policy has a RevisionId of its own, new on every change;
before a target has a policy, AddPermission's RevisionId is checked against the target's.

This module keeps policies; it must not enforce them. Every caller may still invoke
(including a function URL), as before.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

from host.core import permissions
from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    function_not_found,
)
from host.core.model import LATEST, FunctionPolicy
from host.core.names import FunctionRef
from host.service.functions import FunctionService
from host.service.versions import is_alias_name

NO_RESOURCE = "The resource you requested does not exist."
NO_POLICY = "No policy is associated with the given resource."
LATEST_REFUSED = "We currently do not support adding policies for $LATEST."
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest "
    "Revision Id"
)


class PermissionService:
    def __init__(self, functions: FunctionService) -> None:
        self.functions = functions
        self.store = functions.store

    def add(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
        """AddPermission: the statement added (checked in AWS's order, see the module's tests)."""
        permissions.check_add(params)
        ref = self.functions.ref(value, qualifier)
        if ref.qualifier == LATEST:
            raise InvalidParameterValue(LATEST_REFUSED)
        with self.functions.lock:
            if self.store.get(ref.name) is None:
                raise function_not_found(self.functions.arn(ref.name))
            key, revision = self._target(ref)
            policy = self.store.policy(ref.name, key)
            expected = policy.revision_id if policy is not None else revision
            if params.get("RevisionId") and params["RevisionId"] != expected:
                raise PreconditionFailed(REVISION_MISMATCH)
            sid = params["StatementId"]
            if policy is not None and any(s["Sid"] == sid for s in policy.statements):
                raise ResourceConflict(
                    f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove "
                    "the existing statement."
                )
            added = permissions.statement(params, self.functions.arn(ref.name, ref.qualifier))
            before = policy.statements if policy is not None else ()
            revision = str(uuid.uuid4())
            self.store.put_policy(FunctionPolicy(ref.name, key, (*before, added), revision))
            self._revise(ref.name, key, revision)
        return added

    def get(self, value: str, qualifier: str | None) -> FunctionPolicy:
        """GetPolicy: one answer for a missing function, version, alias or policy, as on AWS."""
        ref = self.functions.ref(value, qualifier)
        policy = self.store.policy(ref.name, ref.qualifier or LATEST)  # goes with its function, version, alias
        if policy is None:
            raise ResourceNotFound(NO_RESOURCE)
        return policy

    def remove(self, value: str, statement_id: str, qualifier: str | None, revision_id: str | None) -> None:
        """RemovePermission: the statement goes, and the policy with its last statement."""
        permissions.check_statement_id(statement_id)
        ref = self.functions.ref(value, qualifier)
        with self.functions.lock:
            if self.store.get(ref.name) is None:
                raise ResourceNotFound(f"No policy found for: {self.functions.arn(ref.name)}")
            key, _ = self._target(ref)
            policy = self.store.policy(ref.name, key)
            if policy is None:
                raise ResourceNotFound(NO_POLICY)
            kept = tuple(s for s in policy.statements if s["Sid"] != statement_id)
            if len(kept) == len(policy.statements):
                raise ResourceNotFound(f"Statement {statement_id} is not found in resource policy.")
            if revision_id and revision_id != policy.revision_id:
                raise PreconditionFailed(REVISION_MISMATCH)
            revision = str(uuid.uuid4())
            if kept:
                self.store.put_policy(policy.with_changes(statements=kept, revision_id=revision))
            else:
                self.store.delete_policy(ref.name, key)
            self._revise(ref.name, key, revision)

    def _revise(self, name: str, key: str, revision: str) -> None:
        """A policy change is a change of its function, version or alias: they share a RevisionId,
        as AWS's GetFunction shows after AddPermission."""
        if key == LATEST:
            self.store.put(self.store.get(name).with_changes(revision_id=revision))
        elif key.isdigit():
            self.store.put(self.store.version(name, key).with_changes(revision_id=revision))
        else:
            self.store.put_alias(dataclasses.replace(self.store.alias(name, key), revision_id=revision))

    def _target(self, ref: FunctionRef) -> tuple[str, str]:
        """The policy's key ($LATEST, a version or an alias) and its target's RevisionId, or AWS's 404.

        An alias is a qualifier matching AWS's alias pattern; a number is a version; anything
        else (``$latest``, ``valid-with-$``) names nothing: ``Function not found`` with it.
        """
        if ref.qualifier in (None, LATEST):
            return LATEST, self.store.get(ref.name).revision_id
        arn = self.functions.arn(ref.name, ref.qualifier)
        if is_alias_name(ref.qualifier):
            alias = self.store.alias(ref.name, ref.qualifier)
            if alias is None:
                raise ResourceNotFound(f"Cannot find alias arn: {arn}")
            return ref.qualifier, alias.revision_id
        version = self.store.version(ref.name, ref.qualifier) if ref.qualifier.isdigit() else None
        if version is None:
            raise function_not_found(arn)
        return ref.qualifier, version.revision_id
