"""VpcConfig: the subnets and security groups a function names, checked against EC2 as AWS checks them.

AWS looks the security groups up first, then the subnets, and fills in the VPC they
belong to; what EC2 cannot find is refused with its own error (recorded)::

    Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: ...

EC2 is the host's AWS endpoint. The setting is shown as AWS shows it; environments are
not placed in that VPC's network (see the README's differences from AWS).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from host.core.errors import InvalidParameterValue
from host.core.model import VpcSettings
from host.service.s3_code import Clients


def _failed(operation: str, code: str, message: str) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Error occurred while {operation}. EC2 Error Code: {code}. EC2 Error Message: {message}"
    )


class VpcChecker:
    def __init__(self, clients: Clients | None, region: str) -> None:
        self.clients = clients  # None: no AWS endpoint, so no EC2 and no subnet exists
        self.region = region

    def settings(self, config: Mapping[str, Any]) -> VpcSettings:
        """What GetFunction will show for ``config``; empty lists detach the function from its VPC."""
        subnets = tuple(config.get("SubnetIds") or ())
        groups = tuple(config.get("SecurityGroupIds") or ())
        ipv6 = bool(config.get("Ipv6AllowedForDualStack") or False)
        if not subnets and not groups:
            return VpcSettings((), (), "", ipv6)
        for group in groups:
            self._describe("DescribeSecurityGroups", "describe_security_groups", "InvalidGroup.NotFound",
                           "The security group '{}' does not exist", "GroupIds", group)  # fmt: skip
        vpc_ids = []
        for subnet in subnets:
            found = self._describe("DescribeSubnets", "describe_subnets", "InvalidSubnetID.NotFound",
                                   "The subnet ID '{}' does not exist", "SubnetIds", subnet)  # fmt: skip
            vpc_ids += [each.get("VpcId", "") for each in found.get("Subnets", [])]
        return VpcSettings(subnets, groups, vpc_ids[0] if vpc_ids else "", ipv6)

    def _describe(self, operation: str, method: str, not_found: str, message: str, key: str, value: str) -> dict:
        """One id at a time, so a refusal names the id EC2 does not have, in AWS's words."""
        if self.clients is None:
            raise _failed(operation, not_found, message.format(value))
        try:
            return getattr(self.clients.client("ec2", self.region), method)(**{key: [value]})
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "Unknown")
            text = message.format(value) if code == not_found else error.get("Message", str(exc))
            raise _failed(operation, code, text) from exc
        except BotoCoreError as exc:
            raise _failed(operation, type(exc).__name__, str(exc)) from exc
