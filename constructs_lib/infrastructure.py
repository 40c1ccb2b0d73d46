"""Where images are built: the build instance's role, profile, logs, notifications and network."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from ._limits import HOP_LIMIT_MAX, HOP_LIMIT_MIN, check_range
from ._nag import INLINE_POLICY_REASON, acknowledge, compliance, skip_checkov

IMAGE_BUILDER_SERVICE_ROLE = "aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"


class BuildInfrastructure(Construct):
    """An ``AWS::ImageBuilder::InfrastructureConfiguration`` and what it needs.

    Makes the build instance role (only ``AmazonSSMManagedInstanceCore`` and
    ``EC2InstanceProfileForImageBuilder``, plus writing its own log prefix), its instance
    profile, and unless given, an S3 log bucket that is encrypted, blocks public access,
    enforces TLS and is kept on stack deletion. Build instances require IMDSv2 and are
    terminated when a build fails.

    Example::

        BuildInfrastructure(self, "Infra", name="web", instance_types=("m7i.large",))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        instance_types: Sequence[str],
        hop_limit: int = 1,
        terminate_on_failure: bool = True,
        subnet: ec2.ISubnet | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        log_bucket: s3.IBucket | None = None,
        notifications: bool = False,
        notification_topic: sns.ITopic | None = None,
    ) -> None:
        """
        :param name: Image Builder name of the configuration (checked by the caller).
        :param instance_types: build instance types, tried in order.
        :param hop_limit: IMDSv2 hop limit. Default: 1 (2 is needed for containers on the instance).
        :param terminate_on_failure: Default: True. False keeps a failed build instance for debugging.
        :param subnet: Default: the default VPC's subnet that Image Builder chooses.
        :param security_groups: Default: the VPC's default group; needs ``subnet``.
        :param log_bucket: Default: a new encrypted bucket owned by this construct.
        :param notifications: create a KMS-encrypted SNS topic for build results. Default: False.
        :param notification_topic: an existing topic instead. Default: none.
        """
        super().__init__(scope, id)
        check_range("hop_limit", hop_limit, HOP_LIMIT_MIN, HOP_LIMIT_MAX)
        if security_groups and subnet is None:
            raise ValueError(
                "security_groups: given without subnet; Image Builder needs both or neither, so add subnet"
            )
        if notifications and notification_topic is not None:
            raise ValueError("notifications: True together with notification_topic; pass one of them")
        stack = Stack.of(self)

        self.log_bucket = log_bucket or self._log_bucket()
        self.log_prefix = f"{name}/"
        self.instance_role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description=f"Image Builder build and test instances of {name}",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"),
                iam.ManagedPolicy.from_aws_managed_policy_name("EC2InstanceProfileForImageBuilder"),
            ],
        )
        self.log_bucket.grant_put(self.instance_role, f"{self.log_prefix}*")
        findings = [
            *compliance("IAMNoInlinePolicy", INLINE_POLICY_REASON),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
                "Image Builder drives build instances through Systems Manager; this AWS policy is the documented "
                "minimum.",
            ),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]",
                "The AWS policy Image Builder documents for build instances (component downloads, logs, tests).",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:Abort*]",
                "grant_put's multipart upload actions, limited to this image's log prefix in the log bucket.",
            ),
        ]
        bucket_resource = self.log_bucket.node.default_child
        if isinstance(bucket_resource, s3.CfnBucket):
            findings.append(
                (
                    f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(bucket_resource)}.Arn>/{self.log_prefix}*]",
                    "Build logs are objects named at build time; the grant is limited to this image's prefix.",
                )
            )
        acknowledge(self.instance_role, *findings[0], *findings[1:])
        profile = iam.CfnInstanceProfile(self, "InstanceProfile", roles=[self.instance_role.role_name])

        self.topic_key: kms.Key | None = None
        self.topic = notification_topic or (self._topic(name) if notifications else None)
        self.resource = imagebuilder.CfnInfrastructureConfiguration(
            self,
            "Resource",
            name=name,
            description=f"Build infrastructure of {name}",
            instance_profile_name=profile.ref,
            instance_types=list(instance_types),
            instance_metadata_options=imagebuilder.CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty(
                http_tokens="required", http_put_response_hop_limit=hop_limit
            ),
            terminate_instance_on_failure=terminate_on_failure,
            logging=imagebuilder.CfnInfrastructureConfiguration.LoggingProperty(
                s3_logs=imagebuilder.CfnInfrastructureConfiguration.S3LogsProperty(
                    s3_bucket_name=self.log_bucket.bucket_name, s3_key_prefix=name
                )
            ),
            subnet_id=subnet.subnet_id if subnet else None,
            security_group_ids=[group.security_group_id for group in security_groups] or None,
            sns_topic_arn=self.topic.topic_arn if self.topic else None,
        )
        self.arn = self.resource.attr_arn

    def _log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(365), noncurrent_version_expiration=Duration.days(30))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        reason = (
            "This bucket holds build logs only; access logging it would need a second log bucket for no audit gain."
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            reason,
            *compliance("S3BucketLoggingEnabled", reason),
            *compliance(
                "S3BucketReplicationEnabled",
                "Build logs are diagnostics of builds that can be rerun; a replica would double storage for no "
                "recovery need.",
            ),
            *compliance(
                "S3DefaultEncryptionKMS",
                "Encrypted with S3-managed keys; build logs hold no secrets, and a KMS key would have to be granted "
                "to every build instance role.",
            ),
        )
        resource = bucket.node.default_child
        assert isinstance(resource, s3.CfnBucket)
        skip_checkov(resource, "CKV_AWS_18", reason)
        return bucket

    def _topic(self, name: str) -> sns.Topic:
        stack = Stack.of(self)
        key = kms.Key(self, "TopicKey", enable_key_rotation=True, description=f"Build notifications of {name}")
        # Image Builder publishes through its service-linked role; the key policy must name it.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                principals=[
                    iam.ArnPrincipal(f"arn:{stack.partition}:iam::{stack.account}:role/{IMAGE_BUILDER_SERVICE_ROLE}")
                ],
                resources=["*"],
            )
        )
        self.topic_key = key
        return sns.Topic(self, "Notifications", master_key=key, enforce_ssl=True, display_name=f"{name} builds")
