"""The same pipeline written with aws-cdk's experimental Image Builder L2 module
(aws-cdk.aws-imagebuilder-alpha, installed only in the bench environment).

"The same" means what this library's defaults build: an encrypted, TLS-only, versioned log
bucket, the build logs in it, image tests and scanning on, the latest-AMI parameter written in
each of the three regions through an execution role (Image Builder's prerequisite for SSM
output parameters), and a lifecycle policy that deprecates after 90 days and deletes AMIs
with their snapshots after 180, keeping 3 and sparing recently launched ones."""

import sys
from pathlib import Path

import aws_cdk as cdk
import aws_cdk.aws_imagebuilder_alpha as ib
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm

ROOT = Path(__file__).resolve().parent.parent

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Alpha", env=cdk.Environment(account="111111111111", region="eu-west-1"))
nginx = ib.Component(
    stack,
    "Nginx",
    component_name="web-server-nginx",
    component_version="1.0.0",
    platform=ib.Platform.LINUX,
    data=ib.ComponentData.from_inline((ROOT / "components" / "web-server.yaml").read_text()),
)
recipe = ib.ImageRecipe(
    stack,
    "Recipe",
    image_recipe_name="web-server",
    image_recipe_version="1.0.0",
    base_image=ib.BaseImage.from_ssm_parameter_name(
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    ),
    components=[
        ib.ComponentConfiguration(
            component=ib.AmazonManagedComponent.update_os(stack, "Update", platform=ib.Platform.LINUX)
        ),
        ib.ComponentConfiguration(component=nginx),
    ],
    block_devices=[
        ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True)),
        ec2.BlockDevice(device_name="/dev/xvdf", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True)),
    ],
)
distribution = ib.DistributionConfiguration(stack, "Distribution", distribution_configuration_name="web-server")
latest = ssm.StringParameter.from_string_parameter_name(stack, "Latest", "/golden-ami/web-server/latest")
for region in ("eu-west-1", "us-east-1", "ap-southeast-2"):
    distribution.add_ami_distributions(
        ib.AmiDistribution(
            ami_name="web-server-{{ imagebuilder:buildDate }}",
            region=region,
            ssm_parameters=[
                ib.SSMParameterConfigurations(parameter=latest, data_type=ssm.ParameterDataType.AWS_EC2_IMAGE)
            ],
        )
    )
logs = s3.Bucket(
    stack,
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
ib.LifecyclePolicy(
    stack,
    "Lifecycle",
    resource_type=ib.LifecyclePolicyResourceType.AMI_IMAGE,
    resource_selection=ib.LifecyclePolicyResourceSelection(recipes=[recipe]),
    details=[
        ib.LifecyclePolicyDetail(
            action=ib.LifecyclePolicyAction(type=ib.LifecyclePolicyActionType.DEPRECATE, include_amis=True),
            filter=ib.LifecyclePolicyFilter(
                age_filter=ib.LifecyclePolicyAgeFilter(age=cdk.Duration.days(90), retain_at_least=3)
            ),
            exclusion_rules=exclusions,
        ),
        ib.LifecyclePolicyDetail(
            action=ib.LifecyclePolicyAction(
                type=ib.LifecyclePolicyActionType.DELETE, include_amis=True, include_snapshots=True
            ),
            filter=ib.LifecyclePolicyFilter(
                age_filter=ib.LifecyclePolicyAgeFilter(age=cdk.Duration.days(180), retain_at_least=3)
            ),
            exclusion_rules=exclusions,
        ),
    ],
)
execution = iam.Role(
    stack,
    "Execution",
    assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"),
    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("EC2ImageBuilderExecutionPolicy")],
)
execution.add_to_policy(
    iam.PolicyStatement(
        actions=["ssm:PutParameter"],
        resources=[
            f"arn:aws:ssm:{region}:111111111111:parameter/golden-ami/web-server/latest"
            for region in ("eu-west-1", "us-east-1", "ap-southeast-2")
        ],
    )
)
ib.ImagePipeline(
    stack,
    "Pipeline",
    execution_role=execution,
    image_pipeline_name="web-server",
    recipe=recipe,
    distribution_configuration=distribution,
    infrastructure_configuration=ib.InfrastructureConfiguration(
        stack,
        "Infrastructure",
        infrastructure_configuration_name="web-server",
        instance_types=[ec2.InstanceType("m7i.large")],
        logging=ib.InfrastructureConfigurationLogging(s3_bucket=logs, s3_key_prefix="web-server/"),
    ),
    image_tests_enabled=True,
    image_scanning_enabled=True,
    schedule=ib.ImagePipelineSchedule(expression=events.Schedule.expression("cron(0 4 ? * SUN *)")),
)
app.synth()
