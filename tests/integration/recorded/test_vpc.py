"""VpcConfig on create and update, checked against EC2 at the host's AWS endpoint (moto's server), as recorded."""

import uuid

import pytest

from host.testing.plugin import client_for, make_zip
from tests.integration.aws_endpoint import AwsEndpoint

from .conftest import ECHO, unique, wait_updated
from .expect import ROLE, body, configuration, creating, invalid, problem, refused, updating, validation


@pytest.fixture(scope="module")
def aws():
    endpoint = AwsEndpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def client(aws, lambda_host_factory):
    return client_for(lambda_host_factory(aws_endpoint_url=aws.url))


@pytest.fixture
def network(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    groups = [
        ec2.create_security_group(VpcId=vpc, GroupName=f"test-sg-{uuid.uuid4().hex[:6]}", Description="test")["GroupId"]
        for _ in range(2)
    ]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]
    return vpc, subnets, groups


def vpc_config(vpc: str, subnet: str | None, group: str | None) -> dict:
    return {
        "SubnetIds": [subnet] if subnet else [],
        "SecurityGroupIds": [group] if group else [],
        "VpcId": vpc,
        "Ipv6AllowedForDualStack": False,
    }


def params(**more) -> dict:
    return {
        "FunctionName": unique(), "Runtime": "python3.12", "Role": ROLE, "Handler": "handler.handler",
        "Code": {"ZipFile": make_zip(ECHO)}, "Timeout": 5, "MemorySize": 256, "Environment": {"Variables": {}}, **more,
    }  # fmt: skip


def test_vpc_config_is_shown_changed_and_detached(client, network):
    # snapshot: TestLambdaFunction::test_vpc_config
    vpc, subnets, groups = network
    create = params(VpcConfig={"SubnetIds": [subnets[0]], "SecurityGroupIds": [groups[0]]})
    name = create["FunctionName"]
    sized = {"Timeout": 5, "MemorySize": 256}
    try:
        first = vpc_config(vpc, subnets[0], groups[0])
        assert body(client.create_function(**create)) == creating(name, VpcConfig=first, **sized)
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        assert client.get_function(FunctionName=name)["Configuration"] == configuration(name, VpcConfig=first, **sized)
        second = vpc_config(vpc, subnets[1], groups[1])
        moved = client.update_function_configuration(
            FunctionName=name, VpcConfig={"SubnetIds": [subnets[1]], "SecurityGroupIds": [groups[1]]}
        )
        assert body(moved) == updating(name, VpcConfig=second, **sized)
        wait_updated(client, name)
        assert client.get_function(FunctionName=name)["Configuration"] == configuration(name, VpcConfig=second, **sized)
        detached = client.update_function_configuration(
            FunctionName=name, VpcConfig={"SubnetIds": [], "SecurityGroupIds": []}
        )
        none = vpc_config("", None, None)
        assert body(detached) == updating(name, VpcConfig=none, **sized)
        wait_updated(client, name)
        assert client.get_function(FunctionName=name)["Configuration"] == configuration(name, VpcConfig=none, **sized)
    finally:
        client.delete_function(FunctionName=name)


def test_subnets_that_do_not_exist_or_look_wrong_are_refused(client, network):
    # snapshot: TestLambdaFunction::test_invalid_vpc_config_subnet
    _, _, groups = network
    missing = f"subnet-{uuid.uuid4().hex[:8]}"
    assert refused(
        client.create_function, **params(VpcConfig={"SubnetIds": [missing], "SecurityGroupIds": [groups[0]]})
    ) == invalid(
        "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: "
        f"The subnet ID '{missing}' does not exist"
    )
    odd = f"bad-format-{uuid.uuid4().hex[:8]}"
    assert refused(
        client.create_function, **params(VpcConfig={"SubnetIds": [odd], "SecurityGroupIds": [groups[0]]})
    ) == validation(
        problem(
            f"[{odd}]", "vpcConfig.subnetIds",
            "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have "
            "length greater than or equal to 0, Member must satisfy regular expression pattern: subnet-[0-9a-z]*]",
        )
    )  # fmt: skip


def test_security_groups_are_checked_before_subnets(client):
    # snapshot: TestLambdaFunction::test_invalid_vpc_config_security_group
    subnet = f"subnet-{uuid.uuid4().hex[:8]}"
    missing = f"sg-{uuid.uuid4().hex[:8]}"
    assert refused(
        client.create_function, **params(VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [missing]})
    ) == invalid(
        "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: "
        f"The security group '{missing}' does not exist"
    )
    odd = f"bad-format-{uuid.uuid4().hex[:8]}"
    assert refused(
        client.create_function, **params(VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [odd]})
    ) == validation(
        problem(
            f"[{odd}]", "vpcConfig.securityGroupIds",
            "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have "
            "length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]",
        )
    )  # fmt: skip
