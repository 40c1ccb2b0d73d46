from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match

from constructs_lib import (
    Architecture,
    BaseImage,
    Component,
    DataVolume,
    GoldenImagePipeline,
    IGoldenImage,
    LaunchPermission,
    OperatingSystem,
    RegionTarget,
    RootVolume,
    Schedule,
    StartCondition,
    VersionLock,
)
from tests.conftest import make_pipeline as pipeline
from tests.conftest import make_stack, template

KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_defaults_are_secure_and_build_on_schedule(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock)
    t = template(stack)
    t.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "Name": "web",
            "Status": "ENABLED",
            "EnhancedImageMetadataEnabled": True,
            "ImageTestsConfiguration": {"ImageTestsEnabled": True, "TimeoutMinutes": 720},
            "ImageScanningConfiguration": {"ImageScanningEnabled": True},
            "Schedule": {
                "ScheduleExpression": "cron(0 4 ? * SUN *)",
                "Timezone": "Etc/UTC",
                "PipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY",
                "AutoDisablePolicy": {"FailureCount": 3},
            },
        },
    )
    t.has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        {
            "Distributions": [
                {
                    "Region": "eu-west-1",
                    "AmiDistributionConfiguration": Match.object_like({"Name": "web-{{ imagebuilder:buildDate }}"}),
                    "SsmParameterConfigurations": [
                        {"ParameterName": "/golden-ami/web/latest", "DataType": "aws:ec2:image"}
                    ],
                }
            ]
        },
    )
    distribution = next(iter(t.find_resources("AWS::ImageBuilder::DistributionConfiguration").values()))
    assert (
        "LaunchPermissionConfiguration"
        not in distribution["Properties"]["Distributions"][0]["AmiDistributionConfiguration"]
    )
    t.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"InstanceTypes": ["m7i.large", "m6i.large"]}
    )
    assert built.ami_parameter_name == "/golden-ami/web/latest"
    assert isinstance(built, IGoldenImage)


def test_execution_role_writes_only_its_own_parameters(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline(stack, lock, distributions=[RegionTarget(region="us-east-1", parameter_name="/apps/web/ami")])
    statements = [
        s
        for p in template(stack).find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "ssm:PutParameter" in str(s["Action"])
    ]
    (statement,) = statements
    rendered = str(statement["Resource"])
    assert ":ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest" in rendered
    assert ":ssm:us-east-1:111111111111:parameter/apps/web/ami" in rendered
    template(stack).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"Service": "imagebuilder.amazonaws.com"},
                            "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}},
                        }
                    )
                ]
            }
        },
    )


def test_all_arguments(stack: cdk.Stack, lock: VersionLock, hello: Component) -> None:
    built = pipeline(
        stack,
        lock,
        image_name="api",
        description="API image",
        base_image=BaseImage.aws_managed(OperatingSystem.UBUNTU_24_04, Architecture.ARM64),
        components=[Component.aws_managed("update-linux", "1.0.x"), hello],
        recipe_version="2.1.x",
        root_volume=RootVolume(size_gib=60),
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=10)],
        instance_types=["c7g.large"],
        hop_limit=2,
        terminate_on_failure=False,
        notifications=True,
        image_tests=False,
        test_timeout_minutes=60,
        image_scanning=False,
        schedule=Schedule(
            expression="cron(0 1 1 * ? *)",
            time_zone="Europe/Berlin",
            start_condition=StartCondition.ON_DEPENDENCY_UPDATE,
            disable_after_failures=5,
        ),
        distributions=[
            RegionTarget(
                region="us-east-1",
                kms_key_arn=KEY,
                target_accounts=("222222222222",),
                parameter_accounts=("222222222222",),
                launch_permission=LaunchPermission(accounts=("333333333333",)),
            )
        ],
        include_home_region=False,
        tags={"team": "apps"},
        kms_key=kms.Key(stack, "HomeKey", enable_key_rotation=True),
    )
    t = template(stack)
    t.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "Description": "API image",
            "ImageTestsConfiguration": {"ImageTestsEnabled": False, "TimeoutMinutes": 60},
            "ImageScanningConfiguration": {"ImageScanningEnabled": False},
            "Schedule": {
                "ScheduleExpression": "cron(0 1 1 * ? *)",
                "Timezone": "Europe/Berlin",
                "PipelineExecutionStartCondition": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE",
                "AutoDisablePolicy": {"FailureCount": 5},
            },
            "Tags": {"team": "apps"},
        },
    )
    t.has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe", {"Version": "2.1.x", "ParentImage": Match.string_like_regexp("arm64")}
    )
    t.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {"InstanceTypes": ["c7g.large"], "TerminateInstanceOnFailure": False, "SnsTopicArn": Match.any_value()},
    )
    t.has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        {
            "Distributions": [
                {
                    "Region": "us-east-1",
                    "AmiDistributionConfiguration": Match.object_like(
                        {
                            "KmsKeyId": KEY,
                            "TargetAccountIds": ["222222222222"],
                            "LaunchPermissionConfiguration": {"UserIds": ["333333333333"]},
                        }
                    ),
                    "SsmParameterConfigurations": [
                        {"ParameterName": "/golden-ami/api/latest", "DataType": "aws:ec2:image"},
                        {
                            "ParameterName": "/golden-ami/api/latest",
                            "DataType": "aws:ec2:image",
                            "AmiAccountId": "222222222222",
                        },
                    ],
                }
            ]
        },
    )
    assert built.component_versions == {"update-linux": "1.0.x", "hello": "1.0.0"}
    with pytest.raises(
        ValueError, match=r"region: 'api' publishes no latest-AMI parameter in eu-west-1; it does in us-east-1"
    ):
        _ = built.ami_parameter_name


def test_rejects_an_instance_type_of_the_wrong_architecture(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError,
        match=r"instance_types: 'm7i.large' is an x86_64 instance type but the image is arm64; use arm64 types such as m7g.large, m6g.large",
    ):
        pipeline(
            stack,
            lock,
            base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023, Architecture.ARM64),
            instance_types=["m7i.large"],
        )


def test_arm64_images_default_to_graviton_build_instances(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline(stack, lock, base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023, Architecture.ARM64))
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"InstanceTypes": ["m7g.large", "m6g.large"]}
    )


@pytest.mark.parametrize("minutes", [59, 1441])
def test_rejects_test_timeout_outside_60_to_1440(stack: cdk.Stack, lock: VersionLock, minutes: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"test_timeout_minutes: {minutes} minutes is outside AWS's range; use one from 60 to 1440 minutes",
    ):
        pipeline(stack, lock, test_timeout_minutes=minutes)


def test_rejects_the_same_region_twice(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"distributions: region 'us-east-1' is listed twice; merge its settings"):
        pipeline(stack, lock, distributions=[RegionTarget(region="us-east-1"), RegionTarget(region="us-east-1")])


def test_rejects_a_region_outside_the_partition(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError,
        match=r"distributions\[cn-north-1\].region: 'cn-north-1' is outside the home region's partition 'aws'",
    ):
        pipeline(stack, lock, distributions=[RegionTarget(region="cn-north-1")])


def test_rejects_no_region_at_all(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError, match=r"distributions: no region left \(include_home_region=False and none listed\)"
    ):
        pipeline(stack, lock, include_home_region=False)


def test_rejects_invalid_tags(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"tags: tag key 'aws:x' starts with 'aws:'"):
        pipeline(stack, lock, tags={"aws:x": "y"})


def test_warns_when_dependency_updates_can_never_start_a_build(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline(
        stack,
        lock,
        components=[Component.aws_managed("update-linux", "1.2.3")],
        schedule=Schedule(start_condition=StartCondition.ON_DEPENDENCY_UPDATE),
    )
    Annotations.from_stack(stack).has_warning(
        "/Test/Web", Match.string_like_regexp("never starts a build; use StartCondition.ON_SCHEDULE")
    )


def test_public_sharing_adds_a_warning_about_the_account_block(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline(
        stack,
        lock,
        encrypt_volumes=False,
        distributions=[RegionTarget(region="us-east-1", launch_permission=LaunchPermission(public=True))],
    )
    Annotations.from_stack(stack).has_warning(
        "/Test/Web", Match.string_like_regexp("block public AMI sharing by default")
    )
    mappings = template(stack).find_resources("AWS::ImageBuilder::ImageRecipe")
    (recipe,) = mappings.values()
    assert [m["Ebs"]["Encrypted"] for m in recipe["Properties"]["BlockDeviceMappings"]] == [False]


def test_rejects_public_sharing_of_encrypted_volumes(stack: cdk.Stack, lock: VersionLock) -> None:
    public = RegionTarget(region="us-east-1", launch_permission=LaunchPermission(public=True))
    with pytest.raises(
        ValueError,
        match=r"distributions\[us-east-1\].launch_permission.public: AWS cannot make an AMI with encrypted "
        r"snapshots public.*pass encrypt_volumes=False",
    ):
        pipeline(stack, lock, distributions=[public])


def test_rejects_a_key_with_unencrypted_volumes(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"kms_key: a key is given but encrypt_volumes=False"):
        pipeline(stack, lock, encrypt_volumes=False, kms_key=kms.Key(stack, "K"))


SHARED = LaunchPermission(accounts=("333333333333",))
KEY = "arn:aws:kms:us-east-1:111111111111:alias/golden-ami/distribution"


def test_rejects_sharing_an_ami_encrypted_with_the_default_ebs_key(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError,
        match=r"distributions\[us-east-1\].kms_key_arn: the AMI is shared with other accounts but encrypted "
        r"with the account's default EBS key.*DistributionKey.alias_arn",
    ):
        pipeline(stack, lock, distributions=[RegionTarget(region="us-east-1", launch_permission=SHARED)])


def test_sharing_in_the_home_region_uses_the_recipe_key_given(stack: cdk.Stack, lock: VersionLock) -> None:
    home = RegionTarget(region="eu-west-1", launch_permission=SHARED)
    other = make_stack()
    built = pipeline(other, lock, distributions=[home], kms_key=kms.Key(other, "K"))
    assert built.region_targets[0].launch_permission.accounts == ("333333333333",)


def test_add_region_distributes_and_publishes_there(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock)
    built.add_region(RegionTarget(region="us-east-1", kms_key_arn=KEY, launch_permission=SHARED))
    built.add_region(RegionTarget(region="ap-southeast-2", publish_parameter=False))
    t = template(stack).to_json()
    (dist,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::ImageBuilder::DistributionConfiguration"]
    regions = [d["Region"] for d in dist["Properties"]["Distributions"]]
    assert regions == ["eu-west-1", "us-east-1", "ap-southeast-2"]
    east = dist["Properties"]["Distributions"][1]
    assert east["AmiDistributionConfiguration"]["KmsKeyId"] == KEY
    assert east["AmiDistributionConfiguration"]["LaunchPermissionConfiguration"] == {"UserIds": ["333333333333"]}
    assert east["SsmParameterConfigurations"] == [
        {"ParameterName": "/golden-ami/web/latest", "DataType": "aws:ec2:image"}
    ]
    assert "SsmParameterConfigurations" not in dist["Properties"]["Distributions"][2]
    assert built.parameter_names == {"eu-west-1": "/golden-ami/web/latest", "us-east-1": "/golden-ami/web/latest"}
    put = next(
        s
        for r in t["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "ssm:PutParameter"
    )
    assert put["Resource"] == [
        f"arn:aws:ssm:{r}:111111111111:parameter/golden-ami/web/latest" for r in ("eu-west-1", "us-east-1")
    ]


def test_add_region_creates_the_execution_role_when_first_needed(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock, distributions=[RegionTarget(region="eu-west-1", publish_parameter=False)])
    assert built.execution_role is None
    built.add_region(RegionTarget(region="us-east-1"))
    assert built.execution_role is not None
    (pipe,) = template(stack).find_resources("AWS::ImageBuilder::ImagePipeline").values()
    assert "ExecutionRole" in pipe["Properties"]
    assert any("ExecutionRoleDefaultPolicy" in d for d in pipe["DependsOn"])


def test_add_region_rejects_a_region_already_there(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock)
    with pytest.raises(ValueError, match=r"add_region: region 'eu-west-1' is already distributed to"):
        built.add_region(RegionTarget(region="eu-west-1"))


def test_add_region_applies_the_sharing_rules(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock)
    with pytest.raises(ValueError, match=r"distributions\[us-east-1\].kms_key_arn"):
        built.add_region(RegionTarget(region="us-east-1", launch_permission=SHARED))
    with pytest.raises(ValueError, match=r"distributions\[cn-north-1\].region"):
        built.add_region(RegionTarget(region="cn-north-1"))


def test_no_schedule_builds_on_demand_only(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline(stack, lock, schedule=None)
    template(stack).has_resource_properties("AWS::ImageBuilder::ImagePipeline", {"Schedule": Match.absent()})


def test_grant_start_execution_names_the_pipeline(stack: cdk.Stack, lock: VersionLock) -> None:
    built = pipeline(stack, lock)
    role = iam.Role(stack, "Ci", assumed_by=iam.AccountRootPrincipal())
    built.grant_start_execution(role)
    template(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("Ci")}],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": "imagebuilder:StartImagePipelineExecution",
                            "Resource": {"Fn::GetAtt": [Match.string_like_regexp("Web"), "Arn"]},
                        }
                    )
                ]
            },
        },
    )


def test_imported_pipeline_grants_and_exposes_its_parameter(stack: cdk.Stack) -> None:
    arn = "arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/web"
    imported = GoldenImagePipeline.from_pipeline_arn(arn, ami_parameter_name="/golden-ami/web/latest")
    role = iam.Role(stack, "Ci", assumed_by=iam.AccountRootPrincipal())
    imported.grant_start_execution(role)
    assert isinstance(imported, IGoldenImage)
    template(stack).has_resource_properties(
        "AWS::IAM::Policy", {"PolicyDocument": {"Statement": [Match.object_like({"Resource": arn})]}}
    )


def test_ami_tags_trace_the_image_back(stack: cdk.Stack, lock: VersionLock, hello: Component) -> None:
    pipeline(stack, lock, components=[Component.aws_managed("update-linux"), hello], tags={"team": "platform"})
    distribution = next(iter(template(stack).find_resources("AWS::ImageBuilder::DistributionConfiguration").values()))
    tags = distribution["Properties"]["Distributions"][0]["AmiDistributionConfiguration"]["AmiTags"]
    assert tags == {
        "team": "platform",
        "golden-ami:pipeline": "web",
        "golden-ami:base-image": "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "golden-ami:components": "update-linux/x.x.x hello/1.0.0",
        # The recipe's name: its version is chosen by Image Builder after synth (Ec2ImageBuilderArn has it).
        "golden-ami:recipe": "web",
    }


def test_rejects_a_stack_without_an_explicit_region(lock: VersionLock) -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    with pytest.raises(
        ValueError,
        match=r"stack region: the pipeline's stack needs an explicit region \(env=Environment\(region=...\)\)",
    ):
        pipeline(stack, lock)


def test_the_public_sharing_warning_can_be_acknowledged_with_a_reason(stack: cdk.Stack, lock: VersionLock) -> None:
    from constructs_lib import acknowledge

    public = RegionTarget(region="eu-west-1", launch_permission=LaunchPermission(public=True))
    built = pipeline(stack, lock, encrypt_volumes=False, distributions=[public])

    def public_warnings() -> list[object]:
        found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
        return [w for w in found if "public" in str(w.entry.data).lower()]

    assert len(public_warnings()) == 1
    acknowledge(built, "PublicAmi", "An open-source appliance, meant for every AWS account")
    assert public_warnings() == []
