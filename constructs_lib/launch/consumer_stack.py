"""A stack per region that launches a golden image: network, launch template, fleet, rollout."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from .._core.nag import INLINE_POLICY_REASON, acknowledge_compliance
from .._core.network import FleetNetwork
from ..pipeline.interfaces import IDistributedGoldenImage
from .fleet import DEFAULT_REFRESH, GoldenFleet, InstanceRefresh
from .launch_template import GoldenLaunchTemplate
from .rollout import ImageRollout


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerFleet:
    """One fleet of a :class:`ConsumerStack`: which image, on what, how many, how it rolls.

    Defaults: m7i.large (m7g.large for arm64 images), 1 to 2 instances, ``InstanceRefresh()``,
    not pinned, no instance role.
    """

    image: IDistributedGoldenImage
    name: str | None = None
    """Prefix of the fleet's construct IDs. Default: the image name."""
    instance_type: str | None = None
    min_capacity: int = 1
    max_capacity: int = 2
    refresh: InstanceRefresh | None = DEFAULT_REFRESH
    pin: int | str | None = None
    instance_role: iam.IRole | None = None
    network: FleetNetwork | None = None
    """An existing VPC's subnets and security groups, by ID. Default: the stack's ``network``,
    else its new isolated VPC and security group."""


class ConsumerStack(cdk.Stack):
    """Launches ``image`` in the stack's region: a :class:`GoldenLaunchTemplate`, a
    :class:`GoldenFleet` using it and the region's :class:`ImageRollout`.

    A fleet with a ``network`` (:class:`FleetNetwork`: an existing VPC, subnets and security
    groups named by ID, so synthesis needs no lookup) launches there: what platform teams run in
    their own networks. Fleets without one share ``vpc`` or, without it, a small new VPC made for
    trying the factory out: two private isolated subnets (no NAT gateway, no route anywhere),
    flow logs to a log group kept one year, and a security group that allows no inbound
    traffic. Its availability zones come from ``Fn::GetAZs`` at deploy. Refuses a region the
    image is not distributed to.

    Example::

        ConsumerStack(app, "Web-us-east-1", image=pipeline, env=cdk.Environment(account=..., region="us-east-1"))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image: IDistributedGoldenImage | None = None,
        fleets: Sequence[ConsumerFleet] = (),
        instance_type: str | None = None,
        min_capacity: int = 1,
        max_capacity: int = 2,
        refresh: InstanceRefresh | None = DEFAULT_REFRESH,
        pin: int | str | None = None,
        instance_role: iam.IRole | None = None,
        vpc: ec2.IVpc | None = None,
        network: FleetNetwork | None = None,
        **stack_props: Any,
    ) -> None:
        """
        :param image: the pipeline whose image the stack's one fleet launches (with the
            arguments below); or give ``fleets``.
        :param fleets: several fleets, each with its own construct IDs (prefixed by its image
            name), sharing the VPC, security group, logs key and one rollout per image.
        :param instance_type: Default: m7i.large, or m7g.large for an arm64 image.
        :param min_capacity: Default: 1.
        :param max_capacity: Default: 2.
        :param refresh: Default: ``InstanceRefresh()``; None leaves running instances alone.
        :param pin: a parameter version or label to launch instead of the newest AMI (rollback).
        :param instance_role: Default: none.
        :param vpc: Default: a new isolated VPC as described above, when a fleet has no network.
        :param network: subnets and security groups by ID of every fleet that names none. Default: none.
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
        if (image is None) == (not fleets):
            raise ValueError("image: give image= for one fleet or fleets= for several, not both or neither")
        if network is not None and vpc is not None:
            raise ValueError("network: given together with vpc; pass one of them")
        self._network = network
        needs_own = (image is not None and network is None) or any(
            f.network is None and network is None for f in fleets
        )
        self.security_group: ec2.ISecurityGroup | None = None
        if needs_own:
            vpc = vpc or self._isolated_vpc()
            self.security_group = ec2.SecurityGroup(
                self,
                "FleetSecurityGroup",
                vpc=vpc,
                description="Golden AMI fleet: no inbound traffic",
                allow_all_outbound=False,
            )
        self._imported: dict[str, Any] = {}
        self.vpc: ec2.IVpc | None = vpc
        self.launch_templates: list[GoldenLaunchTemplate] = []
        self.fleets: list[GoldenFleet] = []
        self.rollouts: dict[str, ImageRollout] = {}
        if image is not None:
            one = ConsumerFleet(
                image=image,
                instance_type=instance_type,
                min_capacity=min_capacity,
                max_capacity=max_capacity,
                refresh=refresh,
                pin=pin,
                instance_role=instance_role,
                network=network,
            )
            self._add(one, "")
        for fleet in fleets:
            self._add(fleet, fleet.name or fleet.image.image_name)
        self.launch_template = self.launch_templates[0]
        self.fleet = self.fleets[0]
        self.rollout = next(iter(self.rollouts.values()), None)

    def _add(self, spec: ConsumerFleet, prefix: str) -> None:
        arm = spec.image.architecture is not None and spec.image.architecture.value == "arm64"
        network = spec.network or self._network
        if network is not None:
            vpc: ec2.IVpc = self._import(
                network.vpc_id,
                lambda: ec2.Vpc.from_vpc_attributes(
                    self, f"Vpc-{network.vpc_id}", vpc_id=network.vpc_id, availability_zones=self._azs
                ),
            )
            subnets: ec2.SubnetSelection | None = ec2.SubnetSelection(
                subnets=[self._import(i, lambda i=i: _subnet(self, i)) for i in network.subnet_ids]
            )
            groups = [
                self._import(i, lambda i=i: ec2.SecurityGroup.from_security_group_id(self, f"Sg-{i}", i, mutable=False))
                for i in network.security_group_ids
            ]
        else:
            assert self.vpc is not None and self.security_group is not None
            vpc, subnets, groups = self.vpc, None, [self.security_group]
        template = GoldenLaunchTemplate(
            self,
            f"{prefix}LaunchTemplate",
            image=spec.image,
            instance_type=spec.instance_type or ("m7g.large" if arm else "m7i.large"),
            pin=spec.pin,
            role=spec.instance_role,
            security_group=groups[0],
        )
        for group in groups[1:]:
            template.launch_template.add_security_group(group)
        fleet = GoldenFleet(
            self,
            f"{prefix}Fleet",
            launch_template=template,
            vpc=vpc,
            vpc_subnets=subnets,
            min_capacity=spec.min_capacity,
            max_capacity=spec.max_capacity,
            refresh=spec.refresh,
        )
        if fleet.refresh is not None:
            name = template.parameter_name
            if name not in self.rollouts:
                self.rollouts[name] = ImageRollout(
                    self, f"{prefix}Rollout", parameter_name=name, encryption_key=self.logs_key
                )
            self.rollouts[name].add_fleet(fleet)
        self.launch_templates.append(template)
        self.fleets.append(fleet)

    def _isolated_vpc(self) -> ec2.Vpc:
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
            flow_logs={"all": ec2.FlowLogOptions(destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))},
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
        # The trust AWS shows for flow logs to CloudWatch Logs, bounded to this account's flow logs
        # (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html); the role keeps
        # its logical ID, and a trust policy is updated in place.
        flow_role.node.default_child.add_property_override(  # type: ignore[union-attr]
            "AssumeRolePolicyDocument.Statement.0.Condition",
            {
                "StringEquals": {"aws:SourceAccount": self.account},
                "ArnLike": {"aws:SourceArn": f"arn:{self.partition}:ec2:{self.region}:{self.account}:vpc-flow-log/*"},
            },
        )
        return vpc

    def _import(self, key: str, make: Any) -> Any:
        """One construct per imported VPC, subnet or security group, however many fleets use it."""
        if key not in self._imported:
            self._imported[key] = make()
        return self._imported[key]

    def notify(self, target: events.IRuleTarget) -> list[events.Rule]:
        """Send to ``target`` what needs a person here: each fleet's instance refresh that failed or
        was rolled back (:meth:`GoldenFleet.on_refresh_failed`), and each rollout's fleets not
        converged (:meth:`ImageRollout.on_not_converged`)."""
        rules = [fleet.on_refresh_failed("RefreshFailedNotice", target=target) for fleet in self.fleets]
        return rules + [r.on_not_converged("NotConvergedNotice", target=target) for r in self.rollouts.values()]

    @property
    def availability_zones(self) -> list[str]:
        """Two zones chosen at deploy (``Fn::GetAZs``), so synthesis needs no context lookup."""
        return self._azs


def _subnet(scope: Construct, subnet_id: str) -> ec2.ISubnet:
    """A subnet by ID. CDK warns that an imported subnet has no route table; nothing here reads
    one (the group takes subnet IDs only), so that warning is acknowledged with the reason."""
    subnet = ec2.Subnet.from_subnet_id(scope, f"Subnet-{subnet_id}", subnet_id)
    cdk.Annotations.of(subnet).acknowledge_warning(
        "@aws-cdk/aws-ec2:noSubnetRouteTableId",
        "The fleet names its subnets by ID and reads no route table of theirs.",
    )
    return subnet
