"""A stack per region that launches a golden image: network, launch template, fleet, rollout."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from ._nag import INLINE_POLICY_REASON, acknowledge_compliance
from .fleet import DEFAULT_REFRESH, GoldenFleet, InstanceRefresh
from .launch_template import GoldenLaunchTemplate
from .pipeline import IDistributedGoldenImage
from .rollout import ImageRollout


class ConsumerStack(cdk.Stack):
    """Launches ``image`` in the stack's region: a :class:`GoldenLaunchTemplate`, a
    :class:`GoldenFleet` using it and the region's :class:`ImageRollout`.

    Without ``vpc`` it makes a small one: two private isolated subnets (no NAT gateway, no
    internet route), flow logs to a log group kept one year, and a security group that allows
    no inbound traffic. Its availability zones come from ``Fn::GetAZs`` at deploy, so synthesis
    needs no lookup. Refuses a region the image is not distributed to.

    Example::

        ConsumerStack(app, "Web-us-east-1", image=pipeline, env=cdk.Environment(account=..., region="us-east-1"))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image: IDistributedGoldenImage,
        instance_type: str | None = None,
        min_capacity: int = 1,
        max_capacity: int = 2,
        refresh: InstanceRefresh | None = DEFAULT_REFRESH,
        pin: int | str | None = None,
        instance_role: iam.IRole | None = None,
        vpc: ec2.IVpc | None = None,
        **stack_props: Any,
    ) -> None:
        """
        :param image: the pipeline whose image the fleet launches.
        :param instance_type: Default: m7i.large, or m7g.large for an arm64 image.
        :param min_capacity: Default: 1.
        :param max_capacity: Default: 2.
        :param refresh: Default: ``InstanceRefresh()``; None leaves running instances alone.
        :param pin: a parameter version or label to launch instead of the newest AMI (rollback).
        :param instance_role: Default: none.
        :param vpc: Default: a new isolated VPC as described above.
        :param stack_props: passed to ``cdk.Stack`` (``env``, ``description``, ...).
        """
        super().__init__(scope, id, **stack_props)
        self._azs = [cdk.Fn.select(i, cdk.Fn.get_azs()) for i in range(2)]
        self.logs_key = kms.Key(
            self,
            "LogsKey",
            enable_key_rotation=True,
            description="Encrypts the consumer stack's logs and failed rollout events",
        )
        log_groups = f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:*"
        self.logs_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsOfThisAccountAndRegion",
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                principals=[iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            )
        )
        if vpc is None:
            flow_logs = logs.LogGroup(
                self,
                "FlowLogs",
                retention=logs.RetentionDays.ONE_YEAR,
                removal_policy=cdk.RemovalPolicy.RETAIN,
                encryption_key=self.logs_key,
            )
            vpc = ec2.Vpc(
                self,
                "Vpc",
                max_azs=2,
                nat_gateways=0,
                subnet_configuration=[
                    ec2.SubnetConfiguration(name="fleet", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
                ],
                flow_logs={
                    "all": ec2.FlowLogOptions(destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
                },
                restrict_default_security_group=False,
            )
            acknowledge_compliance(
                vpc,
                "VPCDefaultSecurityGroupClosed",
                "Nothing here uses the default security group (the fleet has its own with no inbound rule); "
                "closing it takes a custom-resource Lambda, which this stack avoids.",
            )
            flow_role = vpc.node.find_child("all").node.find_child("IAMRole")
            acknowledge_compliance(flow_role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        security_group = ec2.SecurityGroup(
            self,
            "FleetSecurityGroup",
            vpc=vpc,
            description="Golden AMI fleet: no inbound traffic",
            allow_all_outbound=False,
        )
        arm = image.architecture is not None and image.architecture.value == "arm64"
        self.launch_template = GoldenLaunchTemplate(
            self,
            "LaunchTemplate",
            image=image,
            instance_type=instance_type or ("m7g.large" if arm else "m7i.large"),
            pin=pin,
            role=instance_role,
            security_group=security_group,
        )
        self.fleet = GoldenFleet(
            self,
            "Fleet",
            launch_template=self.launch_template,
            vpc=vpc,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            refresh=refresh,
        )
        self.rollout: ImageRollout | None = None
        if self.fleet.refresh is not None:
            self.rollout = ImageRollout(
                self, "Rollout", parameter_name=self.launch_template.parameter_name, encryption_key=self.logs_key
            )
            self.rollout.add_fleet(self.fleet)
        self.vpc = vpc

    @property
    def availability_zones(self) -> list[str]:
        """Two zones chosen at deploy (``Fn::GetAZs``), so synthesis needs no context lookup."""
        return self._azs
