"""The scaling curve's case: ``curve.py OUTDIR ours|alpha N REGIONS``.

N copies of the one-pipeline case (``ours_three_regions.py`` / ``alpha_three_regions.py``: the
same resource types and counts for both), each under a construct of its own named ``img<i>``,
in stacks of 20 pipelines, home region eu-west-1 plus REGIONS - 1 more. The copies differ only in
their names, so the cost per additional pipeline is what the slope of seconds against N measures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOME = "eu-west-1"
# The large fleet's regions (examples/large-fleet.yaml) after the home region: 3 or 17 in all.
OTHERS = (
    "us-east-1", "ap-southeast-2", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-southeast-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
)  # fmt: skip
PER_STACK = 20
COMPONENT = ROOT / "components" / "web-server.yaml"


def ours(scope: Construct, name: str, regions: tuple[str, ...], lock: object) -> None:
    from constructs_lib import BaseImage, Component, DataVolume, GoldenImagePipeline, OperatingSystem, RegionTarget

    GoldenImagePipeline(
        scope,
        "Web",
        image_name=name,
        base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
        components=[Component.aws_managed("update-linux"), Component.from_file(COMPONENT, name=f"{name}-nginx")],
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)],
        distributions=[RegionTarget(region=r) for r in regions],
        version_lock=lock,  # type: ignore[arg-type]
    )


def alpha(scope: Construct, name: str, regions: tuple[str, ...], _lock: object) -> None:
    """What alpha_three_regions.py writes, for one image name and any regions."""
    import aws_cdk.aws_imagebuilder_alpha as ib
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_events as events
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_ssm as ssm

    nginx = ib.Component(
        scope,
        "Nginx",
        component_name=f"{name}-nginx",
        component_version="1.0.0",
        platform=ib.Platform.LINUX,
        data=ib.ComponentData.from_inline(COMPONENT.read_text()),
    )
    recipe = ib.ImageRecipe(
        scope,
        "Recipe",
        image_recipe_name=name,
        image_recipe_version="1.0.0",
        base_image=ib.BaseImage.from_ssm_parameter_name(
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        ),
        components=[
            ib.ComponentConfiguration(
                component=ib.AmazonManagedComponent.update_os(scope, "Update", platform=ib.Platform.LINUX)
            ),
            ib.ComponentConfiguration(component=nginx),
        ],
        block_devices=[
            ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True)),
            ec2.BlockDevice(device_name="/dev/xvdf", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True)),
        ],
    )
    distribution = ib.DistributionConfiguration(scope, "Distribution", distribution_configuration_name=name)
    latest = ssm.StringParameter.from_string_parameter_name(scope, "Latest", f"/golden-ami/{name}/latest")
    for region in (HOME, *regions):
        distribution.add_ami_distributions(
            ib.AmiDistribution(
                ami_name=f"{name}-{{{{ imagebuilder:buildDate }}}}",
                region=region,
                ssm_parameters=[
                    ib.SSMParameterConfigurations(parameter=latest, data_type=ssm.ParameterDataType.AWS_EC2_IMAGE)
                ],
            )
        )
    logs = s3.Bucket(
        scope,
        "Logs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    exclusions = ib.LifecyclePolicyExclusionRules(
        ami_exclusion_rules=ib.LifecyclePolicyAmiExclusionRules(
            last_launched=cdk.Duration.days(30), tags={"golden-ami:keep": "true"}
        )
    )
    ages = ((ib.LifecyclePolicyActionType.DEPRECATE, 90, False), (ib.LifecyclePolicyActionType.DELETE, 180, True))
    ib.LifecyclePolicy(
        scope,
        "Lifecycle",
        resource_type=ib.LifecyclePolicyResourceType.AMI_IMAGE,
        resource_selection=ib.LifecyclePolicyResourceSelection(recipes=[recipe]),
        details=[
            ib.LifecyclePolicyDetail(
                action=ib.LifecyclePolicyAction(type=kind, include_amis=True, include_snapshots=snapshots or None),
                filter=ib.LifecyclePolicyFilter(
                    age_filter=ib.LifecyclePolicyAgeFilter(age=cdk.Duration.days(days), retain_at_least=3)
                ),
                exclusion_rules=exclusions,
            )
            for kind, days, snapshots in ages
        ],
    )
    execution = iam.Role(
        scope,
        "Execution",
        assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("EC2ImageBuilderExecutionPolicy")],
    )
    execution.add_to_policy(
        iam.PolicyStatement(
            actions=["ssm:PutParameter"],
            resources=[f"arn:aws:ssm:{r}:111111111111:parameter/golden-ami/{name}/latest" for r in (HOME, *regions)],
        )
    )
    ib.ImagePipeline(
        scope,
        "Pipeline",
        execution_role=execution,
        image_pipeline_name=name,
        recipe=recipe,
        distribution_configuration=distribution,
        infrastructure_configuration=ib.InfrastructureConfiguration(
            scope,
            "Infrastructure",
            infrastructure_configuration_name=name,
            instance_types=[ec2.InstanceType("m7i.large")],
            logging=ib.InfrastructureConfigurationLogging(s3_bucket=logs, s3_key_prefix=f"{name}/"),
        ),
        image_tests_enabled=True,
        image_scanning_enabled=True,
        schedule=ib.ImagePipelineSchedule(expression=events.Schedule.expression("cron(0 4 ? * SUN *)")),
    )


def main(outdir: str, which: str, count: int, regions: int) -> None:
    build = {"ours": ours, "alpha": alpha}[which]
    others = OTHERS[: regions - 1]
    app = cdk.App(outdir=outdir)
    env = cdk.Environment(account="111111111111", region=HOME)
    with tempfile.TemporaryDirectory() as scratch:
        lock = None
        if which == "ours":
            from constructs_lib import VersionLock

            lock = VersionLock.at(Path(scratch) / "curve.lock.json")
        stacks: list[cdk.Stack] = []
        for i in range(count):
            if i % PER_STACK == 0:
                stacks.append(cdk.Stack(app, f"Curve{len(stacks)}", env=env))
            build(Construct(stacks[-1], f"img{i}"), f"img{i}", others, lock)
        app.synth()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
