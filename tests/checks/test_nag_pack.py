"""The GoldenAmi pack inside cdk-nag: it reports a deliberately insecure stack, rule by rule and
with each rule's explanation, and it stays quiet on what the library builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder

from constructs_lib import GoldenAmiChecks, GoldenLaunchTemplate, PipelineLogGroups, VersionLock
from constructs_lib.checks.nag import RULES
from tests.conftest import make_pipeline

_Recipe = imagebuilder.CfnImageRecipe
_Infra = imagebuilder.CfnInfrastructureConfiguration
_Pipeline = imagebuilder.CfnImagePipeline


def report(app: cdk.App) -> dict[str, list[dict[str, Any]]]:
    """Rule name -> violations of the GoldenAmi pack, after a synth that may fail."""
    cdk.Validations.of(app).add_plugins(GoldenAmiChecks(app, verbose=True))
    try:
        directory = app.synth().directory
    except RuntimeError:
        directory = app.outdir
    data = json.loads((Path(directory) / "validation-report.json").read_text())
    found: dict[str, list[dict[str, Any]]] = {}
    for plugin in data["pluginReports"]:
        for violation in plugin.get("violations", []):
            found.setdefault(violation["ruleName"], []).append(violation)
    return found


def insecure_stack(tmp_path: Path) -> cdk.App:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Insecure", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    _Recipe(
        stack,
        "Recipe",
        name="open",
        version="1.0.0",
        parent_image="ami-0123456789abcdef0",
        components=[
            _Recipe.ComponentConfigurationProperty(
                component_arn="arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x"
            )
        ],
        block_device_mappings=[
            _Recipe.InstanceBlockDeviceMappingProperty(
                device_name="/dev/xvda", ebs=_Recipe.EbsInstanceBlockDeviceSpecificationProperty(encrypted=False)
            )
        ],
    )
    infra = _Infra(
        stack,
        "Infra",
        name="open",
        instance_profile_name="profile",
        instance_metadata_options=_Infra.InstanceMetadataOptionsProperty(http_tokens="optional"),
        terminate_instance_on_failure=False,
    )
    dist = imagebuilder.CfnDistributionConfiguration(
        stack,
        "Dist",
        name="open",
        distributions=[
            imagebuilder.CfnDistributionConfiguration.DistributionProperty(
                region="eu-west-1",
                ami_distribution_configuration={
                    "Name": "open-{{ imagebuilder:buildDate }}",
                    "TargetAccountIds": ["222222222222"],
                    "LaunchPermissionConfiguration": {"UserGroups": ["all"]},
                },
            )
        ],
    )
    _Pipeline(
        stack,
        "Pipeline",
        name="open",
        image_recipe_arn="arn:aws:imagebuilder:eu-west-1:111111111111:image-recipe/open/1.0.0",
        infrastructure_configuration_arn=infra.attr_arn,
        distribution_configuration_arn=dist.attr_arn,
        image_tests_configuration=_Pipeline.ImageTestsConfigurationProperty(image_tests_enabled=False),
        schedule=_Pipeline.ScheduleProperty(schedule_expression="cron(0 4 ? * SUN *)"),
        # Image Builder would create this group itself: no key, logs kept forever.
        logging_configuration=_Pipeline.PipelineLoggingConfigurationProperty(
            image_log_group_name="/aws/imagebuilder/open"
        ),
    )
    cdk.CfnResource(
        stack,
        "Import",
        type="Custom::GoldenAmiVmImport",
        properties={"ServiceToken": "arn:aws:lambda:eu-west-1:111111111111:function:x", "Encrypted": "false"},
    )
    iam.CfnRole(
        stack,
        "VmImportRole",
        assume_role_policy_document={
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "vmie.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]
        },
        policies=[
            iam.CfnRole.PolicyProperty(
                policy_name="all",
                policy_document={"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
            )
        ],
    )
    ec2.CfnLaunchTemplate(
        stack,
        "Template",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="optional"),
            network_interfaces=[
                ec2.CfnLaunchTemplate.NetworkInterfaceProperty(device_index=0, associate_public_ip_address=True)
            ],
            block_device_mappings=[
                ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                    device_name="/dev/xvda", ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=False)
                )
            ],
        ),
    )
    return app


def test_an_insecure_stack_breaks_every_rule_with_its_explanation(tmp_path: Path) -> None:
    found = report(insecure_stack(tmp_path))
    assert set(found) == {f"GoldenAmi-{rule.id}" for rule in RULES}
    for rule in RULES:
        (violation,) = found[f"GoldenAmi-{rule.id}"]
        assert rule.explanation in violation["description"], rule.id


def test_insecure_stack_fails_the_synth(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path)
    cdk.Validations.of(app).add_plugins(GoldenAmiChecks(app))
    with pytest.raises(RuntimeError, match=r"ValidationFailed"):
        app.synth()


def test_what_the_library_builds_passes(tmp_path: Path, lock: VersionLock) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Good", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    pipeline = make_pipeline(stack, lock)
    GoldenLaunchTemplate(stack, "Template", image=pipeline, instance_type="m7i.large")
    assert report(app) == {}


def test_an_acknowledged_finding_is_not_reported(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path)
    template = app.node.find_child("Insecure").node.find_child("Template")
    cdk.Validations.of(template).acknowledge(
        cdk.Acknowledgment(id="GoldenAmi-LaunchTemplateNoPublicIp", reason="A bastion host, on purpose.")
    )
    assert "GoldenAmi-LaunchTemplateNoPublicIp" not in report(app)


def test_property_overrides_are_judged_as_synthesized(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Overridden", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    template = ec2.CfnLaunchTemplate(
        stack,
        "Template",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="required"),
            block_device_mappings=[
                ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                    device_name="/dev/xvda", ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=True)
                )
            ],
        ),
    )
    template.add_property_override("LaunchTemplateData.MetadataOptions.HttpTokens", "optional")
    assert set(report(app)) == {"GoldenAmi-LaunchTemplateImdsv2"}


def test_validate_scope_judges_a_tree_that_was_not_synthesized(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path / "never-written")
    result = GoldenAmiChecks().validate_scope(app)
    names = {v.rule_name for v in result.violations}
    assert names == {f"GoldenAmi-{rule.id}" for rule in RULES}


def test_pipeline_log_groups_the_library_makes_pass(tmp_path: Path, lock: VersionLock) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Logged", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    PipelineLogGroups(stack, "Logs", pipeline=make_pipeline(stack, lock))
    assert report(app) == {}
