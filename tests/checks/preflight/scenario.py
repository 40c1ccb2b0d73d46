"""A small hand-written assembly every preflight rule passes: a factory account with keys in two
regions, a destination account, a StackSet, a pipeline with a first image, and a consumer. Rule
tests break one thing in a copy of it."""

from __future__ import annotations

import copy
import json
from typing import Any

from constructs_lib.checks.preflight import Assembly, Stack

F, D, U = "111111111111", "222222222222", "333333333333"
OU_ARN = f"arn:aws:organizations::{F}:ou/o-exampleorg1/ou-ab12-cdefgh34"
ASG = f"arn:aws:iam::{F}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
USE = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*"]


def key_stack() -> dict[str, Any]:
    statements = [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{F}:root"}, "Action": "kms:*", "Resource": "*"},
        {
            "Sid": "Accounts",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{D}:root", f"arn:aws:iam::{U}:root"]},
            "Action": [*USE, "kms:CreateGrant"],
            "Resource": "*",
        },
        {"Sid": "AutoScaling", "Effect": "Allow", "Principal": {"AWS": ASG}, "Action": USE, "Resource": "*"},
        {
            "Sid": "AutoScalingGrants",
            "Effect": "Allow",
            "Principal": {"AWS": ASG},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        {
            "Sid": "OU",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*USE, "kms:CreateGrant"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"},
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-exampleorg1/*/ou-ab12-cdefgh34/*"]},
            },
        },
    ]
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": statements}},
        },
        "Alias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": "alias/golden-ami/distribution", "TargetKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        },
    }


def destination_role() -> dict[str, Any]:
    return {
        "LifecycleRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": "Ec2ImageBuilderCrossAccountLifecycleAccess",
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "imagebuilder.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                },
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {"RoleName": "EC2ImageBuilderDistributionCrossAccountRole", "AssumeRolePolicyDocument": {}},
        },
        "RolePolicy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["kms:Encrypt", *USE, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                            "Resource": f"arn:aws:kms:*:{F}:key/*",
                        }
                    ]
                },
            },
        },
    }


def entry(region: str) -> dict[str, Any]:
    return {
        "Region": region,
        "AmiDistributionConfiguration": {
            "KmsKeyId": f"arn:aws:kms:{region}:{F}:alias/golden-ami/distribution",
            "TargetAccountIds": [D],
            "LaunchPermissionConfiguration": {"UserIds": [U], "OrganizationalUnitArns": [OU_ARN]},
        },
        "SsmParameterConfigurations": [
            {"ParameterName": "/golden-ami/web/latest", "DataType": "aws:ec2:image"},
            {"ParameterName": "/golden-ami/web/latest", "AmiAccountId": D, "DataType": "aws:ec2:image"},
        ],
    }


def factory() -> dict[str, Any]:
    build = {
        "ImageRecipeArn": {"Fn::GetAtt": ["Recipe", "Arn"]},
        "DistributionConfigurationArn": {"Fn::GetAtt": ["Distribution", "Arn"]},
        "InfrastructureConfigurationArn": {"Fn::GetAtt": ["Infrastructure", "Arn"]},
        "ExecutionRole": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
        "Tags": {"golden-ami:factory": "default"},
    }
    return {
        "Recipe": {
            "Type": "AWS::ImageBuilder::ImageRecipe",
            "Properties": {
                "Name": "web",
                "Version": "1.0.x",
                "ParentImage": "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "Encrypted": True,
                            "KmsKeyId": f"arn:aws:kms:eu-west-1:{F}:alias/golden-ami/distribution",
                        },
                    }
                ],
            },
        },
        "Infrastructure": {
            "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
            "Properties": {"Name": "web", "SubnetId": "subnet-0123456789abcdef0"},
        },
        "Distribution": {
            "Type": "AWS::ImageBuilder::DistributionConfiguration",
            "Properties": {"Name": "web", "Distributions": [entry("eu-west-1"), entry("us-east-1")]},
        },
        "ExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "Pipeline": {"Type": "AWS::ImageBuilder::ImagePipeline", "Properties": {"Name": "web", **build}},
        "FirstImage": {
            "Type": "AWS::ImageBuilder::Image",
            "Properties": {**build, "ImagePipelineExecutionSettings": {"DeploymentId": "abc", "OnUpdate": True}},
        },
        "Lifecycle": {
            "Type": "AWS::ImageBuilder::LifecyclePolicy",
            "Properties": {
                "Name": "factory",
                "ResourceSelection": {"TagMap": {"golden-ami:factory": "default"}},
                "ExecutionRole": "arn:aws:iam::111111111111:role/lifecycle",
            },
        },
    }


def member_accounts() -> dict[str, Any]:
    body = {"Resources": destination_role()}
    return {
        "StackSet": {
            "Type": "AWS::CloudFormation::StackSet",
            "Properties": {
                "PermissionModel": "SERVICE_MANAGED",
                "CallAs": "SELF",
                "TemplateBody": json.dumps(body),
                "StackInstancesGroup": [
                    {
                        "Regions": ["eu-west-1"],
                        "DeploymentTargets": {
                            "OrganizationalUnitIds": ["ou-ab12-cdefgh34"],
                            "Accounts": [D],
                            "AccountFilterType": "DIFFERENCE",
                        },
                    }
                ],
            },
        }
    }


def consumers() -> dict[str, Any]:
    return {
        "LaunchTemplate": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"ImageId": "resolve:ssm:/golden-ami/web/latest"}},
        },
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.13"}},
    }


def scenario() -> dict[str, dict[str, Any]]:
    """Stack name -> account, region, resources and dependencies."""
    return {
        "Keys-eu-west-1": {"account": F, "region": "eu-west-1", "resources": key_stack()},
        "Keys-us-east-1": {"account": F, "region": "us-east-1", "resources": key_stack()},
        "Destination": {
            "account": D,
            "region": "eu-west-1",
            "resources": {
                **destination_role(),
                "AutoScalingGrant": {
                    "Type": "Custom::KmsGrant",
                    "Properties": {"GranteePrincipal": "AWSServiceRoleForAutoScaling"},
                },
            },
        },
        "Factory": {
            "account": F,
            "region": "eu-west-1",
            "resources": factory(),
            "dependencies": ["Keys-eu-west-1", "Keys-us-east-1", "Destination"],
        },
        "MemberAccounts": {"account": F, "region": "eu-west-1", "resources": member_accounts()},
        "Consumers": {"account": F, "region": "us-east-1", "resources": consumers(), "dependencies": ["Factory"]},
    }


def assemble(stacks: dict[str, dict[str, Any]]) -> Assembly:
    return Assembly(
        [
            Stack(
                name=name,
                account=s["account"],
                region=s["region"],
                template={"Resources": s["resources"], **{k: s[k] for k in ("Parameters", "Outputs") if k in s}},
                dependencies=tuple(s.get("dependencies", ())),
            )
            for name, s in stacks.items()
        ]
    )


def good() -> dict[str, dict[str, Any]]:
    return copy.deepcopy(scenario())
