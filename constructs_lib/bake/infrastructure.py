"""Where images are built: the build instance's role, profile, logs, notifications and network."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from .._core.limits import HOP_LIMIT_MAX, HOP_LIMIT_MIN, check_range
from .._core.nag import INLINE_POLICY_REASON, acknowledge, compliance, skip_checkov
from .._core.network import BuildNetwork
from .._core.warning_ids import DEFAULT_VPC_WARNING, PREFLIGHT_REPORTS

# What s3.Bucket.grant_put grants: writing objects (and their tags, retention, legal hold) and
# aborting multipart uploads.
LOG_ACTIONS = (
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
)
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
        network: BuildNetwork | None = None,
        log_bucket: s3.IBucket | None = None,
        notifications: bool = False,
        notification_topic: sns.ITopic | None = None,
        resources: BuildResources | None = None,
    ) -> None:
        """
        :param name: Image Builder name of the configuration (checked by the caller).
        :param instance_types: build instance types, tried in order.
        :param hop_limit: IMDSv2 hop limit. Default: 1 (2 is needed for containers on the instance).
        :param terminate_on_failure: Default: True. False keeps a failed build instance for debugging.
        :param subnet: Default: the default VPC's subnet that Image Builder chooses, with a warning
            at synth (https://docs.aws.amazon.com/imagebuilder/latest/userguide/create-infra-config.html).
        :param security_groups: Default: the VPC's default group; needs ``subnet``.
        :param network: the subnet and security groups by ID instead (:class:`BuildNetwork`).
        :param log_bucket: Default: a new encrypted bucket owned by this construct.
        :param notifications: create a KMS-encrypted SNS topic for build results. Default: False.
        :param notification_topic: an existing topic instead. Default: none.
        :param resources: a role, instance profile and log bucket shared with other pipelines
            (:class:`BuildResources`); this configuration then only adds writing its own log
            prefix. Default: its own.
        """
        super().__init__(scope, id)
        check_range("hop_limit", hop_limit, HOP_LIMIT_MIN, HOP_LIMIT_MAX)
        if security_groups and subnet is None:
            raise ValueError(
                "security_groups: given without subnet; Image Builder needs both or neither, so add subnet"
            )
        if network is not None and (subnet is not None or security_groups):
            raise ValueError("network: given together with subnet or security_groups; pass one of them")
        subnet_id = network.subnet_id if network else (subnet.subnet_id if subnet else None)
        group_ids = list(network.security_group_ids) if network else [g.security_group_id for g in security_groups]
        if subnet_id is None and str(self.node.try_get_context(PREFLIGHT_REPORTS)).lower() != "true":
            Annotations.of(self).add_warning_v2(
                DEFAULT_VPC_WARNING,
                f"{name}: no build subnet given, so Image Builder builds in the account's default VPC, which many "
                "landing zones delete (the build then fails); name a subnet and security groups (network= or "
                "build_network in the factory file) that reach Systems Manager, Amazon S3 and your package mirrors",
            )
        if notifications and notification_topic is not None:
            raise ValueError("notifications: True together with notification_topic; pass one of them")

        if resources is not None and log_bucket is not None:
            raise ValueError("log_bucket: given together with resources, which bring their own; pass one of them")
        kit = resources or _Kit(self, f"Image Builder build and test instances of {name}", log_bucket)
        self.log_bucket = kit.log_bucket
        self.instance_role = kit.instance_role
        self.log_prefix = f"{name}/"
        kit.grant_logs(self.log_prefix)
        profile_name = kit.instance_profile_name
        self.topic_key: kms.Key | None = None
        self.topic = notification_topic or (self._topic(name) if notifications else None)
        self.resource = imagebuilder.CfnInfrastructureConfiguration(
            self,
            "Resource",
            name=name,
            description=f"Build infrastructure of {name}",
            instance_profile_name=profile_name,
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
            subnet_id=subnet_id,
            security_group_ids=group_ids or None,
            sns_topic_arn=self.topic.topic_arn if self.topic else None,
        )
        self.arn = self.resource.attr_arn

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


class _Kit:
    """The build instance role, its instance profile and the log bucket, made in ``scope``."""

    def __init__(self, scope: Construct, description: str, log_bucket: s3.IBucket | None) -> None:
        self._scope = scope
        self._logs_statement: iam.PolicyStatement | None = None
        self.log_bucket = log_bucket or self._log_bucket()
        self.instance_role = iam.Role(
            scope,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description=description,
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"),
                iam.ManagedPolicy.from_aws_managed_policy_name("EC2InstanceProfileForImageBuilder"),
            ],
        )
        acknowledge(
            self.instance_role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
            "Image Builder drives build instances through Systems Manager; this AWS policy is the documented minimum.",
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]",
                "The AWS policy Image Builder documents for build instances (component downloads, logs, tests).",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:Abort*]",
                "grant_put's multipart upload actions, limited to each image's log prefix in the log bucket.",
            ),
            *compliance("IAMNoInlinePolicy", INLINE_POLICY_REASON),
        )
        profile = iam.CfnInstanceProfile(scope, "InstanceProfile", roles=[self.instance_role.role_name])
        self.instance_profile_name = profile.ref

    def grant_logs(self, prefix: str) -> None:
        """Let build instances write objects under ``prefix`` of the log bucket, and only there.

        One statement holds every prefix of a shared role (a grant per prefix would make a
        policy of many near-identical statements for synthesis to merge)."""
        if self._logs_statement is None:
            self._logs_statement = iam.PolicyStatement(actions=list(LOG_ACTIONS))
            self.instance_role.add_to_policy(self._logs_statement)
            if self.log_bucket.encryption_key is not None:
                self.log_bucket.encryption_key.grant_encrypt(self.instance_role)
        self._logs_statement.add_resources(self.log_bucket.arn_for_objects(f"{prefix}*"))
        bucket_resource = self.log_bucket.node.default_child
        if isinstance(bucket_resource, s3.CfnBucket):
            logical_id = Stack.of(bucket_resource).get_logical_id(bucket_resource)
            acknowledge(
                self.instance_role,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{prefix}*]",
                "Build logs are objects named at build time; the grant is limited to this image's prefix.",
            )

    def _log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self._scope,
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


class BuildResources(Construct):
    """A build instance role, its instance profile and a log bucket for several pipelines.

    One set per stack instead of one per pipeline: a fleet of pipelines then needs five fewer
    resources each. Each :class:`BuildInfrastructure` that uses it adds only the right to write
    its own log prefix. The role holds only ``AmazonSSMManagedInstanceCore`` and
    ``EC2InstanceProfileForImageBuilder``; the bucket is encrypted, TLS-only, versioned and
    retained. ``ImageFamily`` makes one per stack.

    Example::

        shared = BuildResources(self, "Build")
        GoldenImagePipeline(self, "Web", ..., build_resources=shared)
    """

    def __init__(self, scope: Construct, id: str, *, log_bucket: s3.IBucket | None = None) -> None:
        """
        :param log_bucket: Default: a new bucket as described above.
        """
        super().__init__(scope, id)
        self._kit = _Kit(self, "Image Builder build and test instances of golden AMI pipelines", log_bucket)
        self.instance_role = self._kit.instance_role
        self.instance_profile_name = self._kit.instance_profile_name
        self.log_bucket = self._kit.log_bucket

    def grant_logs(self, prefix: str) -> None:
        """Let build instances write objects under ``prefix`` of the log bucket."""
        self._kit.grant_logs(prefix)
