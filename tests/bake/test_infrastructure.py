from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match

from constructs_lib import BuildInfrastructure, BuildNetwork
from tests.conftest import make_stack, template


def test_defaults_require_imdsv2_terminate_on_failure_and_log_to_a_safe_bucket(stack: cdk.Stack) -> None:
    BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",))
    t = template(stack)
    t.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {
            "Name": "web",
            "InstanceTypes": ["m7i.large"],
            "InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "TerminateInstanceOnFailure": True,
            "Logging": {"S3Logs": {"S3KeyPrefix": "web", "S3BucketName": Match.any_value()}},
        },
    )
    t.has_resource(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "BucketEncryption": Match.any_value(),
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                }
            ),
        },
    )
    t.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )
    t.resource_count_is("AWS::SNS::Topic", 0)


def test_instance_role_has_only_the_documented_policies_and_its_log_prefix(stack: cdk.Stack) -> None:
    BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",))
    t = template(stack)
    role = next(iter(t.find_resources("AWS::IAM::Role").values()))
    policies = [p["Fn::Join"][1][2] for p in role["Properties"]["ManagedPolicyArns"]]
    assert policies == [
        ":iam::aws:policy/AmazonSSMManagedInstanceCore",
        ":iam::aws:policy/EC2InstanceProfileForImageBuilder",
    ]
    statement = next(iter(t.find_resources("AWS::IAM::Policy").values()))["Properties"]["PolicyDocument"]["Statement"]
    assert len(statement) == 1 and statement[0]["Resource"]["Fn::Join"][1][1] == "/web/*"


def test_notifications_create_an_encrypted_topic_the_service_role_may_use(stack: cdk.Stack) -> None:
    infra = BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",), notifications=True)
    t = template(stack)
    t.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    key_policy = next(iter(t.find_resources("AWS::KMS::Key").values()))["Properties"]["KeyPolicy"]["Statement"]
    assert any("AWSServiceRoleForImageBuilder" in str(s["Principal"]) for s in key_policy)
    assert infra.topic is not None
    t.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"SnsTopicArn": {"Ref": Match.any_value()}}
    )


def test_subnet_and_security_groups_are_passed_through(stack: cdk.Stack) -> None:
    subnet = ec2.Subnet.from_subnet_id(stack, "Subnet", "subnet-0123456789abcdef0")
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-0123456789abcdef0")
    BuildInfrastructure(
        stack, "Infra", name="web", instance_types=("m7i.large",), subnet=subnet, security_groups=[group], hop_limit=2
    )
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {
            "SubnetId": "subnet-0123456789abcdef0",
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
        },
    )


@pytest.mark.parametrize("hop_limit", [0, 65])
def test_rejects_hop_limit_outside_1_to_64(stack: cdk.Stack, hop_limit: int) -> None:
    with pytest.raises(ValueError, match=rf"hop_limit: {hop_limit} is outside AWS's range; use one from 1 to 64"):
        BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",), hop_limit=hop_limit)


def test_rejects_security_groups_without_a_subnet(stack: cdk.Stack) -> None:
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-0123456789abcdef0")
    with pytest.raises(ValueError, match=r"security_groups: given without subnet; .* so add subnet"):
        BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",), security_groups=[group])


def test_rejects_notifications_together_with_an_own_topic(stack: cdk.Stack) -> None:
    from aws_cdk import aws_sns as sns

    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:eu-west-1:111111111111:builds")
    with pytest.raises(ValueError, match=r"notifications: True together with notification_topic; pass one of them"):
        BuildInfrastructure(
            stack, "Infra", name="web", instance_types=("m7i.large",), notifications=True, notification_topic=topic
        )


def test_rejects_a_log_bucket_together_with_shared_resources(stack: cdk.Stack) -> None:
    from aws_cdk import aws_s3 as s3

    from constructs_lib import BuildResources

    shared = BuildResources(stack, "Shared")
    with pytest.raises(ValueError, match=r"log_bucket: given together with resources, which bring their own"):
        BuildInfrastructure(
            stack,
            "Infra",
            name="web",
            instance_types=("m7i.large",),
            resources=shared,
            log_bucket=s3.Bucket(stack, "B"),
        )


def _warnings(stack: cdk.Stack) -> list[str]:
    found = cdk.assertions.Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("default VPC"))
    return [str(w.entry.data) for w in found]


def test_build_network_by_id_and_a_warning_when_the_default_vpc_is_assumed() -> None:
    named = make_stack()
    network = BuildNetwork(subnet_id="subnet-0123456789abcdef0", security_group_ids=("sg-01234567", "sg-89abcdef"))
    BuildInfrastructure(named, "Infra", name="web", instance_types=("m7i.large",), network=network)
    template(named).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {"SubnetId": "subnet-0123456789abcdef0", "SecurityGroupIds": ["sg-01234567", "sg-89abcdef"]},
    )
    assert _warnings(named) == []
    default = make_stack()
    BuildInfrastructure(default, "Infra", name="web", instance_types=("m7i.large",))
    (warning,) = _warnings(default)
    assert "web: no build subnet given, so Image Builder builds in the account's default VPC" in warning


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"subnet_id": "subnet-xyz", "security_group_ids": ("sg-01234567",)},
            r"build_network.subnet_id: 'subnet-xyz' is not a subnet ID; use 'subnet-' and 8 or 17 hex digits",
        ),
        (
            {"subnet_id": "subnet-01234567", "security_group_ids": ()},
            r"build_network.security_group_ids: none given",
        ),
        (
            {"subnet_id": "subnet-01234567", "security_group_ids": ("sg-01234567", "sg-01234567")},
            r"build_network.security_group_ids: 'sg-01234567' is listed twice",
        ),
        (
            {"subnet_id": "subnet-01234567", "security_group_ids": ("subnet-01234567",)},
            r"build_network.security_group_ids: 'subnet-01234567' is not a sg ID",
        ),
    ],
)
def test_rejects_a_build_network_that_is_not_ids(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BuildNetwork(**kwargs)  # type: ignore[arg-type]


def test_rejects_a_network_together_with_a_subnet(stack: cdk.Stack) -> None:
    subnet = ec2.Subnet.from_subnet_id(stack, "Subnet", "subnet-0123456789abcdef0")
    network = BuildNetwork(subnet_id="subnet-01234567", security_group_ids=("sg-01234567",))
    with pytest.raises(ValueError, match=r"network: given together with subnet or security_groups; pass one"):
        BuildInfrastructure(stack, "Infra", name="web", instance_types=("m7i.large",), subnet=subnet, network=network)
